#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# python_test.sh: the Python package's pytest suite (python/tests) in the
# VM, against the extension built on the host in build/python (make python),
# with Debian's /usr/bin/python3. One interpreter runs every test; tests
# that need another process fork it (an exec costs a second and more under
# emulation). Each pytest result is one TAP line; the totals are pytest's.
#
# Runs only when SHMDEV_LANG_TESTS=1 (make check sets it on the kernels that
# run the language suites); otherwise it reports one skip and exits 4.

cd "$(dirname "$0")/.." || exit 1
. selftests/tap.sh
echo "TAP version 13"

lang_suite

PY=${PYTHON:-/usr/bin/python3}
pkg=${PYTHON_BUILD:-$PWD/build/python}
why=
[ -c /dev/shmdev ] || why="no /dev/shmdev: module not loaded"
[ -n "$why" ] || ls "$pkg"/shmdev/_shmdev*.so >/dev/null 2>&1 || why="$pkg/shmdev not built: make python"
[ -n "$why" ] || "$PY" -c 'import pytest' 2>/dev/null || why="no pytest for $PY (python3-pytest)"
if [ -n "$why" ]; then
	echo "1..1"
	skip "$why"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$EPOCHREALTIME
PYTHONPATH=$pkg PYTHONDONTWRITEBYTECODE=1 "$PY" -m pytest -p no:cacheprovider \
	-v -rs --tb=short --color=no python/tests "$@" >"$tmp/log" 2>&1
rc=$?
end=$EPOCHREALTIME

# "path::name[param] PASSED   [ 10%]" lines become TAP; the rest is comment.
while IFS= read -r line; do
	if [[ $line =~ ^([^ ]+::[^ ]+)\ (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) ]]; then
		t=${BASH_REMATCH[1]#python/tests/}
		case ${BASH_REMATCH[2]} in
		PASSED|XFAIL) ok 0 "$t" ;;
		SKIPPED) skip "$t" ;;
		*) ok 1 "$t" ;;
		esac
	else
		echo "# $line"
	fi
done <"$tmp/log"
echo "1..$n"
[ $n -gt 0 ] || { note "pytest ran nothing (status $rc)"; fail=$((fail + 1)); }
[ $rc = 0 ] || [ $fail -gt 0 ] || { note "pytest exited $rc"; fail=$((fail + 1)); }
us=$(( ${end/./} - ${start/./} ))
echo "# pytest took $((us / 1000)) ms"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
