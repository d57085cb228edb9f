#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cpython: CPython 3.11's own tests of multiprocessing.shared_memory
# (SharedMemory, ShareableList, SharedMemoryManager: the class
# WithProcessesTestSharedMemory of Debian's libpython3.11-testsuite) under
# each start method of SHMDEV_CPYTHON_METHODS (default: fork forkserver
# spawn; spawn adds TestResourceTracker.test_resource_tracker, which kills
# processes holding segments and semaphores and checks that the resource
# tracker removes them), on the filesystem run-clients.sh mounted on
# /dev/shm; and a probe that shows the segments are that filesystem's
# files, listed in /proc/shmdev on shmdev. Each run's time is printed.

cd "$(dirname "$0")/../.." || exit 1
. selftests/tap.sh
. selftests/clients/lib.sh
PY=${SHMDEV_PYTHON:-/usr/bin/python3.11}
TESTDIR=$(dirname "$PY")/../lib/python3.11/test
dir=$SHMDEV_CLIENT_DIR
fs=$SHMDEV_CLIENT_FS
read -ra methods <<<"${SHMDEV_CPYTHON_METHODS:-fork forkserver spawn}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

NTESTS=$((4 + ${#methods[@]}))
echo "TAP version 13"
echo "1..$NTESTS"

if [ ! -x "$PY" ] || [ ! -f "$TESTDIR/_test_multiprocessing.py" ]; then
	for ((i = 0; i < NTESTS; i++)); do
		ok 1 "no $PY or no $TESTDIR/_test_multiprocessing.py (libpython3.11-testsuite)"
	done
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	exit 1
fi

dir_names "$dir"; files0=$REPLY
region_names; regions0=$REPLY

# A SharedMemory is a file of the filesystem mounted on /dev/shm, of the
# size asked, that a second SharedMemory attaches to by name.
run "$PY" selftests/clients/cpython-probe.py "$dir"
words=$'fstype '$fs$'\nfile yes\nsize 10000'
[ "$rc" = 0 ] && [[ $out == "$words"$'\n'* ]] && [[ $out == *$'\nattached probe\n'* ]]
st=$?
[ $st = 0 ] || note "probe: status $rc, stdout: ${out//$'\n'/ | }, stderr: $err"
ok $st "cpython: a SharedMemory is a file of the $fs on $dir"

# On shmdev, /proc/shmdev lists the segment as a region while it exists ...
if [ "$fs" = shmdev ]; then
	[[ $out == *$'\nlisted yes\n'* ]]
	st=$?
	[ $st = 0 ] || note "probe: ${out//$'\n'/ | }"
	ok $st "cpython: /proc/shmdev lists the SharedMemory's region"
else
	skip "cpython: /proc/shmdev lists only shmdev's regions, not $fs's"
fi

# ... and after unlink(), neither the file nor the region is left.
[[ $out == *$'\nunlinked file no listed no' ]]
st=$?
[ $st = 0 ] || note "probe: ${out//$'\n'/ | }"
ok $st "cpython: SharedMemory.unlink() removes the file and the region"

# The tests of shared_memory pass, none skipped, under each start method.
for m in "${methods[@]}"; do
	filters=(-m WithProcessesTestSharedMemory)
	want=13
	if [ "$m" = spawn ]; then
		filters+=(-m test_resource_tracker)
		want=14
	fi
	start=$EPOCHSECONDS
	(cd "$tmp" && "$PY" -m test "test_multiprocessing_$m" "${filters[@]}" -v) \
		>"$tmp/$m.out" 2>&1
	rc=$?
	secs=$((EPOCHSECONDS - start))
	slurp "$tmp/$m.out"
	ran=$(
		re='^Ran ([0-9]+) tests? in'
		while IFS= read -r l; do [[ $l =~ $re ]] && echo "${BASH_REMATCH[1]}"; done <<<"$REPLY"
	)
	st=0
	if [ "$rc" != 0 ] || [ "$ran" != "$want" ] || [[ $'\n'$REPLY$'\n' != *$'\nOK\n'* ]]; then
		st=1
		note "test_multiprocessing_$m: status $rc, ran '${ran}' tests, wanted $want; the end of its output:"
		tail -n 40 "$tmp/$m.out" | sed 's/^/#   /'
	fi
	echo "# test_multiprocessing_$m: ${ran:-0} tests in ${secs}s"
	ok $st "cpython: test_multiprocessing_$m: the $want shared_memory tests pass"
done

# The runs left no segment, semaphore or region behind.
dir_names "$dir"; new_lines "$files0" "$REPLY"; left=$REPLY
region_names; new_lines "$regions0" "$REPLY"; left+=${REPLY:+ $REPLY}
[ -z "$left" ] || note "left behind: $left"
[ -z "$left" ]
ok $? "cpython: nothing left in $dir or /proc/shmdev"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
