#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh [NAME...]: the selftests, inside the test VM (`make check` runs
# `selftests/vm/run --kernel K -- selftests/run-tests.sh` on every kernel).
#
# Runs every build/selftests/*_test program and every selftests/*_test.sh
# script, or those NAME picks (region_test, module_test.sh, 'lock*'), each
# under a timeout, and adds up the kselftest totals they print
# ("# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N"; xfail counts as
# passed, xpass and error as failed). A program that prints no totals, or
# exits nonzero without a failed test, counts one failure more; so does a
# kernel report (selftests/vm/reports) in the log while it ran. Before each
# program the module is loaded again if an earlier one left it unloaded.
#
# Prints one line per program and ends with
#   KSFT-TOTALS pass=N fail=N skip=N
# Exit status 1 when anything failed.
#
# Timeouts: TEST_TIMEOUT seconds (default 300) per program, tripled on debug
# kernels; a line "NAME SECONDS" in selftests/timeouts overrides it for one.
# On debug kernels race_test's time budget is 60 s (SHMDEV_RACE_SECONDS).

cd "$(dirname "$0")/.." || exit 1
export PATH=$PATH:/usr/sbin:/sbin

default_timeout=${TEST_TIMEOUT:-300}
scale=1
if [ "${SHMDEV_KDEBUG:-0}" = 1 ]; then
	scale=3
	# race_test stops at a time budget (120 s) on slow kernels: a debug
	# kernel does about 20 cycles a second whatever the budget, and three
	# of them run in `make check`, so they get half of it.
	export SHMDEV_RACE_SECONDS=${SHMDEV_RACE_SECONDS:-60}
fi
reports=$(grep -v -e '^#' -e '^$' selftests/vm/reports 2>/dev/null | paste -s -d '|')
modname=${SHMDEV_KO##*/}
modname=${modname%.ko}

programs() {
	local t n want
	for t in build/selftests/*_test selftests/*_test.sh; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		if [ $# -gt 0 ]; then
			want=0
			for n; do
				# shellcheck disable=SC2254
				case ${t##*/} in $n|$n.sh) want=1 ;; esac
			done
			[ $want = 1 ] || continue
		fi
		echo "$t"
	done
}

timeout_of() {
	local name=$1 t n s
	t=$default_timeout
	if [ -r selftests/timeouts ]; then
		while read -r n s; do
			[ "$n" = "$name" ] && t=$s
		done < <(grep -v '^#' selftests/timeouts)
	fi
	echo $((t * scale))
}

loaded() {
	local m rest
	while read -r m rest; do
		[ "$m" = "$modname" ] && return 0
	done </proc/modules
	return 1
}

klog_lines() {
	dmesg 2>/dev/null | wc -l
}

# The first kernel report among the kernel log's lines after the first $1.
klog_report() {
	[ -n "$reports" ] || return 0
	dmesg --color=never 2>/dev/null | tail -n +$(($1 + 1)) |
		grep -E -m1 "$reports|Call Trace:" || true
}

totals() {
	sed -n 's/.*# Totals: pass:\([0-9]*\) fail:\([0-9]*\) xfail:\([0-9]*\) xpass:\([0-9]*\) skip:\([0-9]*\) error:\([0-9]*\).*/\1 \2 \3 \4 \5 \6/p' "$1" |
		tail -n1
}

list=$(programs "$@")
if [ -z "$list" ]; then
	echo "run-tests: no test matches: $*" >&2
	echo "KSFT-TOTALS pass=0 fail=1 skip=0"
	exit 1
fi

pass=0 fail=0 skip=0 failed=
out=$(mktemp)
for t in $list; do
	name=${t##*/}
	if [ -n "${SHMDEV_KO:-}" ] && [ -e "$SHMDEV_KO" ] && [ "${SHMDEV_LOAD:-1}" = 1 ] &&
	   ! loaded; then
		echo "### module not loaded: insmod $SHMDEV_KO"
		insmod "$SHMDEV_KO"
	fi
	limit=$(timeout_of "$name")
	before=$(klog_lines)
	echo "### $name"
	start=$(date +%s)
	timeout -k 10 "$limit" "$t" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))

	note=
	read -r p f xf xp s e <<<"$(totals "$out")"
	if [ -z "$p" ]; then
		p=0 f=1 s=0
		note="no totals"
	else
		p=$((p + xf)) f=$((f + xp + e))
		# 4 is kselftest's "skipped".
		if [ $status != 0 ] && [ $status != 4 ] && [ $f = 0 ]; then
			f=1
			note="exit status $status"
		fi
	fi
	[ $status = 124 ] || [ $status = 137 ] && note="timeout after ${limit}s"
	report=$(klog_report "$before")
	if [ -n "$report" ]; then
		f=$((f + 1))
		note="${note:+$note; }kernel report: $report"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ $f = 0 ] || failed="$failed $name"
	echo "### $name: pass $p fail $f skip $s (${secs}s)${note:+ -- $note}"
done
rm -f "$out"

[ -z "$failed" ] || echo "### failed:$failed"
echo "KSFT-TOTALS pass=$pass fail=$fail skip=$skip"
[ $fail = 0 ]
