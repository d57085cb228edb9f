#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench_test: 'make bench' in miniature. The benchmark runs its message
# and mutex figures for a moment each (the full run is 'make bench'), and
# bench/plot.sh draws their plots from its output. What it checks inside
# (every message's checksum, the counter under each mutex) fails it with
# exit status 1.

cd "$(dirname "$0")/.." || exit 1
BENCH=${BENCH:-$PWD/build/bench/shmdev-bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. selftests/tap.sh
echo "TAP version 13"
echo "1..4"

# Every message arrives verified and every count under a mutex is exact.
run "$BENCH" --rounds 1 --only bcd 0.05
[ "$rc" = 0 ] || note "exit status $rc: ${err//$'\n'/ }"
ok $rc "the benchmark's message, producer and mutex figures run and verify"
echo "$out" >"$tmp/bench.txt"

# Each target of those figures is measured: a ratio, met or MISSED.
st=0
for t in "ring 64 B" "ring 1 MiB" "ring 2 producers" "mutex uncontended" \
	 "mutex 2 processes" "mutex 4 processes"; do
	line=$(grep "^TARGET $t" "$tmp/bench.txt")
	[[ $line =~ (met|MISSED)$ ]] && [[ $line != *skipped* ]] ||
		note "target '$t': '$line'" || st=1
done
ok $st "every target of those figures has a measured ratio"

# Each point of the message figure has its median, min and max, in order.
st=0
for s in ring pipe unix eventfd; do
	k=$(grep -cE "^@data msg $s [0-9]+ [0-9.]+ [0-9.]+ [0-9.]+$" "$tmp/bench.txt")
	[ "$k" = 8 ] || note "msg $s: $k points, not 8" || st=1
done
ok $st "the message figure has 8 sizes for each of its 4 variants"

# plot.sh draws a PNG and an SVG of each figure the output has data for.
run bench/plot.sh "$tmp/bench.txt" "$tmp/plots"
st=$rc
for f in msg producers mutex; do
	for e in png svg; do
		[ -s "$tmp/plots/bench-$f.$e" ] || note "no bench-$f.$e" || st=1
	done
done
[ -e "$tmp/plots/bench-regions.png" ] && { note "a regions plot without data"; st=1; }
ok $st "plot.sh draws the figures the output has, and only those"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
