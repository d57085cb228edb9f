#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install_test.sh: `make install` puts everything in place and a user's
# program builds against it with pkg-config.
#
# On the host (`make check` runs it there once): `make install DESTDIR=...`
# stages the module (with depmod's index), the library, headers, pkg-config
# file, shmdevctl, the udev rule and the man pages; a program built with
# `pkg-config --cflags --libs libshmdev` against that tree links with the
# staged library (shared and static); PREFIX=/usr, uninstall and the DKMS
# source tree (built with dkms.conf's own command) work.
#
# In the VM, what depends on the kernel, on the stage that `make stage-<kernel>`
# made on the host for the running kernel's module (`install_test.sh
# --prepare KO DIR`: `make install DESTDIR=DIR/root INSTALL_KO=KO`, and the
# program built against it): the staged module is indexed by depmod and
# loads with modprobe -d; the program links the staged library and shares a
# region through the module; the staged shmdevctl reports the module; the
# udev rule gives the live node its mode and tag. Without a stage it makes
# one in the guest first (minutes under TCG: gcc and make are slow there).

cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n 's/^VERSION *:= *//p' Makefile)

# prepare KO DIR: stage `make install` for module KO in DIR/root, build
# DIR/prog (shared) and DIR/prog-static against it; DIR/ready when done.
prepare() {
	local ko=$1 dir=$2 L flags
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	L=$dir/root/usr/local
	make --no-print-directory install DESTDIR="$dir/root" INSTALL_KO="$ko" \
		>"$dir/prepare.log" 2>&1 || { cat "$dir/prepare.log"; return 1; }
	flags=$(PKG_CONFIG_PATH=$L/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dir/root \
		PKG_CONFIG_LIBDIR= pkg-config --cflags --libs libshmdev) || return 1
	cc -Wall -Wextra -o "$dir/prog" selftests/install-prog.c $flags &&
		cc -Wall -Wextra -o "$dir/prog-static" selftests/install-prog.c \
			-I"$L/include" "$L/lib/libshmdev.a" || return 1
	touch "$dir/ready"
}

if [ "${1:-}" = --prepare ]; then
	[ $# = 3 ] || { echo "usage: install_test.sh --prepare KO DIR" >&2; exit 2; }
	prepare "$2" "$3"
	exit
fi

. selftests/tap.sh
totals() {
	[ $n = "$NTESTS" ] || { echo "# ran $n tests, planned $NTESTS"; fail=$((fail + 1)); }
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ $fail = 0 ]
}

# mk TARGET VAR=...: make quietly; its output is shown if it fails.
mk() {
	make --no-print-directory "$@" >"$tmp/make.log" 2>&1 ||
		{ sed 's/^/# /' "$tmp/make.log"; return 1; }
}

