#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest.sh: selftests/kernel/ as a kernel tree would carry it, in
# tools/testing/selftests/shmdev/ (the body of `make check-kselftest`).
#
#   kselftest.sh build KERNEL   on the host: a scratch kernel tree under
#                               $O/kselftest/ (O defaults to build) from the
#                               source tarball of KERNEL's version, with
#                               selftests/kernel/ copied in as shmdev/ and
#                               include/uapi/linux/shmdev.h in place; then
#                               `make headers` and
#                               `make -C tools/testing/selftests TARGETS=shmdev`.
#                               Prints the tree's path. A warning fails.
#   kselftest.sh run TREE       in the VM: `make ... TARGETS=shmdev run_tests`
#                               in TREE, then one line
#                                 KSFT-TOTALS pass=N fail=N skip=N
#                               summed from the programs' own totals.
#
# The tarball: sid's linux-source-7.2 for debug-7.2, trixie's 6.12 for
# debug-6.12 (both in the kernel cache, fetched by build-kernel.sh), else
# bookworm's /usr/src/linux-source-6.1.tar.xz. Only what `make headers` and
# the kselftest build need is extracted, once per tarball; the cache itself
# is never written to.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SHMDEV_CACHE:-/var/cache/shmdev}

die() { echo "kselftest: $*" >&2; exit 1; }

tarball() {
	local t
	case $1 in
	debug-7.2)	t=$(ls "$cache"/src/sid/linux-source-7.2.tar.* 2>/dev/null | head -n1) ;;
	debug-6.12)	t=$(ls "$cache"/src/trixie/linux-source-6.12.tar.* 2>/dev/null | head -n1) ;;
	*)		t=/usr/src/linux-source-6.1.tar.xz ;;
	esac
	[ -n "$t" ] && [ -e "$t" ] ||
		die "no kernel source tarball for $1 (make module-$1 fetches it)"
	echo "$t"
}

build() {
	local kernel=$1 tar base tree key log

	tar=$(tarball "$kernel")
	# linux-source-X.Y.tar.xz holds linux-source-X.Y/.
	base=${tar##*/}
	base=${base%.tar.*}
	key=$(stat -c '%s-%Y' "$tar")
	tree=$top/${O:-build}/kselftest/$base
	log=$top/${O:-build}/kselftest/$base.log
	mkdir -p "$top/${O:-build}/kselftest"
	if [ "$(cat "$tree/.shmdev-source" 2>/dev/null)" != "$tar $key" ]; then
		rm -rf "$tree"
		mkdir -p "$tree.tmp"
		tar -xf "$tar" -C "$tree.tmp" --strip-components=1 --wildcards \
			"$base/Makefile" "$base/Kbuild" "$base/Kconfig" \
			"$base/scripts/*" "$base/include/*" "$base/arch/x86/*" \
			"$base/usr/*" "$base/tools/include/*" "$base/tools/scripts/*" \
			"$base/tools/testing/selftests/*" ||
			die "extracting $tar failed"
		echo "$tar $key" >"$tree.tmp/.shmdev-source"
		mv "$tree.tmp" "$tree"
	fi
	# What an upstream submission adds: the selftests and the uapi header.
	rm -rf "$tree/tools/testing/selftests/shmdev"
	cp -r "$top/selftests/kernel" "$tree/tools/testing/selftests/shmdev"
	cp "$top/include/uapi/linux/shmdev.h" "$tree/include/uapi/linux/shmdev.h"
	# Called from make: none of the caller's settings may reach the kernel's.
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS O W V \
			CFLAGS LDFLAGS CC OUTPUT KBUILD_OUTPUT
		make -C "$tree" -s headers &&
		make -C "$tree/tools/testing/selftests" TARGETS=shmdev
	) >"$log" 2>&1 || { cat "$log" >&2; die "the kselftest build failed"; }
	if grep -q 'warning:' "$log"; then
		cat "$log" >&2
		die "the kselftest build warned"
	fi
	echo "$tree"
}

# run TREE: run_tests, then the sums. Each program's own "# Totals:" line
# counts (xfail as passed, xpass and error as failed); a program that the
# runner reports "not ok" without a failed test of its own (a crash, exit
# 255, a timeout) counts one failure more; one it reports skipped without
# totals (exit 4: no /dev/shmdev) counts one skip.
run() {
	local tree=$1 out line name p f s st
	local tot='^# # Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)'
	local res='^(not )?ok [0-9]+ selftests: shmdev: ([^ ]+)( # (.*))?$'
	local pass=0 fail=0 skip=0 failed=

	out=$(mktemp)
	make -C "$tree/tools/testing/selftests" TARGETS=shmdev run_tests 2>&1 | tee "$out"
	st=${PIPESTATUS[0]}
	p= f= s=
	while IFS= read -r line; do
		if [[ $line =~ $tot ]]; then
			p=$((BASH_REMATCH[1] + BASH_REMATCH[3]))
			f=$((BASH_REMATCH[2] + BASH_REMATCH[4] + BASH_REMATCH[6]))
			s=${BASH_REMATCH[5]}
		elif [[ $line =~ $res ]]; then
			name=${BASH_REMATCH[2]}
			if [ -n "${BASH_REMATCH[1]}" ]; then
				[ "${f:-0}" != 0 ] || f=1
			elif [[ ${BASH_REMATCH[4]} == SKIP* ]] && [ -z "$p" ]; then
				s=1
			fi
			pass=$((pass + ${p:-0})) fail=$((fail + ${f:-0})) skip=$((skip + ${s:-0}))
			[ "${f:-0}" = 0 ] || failed="$failed $name"
			p= f= s=
		fi
	done <"$out"
	rm -f "$out"
	if ! grep -q . <<<"$pass$fail$skip" || [ $((pass + fail + skip)) = 0 ] || [ "$st" != 0 ]; then
		[ "$st" = 0 ] || echo "kselftest: make run_tests exited with $st"
		[ $((pass + fail + skip)) != 0 ] || echo "kselftest: no results"
		[ "$fail" != 0 ] || fail=1
	fi
	[ -z "$failed" ] || echo "kselftest: failed:$failed"
	echo "KSFT-TOTALS pass=$pass fail=$fail skip=$skip"
	[ "$fail" = 0 ]
}

case ${1:-} in
build)	[ $# = 2 ] || die "usage: kselftest.sh build KERNEL"; build "$2" ;;
run)	[ $# = 2 ] || die "usage: kselftest.sh run TREE"; run "$2" ;;
*)	echo "usage: kselftest.sh build KERNEL | run TREE" >&2; exit 2 ;;
esac
