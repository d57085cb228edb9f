/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A user-space stand-in for the shmdev module, for running the library on
 * a machine that cannot load it (make bench-native).
 *
 * The library is not compiled again: $(O)/bench/libshmdev-standin.a is
 * $(O)/lib/libshmdev.a, the very objects that ship, with their references
 * to open(), ioctl() and close() renamed (objcopy --redefine-sym) to the
 * calls below, plus bench/standin.c. A program linked against it runs the
 * library's fast paths unchanged; only what would have entered the module
 * enters the stand-in. Calls of the program itself are not redirected.
 *
 * What it emulates, with the module's semantics and errnos:
 *
 *  - open(SHMDEV_DEVICE): a placeholder descriptor (of /dev/null).
 *  - SHMDEV_IOC_ATTACH (with and without SHMDEV_FILE): a region is a POSIX
 *    shared memory object /dev/shm/shmdev-standin.<uid>.r.<name>, with a
 *    companion .m.<name> holding its flags and its table of robust mutex
 *    words. SHMDEV_CREAT, SHMDEV_EXCL, size (rounded up to pages; a larger
 *    size than the region's is -EINVAL), mode (& 0777, no umask) and
 *    SHMDEV_RDONLY are honoured. The handle is the object's descriptor, so
 *    the library's mmap() of it maps memory shared between processes.
 *    handle_id comes from a counter shared by all processes of the user
 *    (/dev/shm/shmdev-standin.<uid>.ids, left in place), so ids are unique.
 *  - SHMDEV_AUTODESTROY: every handle holds a read lease (an open file
 *    description lock, which a fork shares and a death drops) on the
 *    companion; the close that finds no other lease removes both names.
 *  - SHMDEV_IOC_WAIT: FUTEX_WAIT_BITSET (shared, absolute CLOCK_MONOTONIC
 *    deadline) on the word, through the stand-in's own mapping of the
 *    object: shared futexes key on the page, so every process's mapping
 *    meets there. The word is compared with the expected value atomically
 *    with going to sleep, as in the module: -EAGAIN when it differs,
 *    -ETIMEDOUT, -EINTR.
 *  - SHMDEV_IOC_WAKE: FUTEX_WAKE, returning the number woken.
 *  - SHMDEV_IOC_MUTEX_INIT, SHMDEV_IOC_MUTEX_DESTROY: the word is stored 0
 *    and registered, or unregistered (counted, its sleepers woken).
 *  - SHMDEV_IOC_OWNER_ID: a new id from the shared counter, at most
 *    SHMDEV_MAX_OWNER_IDS per handle.
 *  - SHMDEV_IOC_UNLINK: shm_unlink() of both names; SHMDEV_IOC_STAT: size,
 *    owner, mode and flags; SHMDEV_IOC_API.
 *
 * What it does not: the robust repair of a dead owner's mutex words (a
 * holder that dies leaves the mutex held, and a ring's consumer never sees
 * a producer's slot die), SHMDEV_INIT, resize, kernel locks, events,
 * status, namespaces and other users' regions. Those ioctls return -1 with
 * errno ENOTTY (SHMDEV_INIT: EOPNOTSUPP). Regions of a process that dies
 * stay in /dev/shm until unlinked, unless created with SHMDEV_AUTODESTROY.
 */
#ifndef SHMDEV_BENCH_STANDIN_H
#define SHMDEV_BENCH_STANDIN_H

#include <stdint.h>
#include <sys/types.h>

/* The library's open(), ioctl() and close(), as libc's: -1 and errno. */
int standin_open(const char *path, int flags, ...);
int standin_ioctl(int fd, unsigned long cmd, ...);
int standin_close(int fd);
/* What _FORTIFY_SOURCE makes of an open() whose flags are not constant. */
int standin___open_2(const char *path, int flags);

/* What this process asked of the stand-in, for tests. */
struct standin_stats {
	uint64_t waits;		/* SHMDEV_IOC_WAIT calls */
	uint64_t waits_slept;	/* of those, returned 0 or -ETIMEDOUT */
	uint64_t wakes;		/* SHMDEV_IOC_WAKE calls */
	uint64_t woken;		/* sleepers they woke */
};

void standin_stats(struct standin_stats *st);

/*
 * For the stand-in's own test: break it on purpose, to see the test fail.
 * 0: as described above; 1: WAKE wakes nobody; 2: WAIT ignores the value
 * expected (it sleeps whatever the word holds). Also read from the
 * environment variable SHMDEV_STANDIN_BREAK at the first call.
 */
void standin_break(int how);

#endif /* SHMDEV_BENCH_STANDIN_H */
