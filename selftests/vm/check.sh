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

for k in $kernels; do
	echo "=== selftests on $k ==="
	out=$outdir/$k.out
	timeout=1800
	case $k in debug*) timeout=3600 ;; esac
	t0=$(date +%s)
	# shellcheck disable=SC2086
	selftests/vm/run --kernel "$k" --timeout $timeout -- selftests/run-tests.sh $tests 2>&1 |
		tee "$out"
	count "$k" "$out" "${PIPESTATUS[0]}"
	echo "=== $k: $(($(date +%s) - t0))s ==="
done

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
