#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# java: JVMs (OpenJDK 17) share a file of the filesystem run-clients.sh
# mounted on /dev/shm through FileChannel.map and FileLock, unmodified
# (selftests/clients/java/MapLock.java, compiled by `make clients`): a
# writer and a reader take turns for JAVA_SECONDS (5) seconds, each block
# 64 KiB of random bytes checked against its SHA-1; then a JVM killed with
# kill -9 while it holds the lock hands it to the JVM waiting for it.

cd "$(dirname "$0")/../.." || exit 1
. selftests/tap.sh
. selftests/clients/lib.sh
JAVA=${SHMDEV_JAVA:-java}
seconds=${JAVA_SECONDS:-5}
# Small and quick to start: under TCG a JVM takes seconds to come up.
jvm=("$JAVA" -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData
     -cp "$CLIENTS_BUILD/java" MapLock)
dir=$SHMDEV_CLIENT_DIR
file=$dir/java-maplock.$$
lockfile=$dir/java-lock.$$
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f "$file" "$lockfile"
	rm -rf "$tmp"
}
trap cleanup EXIT

NTESTS=5
echo "TAP version 13"
echo "1..$NTESTS"
if [ ! -f "$CLIENTS_BUILD/java/MapLock.class" ] || ! command -v "$JAVA" >/dev/null; then
	for ((i = 0; i < NTESTS; i++)); do
		ok 1 "no $JAVA or no $CLIENTS_BUILD/java/MapLock.class (make clients)"
	done
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	exit 1
fi

# Two JVMs map one file and take turns under FileLock for the time given:
# the reader checks every block the writer wrote, and none mismatches.
start=$EPOCHSECONDS
"${jvm[@]}" writer "$file" "$seconds" >"$tmp/writer" 2>&1 &
writer=$!; pids+=("$writer")
st=1
if wait_for "$tmp/writer" '^writer ready$' 120; then
	"${jvm[@]}" reader "$file" >"$tmp/reader" 2>&1 &
	reader=$!; pids+=("$reader")
	wait $writer; wst=$?
	wait $reader; rst=$?
	slurp "$tmp/writer"; wout=$REPLY
	slurp "$tmp/reader"; rout=$REPLY
	re='writer blocks ([0-9]+)$'
	if [ $wst = 0 ] && [ $rst = 0 ] && [[ $wout =~ $re ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
	   [ "$rout" = "reader blocks ${BASH_REMATCH[1]} mismatches 0" ]; then
		st=0
		echo "# ${BASH_REMATCH[1]} blocks of 64 KiB written and checked, 0 mismatches, in ${seconds}s of turns"
	else
		note "writer: status $wst: ${wout//$'\n'/ | }"
		note "reader: status $rst: ${rout//$'\n'/ | }"
	fi
fi
ok $st "java: FileChannel.map and FileLock: every block checked, 0 mismatches"

# The file the JVMs mapped is a file of the directory, of the size mapped.
st=1
if [ -f "$file" ]; then
	run stat -c %s "$file"
	[ "$out" = 69632 ] && st=0 || note "size of $file: '$out', wanted 69632"
else
	note "no $file"
fi
ok $st "java: the mapped file is there, of the size mapped"
rm -f "$file"
echo "# writer and reader: $((EPOCHSECONDS - start))s"

# A JVM that holds the FileLock keeps another from taking it ...
start=$EPOCHSECONDS
"${jvm[@]}" holder "$lockfile" >"$tmp/holder" 2>&1 &
holder=$!; pids+=("$holder")
st=1
if wait_for "$tmp/holder" '^holder locked$' 120; then
	"${jvm[@]}" taker "$lockfile" >"$tmp/taker" 2>&1 &
	taker=$!; pids+=("$taker")
	if wait_for "$tmp/taker" '^taker busy$' 120; then
		# Still waiting a moment later: the lock really is held.
		nap 1
		slurp "$tmp/taker"
		[ "$REPLY" = "taker busy" ] && st=0 || note "taker: ${REPLY//$'\n'/ | }"
	fi
fi
ok $st "java: a JVM waits for the FileLock another JVM holds"

# ... until the holder is killed with kill -9: the holder dies of SIGKILL,
# and the other JVM gets the lock, sees the holder's mark in the mapping
# and goes on writing and checking blocks.
{ kill -9 $holder; wait $holder; } 2>/dev/null
hst=$?
[ $hst = 137 ]
ok $? "java: the holder dies of kill -9" || note "holder: status $hst"
wait $taker; tst=$?
slurp "$tmp/taker"
want=$'taker busy\ntaker acquired mark holder\ntaker blocks 16 mismatches 0'
[ $tst = 0 ] && [ "$REPLY" = "$want" ]
st=$?
[ $st = 0 ] || note "taker: status $tst: ${REPLY//$'\n'/ | }"
ok $st "java: after kill -9 of the holder the waiting JVM gets the lock and carries on"
echo "# holder and taker: $((EPOCHSECONDS - start))s"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
