#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh "KERNELS" ["TESTS"] ["DEBUG_KERNEL"]: the body of `make check`
# (which builds everything first).
#
# Runs selftests/run-tests.sh [TESTS] in the VM on each kernel of KERNELS
# and, unless TESTS picks some tests, the runner's own tests (on the first
# kernel, and on DEBUG_KERNEL for kmemleak, lockdep and KASAN) and the
# host-side checks (install_test's kernel-independent part, checkpatch on
# the module, the man pages) and the kselftests as a kernel tree runs them
# (selftests/vm/kselftest.sh, on KSFT_KERNEL, default the first kernel),
# VM_JOBS jobs at a time (CHECK_JOBS="kselftest ..." runs those jobs only).
# The kernels of LANG_KERNELS (default the first) run the language packages'
# suites too (Python, Go, Java, PHP: SHMDEV_LANG_TESTS=1 in the guest).
# Ends with one line
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

# Whether the VMs run under KVM: probed once for all of them.
SHMDEV_ACCEL=${SHMDEV_ACCEL:-$(selftests/vm/run --probe-accel)} || SHMDEV_ACCEL=tcg
export SHMDEV_ACCEL
echo "=== accelerator: $SHMDEV_ACCEL ==="

pass=0 fail=0 skip=0
failed=()
start=$EPOCHSECONDS

# count NAME FILE STATUS: add what FILE reports to the sums. A kernel's run
# ends with run-tests.sh's KSFT-TOTALS line, the runner's and the host
# checks' with a "# Totals:" line; without one (the VM died or timed out),
# the programs that finished count, plus one failure. A failed status
# without a failed test counts one failure too.
count() {
	local name=$1 file=$2 status=$3 line whole=0 p=0 f=0 s=0
	local ksft='^KSFT-TOTALS pass=([0-9]+) fail=([0-9]+) skip=([0-9]+)$'
	local tot='^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:[0-9]+ xpass:[0-9]+ skip:([0-9]+) error:[0-9]+$'

	case $name in
	runner|install|checkpatch|man)
		line=$(LC_ALL=C grep -a -E "$tot" "$file" | tail -n1)
		[[ $line =~ $tot ]] && whole=1 ;;
	*)
		line=$(LC_ALL=C grep -a -E "$ksft" "$file" | tail -n1)
		[[ $line =~ $ksft ]] && whole=1 ;;
	esac
	if [ $whole = 1 ]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
	else
		read -r p f s < <(LC_ALL=C sed -n 's/^### .*: pass \([0-9]*\) fail \([0-9]*\) skip \([0-9]*\) (.*/\1 \2 \3/p' "$file" |
			awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }')
	fi
	if { [ "$status" != 0 ] && [ "$f" = 0 ]; } || [ $whole = 0 ]; then
		f=$((f + 1))
		echo "### $name: failed with status $status$([ "$status" = 124 ] && echo ' (timeout)')$([ $whole = 0 ] && echo ', no totals')"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" = 0 ] || failed+=("$name")
}

# run_job J: job J (a kernel's selftests, or "runner": the runner's own
# tests) into $outdir/J.out, its exit status into $outdir/J.status.
run_job() {
	local j=$1 timeout=1800 t0=$EPOCHSECONDS
	case $j in
	runner)
		selftests/vm/runner_test.sh "$first" "$debug" >"$outdir/$j.out" 2>&1 ;;
	kselftest)
		# Built on the host (make kselftest-tree); kmemleak's scans are
		# left to the selftests' own runs on the debug kernels.
		{
			tree=$(selftests/vm/kselftest.sh build "$ksft_kernel") &&
			selftests/vm/run --kernel "$ksft_kernel" --no-kmemleak --timeout 900 -- \
				selftests/vm/kselftest.sh run "$tree"
		} >"$outdir/$j.out" 2>&1 ;;
	host)
		rm -f "$outdir"/{install,checkpatch,man}.{out,status}
		selftests/install_test.sh >"$outdir/install.out" 2>&1
		echo $? >"$outdir/install.status"
		selftests/host/checkpatch.sh >"$outdir/checkpatch.out" 2>&1
		echo $? >"$outdir/checkpatch.status"
		if [ -x man/check-man.sh ]; then
			make --no-print-directory -s check-man >"$outdir/man.out" 2>&1
			echo $? >"$outdir/man.status"
		fi
		: >"$outdir/$j.out" ;;
	*)
		case $j in debug*) timeout=3600 ;; esac
		lang=0
		case " ${LANG_KERNELS-$first} " in *" $j "*) lang=1 ;; esac
		# shellcheck disable=SC2086
		selftests/vm/run --kernel "$j" --timeout $timeout --env SHMDEV_LANG_TESTS=$lang -- \
			selftests/run-tests.sh $tests >"$outdir/$j.out" 2>&1 ;;
	esac
	echo $? >"$outdir/$j.status"
	echo "=== $j: $((EPOCHSECONDS - t0))s ===" >>"$outdir/$j.out"
}