if [ -n "${SHMDEV_KO:-}" ] && [ -c /dev/shmdev ]; then
	NTESTS=6
	echo "TAP version 13"
	echo "1..$NTESTS"
	# build/kmod-<kernel>/shmdev.ko: the stage is build/stage-<kernel>.
	kdir=$(dirname "$SHMDEV_KO")
	stage=$(dirname "$kdir")/stage-${kdir##*/kmod-}
	if [ ! -e "$stage/ready" ] || [ "$SHMDEV_KO" -nt "$stage/ready" ] ||
	   [ -n "$(find lib include tools -newer "$stage/ready" -type f 2>/dev/null)" ]; then
		echo "# no stage for this module, or an old one (make ${stage##*/}): making one here"
		stage=$tmp/stage
		prepare "$SHMDEV_KO" "$stage" 2>&1 | sed 's/^/# /'
	fi
	R=$stage/root
	L=$R/usr/local
	kver=$(uname -r)

	st=0
	cmp -s "$SHMDEV_KO" "$R/lib/modules/$kver/extra/shmdev.ko" ||
		note "no $R/lib/modules/$kver/extra/shmdev.ko, or not $SHMDEV_KO" || st=1
	grep -qx "extra/shmdev.ko:" "$R/lib/modules/$kver/modules.dep" || st=1
	[ "$(modinfo -b "$R" -k "$kver" -F version shmdev 2>&1)" = "$version" ] || st=1
	ok $st "the module is staged in /lib/modules/$kver/extra, indexed by depmod"

	st=0
	if rmmod shmdev; then
		modprobe -d "$R" shmdev || st=1
		[ "$(cat /sys/module/shmdev/version 2>/dev/null)" = "$version" ] && [ -c /dev/shmdev ] || st=1
		rmmod shmdev || st=1
		insmod "$SHMDEV_KO" || st=1
	else
		st=1
	fi
	ok $st "modprobe -d STAGE shmdev loads the staged module through depmod's index"

	st=0
	LD_LIBRARY_PATH=$L/lib ldd "$stage/prog" | grep -q "libshmdev.so.1 => $L/lib/libshmdev.so.1 " ||
		{ note "ldd: $(LD_LIBRARY_PATH=$L/lib ldd "$stage/prog" | grep shmdev)"; st=1; }
	out=$(LD_LIBRARY_PATH=$L/lib "$stage/prog")
	rc=$?
	[ $rc = 0 ] && [ "$out" = "shared ok" ] || { note "prog: status $rc, $out"; st=1; }
	ok $st "a program built with pkg-config --cflags --libs against the stage links the staged libshmdev.so.1 and shares a region"

	st=0
	out=$("$stage/prog-static")
	rc=$?
	[ $rc = 0 ] && [ "$out" = "shared ok" ] || { note "prog-static: status $rc, $out"; st=1; }
	ok $st "the same program linked with the staged libshmdev.a shares a region"

	st=0
	"$L/bin/shmdevctl" status >"$tmp/status" 2>&1 || st=1
	grep -q "$version" "$tmp/status" || { sed 's/^/# /' "$tmp/status"; st=1; }
	ok $st "the staged shmdevctl reports the loaded module"

	if [ -d /sys/class/misc/shmdev ] && command -v udevadm >/dev/null; then
		st=0
		# Without the rule the node has no uaccess tag; with it, mode and tag.
		timeout 300 udevadm test --action=add /sys/class/misc/shmdev >"$tmp/udev0" 2>&1
		grep -q "^TAGS=.*:uaccess:" "$tmp/udev0" && { note "uaccess without the rule"; st=1; }
		mkdir -p /run/udev/rules.d
		cp udev/60-shmdev.rules /run/udev/rules.d/
		timeout 300 udevadm test --action=add /sys/class/misc/shmdev >"$tmp/udev" 2>&1
		grep -q "60-shmdev.rules:[0-9]* MODE 0666$" "$tmp/udev" || st=1
		grep -qx "DEVMODE=0666" "$tmp/udev" || st=1
		grep -q "^TAGS=.*:uaccess:" "$tmp/udev" || st=1
		[ $st = 0 ] || grep -i "shmdev.rules\|MODE\|TAGS" "$tmp/udev" | sed 's/^/# /'
		rm -f /run/udev/rules.d/60-shmdev.rules
		ok $st "udevadm test: the rule gives /dev/shmdev mode 0666 and the uaccess tag"
	else
		skip "udev rule on a live /dev/shmdev: no udevadm"
	fi
	totals
	exit
fi

# On the host: no module, everything else.
NTESTS=12
echo "TAP version 13"
echo "1..$NTESTS"
ko_args=()
stage=$tmp/stage
mk install DESTDIR="$stage" "${ko_args[@]}"
ok $? "make install DESTDIR=..."

ko=${SHMDEV_KO:-kmod/shmdev.ko}
kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
L=$stage/usr/local
st=0
for f in "$L/bin/shmdevctl" "$L/include/shmdev.h" "$L/include/linux/shmdev.h" \
	 "$L/lib/libshmdev.a" "$L/lib/pkgconfig/libshmdev.pc" \
	 "$stage/lib/udev/rules.d/60-shmdev.rules" \
	 "$stage/lib/modules/$kver/extra/shmdev.ko"; do
	[ -f "$f" ] || { note "missing $f"; st=1; }
done
[ -x "$L/bin/shmdevctl" ] || st=1
cmp -s include/uapi/linux/shmdev.h "$L/include/linux/shmdev.h" || st=1
cmp -s udev/60-shmdev.rules "$stage/lib/udev/rules.d/60-shmdev.rules" || st=1
cmp -s "$ko" "$stage/lib/modules/$kver/extra/shmdev.ko" || st=1
nman=$(ls man/man[1-8]/*.[1-8] | wc -l)
[ "$nman" -gt 0 ] && [ "$(ls "$L"/share/man/man[1-8]/*.[1-8] | wc -l)" = "$nman" ] ||
	{ note "man pages: $nman in the tree"; st=1; }
ok $st "binary, headers, static library, pkg-config file, udev rule, module, $nman man pages"

st=0
so=$(readlink "$L/lib/libshmdev.so.1")
[ "$(readlink "$L/lib/libshmdev.so")" = libshmdev.so.1 ] || st=1
[[ $so == libshmdev.so.1.* ]] && [ -f "$L/lib/$so" ] && [ ! -L "$L/lib/$so" ] || st=1
[ "$(readelf -d "$L/lib/libshmdev.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" = libshmdev.so.1 ] || st=1
ok $st "libshmdev.so -> libshmdev.so.1 -> $so, soname libshmdev.so.1"

st=0
grep -qx "extra/shmdev.ko:" "$stage/lib/modules/$kver/modules.dep" || st=1
modinfo -b "$stage" -k "$kver" -F version shmdev >"$tmp/v" 2>&1 && [ "$(cat "$tmp/v")" = "$version" ] ||
	{ note "modinfo: $(cat "$tmp/v")"; st=1; }
ok $st "module in /lib/modules/$kver/extra, indexed by depmod (modinfo -b finds it by name)"

export PKG_CONFIG_PATH=$L/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=
st=0
cflags=$(pkg-config --cflags libshmdev) && libs=$(pkg-config --libs libshmdev) || st=1
cflags=${cflags% } libs=${libs% }
[ "$cflags" = "-I$L/include" ] && [ "$libs" = "-L$L/lib -lshmdev" ] ||
	{ note "cflags '$cflags' libs '$libs'"; st=1; }
[ "$(pkg-config --modversion libshmdev)" = "$version" ] || st=1
ok $st "pkg-config with PKG_CONFIG_SYSROOT_DIR: flags point into the staged tree, version $version"

# A user's program: create, write, stat, reopen, read, unlink.
cp selftests/install-prog.c "$tmp/prog.c"
st=0
cc -Wall -Wextra -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs libshmdev) || st=1
LD_LIBRARY_PATH=$L/lib ldd "$tmp/prog" | grep -q "libshmdev.so.1 => $L/lib/libshmdev.so.1 " ||
	{ note "ldd: $(LD_LIBRARY_PATH=$L/lib ldd "$tmp/prog" | grep shmdev)"; st=1; }
out=$(LD_LIBRARY_PATH=$L/lib "$tmp/prog")
rc=$?
# No module here: the library reports the missing device.
[ $rc = 1 ] && [ "$out" = "open -2" ] || { note "prog: status $rc, $out"; st=1; }
ok $st "a program built with pkg-config --cflags --libs against the tree links the staged library and runs (no module: -ENOENT)"

st=0
cc -Wall -o "$tmp/prog-static" "$tmp/prog.c" $(pkg-config --cflags libshmdev) "$L/lib/libshmdev.a" || st=1
! ldd "$tmp/prog-static" | grep -q shmdev || st=1
out=$("$tmp/prog-static")
[ "$out" = "open -2" ] || st=1
ok $st "the same program linked with the staged libshmdev.a"

st=0
[ "$("$L/bin/shmdevctl" --version)" = "shmdevctl $version" ] || st=1
MANPATH= man -M "$L/share/man" -w shmdevctl 2>/dev/null | grep -q "^$L/share/man/man8/shmdevctl.8" || st=1
MANPATH= man -M "$L/share/man" -w 3 shmdev_open 2>/dev/null | grep -q "^$L/share/man/man3/shmdev_open.3" || st=1
ok $st "the staged shmdevctl runs; man finds shmdevctl(8) and shmdev_open(3) in the staged MANDIR"

st=0
mk uninstall DESTDIR="$stage" "${ko_args[@]}" || st=1
left=$(find "$stage" ! -type d)
[ -z "$left" ] || { note "left after uninstall: $left"; st=1; }
ok $st "make uninstall DESTDIR=... removes every file"

st=0
usr=$tmp/usr
mk install DESTDIR="$usr" PREFIX=/usr "${ko_args[@]}" || st=1
for f in usr/bin/shmdevctl usr/lib/libshmdev.so.1 usr/include/shmdev.h \
	 usr/include/linux/shmdev.h usr/share/man/man8/shmdevctl.8 \
	 lib/udev/rules.d/60-shmdev.rules; do
	[ -e "$usr/$f" ] || { note "PREFIX=/usr: no $f"; st=1; }
done
grep -qx "prefix=/usr" "$usr/usr/lib/pkgconfig/libshmdev.pc" &&
	grep -qx "libdir=/usr/lib" "$usr/usr/lib/pkgconfig/libshmdev.pc" || st=1
mk uninstall DESTDIR="$usr" PREFIX=/usr "${ko_args[@]}" || st=1
[ -z "$(find "$usr" ! -type d)" ] || st=1
# Put the tree's libshmdev.pc back to the default PREFIX.
mk "$(sed -n 's/^O *?= *//p' Makefile)/lib/libshmdev.pc"
ok $st "PREFIX=/usr: files under /usr, pkg-config prefix=/usr, uninstalled again"

st=0
dk=$tmp/dkms
mk install-dkms DESTDIR="$dk" || st=1
src=$dk/usr/src/shmdev-$version
for f in dkms.conf kmod/Kbuild kmod/main.c kmod/region.c kmod/sync.c kmod/shmdev.h \
	 kmod/compat.h include/uapi/linux/shmdev.h; do
	[ -f "$src/$f" ] || { note "dkms tree: no $f"; st=1; }
done
[ -z "$(find "$src" -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd')" ] || st=1
grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf" || st=1
grep -qx 'PACKAGE_NAME="shmdev"' "$src/dkms.conf" && grep -qx 'AUTOINSTALL="yes"' "$src/dkms.conf" || st=1
ok $st "make install-dkms: the module's sources, the uapi header and dkms.conf $version in /usr/src/shmdev-$version"

# Build it as DKMS would: its tree copied to <dkms_tree>/shmdev/VERSION/build,
# dkms.conf's MAKE run there.
kdir=$(make --no-print-directory -s -f - <<<'include Makefile
print-kdir: ; @echo $(KDIR)' print-kdir 2>/dev/null | tail -n1)
if [ -n "$kdir" ] && [ -d "$kdir" ]; then
	st=0
	tree=$tmp/dkmstree
	mkdir -p "$tree/shmdev/$version"
	cp -a "$src" "$tree/shmdev/$version/build"
	(
		cd "$tree/shmdev/$version/build" || exit 1
		kernel_source_dir=$kdir dkms_tree=$tree
		. ./dkms.conf
		eval "${MAKE[0]}" >"$tmp/dkms.log" 2>&1 || exit 1
		! grep -q "warning:" "$tmp/dkms.log" || exit 1
		[ -f "${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko" ] || exit 1
		[ "$(modinfo -F version "${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko")" = "$version" ]
	) || { st=1; sed 's/^/# /' "$tmp/dkms.log" | tail -20; }
	ok $st "dkms.conf's MAKE builds shmdev.ko from the DKMS tree against $kdir"
else
	skip "building the DKMS tree: no kernel tree (KDIR)"
fi

totals
