#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh NAME: build (once) a debug kernel of the test matrix and
# print, on stdout and nothing else, the shell assignments
#   KIMAGE=<bzImage> KDIR=<tree to build modules against with M=>
#   KMODDIR= (every driver the VM needs is built in) KVER=<its uname -r>
#   KDEBUG=1
#
#   debug        bookworm's linux-source-6.1 (installed by `make deps`)
#   debug-6.12   trixie's linux-source-6.12 (current LTS)
#   debug-7.2    sid's linux-source-7.2 (newest)
#
# Config: `make tinyconfig`, selftests/vm/debug.config merged on top,
# olddefconfig, then every line of the fragment is checked in the result.
# Build: `make bzImage modules` (Module.symvers for out-of-tree modules), then
# the objects are deleted and a test module is built against what is left.
#
# Cache: $SHMDEV_CACHE/kernels/NAME/<source version>-<key>/ (SHMDEV_CACHE
# defaults to /var/cache/shmdev), key = hash of debug.config, this script and
# the compiler's version. Built in a temporary directory next to it under a
# lock and renamed into place when complete, so concurrent calls build once
# and a later call returns at once. build.log and config are kept there; the
# previous build of NAME is kept too, older ones are removed.
#
# Newer suites' sources come through a private apt configuration
# (selftests/vm/apt/: own sources on the mirror /etc/apt already uses, lists
# and downloads under $SHMDEV_CACHE/apt/SUITE): the system's sources, lists
# and dpkg state are never touched and nothing is installed. The downloaded
# source is kept in $SHMDEV_CACHE/src/SUITE/; remove that directory to fetch
# the suite's current version.
#
# To add a kernel built from a Debian source package: add a line to the case
# below and the name to MATRIX in kernels.sh.
#
# SHMDEV_KERNEL_JOBS: make -j (default: the number of CPUs).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
self=$here/$(basename "$0")
cache=${SHMDEV_CACHE:-/var/cache/shmdev}
jobs=${SHMDEV_KERNEL_JOBS:-$(nproc)}
name=${1:-}

# Called from make: none of the caller's make settings (O=, W=, -j jobserver,
# ...) may leak into the kernel's make.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS \
	O W C M V KBUILD_OUTPUT KBUILD_EXTMOD KBUILD_VERBOSE KBUILD_CFLAGS \
	KCFLAGS KCPPFLAGS KAFLAGS KRUSTFLAGS CROSS_COMPILE LLVM ARCH SRCARCH

log() { echo "build-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

case $name in
debug)		suite=bookworm; pkg=linux-source-6.1 ;;
debug-6.12)	suite=trixie; pkg=linux-source-6.12 ;;
debug-7.2)	suite=sid; pkg=linux-source-7.2 ;;
*)		die "usage: build-kernel.sh debug|debug-6.12|debug-7.2" ;;
esac

# The Debian mirror this machine's apt already uses: the first URI of a
# deb822 source or a one-line source whose path ends in /debian.
mirror_uri() {
	local uri

	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      awk 'tolower($1) == "uris:" {
			for (i = 2; i <= NF; i++)
				if ($i ~ /\/debian\/?$/) { print $i; exit }
		   }')
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			2>/dev/null |
		      awk '$1 == "deb" {
				for (i = 2; i <= NF; i++)
					if ($i ~ /^[a-z+]+:\/\/.*\/debian\/?$/) { print $i; exit }
			   }')
	fi
	echo "${uri:-http://deb.debian.org/debian}"
}

# apt-get or apt-cache on the private configuration of $suite.
papt() {
	local tool=$1 dir=$cache/apt/$suite

	shift
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" \
		"$dir/archives/partial"
	sed -e "s|@MIRROR@|$(mirror_uri)|" -e "s|@SUITE@|$suite|" \
		"$here/apt/sources.template" >"$dir/sources.list.d/shmdev.sources"
	"$tool" -q -c "$here/apt/apt.conf" \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::State="$dir" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir" \
		-o Dir::Cache::Archives="$dir/archives" \
		-o APT::Architectures="$(dpkg --print-architecture)" \
		"$@"
}