title() {
	case $1 in
	runner)	echo "=== the runner's own tests ($first${debug:+, $debug}) ===" ;;
	install) echo "=== host: install (the kernel-independent part) ===" ;;
	checkpatch) echo "=== host: checkpatch ===" ;;
	man)	echo "=== host: man pages ===" ;;
	kselftest) echo "=== kselftests in a kernel tree ($ksft_kernel) ===" ;;
	*)	echo "=== selftests on $1 ===" ;;
	esac
}

# finish J: show what job J printed and add it up.
finish() {
	local j
	if [ "$1" = host ]; then
		for j in install checkpatch man; do
			[ -e "$outdir/$j.out" ] && finish "$j"
		done
		cat "$outdir/host.out"
		return
	fi
	title "$1"
	cat "$outdir/$1.out"
	count "$1" "$outdir/$1.out" "$(cat "$outdir/$1.status" 2>/dev/null || echo 1)"
}

# The jobs: each kernel's selftests and, unless TESTS picks some, the
# runner's own tests (which boot the first kernel and the debug one) and the
# host-side checks.
first=${kernels%% *}
ksft_kernel=${KSFT_KERNEL:-$first}
all_jobs=$kernels
[ -n "$tests" ] || all_jobs="$all_jobs kselftest runner host"
[ -z "${CHECK_JOBS:-}" ] || all_jobs=$CHECK_JOBS

# VM_JOBS jobs at a time (default: one per host CPU). A VM has two vCPUs,
# but much of a test run is one process at a time (an exec costs 100 ms and
# more under TCG) or asleep, so two VMs on two CPUs get through the matrix
# far sooner than one after the other. The longest go first: the debug
# kernels, newest first (the newer the kernel, the slower it runs under
# TCG). With one job the output streams as it comes.
jobs=${VM_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
if [ "$jobs" = 1 ]; then
	for j in $all_jobs; do
		if [ "$j" = host ]; then
			run_job host
			finish host
			continue
		fi
		title "$j"
		rm -f "$outdir/$j.out" "$outdir/$j.status"
		run_job "$j" &
		tail -n +1 -F --pid=$! "$outdir/$j.out" 2>/dev/null
		wait
		count "$j" "$outdir/$j.out" "$(cat "$outdir/$j.status")"
	done
else
	order=
	for j in $all_jobs; do case $j in debug*) order="$j $order" ;; esac; done
	for j in $all_jobs; do case $j in debug*) ;; *) order="$order $j" ;; esac; done
	declare -A running=()
	for j in $order; do
		while [ ${#running[@]} -ge "$jobs" ]; do
			wait -n -p done
			finish "${running[$done]}"
			unset "running[$done]"
		done
		rm -f "$outdir/$j.out" "$outdir/$j.status"
		echo "=== $j: started ==="
		run_job "$j" &
		running[$!]=$j
	done
	while [ ${#running[@]} -gt 0 ]; do
		wait -n -p done
		finish "${running[$done]}"
		unset "running[$done]"
	done
fi

echo "=== $((EPOCHSECONDS - start))s${failed[*]:+, failed in: ${failed[*]}} ==="
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
