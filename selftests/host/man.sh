#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# man: every man page renders and matches the header, the version script,
# the built library and shmdevctl --help (man/check-man.sh, TAP).
cd "$(dirname "$0")/../.." && exec man/check-man.sh