# Download $pkg from $suite into $cache/src/$suite: the tarball and its
# version. Under a lock of its own: two kernels may share a suite.
fetch_source() {
	local src=$cache/src/$suite dl deb ver

	[ -e "$src/version" ] && return
	mkdir -p "$src"
	exec 8>"$src/.lock"
	flock 8
	if [ -e "$src/version" ]; then
		exec 8>&-
		return
	fi
	log "fetching $pkg from $suite (private apt configuration, mirror $(mirror_uri))"
	papt apt-get update >&2 || die "apt-get update ($suite) failed"
	# apt only keeps a Release file whose signature it could check.
	ls "$cache/apt/$suite/lists/"*"_dists_${suite}_InRelease" >/dev/null 2>&1 ||
		die "$suite: no signed InRelease after apt-get update"
	papt apt-cache policy "$pkg" >&2
	rm -rf "$src/dl"
	# apt's downloader runs as _apt: let it write there.
	dl=$src/dl
	install -d -m 0755 "$dl"
	! id _apt >/dev/null 2>&1 || chown _apt "$dl"
	(cd "$dl" && papt apt-get download "$pkg" >&2) ||
		die "apt-get download $pkg ($suite) failed"
	deb=$(ls "$dl/${pkg}_"*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xf - -C "$dl" --wildcards "./usr/src/$pkg.tar.*"
	mv "$dl"/usr/src/"$pkg".tar.* "$src/"
	rm -rf "$dl"
	echo "$ver" >"$src/version.new"
	mv "$src/version.new" "$src/version"
	log "$pkg $ver from $suite in $src"
	exec 8>&-
}

source_tarball() {
	if [ "$suite" = bookworm ]; then
		[ -e /usr/src/$pkg.tar.xz ] ||
			die "no /usr/src/$pkg.tar.xz: run 'make deps'"
		echo /usr/src/$pkg.tar.xz
	else
		ls "$cache/src/$suite/$pkg".tar.*
	fi
}

source_version() {
	if [ "$suite" = bookworm ]; then
		dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null ||
			die "$pkg is not installed: run 'make deps'"
	else
		cat "$cache/src/$suite/version"
	fi
}

print_result() {
	local out=$1

	echo "KIMAGE=$out/bzImage"
	echo "KDIR=$out/tree"
	echo "KMODDIR="
	echo "KVER=$(cat "$out/tree/include/config/kernel.release")"
	echo "KDEBUG=1"
}

# Every line of the fragment must hold in the final .config: "CONFIG_X=v"
# literally, "# CONFIG_X is not set" as X unset or absent.
check_config() {
	local config=$1 bad=0 line opt got

	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			opt=${line%%=*} ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *} ;;
		*)
			continue ;;
		esac
		got=$(grep -E "^($opt=|# $opt is not set)" "$config" || true)
		case $line in
		CONFIG_*)	[ "$got" = "$line" ] && continue ;;
		*)		case $got in "$opt="*) ;; *) continue ;; esac ;;
		esac
		log "debug.config wants '$line', got '${got:-nothing}'"
		bad=1
	done <"$here/debug.config"
	return $bad
}

# What an out-of-tree module build needs is the configured tree's Makefiles,
# include/, arch/x86/include/, the generated headers, scripts/, objtool and
# Module.symvers: drop the objects, vmlinux, the sources and private headers
# of the kernel proper, other architectures and the documentation.
trim_tree() {
	local tree=$1 d

	for d in "$tree"/arch/*/ "$tree"/tools/*/; do
		case $d in
		"$tree/arch/x86/"|"$tree/tools/objtool/") ;;
		*) rm -rf "$d" ;;
		esac
	done
	rm -rf "$tree/Documentation" "$tree/vmlinux" "$tree/vmlinux.o" \
		"$tree/vmlinux.a" "$tree"/.tmp_vmlinux* \
		"$tree/arch/x86/boot/compressed/vmlinux"*
	find "$tree" -type f \( -name '*.[oachS]' -o -name '*.rs' \
		-o -name '*.o.cmd' -o -name '*.bin' -o -name '*.gz' \
		-o -name '*.xz' \) \
		\( -name '*.o' -o ! \( -path "$tree/include/*" \
			-o -path "$tree/arch/x86/include/*" \
			-o -path "$tree/scripts/*" -o -path "$tree/tools/*" \) \) \
		-delete
}

