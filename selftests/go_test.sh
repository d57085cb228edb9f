#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# go_test.sh: the Go package's tests (go/*_test.go), inside the test VM.
# The test binary is built on the host by 'make go' ($(O)/go/shmdev.test,
# statically linked); this runs it with -test.v and turns every
# "--- PASS/FAIL/SKIP" line, subtests included, into a TAP line and the
# kselftest totals. Skipped (exit 4) unless SHMDEV_LANG_TESTS=1.
cd "$(dirname "$0")/.." || exit 1
. selftests/tap.sh

echo "TAP version 13"
lang_suite

bin=${GO_TEST_BIN:-build/go/shmdev.test}
if [ ! -x "$bin" ]; then
	echo "1..1"
	ok 1 "$bin missing: run make go"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# The binary's own directory is read-only in the guest: run it in $tmp.
abs=$PWD/$bin
(cd "$tmp" && exec "$abs" -test.v -test.count=1 -test.timeout=${GO_TEST_TIMEOUT:-5m} "$@") \
	>"$tmp/log" 2>&1
status=$?

while IFS= read -r line; do
	case $line in
	*"--- PASS: "*)	t=${line#*--- PASS: }; ok 0 "${t% (*}" ;;
	*"--- FAIL: "*)	t=${line#*--- FAIL: }; ok 1 "${t% (*}" ;;
	*"--- SKIP: "*)	t=${line#*--- SKIP: }; skip "${t% (*}" ;;
	"=== RUN"*|"=== PAUSE"*|"=== CONT"*) ;;
	*)		echo "# $line" ;;
	esac
done <"$tmp/log"
# A binary that died (a panic, a fault) without a FAIL line fails too.
if [ "$status" != 0 ] && [ "$fail" = 0 ]; then
	ok 1 "test binary exit status $status"
fi
# The turns example, both sides: six turns, each the expected one.
if [ $# = 0 ] && [ -x build/go/turns ]; then
	build/go/turns --side even --rounds 3 >"$tmp/even" 2>&1 &
	even=$!
	build/go/turns --side odd --rounds 3 >"$tmp/odd" 2>&1
	st=$?
	wait $even || st=1
	slurp "$tmp/even"; [ $st = 0 ] || echo "$REPLY" | sed 's/^/# /'
	slurp "$tmp/odd"; [ $st = 0 ] || echo "$REPLY" | sed 's/^/# /'
	ok $st "examples/go/turns, even and odd sides"
fi
echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
