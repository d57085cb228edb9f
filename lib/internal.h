/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libshmdev internals: the handle, and the helpers every file shares.
 *
 * Every call returns -errno and leaves errno as it found it: each libc call
 * that may set errno is wrapped so that errno is saved and restored.
 */
#ifndef SHMDEV_LIB_INTERNAL_H
#define SHMDEV_LIB_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "shmdev.h"

/* Exported; lib/libshmdev.map gives the version. Everything else is hidden. */
#define SHMDEV_PUBLIC	__attribute__((visibility("default")))

/**
 * struct shmdev_region - one attach of a region and the library's mapping
 * @fd:		the open file of /dev/shmdev, attached
 * @addr:	the mapping of the whole region (as big as it was when mapped),
 *		NULL only after shmdev_resize() could not map the region again
 * @size:	bytes mapped at @addr, 0 when @addr is NULL
 * @handle_id:	the handle's id, the owner value of robust mutex words
 * @rdonly:	attached with SHMDEV_RDONLY: the mapping is PROT_READ
 * @serial:	unique among the handles this process ever opened
 * @reg_prev, @reg_next: the registry of open handles (lib/owner.c)
 * @first_owner_taken: a thread locks with @handle_id already
 * @spare, @nr_spare, @cap_spare: owner ids of exited threads, for new ones
 *
 * The fields from @serial on are lib/owner.c's, under its registry lock.
 */
struct shmdev_region {
	int fd;
	void *addr;
	uint64_t size;
	uint32_t handle_id;
	int rdonly;
	uint64_t serial;
	struct shmdev_region *reg_prev, *reg_next;
	int first_owner_taken;
	uint32_t *spare;
	unsigned int nr_spare, cap_spare;
};

/* ioctl() returning its result or -errno, with errno left as it was. */
static inline int shmdev_ioctl(int fd, unsigned long cmd, void *arg)
{
	int saved = errno, ret;

	ret = ioctl(fd, cmd, arg);
	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/*
 * A relative timeout in ns as the ABI's absolute CLOCK_MONOTONIC deadline:
 * -1 is SHMDEV_TIMEOUT_INFINITE, 0 is now (the kernel checks, then times out
 * at once), a sum past the clock's range is infinite. Other negative values:
 * -EINVAL.
 */
int shmdev_deadline(int64_t timeout_ns, __u64 *deadline);

/* Is @timeout_ns one the library accepts (-1 or >= 0)? */
static inline int shmdev_timeout_ok(int64_t timeout_ns)
{
	return timeout_ns >= -1;
}

/*
 * The byte offset of the 32-bit word at @word in @r's mapping. Return: 0, or
 * -EINVAL when @r is NULL, or @word is misaligned or not wholly inside the
 * mapping.
 */
int shmdev_word_offset(const struct shmdev_region *r, const void *word,
		       __u64 *offset);

/* lib/mutex.c: unregister the robust mutex words of a range (ring init). */
int shmdev_mutex_forget(struct shmdev_region *r, uint64_t offset, uint64_t len);

/*
 * lib/mutex.c: a mutex owned by @id, the handle's own id for the ring's
 * slots and consumer role, which belong to the process, not a thread.
 */
int shmdev_mutex_trylock_as(struct shmdev_region *r, shmdev_mutex_t *m, uint32_t id);
int shmdev_mutex_unlock_as(struct shmdev_region *r, shmdev_mutex_t *m, uint32_t id);
int shmdev_mutex_consistent_as(struct shmdev_region *r, shmdev_mutex_t *m, uint32_t id);

/* lib/owner.c: owner ids per thread and handle. */

/*
 * Thread-local data in the static TLS block: no __tls_get_addr() call on
 * the mutex fast path when the library is a shared object. It is a few
 * bytes, which glibc's static TLS surplus has room for when the library
 * (or an extension linked with libshmdev.a) is dlopen()ed; musl refuses
 * initial-exec TLS in a dlopen()ed object, so there build the library
 * with -DSHMDEV_TLS= to use the default model.
 */
#ifndef SHMDEV_TLS
#define SHMDEV_TLS	__attribute__((tls_model("initial-exec")))
#endif

/* One thread's owner id for one handle. */
struct shmdev_owner {
	struct shmdev_owner *next;
	uint64_t serial;	/* the handle's */
	uint32_t id;
	uint32_t held;		/* mutexes it holds through this id */
};

/* This thread's entry used last: the mutex fast path's (lib/owner.c). */
extern __thread struct shmdev_owner *shmdev_owner_last SHMDEV_TLS;

/* This thread's owner entry for @r (not NULL) if it is the one used last. */
static inline struct shmdev_owner *shmdev_owner_cached(const struct shmdev_region *r)
{
	struct shmdev_owner *o = shmdev_owner_last;

	return o && o->serial == r->serial ? o : NULL;
}

int shmdev_owner_open(struct shmdev_region *r);
void shmdev_owner_close(struct shmdev_region *r);
int shmdev_owner(struct shmdev_region *r, uint32_t *id, uint32_t **held);

#endif /* SHMDEV_LIB_INTERNAL_H */
