#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shmdevctl_test: every subcommand of shmdevctl as a shell user runs it: output,
# exit status (0, 1 failure, 2 usage), messages, --json checked with jq or
# python3, human sizes, names that need escaping, another user, another IPC
# namespace, and the module unloaded and loaded again through libkmod.

cd "$(dirname "$0")/.." || exit 1
S=${SHMDEVCTL:-$PWD/build/tools/shmdevctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ok, skip, note, slurp, run. Under TCG every process costs a lot: the
# helpers below start none either.
. selftests/tap.sh
# has TEXT LINE: LINE is a whole line of TEXT; starts TEXT PREFIX: a line
# of TEXT starts with PREFIX.
has() { [[ $'\n'$1$'\n' == *$'\n'"$2"$'\n'* ]]; }
starts() { [[ $'\n'$1 == *$'\n'"$2"* ]]; }
# words TEXT: TEXT with blanks squeezed, in $REPLY.
words() { local w; read -ra w <<<"$1"; REPLY="${w[*]}"; }
# row NAME [COL]: the line of $out whose word COL (default 0) is NAME,
# blanks squeezed, in $REPLY.
row() {
	local l w
	REPLY=
	while IFS= read -r l; do
		read -ra w <<<"$l"
		[[ ${w[${2:-0}]} == "$1" ]] && { REPLY="${w[*]}"; return 0; }
	done <<<"$out"
	return 1
}
# expect RC [STDERR]: the last run's status and, if given, its whole stderr.
expect() {
	[ "$rc" = "$1" ] || { note "exit status $rc, expected $1; stderr: $err"; return 1; }
	[ $# = 1 ] || [ "$err" = "$2" ] || { note "stderr: '$err'"; note "wanted: '$2'"; return 1; }
}

# JSON, with jq or else python3 (one process per document: they are slow
# to start under TCG). `jvals [-n NAME] KEY...` prints the values of the
# dotted KEYs (a.b, flags[0]) of $out, one per line, arrays joined with ','
# and null/true/false as words; -n picks the element of an array whose
# .name is NAME. It fails when $out is not valid JSON.
if command -v jq >/dev/null; then
	jvals() {
		local sel=. name= f
		if [ "$1" = -n ]; then sel='.[] | select(.name == $n)' name=$2; shift 2; fi
		f=$(printf '.%s, ' "$@")
		jq -er --arg n "$name" "$sel | (${f%, }) | if type == \"array\" then join(\",\") else tostring end" <<<"$out"
	}
	jpairs() { jq -er ".[] | \"\\(.$1) \\(.$2)\"" <<<"$out"; }
elif command -v python3 >/dev/null; then
	jvals() {
		python3 -c '
import json, re, sys
v = json.loads(sys.stdin.read())
args = sys.argv[1:]
if args[0] == "-n":
    v = [r for r in v if r["name"] == args[1]][0]
    args = args[2:]
for a in args:
    x = v
    for k in re.findall(r"\[(\d+)\]|(\w+)", a):
        x = x[int(k[0])] if k[0] else x[k[1]]
    if isinstance(x, list):
        x = ",".join(x)
    print("true" if x is True else "false" if x is False else "null" if x is None else x)
' "$@" <<<"$out"
	}
	jpairs() {
		python3 -c '
import json, sys
for r in json.loads(sys.stdin.read()):
    print(r[sys.argv[1]], r[sys.argv[2]])
' "$1" "$2" <<<"$out"
	}
fi
have_json() { command -v jq >/dev/null || command -v python3 >/dev/null; }
# jcheck [-n NAME] KEY=VALUE...: every KEY of $out has VALUE.
jcheck() {
	local sel=() keys=() want=() kv got i st=0
	[ "$1" = -n ] && { sel=(-n "$2"); shift 2; }
	for kv; do keys+=("${kv%%=*}"); want+=("${kv#*=}"); done
	got=$(jvals "${sel[@]}" "${keys[@]}") || { note "invalid JSON or no such element: $out"; return 1; }
	mapfile -t got <<<"$got"
	for i in "${!keys[@]}"; do
		[ "${got[$i]}" = "${want[$i]}" ] ||
			{ note "${keys[$i]} is '${got[$i]}', wanted '${want[$i]}'"; st=1; }
	done
	return $st
}

NTESTS=38
echo "TAP version 13"
echo "1..$NTESTS"
if [ ! -x "$S" ] || [ -z "$SHMDEV_KO" ] || [ ! -c /dev/shmdev ]; then
	echo "# needs $S, the module loaded and SHMDEV_KO (run in the VM)"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$NTESTS error:0"
	exit 4
fi
pre=sct$$-
page=$(getconf PAGESIZE)
myns=$(readlink /proc/self/ns/ipc | tr -dc 0-9)
version=$(</sys/module/shmdev/version)

# ---- help and usage ----
st=0
run "$S" --help
expect 0 "" && starts "$out" "usage: shmdevctl COMMAND" || st=1
for c in list create rm stat dump status; do
	run "$S" $c --help
	{ expect 0 "" && starts "$out" "usage: shmdevctl $c " &&
	  [[ $out == *"  -h, --help "* ]]; } || { note "$c --help"; st=1; }
done
run "$S" help dump
expect 0 && starts "$out" "usage: shmdevctl dump" || st=1
ok $st "--help on the command and every subcommand, status 0"

run "$S" --version
expect 0 "" && [ "$out" = "shmdevctl $version" ]
ok $? "--version prints the project's version (the module's too)"

st=0
run "$S"
expect 2 && starts "$err" "usage: shmdevctl COMMAND" || st=1
run "$S" frobnicate
expect 2 && has "$err" "shmdevctl: unknown command 'frobnicate'" || st=1
run "$S" list --bogus
expect 2 && [ "${err%%$'\n'*}" = "shmdevctl: invalid option '--bogus'" ] &&
	starts "$err" "usage: shmdevctl list " || st=1
run "$S" create "${pre}x"
expect 2 && has "$err" "shmdevctl: missing SIZE" || st=1
run "$S" create "${pre}x" 1M --mode
expect 2 && has "$err" "shmdevctl: option '--mode' needs a value" || st=1
run "$S" rm
expect 2 && has "$err" "shmdevctl: missing NAME" || st=1
run "$S" stat a b
expect 2 && has "$err" "shmdevctl: too many arguments" || st=1
[ -z "$out" ] || st=1
ok $st "usage errors: status 2, a message and the usage line on stderr"

# ---- human sizes ----
# The sizes below are declared, never touched: the default limits (an
# eighth of RAM for one user) are lifted for them and put back after.
limit_params="max_region_size max_user_bytes max_total_bytes"
saved_limits=$(cd /sys/module/shmdev/parameters && cat $limit_params)
for p in $limit_params; do echo $((1 << 30)) >/sys/module/shmdev/parameters/$p; done
st=0
sizes="4096:4096 5000:8192 2k:4096 2K:4096 64M:67108864 64m:67108864
       1.5M:1572864 8KiB:8192 8kib:8192 1MB:1048576 3Mi:3145728 .5M:524288
       0.25G:268435456"
i=0
for spec in $sizes; do
	run "$S" create --excl "${pre}size$i" "${spec%%:*}"
	expect 0 "" || { note "create ${spec%%:*}"; st=1; }
	i=$((i + 1))
done
run "$S" list --json
got=$(jpairs name size)
i=0
for spec in $sizes; do
	has "$got" "${pre}size$i ${spec#*:}" || { note "${spec%%:*} is not ${spec#*:}: $got"; st=1; }
	i=$((i + 1))
done
"$S" rm "${pre}"size{0..12} || st=1
ok $st "sizes: 4096 5000 2k 64M 64m 1.5M 8KiB 1MB 3Mi .5M 0.25G (rounded up to pages)"

st=0
for bad in 12Q 1.3 1e6 0x10 "" " 4k" 4k. 1..5 K -1 99999999999T 1.0000000000000000000001G; do
	run "$S" create "${pre}bad" "$bad"
	expect 2 || { note "size '$bad' accepted"; st=1; continue; }
	starts "$err" "usage: shmdevctl create" || st=1
done
run "$S" create "${pre}bad" 12Q
[ "${err%%$'\n'*}" = "shmdevctl: invalid size '12Q': expected bytes with an optional K, M, G or T suffix (e.g. 4096, 64M, 1.5G)" ] || st=1
run "$S" create "${pre}bad" 1.3
[ "${err%%$'\n'*}" = "shmdevctl: size '1.3' is not a whole number of bytes" ] || st=1
run "$S" create "${pre}bad" 99999999T
[ "${err%%$'\n'*}" = "shmdevctl: size '99999999T' is too large" ] || st=1
run "$S" create "${pre}bad" 0
[ "${err%%$'\n'*}" = "shmdevctl: size must be at least 1 byte" ] || st=1
run "$S" stat "${pre}bad"
expect 1 || st=1
ok $st "garbage sizes rejected with status 2 and nothing created"

# ---- create ----
run "$S" create "${pre}a" 64M
expect 0 "" && [ -z "$out" ]
ok $? "create NAME 64M: status 0, silent"

run "$S" create "${pre}a" 64M --excl
expect 1 "shmdevctl: region '${pre}a': File exists"
ok $? "create --excl of an existing region: File exists, status 1"

st=0
run "$S" create "${pre}a" 32M
expect 0 "" || st=1
run "$S" create "${pre}a" 128M
expect 1 "shmdevctl: region '${pre}a' exists with size 64M, smaller than 128M" || st=1
# create never maps the region: address space it may not use is no matter.
run sh -c 'ulimit -v 65536 && exec "$0" create "$1" 256M' "$S" "${pre}big"
expect 0 "" || st=1
"$S" rm "${pre}big" || st=1
ok $st "create without --excl: an existing region is kept, a bigger SIZE is an error; no mapping needed"
set -- $saved_limits
for p in $limit_params; do echo "$1" >/sys/module/shmdev/parameters/$p; shift; done

st=0
run "$S" create "${pre}a/b" 4k
expect 1 "shmdevctl: region '${pre}a/b': Invalid argument" || st=1
long=$(printf '%0256d' 0)
run "$S" create "$long" 4k
expect 1 "shmdevctl: region '$long': File name too long" || st=1
run "$S" create "${long:1}" 4k
expect 0 "" || st=1
run "$S" rm "${long:1}"
expect 0 "" || st=1
ok $st "names: '/' is Invalid argument, 256 bytes File name too long, 255 fine"

st=0
for m in 999 8 07777 abc ""; do
	run "$S" create "${pre}m" 4k --mode "$m"
	expect 2 || { note "mode '$m' accepted"; st=1; }
done
run "$S" create "${pre}m" 4k --autodestroy
expect 2 && starts "$err" "shmdevctl: --autodestroy is not offered" || st=1
run "$S" stat "${pre}m"
expect 1 || st=1
ok $st "bad modes and --autodestroy rejected with status 2"

st=0
run "$S" create "${pre}p" 16k --mode 0640 --populate
expect 0 "" || st=1
run "$S" create "${pre}q" 4k --mode 644
expect 0 "" || st=1
run "$S" list --json
jcheck -n "${pre}p" mode=0640 region_flags=populate resident=$((16384 / page)) || st=1
jcheck -n "${pre}q" mode=0644 region_flags= || st=1
ok $st "create --mode 0640 --populate: mode, flags, resident pages"

# ---- stat ----
st=0
run "$S" stat "${pre}a"
expect 0 "" || st=1
for want in "name:           ${pre}a" "size:           67108864 (64M)" \
	    "uid:            0 (root)" "mode:           0600 (rw-------)" \
	    "region_flags:   -" "handles:        0" "mappings:       0" \
	    "ns_inum:        $myns" "resident:       0 pages (0)" "waits:          0" \
	    "wakes:          0" "lock_acquired:  0" "lock_contended: 0" \
	    "owner_deaths:   0" "events:         0"; do
	has "$out" "$want" || { note "no line '$want'"; st=1; }
done
ok $st "stat: every field"

if have_json; then
	run "$S" stat --json "${pre}a"
	[ $rc = 0 ] && jcheck name="${pre}a" name_escaped="${pre}a" ns_inum="$myns" size=67108864 \
		uid=0 gid=0 mode=0600 region_flags= handles=0 mappings=0 resident=0 \
		waits=0 wakes=0 lock_acquired=0 lock_contended=0 owner_deaths=0 events=0
	ok $? "stat --json: valid, every field"
else
	skip "stat --json: neither jq nor python3"
fi

run "$S" stat "${pre}nope"
expect 1 "shmdevctl: region '${pre}nope': No such file or directory" && [ -z "$out" ]
ok $? "stat of a missing region: the message, status 1"

# ---- list ----
st=0
run "$S" list
expect 0 "" || st=1
words "${out%%$'\n'*}"
[ "$REPLY" = "NAME SIZE UID GID MODE HANDLES MAPS FLAGS" ] || st=1
row "${pre}a" && [ "$REPLY" = "${pre}a 64M 0 0 0600 0 0 -" ] || { note "$out"; st=1; }
row "${pre}p" && [ "$REPLY" = "${pre}p 16K 0 0 0640 0 0 populate" ] || st=1
run "$S" list --bytes
row "${pre}a" && [ "$REPLY" = "${pre}a 67108864 0 0 0600 0 0 -" ] || st=1
ok $st "list: header and one row per region with human sizes (--bytes: exact)"

# Blank, backslash, tab, quote, UTF-8 and a byte that is not UTF-8.
nasty="${pre}a b\\c"$'\t'"\"é"$'\377'
nasty_json="${pre}a b\\c"$'\t'"\"é"$'\xef\xbf\xbd'
nasty_esc="${pre}a\\040b\\134c\\011\"\\303\\251\\377"
run "$S" create "$nasty" 4k
if have_json; then
	st=0
	run "$S" list --json
	jcheck -n "${pre}a" size=67108864 mode=0600 region_flags= || st=1
	jcheck -n "$nasty_json" name_escaped="$nasty_esc" size=4096 || st=1
	ok $st "list --json: valid; a name that needs escaping is exact in name_escaped"
else
	skip "list --json: neither jq nor python3"
fi

run "$S" list
starts "$out" "$nasty_esc  "
ok $? "list: names escaped as \\ooo, like /proc/shmdev"

run "$S" stat "$nasty"
[ $rc = 0 ] && has "$out" "name:           $nasty_esc"
ok $? "stat shows an escaped name"

# ---- dump ----
# poke: built by make (selftests/poke.c); compiled here only if it is not.
poke=build/selftests/poke
[ -x "$poke" ] || { poke=$tmp/poke; cc -Iinclude -Iinclude/uapi -o "$poke" selftests/poke.c build/lib/libshmdev.a; }
if [ -x "$poke" ]; then
	st=0
	"$S" create "${pre}d" 1M || st=1
	"$poke" "${pre}d" 4096 "Hello, shmdev!"$'\n\x01'"0123456789abcdef" || st=1
	"$poke" "${pre}d" 1048560 "the last line.." || st=1
	run "$S" dump "${pre}d" --offset 4k --length 48
	expect 0 "" || st=1
	want="00001000: 4865 6c6c 6f2c 2073 686d 6465 7621 0a01  Hello, shmdev!..
00001010: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef
00001020: 0000 0000 0000 0000 0000 0000 0000 0000  ................"
	[ "$out" = "$want" ] || { note "dump: $out"; st=1; }
	run "$S" dump "${pre}d" --offset 0x1000
	expect 2 || st=1
	ok $st "dump --offset 4k --length 48: hex and ASCII as xxd shows them"

	run "$S" dump "${pre}d"
	want="00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................
*
00001000: 4865 6c6c 6f2c 2073 686d 6465 7621 0a01  Hello, shmdev!..
00001010: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef
00001020: 0000 0000 0000 0000 0000 0000 0000 0000  ................
*
000ffff0: 7468 6520 6c61 7374 206c 696e 652e 2e00  the last line..."
	[ $rc = 0 ] && [ "$out" = "$want" ]
	ok $? "dump of a whole 1M region: repeated lines squeezed to '*'"

	run "$S" dump "${pre}d" --length 40 --offset 4090 --all
	want="00000ffa: 0000 0000 0000 4865 6c6c 6f2c 2073 686d  ......Hello, shm
0000100a: 6465 7621 0a01 3031 3233 3435 3637 3839  dev!..0123456789
0000101a: 6162 6364 6566 0000                      abcdef.."
	[ $rc = 0 ] && [ "$out" = "$want" ]
	ok $? "dump: an unaligned range, a short last line padded"

	st=0
	run "$S" dump "${pre}d" --offset 4k --length 14 --raw
	[ $rc = 0 ] && [ "$out" = "Hello, shmdev!" ] || st=1
	if have_json; then
		run "$S" dump "${pre}d" --offset 4k --length 5 --json
		jcheck hex=48656c6c6f offset=4096 length=5 size=1048576 name="${pre}d" || st=1
	fi
	ok $st "dump --raw and --json"
else
	for t in 1 2 3 4; do skip "dump: no C compiler to write test data"; done
fi

st=0
run "$S" dump "${pre}a" --offset 65M
expect 1 "shmdevctl: region '${pre}a': offset 65M is past the end (size 64M)" || st=1
run "$S" dump "${pre}a" --offset 4k --length 64M
expect 1 "shmdevctl: region '${pre}a': 64M bytes from offset 4K go past the end (size 64M)" || st=1
run "$S" dump "${pre}a" --offset 64M
expect 0 "" && [ -z "$out" ] || st=1
run "$S" dump "${pre}nope"
expect 1 "shmdevctl: region '${pre}nope': No such file or directory" || st=1
run "$S" dump "${pre}a" --length 12X
expect 2 || st=1
ok $st "dump past the end, of a missing region, with a bad length: clear errors"

# ---- another user ----
if command -v setpriv >/dev/null && have_json; then
	as_user() { setpriv --reuid=1000 --regid=1000 --clear-groups "$@"; }
	st=0
	run as_user "$S" dump "${pre}a" --length 16
	expect 1 "shmdevctl: region '${pre}a': Permission denied" || st=1
	run as_user "$S" rm "${pre}a"
	expect 1 "shmdevctl: region '${pre}a': Operation not permitted" || st=1
	run as_user "$S" stat "${pre}a"
	expect 0 "" || st=1
	run as_user "$S" create "${pre}a" 32M
	expect 0 "" || st=1
	run as_user "$S" create "${pre}a" 128M
	expect 1 "shmdevctl: region '${pre}a' exists with size 64M, smaller than 128M" || st=1
	run as_user "$S" dump "${pre}q" --length 16
	expect 0 "" || st=1
	run as_user "$S" create "${pre}u" 8k
	expect 0 "" || st=1
	run as_user "$S" stat --json "${pre}u"
	jcheck uid=1000 gid=1000 mode=0600 || st=1
	run as_user "$S" rm "${pre}u"
	expect 0 "" || st=1
	ok $st "uid 1000: Permission denied on a 0600 region, Operation not permitted to rm it, create of it kept"
else
	skip "no setpriv or no JSON tool"
fi

# ---- rm ----
st=0
run "$S" create "${pre}r1" 4k
run "$S" create "${pre}r2" 4k
run "$S" rm "${pre}r1" "${pre}nope" "${pre}r2"
expect 1 "shmdevctl: region '${pre}nope': No such file or directory" || st=1
run "$S" list
starts "$out" "${pre}r" && st=1
ok $st "rm of several names: removes the others, reports the missing one, status 1"

run "$S" rm --force "${pre}nope" "${pre}q"
expect 0 "" && ! "$S" stat "${pre}q" 2>/dev/null
ok $? "rm --force ignores missing regions"

# ---- namespaces ----
if command -v unshare >/dev/null && have_json; then
	st=0
	# A process keeps the namespace alive while it is looked into: a
	# dead namespace's regions are freed.
	mkfifo "$tmp/ns"
	unshare --ipc sh -c "\"$S\" create ${pre}ns 12k >&2 &&
		readlink /proc/self/ns/ipc | tr -dc 0-9 >\"$tmp/ns\" && exec sleep 600" &
	keeper=$!
	read -r inum <"$tmp/ns"
	run "$S" list
	row "${pre}ns" && st=1
	run "$S" list --all
	words "${out%%$'\n'*}"
	[ "$REPLY" = "NS NAME SIZE UID GID MODE HANDLES MAPS FLAGS" ] || st=1
	row "${pre}ns" 1 && [ "$REPLY" = "$inum ${pre}ns 12K 0 0 0600 0 0 -" ] ||
		{ note "list --all: $out"; st=1; }
	row "${pre}a" 1 && [ "$REPLY" = "$myns ${pre}a 64M 0 0 0600 0 0 -" ] || st=1
	run "$S" list --all --json
	jcheck -n "${pre}ns" ns_inum="$inum" || st=1
	ok $st "list shows this namespace, list --all every namespace with NS"

	st=0
	run "$S" stat "${pre}ns"
	expect 1 || st=1
	run "$S" stat "${pre}ns" --ns "$inum" --json
	[ $rc = 0 ] && jcheck size=12288 ns_inum="$inum" || st=1
	run "$S" rm "${pre}ns" --ns garbage
	expect 2 || st=1
	run "$S" rm "${pre}ns" --ns "$inum"
	expect 0 "" || st=1
	run "$S" list --all
	row "${pre}ns" 1 && st=1
	kill "$keeper"
	wait "$keeper" 2>/dev/null
	ok $st "stat --ns and rm --ns reach another namespace's region"
else
	skip "no unshare or no JSON tool"
	skip "no unshare or no JSON tool"
fi

# ---- status ----
st=0
run "$S" status
expect 0 "" || st=1
for want in "module:          live" "version:         $version" \
	    "device:          /dev/shmdev" "abi version:     1" \
	    "features:        regions wait locks mutex events mutex_destroy owner_ids init sized_args files" \
	    "locks/region:    64" \
	    "name max:        255 bytes" "page size:       $page" \
	    "max_regions:     $(</sys/module/shmdev/parameters/max_regions)" \
	    "allow_exec:      no"; do
	has "$out" "$want" || { note "no line '$want'"; st=1; }
done
[[ $out == *$'\n'"regions:"*" in this namespace ("* ]] || st=1
ok $st "status: module, version, ABI, features, limits, usage"

if have_json; then
	P=/sys/module/shmdev/parameters
	run "$S" status --json
	[ $rc = 0 ] && jcheck loaded=true state=live loaded_now=false device=/dev/shmdev \
		device_error=null version="$version" shmdevctl_version="$version" \
		api.abi_version=1 api.nr_locks=64 api.name_max=255 api.features_mask=1023 \
		api.features=regions,wait,locks,mutex,events,mutex_destroy,owner_ids,init,sized_args,files \
		api.page_size="$page" \
		limits.allow_exec=false limits.max_regions="$(<$P/max_regions)" \
		limits.max_region_size="$(<$P/max_region_size)" \
		limits.max_user_bytes="$(<$P/max_user_bytes)" \
		limits.max_total_bytes="$(<$P/max_total_bytes)"
	ok $? "status --json: valid, every field"

	st=0
	before=$(jvals usage.ns_bytes usage.ns_regions usage.regions)
	mapfile -t before <<<"$before"
	run "$S" create "${pre}s" 1M
	run "$S" status --json
	jcheck usage.ns_bytes=$((before[0] + 1048576)) usage.ns_regions=$((before[1] + 1)) \
		usage.regions=$((before[2] + 1)) usage.handles=0 usage.owner_ids=0 \
		usage.user_owner_ids=0 || st=1
	run "$S" rm "${pre}s"
	ok $st "status counts regions and bytes (and not its own handle)"
else
	skip "status --json: neither jq nor python3"
	skip "status --json: neither jq nor python3"
fi

st=0
for args in list --version; do
	"$S" $args >/dev/full 2>"$tmp/err"
	rc=$?
	slurp "$tmp/err"; err=$REPLY
	expect 1 "shmdevctl: write error: No space left on device" || st=1
done
ok $st "a write error is reported, status 1 (list, --version)"

# ---- clean up, then the module unloaded and loaded again ----
"$S" rm -f "${pre}a" "${pre}p" "${pre}d" "$nasty"
run "$S" list --all
[[ $out != *"$pre"* ]] || note "left: $out"
ok $? "rm of everything this test created"

if rmmod shmdev 2>/dev/null; then
	st=0
	run "$S" status
	expect 1 "" && has "$out" "module:          not loaded (load it with 'shmdevctl status --load' or 'modprobe shmdev')" || st=1
	if have_json; then
		run "$S" status --json
		[ $rc = 1 ] && jcheck loaded=false state=null api=null limits=null usage=null \
			device_error="No such file or directory" || st=1
	fi
	ok $st "status of an unloaded module: not loaded, status 1"

	st=0
	nomod="(is the shmdev module loaded? see 'shmdevctl status')"
	run "$S" list
	expect 1 "shmdevctl: /proc/shmdev: No such file or directory $nomod" || st=1
	run "$S" create "${pre}x" 4k
	expect 1 "shmdevctl: /dev/shmdev: No such file or directory $nomod" || st=1
	run "$S" rm "${pre}x"
	expect 1 "shmdevctl: /dev/shmdev: No such file or directory $nomod" || st=1
	ok $st "without the module: list, create, rm say so, status 1"

	st=0
	run "$S" status --load --module /nonexistent/shmdev.ko
	expect 1 "shmdevctl: cannot load module /nonexistent/shmdev.ko: No such file or directory" || st=1
	# shmdev is not installed in the guest's (the host's) /lib/modules.
	run env -u SHMDEV_KO "$S" status --load
	expect 1 "shmdevctl: cannot load module shmdev: not found in /lib/modules/$(uname -r) (install it with 'make install', or give --module PATH)" || st=1
	ok $st "status --load: a missing module file or name is a clear error"

	run setpriv --reuid=1000 "$S" status --load --module "$SHMDEV_KO"
	expect 1 "shmdevctl: cannot load module $SHMDEV_KO: Operation not permitted (loading a module needs root)"
	ok $? "status --load as a user: Operation not permitted"

	st=0
	run "$S" status --load
	expect 0 "" && has "$out" "module:          live (loaded now)" || st=1
	[ -c /dev/shmdev ] || st=1
	run "$S" status --load
	expect 0 "" && has "$out" "module:          live" || st=1
	ok $st "status --load loads \$SHMDEV_KO through libkmod; again: already loaded"
else
	for t in 1 2 3 4 5; do skip "shmdev could not be unloaded (in use)"; done
fi
grep -q '^shmdev ' /proc/modules || insmod "$SHMDEV_KO"

[ $n = $NTESTS ] || { echo "# ran $n tests, planned $NTESTS"; fail=$((fail + 1)); }
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
