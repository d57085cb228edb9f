#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# php_test.sh [--long]: the PHP extension's tests (php/tests/*.phpt) in
# the VM, run by PHP's own run-tests.php against build/php/shmdev.so (make
# php builds it on the host). Prints run-tests.php's report
# and the kselftest totals line made from its summary. --long or SHMDEV_LONG=1 (make
# check-bindings) makes the delete/re-create race and the cache run longer
# (SHMDEV_PHP_LONG=1). Skips (exit 4) unless SHMDEV_LANG_TESTS=1, which
# make check sets on the kernels that run the language suites.
cd "$(dirname "$0")/.." || exit 1

totals() { echo "# Totals: pass:$1 fail:$2 xfail:0 xpass:0 skip:$3 error:0"; }

. selftests/tap.sh
lang_suite
{ [ "${1:-}" = --long ] || [ "${SHMDEV_LONG:-0}" = 1 ]; } && export SHMDEV_PHP_LONG=1

php=${PHP:-php8.2}
runner=${PHP_RUN_TESTS:-/usr/lib/php/20220829/build/run-tests.php}
so=${SHMDEV_PHP_SO:-$PWD/build/php/shmdev.so}
if ! command -v "$php" >/dev/null || [ ! -r "$runner" ] || [ ! -r "$so" ]; then
	echo "# no $php, $runner or $so: make php on the host (php8.2-cli, php8.2-dev)"
	totals 0 1 0
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# run-tests.php writes its .php/.out/.diff files next to the tests: the
# tests are copied to a scratch directory (the guest's tree may be
# read-only), and its report is kept there too.
cp php/tests/*.phpt php/tests/include.inc "$tmp/"
# One test at a time: run-tests.php -j talks to its workers over TCP on
# 127.0.0.1, which the VM boots without, and under TCG a worker can take
# longer to connect than run-tests.php waits for it. Each test forks the
# processes it needs instead of starting PHP again.
export NO_INTERACTION=1 TEST_PHP_EXECUTABLE=$(command -v "$php") \
	SHMDEV_PHP_SO=$so SHMDEV_EXAMPLES=$PWD/examples/php
SECONDS=0
"$php" -n "$runner" -q --no-progress --no-color --show-diff --show-slow 5000 --set-timeout 300 \
	-p "$TEST_PHP_EXECUTABLE" -n -d "extension=$so" \
	-d extension=posix "$tmp" >"$tmp/report" 2>&1
rc=$?
cat "$tmp/report"

count() { sed -n "s/^Tests $1 *: *\([0-9]*\).*/\1/p" "$tmp/report"; }
pass=$(count passed) warn=$(count warned) fail=$(count failed) skip=$(count skipped)
pass=${pass:-0} warn=${warn:-0} fail=${fail:-0} skip=${skip:-0}
# run-tests.php runs a failed test again when it calls sleep() or
# microtime(), and calls it "warned" when it passes then: a pass, said.
[ "$warn" = 0 ] || echo "# $warn test(s) passed on the second attempt only"
pass=$((pass + warn))
total=$(ls "$tmp"/*.phpt | wc -l)
if [ $((pass + fail + skip)) -ne "$total" ]; then
	echo "# run-tests.php reported $pass passed, $fail failed, $skip skipped of $total (status $rc)"
	fail=$((total - pass - skip))
fi
echo "# php_test: ${SECONDS}s"
totals "$pass" "$fail" "$skip"
[ "$fail" = 0 ]
