#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: shmdev in a few minutes, each step checked. 'make demo' runs it
# as root in the test VM with the module loaded; it works the same on any
# machine with the module loaded and the tree built. Exit status 1 if any
# step failed.

cd "$(dirname "$0")/.." || exit 1
EX=${EXAMPLES:-build/examples}
CTL=${SHMDEVCTL:-build/tools/shmdevctl}
tmp=$(mktemp -d)
failed=0
trap 'rm -rf "$tmp"; $CTL rm demo.shared demo.lock 2>/dev/null' EXIT

step() {
	echo
	echo "== $*"
}
say() {
	echo "   $*"
}
ok() {
	say "ok: $*"
}
bad() {
	say "FAILED: $*"
	failed=$((failed + 1))
}
# Run a command, indenting what it prints.
show() {
	"$@" 2>&1 | sed 's/^/   | /'
	return "${PIPESTATUS[0]}"
}

for p in "$EX/counter" "$EX/producer-consumer" "$EX/config-cache" "$EX/ring-pipe" "$CTL"; do
	if [ ! -x "$p" ]; then
		echo "demo: $p is missing: run 'make' first" >&2
		exit 1
	fi
done

step "The device and the module"
say "/dev/shmdev is a character device; every open file of it is one handle."
show ls -l /dev/shmdev
if show "$CTL" status; then ok "module loaded"; else bad "shmdevctl status"; fi

step "Two processes share a region: one writes, another reads"
if out=$(sh -c 'exec '"$EX"'/config-cache set demo.shared "written by process $$"'); then
	say "writer: $out"
	if got=$("$EX/config-cache" get demo.shared) && [ "${got#*: }" = "${out#*: }" ]; then
		say "reader (another process): $got"
		ok "the reader sees what the writer wrote"
	else
		bad "the reader got '$got'"
	fi
else
	bad "config-cache set"
fi
show "$CTL" dump demo.shared --length 48

step "A counter incremented by 100 separate short-lived processes"
say "Each process opens the region, takes its robust mutex, adds 1 and exits."
if out=$("$EX/counter" run 100); then
	say "$out"
	ok "100 increments, none lost"
else
	say "$out"
	bad "the counter does not read 100"
fi

step "Two processes take turns under a lock (the 64 KiB buffer + hash demo)"
if show "$EX/producer-consumer" --seconds 2; then
	ok "no mismatch under the lock"
else
	bad "mismatches under the lock"
fi
say "The same without the lock, for comparison:"
show "$EX/producer-consumer" --nolock --seconds 2
say "(without a lock the consumer hashes buffers while they are being rewritten)"

step "A lock holder is killed with kill -9; the next process carries on"
"$EX/counter" hold demo.lock >"$tmp/hold" &
holder=$!
for _ in $(seq 100); do
	grep -q holding "$tmp/hold" 2>/dev/null && break
	sleep 0.1
done
say "$(cat "$tmp/hold")"
"$EX/counter" inc demo.lock >"$tmp/inc" 2>&1 &
waiter=$!
sleep 0.5
say "process $waiter waits for the lock; kill -9 $holder"
kill -9 "$holder"
wait "$holder" 2>/dev/null
if wait "$waiter" && grep -q "died" "$tmp/inc"; then
	sed 's/^/   | /' "$tmp/inc"
	ok "the waiter got EOWNERDEAD, repaired the mutex and went on"
else
	sed 's/^/   | /' "$tmp/inc"
	bad "the waiter did not recover the lock"
fi

step "A config cache: one writer, readers that never lock"
say "Readers copy the record between two reads of a sequence counter and sleep"
say "on the region's event counter until the writer notifies a new version."
if show "$EX/config-cache" demo 4 500; then
	ok "every copy consistent"
else
	bad "config-cache demo"
fi

step "A file through a message ring, checked with sha256sum"
head -c 16M /dev/urandom >"$tmp/in"
"$EX/ring-pipe" recv demo.pipe -v >"$tmp/out" 2>"$tmp/recv.err" &
recv=$!
if show "$EX/ring-pipe" send demo.pipe -v <"$tmp/in" && wait "$recv"; then
	sed 's/^/   | /' "$tmp/recv.err"
	a=$(sha256sum <"$tmp/in" | cut -d' ' -f1)
	b=$(sha256sum <"$tmp/out" | cut -d' ' -f1)
	say "sent     $a"
	say "received $b"
	if [ "$a" = "$b" ]; then ok "16 MiB arrived intact"; else bad "checksums differ"; fi
