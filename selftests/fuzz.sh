#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh (in the guest, from `make fuzz`): the module's own fuzzer for
# SHMDEV_FUZZ_SECONDS, then Debian's trinity aimed at /dev/shmdev for
# TRINITY_OPS system calls (ioctl and the mapping calls, on file descriptors
# of /dev/shmdev only). The VM runner fails the run on any kernel report.

cd "$(dirname "$0")/.." || exit 1
ops=${TRINITY_OPS:-200000}

build/selftests/fuzz_test || exit 1
if ! command -v trinity >/dev/null; then
	echo "fuzz.sh: no trinity (apt-get install trinity)" >&2
	exit 1
fi
# trinity will not run as root without dropping to nobody (-X); it runs in
# a directory it may write, with nothing but /dev/shmdev as its victim file.
dir=$(mktemp -d)
chmod 777 "$dir"
cd "$dir" || exit 1
echo "# trinity: asked for $ops system calls on /dev/shmdev"
trinity -q -X -a64 -l off -C 4 -N "$ops" -V /dev/shmdev \
	--disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
	-c ioctl -c mmap -c munmap -c mremap -c mprotect -c madvise \
	-c remap_file_pages -c poll -c close
st=$?
echo "# trinity exited with status $st"
exit $st
