#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# postgres: Debian's PostgreSQL 15, unmodified, with its dynamic shared
# memory (dynamic_shared_memory_type = posix: shm_open, ftruncate,
# posix_fallocate and mmap of /dev/shm/PostgreSQL.<n>) on the filesystem
# mounted on /dev/shm. As root, in the test VM.
#
# Run by run-clients.sh, which mounts the filesystem and says so with
# SHMDEV_CLIENTS_MOUNTED=1; run alone, it mounts SHMDEV_CLIENT_FS (shmdev,
# or tmpfs for the baseline) on /dev/shm itself, in a mount namespace of
# its own. A mount that fails is a failure, and nothing else runs.
#
# A cluster of an unprivileged user (nobody), in a temporary directory,
# its socket there too, runs every query with parallel workers
# (force_parallel_mode = regress):
#  - PostgreSQL's own regression tests of parallel query: select_parallel,
#    write_parallel and join_hash (a parallel hash join shares its hash
#    table in DSM segments), after the ones that make what they read;
#  - a parallel worker killed with SIGKILL: the postmaster restarts the
#    cluster, removes every segment of the old one and serves again;
#  - a parallel hash join larger than the limit of the filesystem
#    (max_user_bytes on shmdev, size= on tmpfs) fails with ENOSPC, as an
#    error of that query only, and the server serves on.
# The regression tests come from pg-source.sh's cache (run it on the host:
# the VM has no network). The time of each part is printed.

export PATH=$PATH:/usr/sbin:/sbin
if [ "${SHMDEV_CLIENTS_MOUNTED:-}" != 1 ] && [ "${1:-}" != --private ]; then
	exec unshare --mount --propagation private -- bash "$0" --private "$@"
fi
cd "$(dirname "$0")/../.." || exit 1
. selftests/tap.sh
. selftests/clients/lib.sh
dir=$SHMDEV_CLIENT_DIR
fs=$SHMDEV_CLIENT_FS
PG=/usr/lib/postgresql/15
PG_REGRESS=$PG/lib/pgxs/src/test/regress/pg_regress
user=nobody
# The tests pg_regress runs, in order: test_setup makes tenk1, tenk2 and
# int4_tbl (all three read), create_misc the a_star ... f_star tables
# select_parallel reads, create_index the indexes of tenk1 its plans use.
# The three after them are the tests of parallel query.
setup_tests=(test_setup create_misc create_index)
par_tests=(select_parallel write_parallel join_hash)
# The table of the limit test: rows of its parallel hash join and their
# padding, some 20 MiB of hash table shared in DSM; and the limit.
BIG_ROWS=60000
BIG_PAD=300
LIMIT_BYTES=$((4 << 20))

