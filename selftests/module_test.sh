#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# module_test: the module loads and unloads cleanly 20 times, makes
# /dev/shmdev a character device with mode 0666, refuses to unload while a
# handle is open, and modinfo gives its version, description, license and a
# description of every parameter. Needs root and SHMDEV_KO (the test VM sets
# both); leaves the module loaded.

. "$(dirname "$0")/tap.sh"

PARAMS="max_region_size max_regions max_user_bytes max_total_bytes allow_exec"
TESTS=8

echo "TAP version 13"
echo "1..$TESTS"
if [ -z "${SHMDEV_KO:-}" ] || [ ! -e "$SHMDEV_KO" ] || [ "$(id -u)" != 0 ]; then
	echo "# needs root and SHMDEV_KO (run in the test VM): skipping"
	for i in $(seq $TESTS); do
		echo "ok $i # SKIP needs root and SHMDEV_KO"
	done
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$TESTS error:0"
	exit 4
fi

# Builtins only: every program started costs in the emulated VM.
loaded() {
	local m rest
	while read -r m rest; do
		[ "$m" = shmdev ] && return 0
	done </proc/modules
	return 1
}

loaded || insmod "$SHMDEV_KO"

# The 20 cycles load and unload with busybox when there is one: the same
# init_module and delete_module calls as kmod's insmod and rmmod, without
# loading kmod's libraries (libcrypto, libzstd, liblzma) 40 times, which
# costs 0.3 s a time on a debug kernel under TCG.
cycle_insmod=insmod cycle_rmmod=rmmod
if busybox insmod --help >/dev/null 2>&1 && busybox rmmod --help >/dev/null 2>&1; then
	cycle_insmod="busybox insmod" cycle_rmmod="busybox rmmod"
fi

st=0
for i in $(seq 20); do
	if ! $cycle_rmmod shmdev; then
		echo "# rmmod $i failed"
		st=1
		break
	fi
	if loaded || [ -e /dev/shmdev ]; then
		echo "# module or /dev/shmdev still there after rmmod $i"
		st=1
		break
	fi
	if ! $cycle_insmod "$SHMDEV_KO"; then
		echo "# insmod $i failed"
		st=1
		break
	fi
	if [ ! -c /dev/shmdev ]; then
		echo "# no /dev/shmdev after insmod $i"
		st=1
		break
	fi
done
loaded || insmod "$SHMDEV_KO"
ok $st "load and unload 20 times"

st=0
[ -c /dev/shmdev ] || { echo "# /dev/shmdev is not a character device"; st=1; }
mode=$(stat -c %a /dev/shmdev 2>/dev/null)
[ "$mode" = 666 ] || { echo "# mode of /dev/shmdev is $mode, not 666"; st=1; }
ok $st "/dev/shmdev is a character device with mode 0666"

st=1
if exec 3</dev/shmdev; then
	read -r refcnt </sys/module/shmdev/refcnt
	err=$(rmmod shmdev 2>&1)
	rc=$?
	if [ $rc != 0 ] && loaded && [ "$refcnt" = 1 ] && [[ $err == *"in use"* ]]; then
		st=0
	else
		echo "# rmmod with a handle open: status $rc, refcnt $refcnt: $err"
	fi
	exec 3<&-
fi
ok $st "rmmod refused while a handle is open (module in use, refcnt 1)"

st=1
read -r refcnt </sys/module/shmdev/refcnt
if [ "$refcnt" = 0 ] && rmmod shmdev && ! loaded; then
	st=0
else
	echo "# refcnt $refcnt after close, or rmmod failed"
fi
loaded || insmod "$SHMDEV_KO"
ok $st "rmmod succeeds once the handle is closed"

# modinfo's "FIELD: VALUE" lines, FIELD by FIELD (parm once per parameter).
declare -A field=()
parms=()
while IFS= read -r line; do
	key=${line%%:*} value=${line#*:}
	value=${value#"${value%%[! ]*}"}
	case $key in
	parm)	parms+=("$value") ;;
	*)	field[$key]=$value ;;
	esac
done < <(modinfo "$SHMDEV_KO")

st=0
[ -n "${field[version]}" ] || { echo "# modinfo: no version"; st=1; }
[ -n "${field[description]}" ] || { echo "# modinfo: no description"; st=1; }
[ "${field[license]}" = GPL ] || { echo "# modinfo: license '${field[license]}', not GPL"; st=1; }
ok $st "modinfo: version, description, license GPL"

st=0
for p in $PARAMS; do
	# "parm: NAME:DESCRIPTION (TYPE)"; without a description only "(TYPE)".
	line=
	for l in "${parms[@]}"; do
		[[ $l == "$p:"* ]] && line=$l
	done
	desc=${line#"$p":}
	desc=${desc% (*)}
	case $desc in
	""|"("*")")
		echo "# no description for parameter $p: '$line'"
		st=1 ;;
	esac
done
ok $st "modinfo: every parameter has a description"

st=0
declare -A mode=()
while read -r f m; do
	mode[${f##*/}]=$m
done < <(stat -c '%n %a' /sys/module/shmdev/parameters/*)
for p in $PARAMS; do
	f=/sys/module/shmdev/parameters/$p
	[ -r "$f" ] || { echo "# no $f"; st=1; continue; }
	[ "${mode[$p]}" = 644 ] || { echo "# $f mode ${mode[$p]}, not 644"; st=1; }
done
ok $st "every parameter is in sysfs, writable by root"

st=1
read -r v </sys/module/shmdev/version && [ "$v" = "${field[version]}" ] && st=0
ok $st "/sys/module/shmdev/version matches modinfo"

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
