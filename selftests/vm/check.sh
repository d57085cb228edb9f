#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh "KERNELS" ["TESTS"] ["DEBUG_KERNEL"]: the body of `make check`
# (which builds everything first).
#
# Runs selftests/run-tests.sh [TESTS] in the VM on each kernel of KERNELS,
# then, unless TESTS picks some tests, the runner's own tests (on the first
# kernel, and on DEBUG_KERNEL for kmemleak, lockdep and KASAN) and the
# host-side checks (install_test's kernel-independent part, the man
# pages). Ends with one line
#   N passed, N failed, N skipped
# summed over everything. A VM run that fails without a failed test (a
# kernel report, a timeout, a crash) counts one failed test more, named
# after the kernel. Exit status 1 when anything failed. Outputs are kept in
# build/check/.

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
kernels=${1:-stock}
tests=${2:-}
debug=${3:-}
outdir=${O:-build}/check
mkdir -p "$outdir"

pass=0 fail=0 skip=0
failed=()
start=$(date +%s)

# count NAME FILE STATUS: add what FILE reports to the sums. A kernel's run
# ends with run-tests.sh's KSFT-TOTALS line; without one (the VM died or
# timed out), the programs that finished count, plus one failure.
count() {
	local name=$1 file=$2 status=$3 line p=0 f=0 s=0
	line=$(grep -a -E '^KSFT-TOTALS ' "$file" | tail -n1)
	if [ -n "$line" ]; then
		read -r p f s < <(sed 's/.*pass=\([0-9]*\) fail=\([0-9]*\) skip=\([0-9]*\).*/\1 \2 \3/' <<<"$line")
	elif grep -a -q '^### .*: pass [0-9]* fail [0-9]* skip [0-9]*' "$file"; then
		read -r p f s < <(sed -n 's/^### .*: pass \([0-9]*\) fail \([0-9]*\) skip \([0-9]*\).*/\1 \2 \3/p' "$file" |
			awk '{ p += $1; f += $2; s += $3 } END { print p, f, s }')
	else
		line=$(grep -a -E '^# Totals: ' "$file" | tail -n1)
		if [ -n "$line" ]; then
			p=$(sed -n 's/.* pass:\([0-9]*\).*/\1/p' <<<"$line")
			f=$(sed -n 's/.* fail:\([0-9]*\).*/\1/p' <<<"$line")
			s=$(sed -n 's/.* skip:\([0-9]*\).*/\1/p' <<<"$line")
		fi
	fi
	if [ "$status" != 0 ] && { [ "$f" = 0 ] || ! grep -a -q '^KSFT-TOTALS \|^# Totals: ' "$file"; }; then
		f=$((f + 1))
		echo "### $name: failed with status $status$([ "$status" = 124 ] && echo ' (timeout)')"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" = 0 ] || failed+=("$name")
}

# run_kernel K: the selftests in the VM on kernel K, into $outdir/K.out,
# the VM's exit status into $outdir/K.status.
run_kernel() {
	local k=$1 timeout=1800 t0
	case $k in debug*) timeout=3600 ;; esac
	t0=$(date +%s)
	# shellcheck disable=SC2086
	selftests/vm/run --kernel "$k" --timeout $timeout -- selftests/run-tests.sh $tests \
		>"$outdir/$k.out" 2>&1
	echo $? >"$outdir/$k.status"
	echo "=== $k: $(($(date +%s) - t0))s ===" >>"$outdir/$k.out"
}

# finish K: show what kernel K's run printed and add it up.
finish() {
	echo "=== selftests on $1 ==="
	cat "$outdir/$1.out"
	count "$1" "$outdir/$1.out" "$(cat "$outdir/$1.status" 2>/dev/null || echo 1)"
}

# VM_JOBS kernels at a time (default: one per host CPU). A VM has two vCPUs,
# but much of a test run is one process at a time (an exec costs 100 ms and
# more under TCG) or asleep, so two VMs on two CPUs get through the matrix
# far sooner than one after the other. With one job the output streams as
# it comes.
jobs=${VM_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
if [ "$jobs" = 1 ]; then
	for k in $kernels; do
		echo "=== selftests on $k ==="
		rm -f "$outdir/$k.out" "$outdir/$k.status"
		run_kernel "$k" &
		tail -n +1 -F --pid=$! "$outdir/$k.out" 2>/dev/null
		wait
		count "$k" "$outdir/$k.out" "$(cat "$outdir/$k.status")"
	done
else
	declare -A running=()
	for k in $kernels; do
		while [ ${#running[@]} -ge "$jobs" ]; do
			wait -n -p done
			finish "${running[$done]}"
			unset "running[$done]"
		done
		rm -f "$outdir/$k.out" "$outdir/$k.status"
		echo "=== $k: started ==="
		run_kernel "$k" &
		running[$!]=$k
	done
	while [ ${#running[@]} -gt 0 ]; do
		wait -n -p done
		finish "${running[$done]}"
		unset "running[$done]"
	done
fi

if [ -z "$tests" ]; then
	first=${kernels%% *}
	echo "=== the runner's own tests ($first${debug:+, $debug}) ==="
	out=$outdir/runner.out
	selftests/vm/runner_test.sh "$first" "$debug" 2>&1 | tee "$out"
	count runner "$out" "${PIPESTATUS[0]}"

	echo "=== host: install (the kernel-independent part) ==="
	out=$outdir/install.out
	selftests/install_test.sh 2>&1 | tee "$out"
	count install "$out" "${PIPESTATUS[0]}"

	if [ -x man/check-man.sh ]; then
		echo "=== host: man pages ==="
		out=$outdir/man.out
		make --no-print-directory -s check-man 2>&1 | tee "$out"
		count man "$out" "${PIPESTATUS[0]}"
	fi
fi

echo "=== $(($(date +%s) - start))s${failed[*]:+, failed in: ${failed[*]}} ==="
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
