#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# go: a Go program, standard library only (selftests/clients/go/shmxchg.go,
# built by `make clients`), creates a file in the filesystem run-clients.sh
# mounted on /dev/shm, truncates it and maps it with syscall.Mmap
# (MAP_SHARED); a second process of the same binary maps it too and the two
# exchange GO_ROUNDS (1000) blocks of 64 KiB each way through it.

cd "$(dirname "$0")/../.." || exit 1
. selftests/tap.sh
. selftests/clients/lib.sh
prog=$CLIENTS_BUILD/shmxchg
rounds=${GO_ROUNDS:-1000}
dir=$SHMDEV_CLIENT_DIR
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

NTESTS=3
echo "TAP version 13"
echo "1..$NTESTS"
if [ ! -x "$prog" ]; then
	for ((i = 0; i < NTESTS; i++)); do ok 1 "no $prog (make clients)"; done
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	exit 1
fi

start=$EPOCHSECONDS
run timeout -k 5 300 "$prog" parent "$dir" "$rounds"
secs=$((EPOCHSECONDS - start))
[ "$rc" = 0 ] && [ -z "$err" ] || note "shmxchg: status $rc, stdout: ${out//$'\n'/ | }, stderr: $err"

# The child, started after the parent truncated the file and wrote its
# pattern through the mapping, sees that size and that pattern.
has() { [[ $'\n'$out$'\n' == *$'\n'"$1"$'\n'* ]]; }
has "child size 69632 pattern ok"
ok $? "go: the second process sees the truncated size and the data mapped before it"

# Each side checks every block the other wrote: none mismatches.
has "child rounds $rounds mismatches 0" && has "parent rounds $rounds mismatches 0"
ok $? "go: $rounds blocks of 64 KiB each way through MAP_SHARED, 0 mismatches"
echo "# $rounds rounds in ${secs}s"

# The parent removed its file (the driver checks that no region is left).
dir_names "$dir"
[[ $'\n'$REPLY != *$'\n'go-xchg.* ]]
ok $? "go: the file is gone after the exchange" || note "left: $REPLY"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
