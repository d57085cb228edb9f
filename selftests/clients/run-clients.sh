#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-clients.sh [NAME...]: unmodified programs on the shmdev filesystem,
# inside the test VM, as root (`make check-clients` runs it there).
#
# In a mount namespace of its own, mounts the filesystem under test on
# /dev/shm, where glibc's shm_open and sem_open, CPython's
# multiprocessing.shared_memory and whatever else uses /dev/shm will find it:
#   mount -t shmdev none /dev/shm   (SHMDEV_CLIENT_FS=shmdev, the default)
#   mount -t tmpfs none /dev/shm    (SHMDEV_CLIENT_FS=tmpfs: the baseline)
# and runs selftests/clients/NAME.sh for each NAME (default: every client
# there, all but lib.sh and pg-source.sh), each under a timeout of
# CLIENT_TIMEOUT seconds (1800), with SHMDEV_CLIENTS_MOUNTED=1: a client
# that mounts /dev/shm itself when run alone does not. A mount that
# fails is a failure, never a skip: the suite bails out.
#
# Prints TAP: test 1 is the mount; then for each client, its own TAP output
# indented as a subtest, a line that passes when it exited 0 with its
# totals and no failure, and one that passes when it left nothing behind:
# no new name in /dev/shm and, on shmdev, no new row in /proc/shmdev.
# Ends with
#   # Totals: pass:N fail:N xfail:0 xpass:0 skip:N error:0
#   KSFT-TOTALS pass=N fail=N skip=N
# counting the clients' own tests, the mount and the leak checks, and one
# failure for a client that failed without a failed test of its own (as
# selftests/run-tests.sh counts). Exit status 1 when anything failed.

cd "$(dirname "$0")/../.." || exit 1
export PATH=$PATH:/usr/sbin:/sbin
if [ "${1:-}" != --private ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "Bail out! run-clients.sh mounts /dev/shm: run it as root (in the test VM)"
		echo "KSFT-TOTALS pass=0 fail=1 skip=0"
		exit 1
	fi
	exec unshare --mount --propagation private -- "$0" --private "$@"
fi
shift

. selftests/tap.sh
. selftests/clients/lib.sh
export SHMDEV_CLIENT_FS SHMDEV_CLIENT_DIR CLIENTS_BUILD

clients=("$@")
if [ ${#clients[@]} = 0 ]; then
	for c in selftests/clients/*.sh; do
		c=${c##*/}
		case $c in lib.sh|run-clients.sh|pg-source.sh) ;; *) clients+=("${c%.sh}") ;; esac
	done
fi
if [ ${#clients[@]} = 0 ]; then
	echo "Bail out! no client in selftests/clients/"
	echo "KSFT-TOTALS pass=0 fail=1 skip=0"
	exit 1
fi
for c in "${clients[@]}"; do
	if [ ! -f "selftests/clients/$c.sh" ]; then
		echo "Bail out! no client '$c' (selftests/clients/$c.sh)"
		echo "KSFT-TOTALS pass=0 fail=1 skip=0"
		exit 1
	fi
done
limit=${CLIENT_TIMEOUT:-1800}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$SHMDEV_CLIENT_DIR
fs=$SHMDEV_CLIENT_FS
# Sums over the clients' own tests and the checks here.
tp=0 tf=0 ts=0

totals() {
	echo "# Totals: pass:$tp fail:$tf xfail:0 xpass:0 skip:$ts error:0"
	echo "KSFT-TOTALS pass=$tp fail=$tf skip=$ts"
}

echo "TAP version 13"
echo "1..$((1 + 2 * ${#clients[@]}))"
echo "# filesystem: $fs on $dir, clients: ${clients[*]}"

# The filesystem under test is mounted on /dev/shm, in this mount namespace
# only, and is what /proc/self/mountinfo says is there.
run mount -t "$fs" none "$dir"
mounted=$rc
if [ $mounted = 0 ]; then
	mounted=1
	while read -r _ _ _ _ mp _ rest; do
		[ "$mp" = "$dir" ] || continue
		rest=${rest#*- }
		mounted=0
		[ "${rest%% *}" = "$fs" ] || mounted=1
	done </proc/self/mountinfo
	[ $mounted = 0 ] || note "the last mount on $dir is not $fs: ${rest%% *}"
else
	note "mount -t $fs none $dir: status $rc: ${err//$'\n'/ | }"
fi
ok $mounted "mount -t $fs none $dir"
if [ $mounted != 0 ]; then
	tf=$((tf + 1))
	echo "Bail out! cannot mount $fs on $dir: no client can run"
	totals
	exit 1
fi
tp=$((tp + 1))
# A client that mounts /dev/shm when run alone does not here.
export SHMDEV_CLIENTS_MOUNTED=1

for c in "${clients[@]}"; do
	echo "# ### $c"
	dir_names "$dir"; files0=$REPLY
	region_names; regions0=$REPLY
	start=$EPOCHSECONDS
	timeout -k 10 "$limit" bash "selftests/clients/$c.sh" </dev/null 2>&1 |
		while IFS= read -r l; do
			echo "    $l"
			echo "$l" >&3
		done 3>"$tmp/$c.out"
	status=${PIPESTATUS[0]}
	secs=$((EPOCHSECONDS - start))

	p='' f='' s=''
	re='^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)'
	while IFS= read -r l; do
		[[ $l =~ $re ]] || continue
		p=$((BASH_REMATCH[1] + BASH_REMATCH[3]))
		f=$((BASH_REMATCH[2] + BASH_REMATCH[4] + BASH_REMATCH[6]))
		s=${BASH_REMATCH[5]}
	done <"$tmp/$c.out"
	why=
	if [ -z "$p" ]; then
		p=0 f=1 s=0 why="no totals"
	elif [ $status != 0 ] && [ $f = 0 ]; then
		f=1 why="exit status $status"
	fi
	[ $status = 124 ] || [ $status = 137 ] && why="timeout after ${limit}s"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	echo "# $c: pass $p fail $f skip $s, ${secs}s${why:+ -- $why}"
	ok $((f != 0)) "$c"

	# The client removed every file it made in the directory and, on
	# shmdev, every region it made is gone from /proc/shmdev.
	dir_names "$dir"; new_lines "$files0" "$REPLY"; left=$REPLY
	[ -z "$left" ] || note "$c left in $dir: $left"
	if [ "$fs" = shmdev ]; then
		region_names; new_lines "$regions0" "$REPLY"
		[ -z "$REPLY" ] || note "$c left in /proc/shmdev: $REPLY"
		left+=${REPLY:+ $REPLY}
	fi
	if [ -z "$left" ]; then
		tp=$((tp + 1)); ok 0 "$c: nothing left behind in $dir"
	else
		tf=$((tf + 1)); ok 1 "$c: nothing left behind in $dir"
		# Not in the next client's way.
		for l in $left; do rm -f -- "${dir:?}/$l"; done
	fi
done

totals
[ $tf = 0 ]
