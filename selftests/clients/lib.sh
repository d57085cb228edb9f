# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# lib.sh: helpers of the client scripts and their driver, sourced after
# selftests/tap.sh. Builtins only, as tap.sh: a process costs 100 ms and
# more under TCG.
#
#   nap SECONDS          sleep without a process
#   wait_for FILE RE S   FILE has a line matching the regex RE within S
#                        seconds (the line in $REPLY), else a note
#   dir_names DIR        the names in DIR, one a line, in $REPLY
#   region_names         the name column of /proc/shmdev, one a line, in
#                        $REPLY (nothing when there is no /proc/shmdev)
#   new_lines OLD NEW    the lines of NEW not in OLD, space-separated, in
#                        $REPLY
#
# The driver (run-clients.sh) exports SHMDEV_CLIENT_FS, the filesystem
# type mounted on SHMDEV_CLIENT_DIR (/dev/shm), and CLIENTS_BUILD, where
# `make clients` put the programs.

SHMDEV_CLIENT_FS=${SHMDEV_CLIENT_FS:-shmdev}
SHMDEV_CLIENT_DIR=${SHMDEV_CLIENT_DIR:-/dev/shm}
CLIENTS_BUILD=${CLIENTS_BUILD:-$PWD/build/clients}

# A pipe nobody writes: reading it with a timeout sleeps.
exec {_nap_fd}<> <(:)
nap() {
	read -r -t "$1" -u "$_nap_fd" _ || true
}

wait_for() {
	local i l
	for ((i = 0; i < $3 * 10; i++)); do
		if [ -r "$1" ]; then
			while IFS= read -r l; do
				[[ $l =~ $2 ]] && { REPLY=$l; return 0; }
			done <"$1"
		fi
		nap 0.1
	done
	slurp "$1" 2>/dev/null
	note "no line matching '$2' in $1 within $3 s; it has: ${REPLY//$'\n'/ | }"
}

dir_names() {
	local f
	REPLY=
	for f in "$1"/* "$1"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		REPLY+=${f##*/}$'\n'
	done
}

region_names() {
	local l w col=-1 i
	REPLY=
	[ -r /proc/shmdev ] || return 0
	{
		read -ra w || return 0
		for i in "${!w[@]}"; do [ "${w[$i]}" = name ] && col=$i; done
		[ $col -ge 0 ] || { note "/proc/shmdev has no name column: ${w[*]}"; return 1; }
		while read -ra w; do REPLY+=${w[$col]}$'\n'; done
	} </proc/shmdev
}

new_lines() {
	local l
	local -A old=()
	while IFS= read -r l; do [ -z "$l" ] || old[$l]=1; done <<<"$1"
	REPLY=
	while IFS= read -r l; do
		[ -z "$l" ] || [ -n "${old[$l]:-}" ] || REPLY+="${REPLY:+ }$l"
	done <<<"$2"
}