else
	sed 's/^/   | /' "$tmp/recv.err"
	bad "ring-pipe"
fi

step "Go: the same counter from Go and C"
GO_EX=${GO_EXAMPLES:-build/go}
PY_PKG=${PYTHON_BUILD:-build/python}
if [ -x "$GO_EX/counter" ]; then
	say "examples/go/counter uses counter.c's layout: both increment one counter."
	if a=$("$GO_EX/counter" inc demo.gocount) && b=$("$EX/counter" inc demo.gocount) &&
	   c=$("$GO_EX/counter" get demo.gocount); then
		say "go inc: $a, C inc: $b, go get: $c"
		if [ "$b" = $((a + 1)) ] && [ "$c" = "$b" ]; then ok "one counter"; else bad "counts $a $b $c"; fi
	else
		bad "counter inc/get"
	fi
	"$CTL" rm demo.gocount 2>/dev/null
else
	say "skipped: no $GO_EX/counter (make go)"
fi

# turns LABEL EVEN ODD: the two sides of the turns example (commands in
# EVEN and ODD, arrays), three rounds each, one region, one lock.
turns() {
	local -n even_cmd=$2 odd_cmd=$3
	local even evenst oddst

	"${even_cmd[@]}" --side even --rounds 3 >"$tmp/even" 2>&1 &
	even=$!
	"${odd_cmd[@]}" --side odd --rounds 3 >"$tmp/odd" 2>&1
	oddst=$?
	wait "$even"
	evenst=$?
	# The two outputs in the order of the turns they took.
	sort -t: -k2 "$tmp/even" "$tmp/odd" | sed 's/^/   | /'
	if [ $oddst = 0 ] && [ $evenst = 0 ]; then
		ok "$1: six turns, each the one expected"
	else
		bad "$1: turns (exit $evenst and $oddst)"
	fi
}

step "A Python process and a Go process take turns under one lock"
say "examples/python/turns.py and examples/go/turns share the region demo.turns:"
say "a robust mutex and a condition variable of the library, a turn counter and"
say "the name of the last process; each waits for its turn, writes and signals."
if [ -x "$GO_EX/turns" ] && [ -e "$PY_PKG/shmdev/__init__.py" ]; then
	py=(env PYTHONPATH="$PY_PKG" /usr/bin/python3 examples/python/turns.py)
	go=("$GO_EX/turns")
	turns "Python and Go" py go
	if "$CTL" stat demo.turns >/dev/null 2>&1; then
		bad "demo.turns is left"
	else
		ok "the process that took the last turn removed demo.turns"
	fi
else
	say "skipped: no $GO_EX/turns (make go) or $PY_PKG/shmdev (make python)"
fi

step "A JVM and a PHP process take turns under one lock"
say "examples/java/Turns.java and examples/php/turns.php: the same protocol on the"
say "same region, through the Java (JNI) and PHP bindings."
JAVA_BUILD=${JAVA_BUILD:-build/java}
PHP_SO=${PHP_SO:-build/php/shmdev.so}
if [ -e "$JAVA_BUILD/shmdev.jar" ] && [ -d "$JAVA_BUILD/examples" ] && [ -e "$PHP_SO" ]; then
	java=(java -XX:TieredStopAtLevel=1 -cp "$JAVA_BUILD/shmdev.jar:$JAVA_BUILD/examples" Turns)
	php=(php -n -d extension="$(realpath "$PHP_SO")" examples/php/turns.php)
	turns "Java and PHP" java php
	if "$CTL" stat demo.turns >/dev/null 2>&1; then
		bad "demo.turns is left"
	else
		ok "the process that took the last turn removed demo.turns"
	fi
else
	say "skipped: no $JAVA_BUILD/shmdev.jar (make java) or $PHP_SO (make php)"
fi

step "The regions now (persistent ones stay until removed)"
show "$CTL" list
if "$CTL" rm demo.shared demo.lock; then ok "removed demo.shared and demo.lock"; else bad "rm"; fi

echo
if [ $failed = 0 ]; then
	echo "demo: every step worked"
else
	echo "demo: $failed step(s) FAILED"
fi
[ $failed = 0 ]
