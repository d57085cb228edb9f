#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# checkpatch: scripts/checkpatch.pl --no-tree (from the linux-source tarball)
# finds no error in the module's sources or the uapi header.
cd "$(dirname "$0")/../.." || exit 1
tar=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
dir=build/checkpatch
echo "TAP version 13"
echo "1..1"
if [ -z "$tar" ]; then
	echo "ok 1 checkpatch # SKIP no linux-source tarball"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 0
fi
if [ ! -x $dir/scripts/checkpatch.pl ]; then
	mkdir -p $dir
	tar -xJf "$tar" -C $dir --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
# Not the *.mod.c that an in-tree module build leaves.
files=$(ls kmod/*.c kmod/*.h include/uapi/linux/shmdev.h | grep -v '\.mod\.c$')
# shellcheck disable=SC2086
out=$(perl $dir/scripts/checkpatch.pl --no-tree --terse -f $files 2>&1)
st=$?
echo "$out" | sed 's/^/# /'
# 0: clean, 1: warnings or errors; anything else: it did not run.
if [ $st -gt 1 ]; then
	echo "not ok 1 checkpatch: did not run (status $st)"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
if echo "$out" | grep -q ': ERROR:'; then
	echo "not ok 1 checkpatch: errors in kmod/"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
echo "ok 1 checkpatch: no errors in kmod/ and the uapi header"
echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
