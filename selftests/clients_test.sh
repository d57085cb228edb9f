#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# clients_test.sh: the short run of unmodified programs on the shmdev
# filesystem that make check takes on every kernel, with shmdev mounted on
# /dev/shm (selftests/clients/run-clients.sh): the Go program everywhere,
# and CPython's own shared_memory tests with the fork start method on the
# kernels without debugging (SHMDEV_KDEBUG=0). On a debug kernel CPython's
# run takes 60 s and more of make check's time for each kernel, and make
# check-clients runs it there, with every client and every start method.
cd "$(dirname "$0")/.." || exit 1
export SHMDEV_CPYTHON_METHODS=${SHMDEV_CPYTHON_METHODS:-fork}
export CLIENTS_BUILD=${CLIENTS_BUILD:-$PWD/build/clients}
if [ "${SHMDEV_KDEBUG:-0}" = 1 ]; then
	exec selftests/clients/run-clients.sh go
fi
exec selftests/clients/run-clients.sh cpython go
