// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmdev synchronisation through the module: wait/wake on words of the
 * region, kernel locks and the region's event counter.
 *
 * Timeouts are relative nanoseconds here: -1 sleeps until woken, 0 does not
 * sleep, other negative values are -EINVAL. The ABI takes absolute
 * CLOCK_MONOTONIC deadlines, so a call the kernel restarts after a signal
 * (a stop, or a handler with SA_RESTART) keeps its deadline. -EINTR means a
 * handler without SA_RESTART ran: nothing here retries it.
 */
#include <errno.h>
#include <time.h>

#include "internal.h"

#define NSEC_PER_SEC	1000000000ULL

int shmdev_deadline(int64_t timeout_ns, __u64 *deadline)
{
	struct timespec now;
	uint64_t t;
	int saved;

	if (timeout_ns == -1) {
		*deadline = SHMDEV_TIMEOUT_INFINITE;
		return 0;
	}
	if (timeout_ns < 0)
		return -EINVAL;
	saved = errno;
	if (clock_gettime(CLOCK_MONOTONIC, &now)) {
		int ret = -errno;

		errno = saved;
		return ret;
	}
	t = (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
	/* The kernel's clock ends at INT64_MAX ns: beyond it is forever. */
	if (t > INT64_MAX || (uint64_t)timeout_ns > INT64_MAX - t)
		*deadline = SHMDEV_TIMEOUT_INFINITE;
	else
		*deadline = t + (uint64_t)timeout_ns;
	return 0;
}

int shmdev_word_offset(const struct shmdev_region *r, const void *word,
		       __u64 *offset)
{
	uintptr_t base, p = (uintptr_t)word;

	if (!r || !r->addr || p % sizeof(uint32_t))
		return -EINVAL;
	base = (uintptr_t)r->addr;
	if (p < base || p - base >= r->size ||
	    r->size - (p - base) < sizeof(uint32_t))
		return -EINVAL;
	*offset = p - base;
	return 0;
}

SHMDEV_PUBLIC
int shmdev_wait(struct shmdev_region *r, const uint32_t *word,
		uint32_t expected, int64_t timeout_ns)
{
	struct shmdev_wait arg = { .expected = expected };
	int ret;

	ret = shmdev_word_offset(r, word, &arg.offset);
	if (ret)
		return ret;
	ret = shmdev_deadline(timeout_ns, &arg.timeout);
	if (ret)
		return ret;
	return shmdev_ioctl(r->fd, SHMDEV_IOC_WAIT, &arg);
}

SHMDEV_PUBLIC
int shmdev_wake(struct shmdev_region *r, const uint32_t *word, int nr)
{
	struct shmdev_wake arg = { 0 };
	int ret;

	if (nr <= 0)
		return -EINVAL;
	ret = shmdev_word_offset(r, word, &arg.offset);
	if (ret)
		return ret;
	arg.nr = (uint32_t)nr;
	return shmdev_ioctl(r->fd, SHMDEV_IOC_WAKE, &arg);
}

/*
 * Timeout 0 asks the kernel not to queue at all (SHMDEV_LOCK_NB) and turns
 * its -EWOULDBLOCK into -ETIMEDOUT, unless the caller asked for NB itself.
 */
SHMDEV_PUBLIC
int shmdev_lock(struct shmdev_region *r, unsigned int id, unsigned int mode,
		int64_t timeout_ns)
{
	struct shmdev_lock arg = { .id = id, .mode = mode };
	int ret;

	if (!r)
		return -EINVAL;
	ret = shmdev_deadline(timeout_ns, &arg.timeout);
	if (ret)
		return ret;
	if (timeout_ns == 0 && !(mode & SHMDEV_LOCK_NB)) {
		arg.mode |= SHMDEV_LOCK_NB;
		ret = shmdev_ioctl(r->fd, SHMDEV_IOC_LOCK, &arg);
		return ret == -EWOULDBLOCK ? -ETIMEDOUT : ret;
	}
	return shmdev_ioctl(r->fd, SHMDEV_IOC_LOCK, &arg);
}

SHMDEV_PUBLIC
int shmdev_unlock(struct shmdev_region *r, unsigned int id)
{
	struct shmdev_unlock arg = { .id = id };

	if (!r)
		return -EINVAL;
	return shmdev_ioctl(r->fd, SHMDEV_IOC_UNLOCK, &arg);
}

SHMDEV_PUBLIC
int shmdev_notify(struct shmdev_region *r)
{
	if (!r)
		return -EINVAL;
	return shmdev_ioctl(r->fd, SHMDEV_IOC_NOTIFY, NULL);
}

/*
 * The ABI's timeout 0 reads the counter without sleeping; the kernel writes
 * the counter back on success and on -ETIMEDOUT, and so do we.
 */
SHMDEV_PUBLIC
int shmdev_event_wait(struct shmdev_region *r, uint64_t *seq,
		      int64_t timeout_ns)
{
	struct shmdev_event arg = { 0 };
	int ret;

	if (!r || !seq)
		return -EINVAL;
	if (timeout_ns == 0) {
		arg.timeout = 0;
	} else {
		ret = shmdev_deadline(timeout_ns, &arg.timeout);
		if (ret)
			return ret;
	}
	arg.seq = *seq;
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_EVENT_WAIT, &arg);
	if (!ret || ret == -ETIMEDOUT)
		*seq = arg.counter;
	return ret;
}
