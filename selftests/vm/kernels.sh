#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh list          the default test matrix
# kernels.sh ensure NAME   make kernel NAME available and print, as shell
#                          assignments: KIMAGE (bzImage), KDIR (tree to build
#                          modules against), KMODDIR (its /lib/modules/<ver>,
#                          empty when the drivers the VM needs are built in),
#                          KVER (its release), KDEBUG (1: debug kernel)
#
#   stock        Debian's linux-image-amd64 (installed by `make deps`)
#   rt           Debian's linux-image-rt-amd64 (PREEMPT_RT)
#   debug*       built from source by build-kernel.sh
#
# To add a packaged kernel, add a case below; to add a kernel built from a
# Debian source package, add it to build-kernel.sh.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
MATRIX="stock rt debug debug-6.12 debug-7.2"

# The newest installed Debian kernel whose release ends in $1.
debian_kernel() {
	local suffix=$1 ver
	ver=$(ls /boot | sed -n "s/^vmlinuz-\(.*-$suffix\)\$/\1/p" |
	      { [ "$suffix" = amd64 ] && grep -v -- '-rt-amd64$' || cat; } |
	      sort -V | tail -n1)
	[ -n "$ver" ] || { echo "kernels.sh: no /boot/vmlinuz-*-$suffix: run 'make deps'" >&2; exit 1; }
	[ -d "/usr/src/linux-headers-$ver" ] ||
		{ echo "kernels.sh: no headers for $ver: run 'make deps'" >&2; exit 1; }
	echo "KIMAGE=/boot/vmlinuz-$ver"
	echo "KDIR=/usr/src/linux-headers-$ver"
	echo "KMODDIR=/lib/modules/$ver"
	echo "KVER=$ver"
	echo "KDEBUG=0"
}

case ${1:-} in
list)
	echo "$MATRIX" ;;
ensure)
	case ${2:-} in
	stock)	debian_kernel amd64 ;;
	rt)	debian_kernel rt-amd64 ;;
	debug|debug-*) exec "$here/build-kernel.sh" "$2" ;;
	*)	echo "kernels.sh: unknown kernel '${2:-}' (known: $MATRIX)" >&2; exit 2 ;;
	esac ;;
*)
	echo "usage: kernels.sh list | ensure NAME" >&2; exit 2 ;;
esac
