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
# On debug and PREEMPT_RT kernels race_test's time budget is 20 s
# (SHMDEV_RACE_SECONDS).

cd "$(dirname "$0")/.." || exit 1
export PATH=$PATH:/usr/sbin:/sbin

default_timeout=${TEST_TIMEOUT:-300}
scale=1
[ "${SHMDEV_KDEBUG:-0}" = 1 ] && scale=3
# race_test stops at a time budget (120 s) when its 32,000 cycles take
# longer: on a debug kernel (about 100 cycles a second under TCG with another
# VM beside it) and on PREEMPT_RT (16 contending processes run ten times
# slower there) it never gets near them, so there it gets 20 s, in which it
# still kills 32 workers spread over the run and does 1,200 cycles and more.
# SHMDEV_RACE_SECONDS=0 (run --env SHMDEV_RACE_SECONDS=0) runs all 32,000 cycles.
if [ "${SHMDEV_KDEBUG:-0}" = 1 ] || [ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ]; then
	export SHMDEV_RACE_SECONDS=${SHMDEV_RACE_SECONDS:-20}
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

# Between programs only builtins where a builtin will do: a process costs
# 100 ms under TCG and up to half a second on a debug kernel.

# timeout_of NAME: its timeout in $limit.
timeout_of() {
	local n s
	limit=$default_timeout
	if [ -r selftests/timeouts ]; then
		while read -r n s; do
			[[ $n == "#"* ]] && continue
			[ "$n" = "$1" ] && limit=$s
		done <selftests/timeouts
	fi
	limit=$((limit * scale))
}

loaded() {
	local m rest
	while read -r m rest; do
		[ "$m" = "$modname" ] && return 0
	done </proc/modules
	return 1
}

# klog_mark NAME: a line in the kernel log that klog_report starts after.
# At KERN_INFO: in the kernel log for klog_report, not on the console,
# where it would land in the middle of a test's output lines.
klog_mark() {
	echo "<6>run-tests: start $1" >/dev/kmsg 2>/dev/null
}

# klog_report NAME: the first kernel report in the log after NAME's mark.
klog_report() {
	[ -n "$reports" ] || return 0
	# Through the environment: awk -v would take the backslashes as escapes.
	dmesg --color=never 2>/dev/null |
		MARK="run-tests: start $1" RE="$reports|Call Trace:" \
		awk 'on && $0 ~ ENVIRON["RE"] { print; exit } index($0, ENVIRON["MARK"]) { on = 1 }'
}

# totals FILE: the last kselftest totals line of FILE in p f xf xp s e.
totals() {
	local line re='# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)'
	p= f= xf= xp= s= e=
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} xf=${BASH_REMATCH[3]}
		xp=${BASH_REMATCH[4]} s=${BASH_REMATCH[5]} e=${BASH_REMATCH[6]}
	done <"$1"
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
		if ! insmod "$SHMDEV_KO"; then
			# The programs left would only skip: count it.
			echo "### insmod before $name failed"
			fail=$((fail + 1)) failed="$failed insmod"
		fi
	fi
	timeout_of "$name"
	klog_mark "$name"
	echo "### $name"
	start=$EPOCHSECONDS
	timeout -k 10 "$limit" "$t" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	secs=$((EPOCHSECONDS - start))

	note=
	totals "$out"
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
	report=$(klog_report "$name")
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