# Build a trivial module against the trimmed tree, as shmdev will be.
check_tree() {
	local tree=$1 mod=$2

	mkdir -p "$mod"
	cat >"$mod/kdir_check.c" <<-'EOF'
	// SPDX-License-Identifier: GPL-2.0
	#include <linux/module.h>
	static int __init kdir_check_init(void) { return 0; }
	static void __exit kdir_check_exit(void) { }
	module_init(kdir_check_init);
	module_exit(kdir_check_exit);
	MODULE_DESCRIPTION("build-kernel.sh: the tree builds modules");
	MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := kdir_check.o' >"$mod/Kbuild"
	make -C "$tree" M="$mod" -j"$jobs" modules && [ -e "$mod/kdir_check.ko" ]
}

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

build() {
	local out=$1 dir tarball src start secs
	dir=$(dirname "$out")

	# We hold the lock: whatever temporary build is left was interrupted.
	rm -rf "$dir"/.build.*
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	tarball=$(source_tarball)
	start=$SECONDS
	log "building $name ($pkg $(source_version)) in $tmp: a few minutes"
	tar -xf "$tarball" -C "$tmp"
	src=$(ls -d "$tmp"/linux-source-*)
	mv "$src" "$tmp/tree"
	src=$tmp/tree
	{
		make -C "$src" ARCH=x86_64 tinyconfig
		"$src/scripts/kconfig/merge_config.sh" -m -O "$src" \
			"$src/.config" "$here/debug.config"
		make -C "$src" ARCH=x86_64 olddefconfig
	} >"$tmp/build.log" 2>&1 ||
		{ tail -n 30 "$tmp/build.log" >&2; die "$name: configuring failed"; }
	cp "$src/.config" "$tmp/config"
	check_config "$src/.config" ||
		die "$name: debug.config does not hold after olddefconfig ($tmp/config)"
	if ! make -C "$src" ARCH=x86_64 -j"$jobs" bzImage modules \
			>>"$tmp/build.log" 2>&1; then
		tail -n 40 "$tmp/build.log" >&2
		cp "$tmp/build.log" "$dir/failed.log"
		die "$name: build failed (log: $dir/failed.log)"
	fi
	[ -e "$src/Module.symvers" ] || die "$name: no Module.symvers"
	cp "$src/arch/x86/boot/bzImage" "$tmp/bzImage"
	trim_tree "$src" || log "$name: trimming the tree failed, keeping it whole"
	if ! check_tree "$src" "$tmp/kdir-check" >>"$tmp/build.log" 2>&1; then
		tail -n 20 "$tmp/build.log" >&2
		rm -rf "$dir/failed"
		mv "$tmp" "$dir/failed"
		tmp=
		die "$name: modules do not build against the tree (kept in $dir/failed)"
	fi
	rm -rf "$tmp/kdir-check"
	secs=$((SECONDS - start))
	echo "build-kernel: $name built in ${secs}s" >>"$tmp/build.log"
	chmod 0755 "$tmp"
	mv "$tmp" "$out"
	tmp=
	rm -rf "$dir/failed.log" "$dir/failed"
	log "$name built in ${secs}s: $out"
	# Keep this build and the previous one.
	ls -dt "$dir"/*/ | tail -n +3 | xargs -r rm -rf
}

main() {
	local key ver out dir=$cache/kernels/$name

	[ "$suite" = bookworm ] || fetch_source
	ver=$(source_version)
	key=$( { cat "$here/debug.config" "$self"; gcc --version | head -n1; } |
	      sha256sum | cut -c1-12)
	out=$dir/$ver-$key
	if [ ! -e "$out/bzImage" ]; then
		mkdir -p "$dir"
		exec 9>"$dir/.lock"
		flock 9
		[ -e "$out/bzImage" ] || build "$out"
		exec 9>&-
	fi
	print_result "$out"
}

main; exit
