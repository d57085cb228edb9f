#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# examples_test: each program of examples/ does what its header comment says
# (output, exit status, messages), and examples/demo.sh, which 'make demo'
# runs, passes. On debug kernels (SHMDEV_KDEBUG=1), where every process
# start is slow, 'counter run' starts 25 processes instead of 100 and the
# demo, which repeats the steps tested here, is skipped.

cd "$(dirname "$0")/.." || exit 1
EX=${EXAMPLES:-$PWD/build/examples}
tmp=$(mktemp -d)
names=()
cleanup() {
	local n
	for n in "${names[@]}"; do "$EX/../tools/shmdevctl" rm "$n" >/dev/null 2>&1; done
	jobs -p | xargs -r kill -9 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

NTESTS=15
kdebug=${SHMDEV_KDEBUG:-0}
runs=100
[ "$kdebug" = 1 ] && runs=25
. selftests/tap.sh
echo "TAP version 13"
echo "1..$NTESTS"
# expect RC [STDERR]: the last run's status and, if given, its whole stderr.
expect() {
	if [ "$rc" != "$1" ]; then
		echo "# exit status $rc, expected $1; stdout: $out; stderr: $err"
		return 1
	fi
	if [ $# -gt 1 ] && [ "$err" != "$2" ]; then
		echo "# stderr: '$err'"
		echo "# wanted: '$2'"
		return 1
	fi
	return 0
}
# wait_for FILE PATTERN: until FILE has a line matching PATTERN (10 s at most).
wait_for() {
	local _
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# '$2' never appeared in $1: $(cat "$1")"
	return 1
}
name() {
	local v="ex.$$.$1"
	names+=("$v")
	echo "$v"
}

if [ ! -c /dev/shmdev ]; then
	for _ in $(seq $NTESTS); do skip "no /dev/shmdev: module not loaded"; done
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$NTESTS error:0"
	exit 4
fi

# counter
c=$(name counter)
st=0
run "$EX/counter" inc "$c"; expect 0 "" && [ "$out" = 1 ] || st=1
run "$EX/counter" inc "$c"; expect 0 "" && [ "$out" = 2 ] || st=1
run "$EX/counter" get "$c"; expect 0 "" && [ "$out" = 2 ] || st=1
ok $st "counter inc creates the region and counts; get reads it"

run "$EX/counter" run $runs
expect 0 "" && grep -qE "^$runs processes incremented .counter\.[0-9]+.: it reads $runs\$" <<<"$out"
ok $? "counter run $runs: $runs separate processes, the counter reads $runs"

st=0
run "$EX/counter" get "ex.$$.missing"
expect 1 "counter: cannot open 'ex.$$.missing': No such file or directory" || st=1
run "$EX/counter" inc
expect 2 "usage: counter inc [-q] NAME | get NAME | hold NAME | run N" || st=1
ok $st "counter: a missing region is status 1 with errno's message, bad usage 2"

st=0
"$EX/counter" hold "$c" >"$tmp/hold" &
holder=$!
wait_for "$tmp/hold" "^holding the lock of '$c' as pid $holder$" || st=1
"$EX/counter" inc "$c" >"$tmp/inc" 2>"$tmp/inc.err" &
waiter=$!
sleep 0.3
kill -0 $waiter 2>/dev/null || { echo "# inc did not wait for the lock"; st=1; }
kill -9 $holder
wait $holder 2>/dev/null
wait $waiter || st=1
[ "$(cat "$tmp/inc")" = 3 ] || { echo "# inc printed '$(cat "$tmp/inc")'"; st=1; }
grep -q "the last holder died holding the lock" "$tmp/inc.err" || st=1
run "$EX/counter" inc "$c"; expect 0 "" && [ "$out" = 4 ] || st=1
ok $st "counter: kill -9 of the holder, the waiter gets EOWNERDEAD and carries on"

# producer-consumer
run "$EX/producer-consumer" --seconds 2
expect 0 "" && grep -qE '^with a shmdev lock: 2 s, [1-9][0-9]* buffers written, [1-9][0-9]* checked, 0 mismatches$' <<<"$out"
ok $? "producer-consumer: zero mismatches under the lock ($out)"

run "$EX/producer-consumer" --nolock --seconds 3
expect 0 "" && grep -qE '^without a lock: 3 s, [0-9]+ buffers written, [0-9]+ checked, [1-9][0-9]* mismatches$' <<<"$out"
ok $? "producer-consumer --nolock: mismatches ($out)"

run "$EX/producer-consumer" --bogus
expect 2 "usage: producer-consumer [--nolock] [--seconds N]"
ok $? "producer-consumer: bad usage is status 2"

# config-cache
cfg=$(name config)
st=0
run "$EX/config-cache" get "$cfg"
expect 1 "config-cache: cannot open '$cfg': No such file or directory" || st=1
run "$EX/config-cache" set "$cfg" "db=10.0.0.1:5432"
expect 0 "" && [ "$out" = "version 1: db=10.0.0.1:5432" ] || st=1
run "$EX/config-cache" get "$cfg"
expect 0 "" && [ "$out" = "version 1: db=10.0.0.1:5432" ] || st=1
ok $st "config-cache set publishes version 1, get reads it back in another process"

st=0
timeout 60 "$EX/config-cache" watch "$cfg" 3 >"$tmp/watch" &
watcher=$!
wait_for "$tmp/watch" "^version 1: db=10.0.0.1:5432$" || st=1
run "$EX/config-cache" set "$cfg" "db=10.0.0.2:5432"; expect 0 "" || st=1
wait_for "$tmp/watch" "^version 2: db=10.0.0.2:5432$" || st=1
run "$EX/config-cache" set "$cfg" "db=10.0.0.3:5432"; expect 0 "" || st=1
wait $watcher || { echo "# watch exited with $?"; st=1; }
[ "$(cat "$tmp/watch")" = "version 1: db=10.0.0.1:5432
version 2: db=10.0.0.2:5432
version 3: db=10.0.0.3:5432" ] || { echo "# watch printed: $(cat "$tmp/watch")"; st=1; }
ok $st "config-cache watch sleeps on the event and prints each new version"

run "$EX/config-cache" demo 4 300
expect 0 "" && grep -q "^ok: every reader saw version 300 and no inconsistent copy$" <<<"$out" &&
	[ "$(grep -c 'copies read, all consistent; [0-9]* versions seen, last 300;' <<<"$out")" = 4 ]
ok $? "config-cache demo: 4 lock-free readers, 300 versions, every copy consistent"

# ring-pipe
head -c 8M /dev/urandom >"$tmp/in"
sum_in=$(sha256sum <"$tmp/in" | cut -d' ' -f1)
st=0
p=$(name pipe)
"$EX/ring-pipe" recv "$p" >"$tmp/out1" &
r=$!
run "$EX/ring-pipe" send "$p" <"$tmp/in"; expect 0 "" || st=1
wait $r || st=1
[ "$(sha256sum <"$tmp/out1" | cut -d' ' -f1)" = "$sum_in" ] || { echo "# checksums differ"; st=1; }
[ ! -e /proc/shmdev ] || ! grep -q " $p " /proc/shmdev || { echo "# $p left behind"; st=1; }
ok $st "ring-pipe: receiver first, 8 MiB arrive with the same sha256"

st=0
"$EX/ring-pipe" send "$p" --size 16384 <"$tmp/in" &
s=$!
sleep 0.5
"$EX/ring-pipe" recv "$p" -v >"$tmp/out2" 2>"$tmp/err2" || { echo "# recv: $(cat "$tmp/err2")"; st=1; }
wait $s || st=1
[ "$(sha256sum <"$tmp/out2" | cut -d' ' -f1)" = "$sum_in" ] || { echo "# checksums differ"; st=1; }
grep -qE '^ring-pipe: received 8388608 bytes in [0-9]+ messages$' "$tmp/err2" || st=1
ok $st "ring-pipe: sender first through a 16 KiB ring, it blocks until the receiver comes"

st=0
"$EX/ring-pipe" recv "$p" >"$tmp/empty" &
r=$!
run "$EX/ring-pipe" send "$p" </dev/null; expect 0 "" || st=1
wait $r || st=1
[ ! -s "$tmp/empty" ] || st=1
ok $st "ring-pipe: empty input, empty output"

st=0
run "$EX/ring-pipe" send "$(name tiny)" --size 100 </dev/null
expect 1 "ring-pipe: cannot open 'ex.$$.tiny': Invalid argument" || st=1
run "$EX/ring-pipe" peek x
expect 2 || st=1
ok $st "ring-pipe: a ring too small is status 1, bad usage 2"

if [ "$kdebug" = 1 ]; then
	skip "examples/demo.sh: repeats the tests above, too slow on a debug kernel"
else
	run examples/demo.sh
	expect 0 && grep -q "^demo: every step worked$" <<<"$out"
	ok $? "examples/demo.sh ('make demo') passes"
	[ $rc = 0 ] || sed 's/^/# /' <<<"$out"
fi

[ $n = $NTESTS ] || { echo "# ran $n tests, planned $NTESTS"; fail=$((fail + 1)); }
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