NTESTS=$((3 + ${#setup_tests[@]} + ${#par_tests[@]} + 4 + 5 + 1))
echo "TAP version 13"
echo "1..$NTESTS"

tmp=$(mktemp -d)
chmod 0755 "$tmp"
chown "$user" "$tmp"
data=$tmp/data
pglog=$tmp/server.log
limit_saved=

as_user() { setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups "$@"; }
# psql as the cluster's superuser on its socket: SQL in $1, rows in $out.
sql() { run "$PG/bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$tmp" -U "$user" -d "${db:-postgres}" -c "$1"; }
pm_pid() { local p; read -r p <"$data/postmaster.pid" 2>/dev/null && echo "$p"; }
# The PostgreSQL.* files of $dir, sorted by the glob, space-separated in $REPLY.
dsm_files() {
	local f
	REPLY=
	for f in "$dir"/PostgreSQL.*; do
		[ -e "$f" ] && REPLY+="${REPLY:+ }${f##*/}"
	done
}
# The same once no query runs: a query's segment goes when the last of its
# processes detaches, which may be a worker exiting after the query ended.
# The listing that stays the same for a second, within 60 s.
dsm_settled() {
	local prev i
	dsm_files
	for ((i = 0; i < 60; i++)); do
		prev=$REPLY
		nap 1
		dsm_files
		[ "$REPLY" != "$prev" ] || return 0
	done
	note "the segments in $dir keep changing: $REPLY"
}
count_words() { local -a w; read -ra w <<<"$1"; echo "${#w[@]}"; }
# Seconds since $1 (an $EPOCHREALTIME), to a tenth.
since() {
	local now=${EPOCHREALTIME/./} then=${1/./}
	local d=$(((now - then) / 100000))
	echo "$((d / 10)).$((d % 10))"
}
tally() {
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ $fail = 0 ]
}
# Fail every test left, after a failure nothing else can run past.
bail() {
	note "${1//$'\n'/ | }"
	while [ "$n" -lt "$NTESTS" ]; do ok 1 "postgres: not run: ${1%%:*}"; done
	tally
	exit 1
}

set_limit() {
	if [ "$fs" = shmdev ]; then
		echo "$1" >/sys/module/shmdev/parameters/max_user_bytes
	else
		mount -o "remount,size=$1" none "$dir"
	fi
}
# The limit, in bytes: max_user_bytes, or the size of the tmpfs as statfs
# gives it (mountinfo omits the default size).
get_limit() {
	if [ "$fs" = shmdev ]; then
		read -r REPLY </sys/module/shmdev/parameters/max_user_bytes
	else
		REPLY=$(stat -f -c '%b*%S' "$dir") && REPLY=$((REPLY))
	fi
}

cleanup() {
	[ -z "$limit_saved" ] || set_limit "$limit_saved" 2>/dev/null
	if [ -e "$data/postmaster.pid" ]; then
		as_user "$PG/bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# /dev/shm is the filesystem under test: mounted here when run alone, by
# run-clients.sh otherwise; /proc/self/mountinfo says what is there.
if [ "${SHMDEV_CLIENTS_MOUNTED:-}" != 1 ]; then
	run mount -t "$fs" none "$dir"
	if [ "$rc" != 0 ]; then
		ok 1 "postgres: mount -t $fs none $dir"
		bail "mount -t $fs none $dir: status $rc: $err"
	fi
fi
last=
while read -r _ _ _ _ mp _ rest; do
	[ "$mp" = "$dir" ] || continue
	rest=${rest#*- }
	last=${rest%% *}
done </proc/self/mountinfo
[ "$last" = "$fs" ]
ok $? "postgres: $dir is $fs (last mount there: ${last:-none})"
[ "$last" = "$fs" ] || bail "$dir is not $fs"

regress=
if [ -x "$PG_REGRESS" ] && srcdir=$(selftests/clients/pg-source.sh 2>"$tmp/src.err"); then
	regress=$srcdir/regress
else
	slurp "$tmp/src.err"
	note "no regression tests: $PG_REGRESS, or run selftests/clients/pg-source.sh on the host: $REPLY"
fi

# initdb makes a cluster of $user, its superuser, that every client may
# reach on the socket in $tmp without a password, and whose every query
# runs with parallel workers that share DSM segments in /dev/shm.
t0=$EPOCHREALTIME
(cd "$tmp" && as_user "$PG/bin/initdb" -D "$data" -U "$user" -A trust \
	-E UTF8 --locale=C --no-sync) >"$tmp/initdb.out" 2>&1
st=$?
if [ $st = 0 ]; then
	cat >>"$data/postgresql.conf" <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$tmp'
	dynamic_shared_memory_type = posix
	force_parallel_mode = regress
	max_worker_processes = 16
	max_parallel_workers = 12
	max_parallel_workers_per_gather = 4
	fsync = off
	EOF
else
	tail -n 20 "$tmp/initdb.out" | sed 's/^/#   /'
fi
echo "# initdb: $(since "$t0") s"
ok $st "postgres: initdb of a cluster of $user"
[ $st = 0 ] || bail "no cluster"

# The server starts with DSM segments as POSIX shared memory, parallel
# workers in every query: its segments (the control segment, the first of
# the statistics' area) are files in $dir.
t0=$EPOCHREALTIME
as_user "$PG/bin/pg_ctl" -D "$data" -l "$pglog" -w -t 600 start >"$tmp/start.out" 2>&1
st=$?
echo "# server start: $(since "$t0") s"
sql "select current_setting('dynamic_shared_memory_type'), current_setting('force_parallel_mode')"
dsm_settled; base=$REPLY
[ $st = 0 ] && [ "$out" = "posix|regress" ] && [ -n "$base" ]
st=$?
[ $st = 0 ] || { note "pg_ctl start: $(<"$tmp/start.out"); settings: '$out' $err; in $dir: '$REPLY'"; tail -n 20 "$pglog" | sed 's/^/#   /'; }
ok $st "postgres: the server runs with posix DSM, force_parallel_mode=regress, its segments in $dir ($base)"
[ $st = 0 ] || bail "no server"
pm=$(pm_pid)

# Each test of pg_regress (PostgreSQL's regression suite, run serially in
# one database) gives its expected output: the setup first, then the
# tests of parallel query, the hash join ones sharing their tables in DSM.
declare -A result=()
if [ -n "$regress" ]; then
	t0=$EPOCHREALTIME
	(cd "$tmp" && as_user "$PG_REGRESS" --host="$tmp" --port=5432 --user="$user" \
		--bindir="$PG/bin" --inputdir="$regress" --outputdir="$tmp/regress" \
		--dlpath="$srcdir/lib" "${setup_tests[@]}" "${par_tests[@]}") \
		>"$tmp/regress.out" 2>&1
	rrc=$?
	echo "# pg_regress: $(since "$t0") s, status $rrc"
	re='^test ([a-z_]+) +\.\.\. ([a-zA-Z]+)( \(.*\))? +([0-9]+ ms)$'
	while IFS= read -r l; do
		[[ $l =~ $re ]] || continue
		result[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
		echo "# ${BASH_REMATCH[1]}: ${BASH_REMATCH[2]}, ${BASH_REMATCH[4]}"
	done <"$tmp/regress.out"
	if [ $rrc != 0 ]; then
		sed 's/^/#   /' "$tmp/regress.out"
		[ ! -e "$tmp/regress/regression.diffs" ] ||
			head -n 80 "$tmp/regress/regression.diffs" | sed 's/^/#   /'
	fi
fi
for t in "${setup_tests[@]}" "${par_tests[@]}"; do
	[ "${result[$t]:-}" = ok ]
	ok $? "postgres: pg_regress $t${result[$t]:+: ${result[$t]}}"
done

# --- A parallel worker killed with SIGKILL.
db=postgres
sql "create table slow as select g from generate_series(1, 3000) g;
     alter table slow set (parallel_workers = 2); analyze slow" ||
	note "create table slow: $err"
# Each row sleeps 20 ms: some 20 s for three processes, long enough to
# find a worker and kill it.
slow_q="set parallel_setup_cost = 0; set parallel_tuple_cost = 0;
	set min_parallel_table_scan_size = 0;
	select count(*) from slow where pg_sleep(0.02) is not null"
t0=$EPOCHREALTIME
"$PG/bin/psql" -X -At -h "$tmp" -U "$user" -d postgres -c "$slow_q" >"$tmp/slow.out" 2>&1 &
slow=$!
wpids=
for ((i = 0; i < 240; i++)); do
	sql "select pid from pg_stat_activity where backend_type = 'parallel worker' order by pid"
	wpids=${out//$'\n'/ }
	[ -n "$wpids" ] && break
	nap 0.25
done
dsm_files; during=$REPLY
echo "# parallel workers: ${wpids:-none}, $(since "$t0") s after the query; in $dir: $during"

# While a parallel query runs, its workers share DSM segments: one more
# than the server's own is a file of $dir.
[ -n "$wpids" ] && [ "$(count_words "$during")" -gt "$(count_words "$base")" ]
ok $? "postgres: a parallel query's DSM segments are files in $dir"

victim=${wpids%% *}
t0=$EPOCHREALTIME
[ -z "$victim" ] || kill -9 "$victim"
wait "$slow"
slow_rc=$?
slurp "$tmp/slow.out"; slow_out=$REPLY
back=1
for ((i = 0; i < 600; i++)); do
	sql "select 1" && [ "$out" = 1 ] && { back=0; break; }
	nap 0.5
done
echo "# crash restart: $(since "$t0") s until a query works"
slurp "$pglog"; logtext=$REPLY

# The worker's SIGKILL is a crash of the cluster: the query fails, the
# postmaster (the same process) says so and reinitializes.
st=0
[ -n "$victim" ] || note "no parallel worker to kill" || st=1
[ "$slow_rc" != 0 ] || note "the query whose worker was killed ended well: $slow_out" || st=1
[[ $logtext == *"background worker \"parallel worker\" (PID $victim) was terminated by signal 9: Killed"* ]] ||
	note "the log does not say worker $victim was killed" || st=1
[[ $logtext == *"all server processes terminated; reinitializing"* ]] ||
	note "the log does not say the server reinitialized" || st=1
[ "$(pm_pid)" = "$pm" ] && kill -0 "$pm" 2>/dev/null || note "postmaster $pm is gone" || st=1
ok $st "postgres: SIGKILL of parallel worker ${victim:-?}: the postmaster restarts the cluster"

# After the restart, a parallel query works again.
sql "set parallel_setup_cost = 0; set parallel_tuple_cost = 0;
     set min_parallel_table_scan_size = 0; select count(*) from slow"
[ $back = 0 ] && [ "$rc" = 0 ] && [ "$out" = 3000 ]
st=$?
[ $st = 0 ] || { note "after the restart: status $rc, '$out', $err"; tail -n 20 "$pglog" | sed 's/^/#   /'; }
ok $st "postgres: after the crash restart, a parallel query works"

# The old cluster's segments are all gone: in $dir are only as many as a
# server starting holds, none of them seen before the crash.
dsm_settled; after=$REPLY
st=0
[ "$(count_words "$after")" = "$(count_words "$base")" ] || st=1
for f in $during; do [[ " $after " != *" $f "* ]] || st=1; done
[ $st = 0 ] || note "in $dir at start: $base; before the crash: $during; after: $after"
ok $st "postgres: after the crash restart, no segment of the old cluster in $dir"

# --- A parallel hash join over the limit of the filesystem.
sql "create table big as select g as id, repeat('x', $BIG_PAD) as pad
	from generate_series(1, $BIG_ROWS) g;
     alter table big set (parallel_workers = 2); analyze big" ||
	note "create table big: $err"
join_set="set work_mem = '1GB'; set parallel_setup_cost = 0;
	set parallel_tuple_cost = 0; set max_parallel_workers_per_gather = 2;
	set enable_mergejoin = off; set enable_nestloop = off;
	set enable_parallel_hash = on"
join_q="select count(*), sum(length(b.pad)) from big a join big b using (id)"

# The join is a parallel hash join in one batch (one hash table shared by
# the workers) and, under the filesystem's own limit, it works.
sql "$join_set; explain (costs off) $join_q"
plan=$out
t0=$EPOCHREALTIME
sql "$join_set; $join_q"
echo "# parallel hash join of $BIG_ROWS rows: $(since "$t0") s"
[[ $plan == *"Parallel Hash Join"* ]] && [ "$rc" = 0 ] && [ "$out" = "$BIG_ROWS|$((BIG_ROWS * BIG_PAD))" ]
st=$?
[ $st = 0 ] || note "plan: ${plan//$'\n'/ | }; status $rc, '$out', $err"
ok $st "postgres: a parallel hash join of $BIG_ROWS rows works under the default limit"

get_limit; limit_saved=$REPLY
if [ "$fs" = shmdev ]; then what="max_user_bytes $LIMIT_BYTES"; else what="tmpfs size=$LIMIT_BYTES"; fi
run set_limit "$LIMIT_BYTES"
[ "$rc" = 0 ] || note "cannot set $what (was '$limit_saved'): $err"
t0=$EPOCHREALTIME
sql "$join_set; $join_q"
echo "# parallel hash join under $what: $(since "$t0") s"
jrc=$rc jerr=$err

# Under the limit, the segment the hash table grows into cannot be
# allocated: the query fails with ENOSPC ...
re='ERROR: +could not resize shared memory segment "/PostgreSQL\.[0-9]+" to [0-9]+ bytes: No space left on device'
[ -n "$limit_saved" ] && [ "$jrc" != 0 ] && [[ $jerr =~ $re ]]
st=$?
[ $st = 0 ] || note "under $what: status $jrc, '$out', $jerr"
ok $st "postgres: under $what, the join fails: could not resize ...: No space left on device"

# ... and that query alone: no crash, the server runs on.
slurp "$pglog"
sql "select count(*) from slow"
st=0
[ "$rc" = 0 ] && [ "$out" = 3000 ] || note "after the failed join: status $rc, '$out', $err" || st=1
[ "$(pm_pid)" = "$pm" ] && kill -0 "$pm" 2>/dev/null || note "postmaster $pm is gone" || st=1
new=${REPLY:${#logtext}}
[[ $new != *"terminated by signal"* ]] && [[ $new != *reinitializing* ]] ||
	note "the server log says a process crashed: ${new//$'\n'/ | }" || st=1
ok $st "postgres: after the failed join, the server is up and a query works"

# The failed query's segments are removed: only the server's own are
# left in $dir.
dsm_settled
[ "$REPLY" = "$after" ]
ok $? "postgres: the failed join left no segment in $dir ($REPLY)"

# The limit is restored.
st=1
if [ -n "$limit_saved" ]; then
	set_limit "$limit_saved" && get_limit && [ "$REPLY" = "$limit_saved" ] && st=0
	[ $st = 0 ] || note "limit $REPLY, not $limit_saved"
fi
[ $st = 0 ] && limit_saved=
ok $st "postgres: the limit is restored"

# Stopped, the server leaves nothing in $dir.
t0=$EPOCHREALTIME
as_user "$PG/bin/pg_ctl" -D "$data" -m fast -w stop >"$tmp/stop.out" 2>&1
st=$?
dsm_files
[ $st = 0 ] && [ -z "$REPLY" ]
st=$?
[ $st = 0 ] || note "pg_ctl stop: $(<"$tmp/stop.out"); in $dir: $REPLY"
echo "# server stop: $(since "$t0") s"
ok $st "postgres: the server stopped, no PostgreSQL.* file is left in $dir"

tally
