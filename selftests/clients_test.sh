#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# clients_test.sh: the short run of unmodified programs on the shmdev
# filesystem that make check takes on every kernel: CPython's own
# shared_memory tests with the fork start method, and the Go program, with
# shmdev mounted on /dev/shm (selftests/clients/run-clients.sh). make
# check-clients runs every client, with every start method.
cd "$(dirname "$0")/.." || exit 1
export SHMDEV_CPYTHON_METHODS=${SHMDEV_CPYTHON_METHODS:-fork}
export CLIENTS_BUILD=${CLIENTS_BUILD:-$PWD/build/clients}
exec selftests/clients/run-clients.sh cpython go
