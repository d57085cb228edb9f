#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pg-source.sh: fetch (once) what PostgreSQL's regression tests need that
# Debian's postgresql-15 does not install, for selftests/clients/postgres.sh,
# and print on stdout, and nothing else, the directory that holds it:
#
#   DIR/regress/   sql/, expected/, data/ and parallel_schedule of
#                  src/test/regress, as pg_regress --inputdir wants them
#   DIR/lib/       regress.so, the C functions test_setup creates
#                  (pg_regress --dlpath), built from the same source
#   DIR/version    the Debian version of postgresql-15 they come from
#
# DIR is $SHMDEV_CACHE/pg/postgresql-15_<version> (SHMDEV_CACHE defaults
# to /var/cache/shmdev), version = that of the installed postgresql-15:
# the tests must be those of the server that runs them. A second call
# prints DIR at once; so does a call in the test VM, which has no network.
#
# The source package comes as build-kernel.sh's kernel sources do: through
# a private apt configuration (selftests/vm/apt/apt.conf, own deb-src
# sources of this system's release and its security suite on the mirror
# /etc/apt already uses, lists and downloads under $SHMDEV_CACHE/apt/pg/),
# never touching the system's sources, lists or dpkg state, installing
# nothing. `apt-get source --download-only` fetches it; only
# src/test/regress is kept. Debian's patches are checked not to touch
# src/test/regress (none does): the tests are upstream's.
#
# regress.so needs the server's headers, which no installed package has:
# the whole upstream tarball is unpacked in a temporary directory,
# configured without optional libraries (regress.so uses none of them)
# and regress.so alone built there; the server checks its magic block
# (version, FUNC_MAX_ARGS, NAMEDATALEN, ...) when test_setup loads it.
#
# Built in a temporary directory next to DIR under a lock and renamed into
# place when complete: concurrent calls fetch once.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
apt_conf=$here/../vm/apt/apt.conf
cache=${SHMDEV_CACHE:-/var/cache/shmdev}
pkg=postgresql-15

log() { echo "pg-source: $*" >&2; }
die() { log "$*"; exit 1; }

ver=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null) ||
	die "$pkg is not installed"
[ -n "$ver" ] || die "$pkg is not installed"
out=$cache/pg/${pkg}_$ver
if [ -e "$out/version" ]; then
	echo "$out"
	exit 0
fi

# The Debian mirror this machine's apt already uses (as build-kernel.sh
# finds it): the first URI of a deb822 source or a one-line source whose
# path ends in /debian.
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
	uri=${uri:-http://deb.debian.org/debian}
	echo "${uri%/}"
}

# The installed version is in the release's suite or, after a security
# update, in its security suite (on deb.debian.org, next to /debian).
write_sources() {
	local mirror codename

	mirror=$(mirror_uri)
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
	cat <<-EOF
	# Written by selftests/clients/pg-source.sh: source packages only.
	Types: deb-src
	URIs: $mirror
	Suites: $codename
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb-src
	URIs: $mirror-security
	Suites: $codename-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

# apt-get on the private configuration.
papt() {
	local dir=$cache/apt/pg

	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" \
		"$dir/archives/partial"
	write_sources >"$dir/sources.list.d/shmdev-pg.sources"
	apt-get -q -c "$apt_conf" \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::State="$dir" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir" \
		-o Dir::Cache::Archives="$dir/archives" \
		-o APT::Architectures="$(dpkg --print-architecture)" \
		"$@"
}

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

mkdir -p "$cache/pg"
exec 8>"$cache/pg/.lock"
flock 8
if [ -e "$out/version" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$cache/pg"/.build.*
tmp=$(mktemp -d "$cache/pg/.build.XXXXXX")
chmod 0755 "$tmp"

log "fetching the source of $pkg $ver (private apt configuration, mirror $(mirror_uri))"
papt update >&2 || die "apt-get update failed"
# apt's downloader runs as _apt: let it write there.
install -d -m 0755 "$tmp/dl"
! id _apt >/dev/null 2>&1 || chown _apt "$tmp/dl"
(cd "$tmp/dl" && papt source --download-only "$pkg=$ver" >&2) ||
	die "apt-get source $pkg=$ver failed"
orig=$(ls "$tmp/dl/${pkg}_${ver%-*}".orig.tar.*)
debian=$(ls "$tmp/dl/${pkg}_$ver".debian.tar.*)

# Debian's patches must leave the tests as upstream wrote them.
mkdir "$tmp/debian"
tar -xf "$debian" -C "$tmp/debian"
if [ -e "$tmp/debian/debian/patches/series" ]; then
	while read -r p _; do
		case $p in ''|'#'*) continue ;; esac
		! grep -q '^+++ [^/]*/src/test/regress/' \
			"$tmp/debian/debian/patches/$p" ||
			die "Debian's patch $p changes src/test/regress: not supported"
	done <"$tmp/debian/debian/patches/series"
fi

log "unpacking $(basename "$orig")"
mkdir "$tmp/src"
tar -xf "$orig" -C "$tmp/src" --strip-components=1
src=$tmp/src

log "building regress.so (configure, then src/test/regress alone)"
if ! (cd "$src" && ./configure -q --without-readline --without-zlib \
	--without-icu --without-llvm) >"$tmp/build.log" 2>&1 ||
   ! make -s -C "$src/src/test/regress" regress.so >>"$tmp/build.log" 2>&1; then
	tail -n 30 "$tmp/build.log" >&2
	die "building regress.so failed"
fi

mkdir -p "$tmp/out/regress" "$tmp/out/lib"
for d in sql expected data; do
	cp -R "$src/src/test/regress/$d" "$tmp/out/regress/"
done
cp "$src/src/test/regress/parallel_schedule" "$tmp/out/regress/"
cp "$src/src/test/regress/regress.so" "$tmp/out/lib/"
# The server (an unprivileged user) reads the data files and regress.so.
chmod -R a+rX "$tmp/out"
echo "$ver" >"$tmp/out/version"
rm -rf "$out"
mv "$tmp/out" "$out"
log "$pkg $ver: regression tests and regress.so in $out"
echo "$out"
