// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmdev robust mutexes and condition variables, in the region.
 *
 * The mutex word is 0 when free, else the owner handle's id (from attach)
 * with SHMDEV_MUTEX_WAITERS when someone may sleep on it and
 * SHMDEV_MUTEX_OWNER_DIED when an owner went away holding it. Lock and
 * unlock are one compare-and-swap each when nobody else wants the mutex;
 * a locker that finds it held spins a little, then sleeps in the module's
 * queue for the word (SHMDEV_IOC_WAIT), and an unlocker that sees WAITERS
 * wakes one. A waiter that slept takes the mutex with WAITERS set, since
 * others may still sleep.
 *
 * When a handle is released, the module rewrites every registered word that
 * handle owns to (word & WAITERS) | OWNER_DIED and wakes one waiter. The
 * next locker takes it with OWNER_DIED kept and gets -EOWNERDEAD; until
 * shmdev_mutex_consistent() clears the bit, unlocking makes the mutex
 * SHMDEV_MUTEX_NOTRECOVERABLE, and every later lock fails -ENOTRECOVERABLE.
 * An unlocker killed between clearing the word and waking leaves a sleeper
 * on a word without WAITERS: the module wakes it when that handle goes.
 *
 * The owner is a thread of a handle: each thread locks with an owner id of
 * its own for that handle (lib/owner.c), which the module repairs with the
 * handle. So threads sharing a handle exclude each other, relocking is
 * -EDEADLK for the owning thread only, and only it may unlock. A forked
 * child shares its parent's handle, and the forking thread's ids with it.
 *
 * Lock has acquire and unlock release semantics, as for pthread mutexes.
 *
 * shmdev_mutex_init stores MUTEX_MAGIC in __reserved after the module
 * registered the word, and shmdev_mutex_destroy clears it before the
 * module forgets the word: a mutex that was never initialised (a zeroed
 * region) or was destroyed is -EINVAL, not a lock nobody's death releases.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>

#include "internal.h"

#define WAITERS		SHMDEV_MUTEX_WAITERS
#define OWNER_DIED	SHMDEV_MUTEX_OWNER_DIED
#define ID_MASK		SHMDEV_MUTEX_ID_MASK
#define MUTEX_MAGIC	0x4d584431U	/* "MXD1": initialised */
/* A ring's mutexes are in its published format (<shmdev_ring.h>). */
_Static_assert(MUTEX_MAGIC == SHMDEV_RING_MUTEX_READY, "ring mutex magic");
/* shmdev_object_offset() measures both kinds of object by the mutex. */
_Static_assert(sizeof(shmdev_cond_t) == sizeof(shmdev_mutex_t), "object size");

static uint32_t shmdev_load(const uint32_t *w)
{
	return __atomic_load_n(w, __ATOMIC_RELAXED);
}

static int shmdev_cas(uint32_t *w, uint32_t *old, uint32_t new)
{
	return __atomic_compare_exchange_n(w, old, new, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * The offset in @r's mapping of a mutex or condition variable @obj, 8
 * bytes whose first word is @word: 0, or -EINVAL when @obj is NULL or not
 * wholly inside the mapping (a word past its end would fault, or be
 * another mapping's).
 */
static int shmdev_object_offset(const struct shmdev_region *r, const void *obj,
				const uint32_t *word, __u64 *offset)
{
	int ret;

	if (!obj)
		return -EINVAL;
	ret = shmdev_word_offset(r, word, offset);
	if (ret)
		return ret;
	return r->size - *offset < sizeof(shmdev_mutex_t) ? -EINVAL : 0;
}

/* As shmdev_object_offset(), and -EACCES when @r is read-only. */
static int shmdev_writable_word(const struct shmdev_region *r, const void *obj,
				const uint32_t *word, __u64 *offset)
{
	int ret = shmdev_object_offset(r, obj, word, offset);

	if (ret)
		return ret;
	return r->rdonly ? -EACCES : 0;
}

/* As shmdev_writable_word(), and -EINVAL for a mutex not initialised. */
static int shmdev_mutex_word(const struct shmdev_region *r,
			     const shmdev_mutex_t *m, __u64 *offset)
{
	int ret = shmdev_writable_word(r, m, m ? &m->__word : NULL, offset);

	if (!ret && __atomic_load_n(&m->__reserved, __ATOMIC_ACQUIRE) != MUTEX_MAGIC)
		ret = -EINVAL;
	return ret;
}

/*
 * The fast paths' check, inline: is @m wholly inside @r's writable mapping,
 * aligned and initialised? Whatever is not takes the slow path, which
 * tells the error.
 */
static inline bool shmdev_mutex_usable(const struct shmdev_region *r,
				       const shmdev_mutex_t *m)
{
	uintptr_t off = (uintptr_t)m - (uintptr_t)r->addr;

	return !r->rdonly && !((uintptr_t)m % sizeof(uint32_t)) && off < r->size &&
	       r->size - off >= sizeof(*m) &&
	       __atomic_load_n(&m->__reserved, __ATOMIC_ACQUIRE) == MUTEX_MAGIC;
}

SHMDEV_PUBLIC
int shmdev_mutex_init(struct shmdev_region *r, shmdev_mutex_t *m)
{
	struct shmdev_mutex_init arg = { 0 };
	int ret;

	/* A read-only handle is the kernel's -EACCES. */
	ret = shmdev_object_offset(r, m, m ? &m->__word : NULL, &arg.offset);
	if (ret)
		return ret;
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_MUTEX_INIT, &arg);
	if (!ret)
		__atomic_store_n(&m->__reserved, MUTEX_MAGIC, __ATOMIC_RELEASE);
	return ret;
}

/*
 * -EBUSY while held, as pthread_mutex_destroy() may say; a mutex whose owner
 * died is free (the module cleared the owner) and may be destroyed. The
 * module wakes whoever still sleeps on it; they then find it destroyed.
 */
SHMDEV_PUBLIC
int shmdev_mutex_destroy(struct shmdev_region *r, shmdev_mutex_t *m)
{
	struct shmdev_mutex_destroy arg = { .len = sizeof(m->__word) };
	uint32_t old;
	int ret;

	ret = shmdev_mutex_word(r, m, &arg.offset);
	if (ret)
		return ret;
	old = shmdev_load(&m->__word);
	if ((old & ID_MASK) && (old & ID_MASK) != SHMDEV_MUTEX_NOTRECOVERABLE)
		return -EBUSY;
	__atomic_store_n(&m->__reserved, 0, __ATOMIC_RELEASE);
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_MUTEX_DESTROY, &arg);
	if (ret < 0) {
		/* Still registered (an older module): still a mutex. */
		__atomic_store_n(&m->__reserved, MUTEX_MAGIC, __ATOMIC_RELEASE);
		return ret;
	}
	return ret ? 0 : -EINVAL;
}

/*
 * Forget every robust mutex word registered in [@offset, @offset + @len) of
 * @r, for shmdev_ring_init(). Return: 0 or -errno; a module without
 * SHMDEV_IOC_MUTEX_DESTROY is 0 (it has nothing to forget with).
 */
int shmdev_mutex_forget(struct shmdev_region *r, uint64_t offset, uint64_t len)
{
	struct shmdev_mutex_destroy arg = { .offset = offset, .len = len };
	int ret = shmdev_ioctl(r->fd, SHMDEV_IOC_MUTEX_DESTROY, &arg);

	if (ret == -ENOTTY)
		return 0;
	return ret < 0 ? ret : 0;
}

/*
 * Take a free word (no owner id) for @id, keeping OWNER_DIED and adding
 * @waiters. Return: 0, -EOWNERDEAD, or -EAGAIN when the word moved.
 */
static int shmdev_mutex_take(uint32_t *w, uint32_t old, uint32_t id,
			     uint32_t waiters)
{
	uint32_t new = id | (old & (WAITERS | OWNER_DIED)) | waiters;

	if (!shmdev_cas(w, &old, new))
		return -EAGAIN;
	return (new & OWNER_DIED) ? -EOWNERDEAD : 0;
}

/*
 * Before it sleeps, a locker spins a while on the word: a holder running on
 * another CPU is most often out within that, and a sleep and a wake-up cost
 * two system calls and two context switches. Not where this process may run
 * on one CPU only (its affinity, once, at its first contended lock), where
 * the holder cannot run while we spin.
 */
#define SPIN_MAX	100

static unsigned int shmdev_spin_max(void)
{
	static int spins = -1;
	int n = __atomic_load_n(&spins, __ATOMIC_RELAXED);

	if (n < 0) {
		int saved = errno;
		cpu_set_t set;

		n = !sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 1 ?
		    SPIN_MAX : 0;
		errno = saved;
		__atomic_store_n(&spins, n, __ATOMIC_RELAXED);
	}
	return n;
}

static inline void shmdev_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/*
 * Timeout 0 never sleeps: a mutex held by another owner is -ETIMEDOUT,
 * as pthread_mutex_timedlock() says for a deadline already past. A signal
 * does not end the wait: the deadline is absolute, so the wait goes on.
 */
static int shmdev_mutex_lock_at(struct shmdev_region *r, shmdev_mutex_t *m,
				__u64 offset, int64_t timeout_ns, uint32_t id)
{
	struct shmdev_wait arg = { .offset = offset };
	uint32_t *w, old, waiters = 0;
	unsigned int spins;
	int ret;

	w = &m->__word;
	old = 0;
	if (shmdev_cas(w, &old, id))
		return 0;

	if (timeout_ns) {
		ret = shmdev_deadline(timeout_ns, &arg.timeout);
		if (ret)
			return ret;
	}
	spins = shmdev_spin_max();
	for (;;) {
		old = shmdev_load(w);
		if ((old & ID_MASK) == SHMDEV_MUTEX_NOTRECOVERABLE)
			return -ENOTRECOVERABLE;
		if (!(old & ID_MASK)) {
			ret = shmdev_mutex_take(w, old, id, waiters);
			if (ret != -EAGAIN)
				return ret;
			continue;
		}
		if ((old & ID_MASK) == id)
			return -EDEADLK;
		if (!timeout_ns)
			return -ETIMEDOUT;
		if (spins) {
			spins--;
			shmdev_cpu_relax();
			continue;
		}
		if (!(old & WAITERS)) {
			uint32_t cur = old;

			if (!__atomic_compare_exchange_n(w, &cur, old | WAITERS, 0,
							 __ATOMIC_RELAXED,
							 __ATOMIC_RELAXED))
				continue;
			old |= WAITERS;
		}
		arg.expected = old;
		ret = shmdev_ioctl(r->fd, SHMDEV_IOC_WAIT, &arg);
		if (ret && ret != -EAGAIN && ret != -EINTR)
			return ret;
		if (__atomic_load_n(&m->__reserved, __ATOMIC_ACQUIRE) != MUTEX_MAGIC)
			return -EINVAL;		/* destroyed while we slept */
		/* Others may sleep too: whoever takes it now must wake them. */
		waiters = WAITERS;
		spins = shmdev_spin_max();
	}
}

/*
 * @m's offset in @r, this thread's owner id for @r and its count of
 * mutexes held, once @m is known to be a mutex it may use: bad arguments
 * cost no id.
 */
static int shmdev_mutex_owner(struct shmdev_region *r, const shmdev_mutex_t *m,
			      __u64 *offset, uint32_t *id, uint32_t **held)
{
	int ret = shmdev_mutex_word(r, m, offset);

	return ret ? ret : shmdev_owner(r, id, held);
}

/* A lock taken (also with -EOWNERDEAD) counts as held by this thread. */
static int shmdev_mutex_taken(int ret, uint32_t *held)
{
	if (!ret || ret == -EOWNERDEAD)
		(*held)++;
	return ret;
}

/* Out of line, so that the fast path needs no stack frame. */
static __attribute__((noinline))
int shmdev_mutex_lock_slow(struct shmdev_region *r, shmdev_mutex_t *m,
			   int64_t timeout_ns)
{
	uint32_t id, *held;
	__u64 offset;
	int ret;

	if (!shmdev_timeout_ok(timeout_ns))
		return -EINVAL;
	ret = shmdev_mutex_owner(r, m, &offset, &id, &held);
	if (ret)
		return ret;
	return shmdev_mutex_taken(shmdev_mutex_lock_at(r, m, offset, timeout_ns, id),
				  held);
}

SHMDEV_PUBLIC
int shmdev_mutex_lock(struct shmdev_region *r, shmdev_mutex_t *m,
		      int64_t timeout_ns)
{
	struct shmdev_owner *o;
	uint32_t old = 0;

	/* Fast path: a free mutex, and this thread's id for @r at hand. */
	if (r && (o = shmdev_owner_cached(r)) && shmdev_mutex_usable(r, m) &&
	    shmdev_timeout_ok(timeout_ns) && shmdev_cas(&m->__word, &old, o->id)) {
		o->held++;
		return 0;
	}
	return shmdev_mutex_lock_slow(r, m, timeout_ns);
}

/* Trylock of a mutex already checked. */
static int shmdev_mutex_trylock_at(shmdev_mutex_t *m, uint32_t id)
{
	uint32_t old;
	int ret;

	do {
		old = shmdev_load(&m->__word);
		if ((old & ID_MASK) == SHMDEV_MUTEX_NOTRECOVERABLE)
			return -ENOTRECOVERABLE;
		if (old & ID_MASK)
			return -EBUSY;
		ret = shmdev_mutex_take(&m->__word, old, id, 0);
	} while (ret == -EAGAIN);
	return ret;
}

int shmdev_mutex_trylock_as(struct shmdev_region *r, shmdev_mutex_t *m, uint32_t id)
{
	__u64 offset;
	int ret = shmdev_mutex_word(r, m, &offset);

	return ret ? ret : shmdev_mutex_trylock_at(m, id);
}

SHMDEV_PUBLIC
int shmdev_mutex_trylock(struct shmdev_region *r, shmdev_mutex_t *m)
{
	uint32_t id, *held;
	__u64 offset;
	int ret;

	ret = shmdev_mutex_owner(r, m, &offset, &id, &held);
	if (ret)
		return ret;
	return shmdev_mutex_taken(shmdev_mutex_trylock_at(m, id), held);
}

/* Unlock of a mutex already checked, at @offset. */
static int shmdev_mutex_unlock_at(struct shmdev_region *r, shmdev_mutex_t *m,
				  __u64 offset, uint32_t id)
{
	struct shmdev_wake arg = { .offset = offset, .nr = 1 };
	uint32_t *w, old;
	int ret;

	w = &m->__word;
	old = id;
	if (__atomic_compare_exchange_n(w, &old, 0, 0, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED))
		return 0;
	if ((old & ID_MASK) != id)
		return -EPERM;

	if (old & OWNER_DIED) {
		/* Never made consistent: nobody may use it again. */
		old = __atomic_exchange_n(w, SHMDEV_MUTEX_NOTRECOVERABLE,
					  __ATOMIC_RELEASE);
		arg.nr = INT_MAX;
	} else {
		old = __atomic_exchange_n(w, 0, __ATOMIC_RELEASE);
	}
	if (!(old & WAITERS))
		return 0;
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_WAKE, &arg);
	return ret < 0 ? ret : 0;
}

int shmdev_mutex_unlock_as(struct shmdev_region *r, shmdev_mutex_t *m, uint32_t id)
{
	__u64 offset;
	int ret = shmdev_mutex_word(r, m, &offset);

	return ret ? ret : shmdev_mutex_unlock_at(r, m, offset, id);
}

static __attribute__((noinline))
int shmdev_mutex_unlock_slow(struct shmdev_region *r, shmdev_mutex_t *m)
{
	uint32_t id, *held;
	__u64 offset;
	int ret;

	ret = shmdev_mutex_owner(r, m, &offset, &id, &held);
	if (ret)
		return ret;
	/* The word is free once the exchange is done, even if the wake fails. */
	ret = shmdev_mutex_unlock_at(r, m, offset, id);
	if (ret != -EPERM && *held)
		(*held)--;
	return ret;
}

SHMDEV_PUBLIC
int shmdev_mutex_unlock(struct shmdev_region *r, shmdev_mutex_t *m)
{
	struct shmdev_owner *o;
	uint32_t id;

	/* Fast path: held by this thread, nobody waiting, owner alive. */
	if (r && (o = shmdev_owner_cached(r)) && shmdev_mutex_usable(r, m)) {
		id = o->id;
		if (__atomic_compare_exchange_n(&m->__word, &id, 0, 0, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED)) {
			if (o->held)
				o->held--;
			return 0;
		}
	}
	return shmdev_mutex_unlock_slow(r, m);
}

/* Consistent of a mutex already checked. */
static int shmdev_mutex_consistent_at(shmdev_mutex_t *m, uint32_t id)
{
	uint32_t old;

	old = shmdev_load(&m->__word);
	do {
		if ((old & ID_MASK) != id || !(old & OWNER_DIED))
			return -EINVAL;
	} while (!__atomic_compare_exchange_n(&m->__word, &old,
					      old & ~OWNER_DIED, 0,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

int shmdev_mutex_consistent_as(struct shmdev_region *r, shmdev_mutex_t *m, uint32_t id)
{
	__u64 offset;
	int ret = shmdev_mutex_word(r, m, &offset);

	return ret ? ret : shmdev_mutex_consistent_at(m, id);
}

SHMDEV_PUBLIC
int shmdev_mutex_consistent(struct shmdev_region *r, shmdev_mutex_t *m)
{
	uint32_t id, *held;
	__u64 offset;
	int ret;

	ret = shmdev_mutex_owner(r, m, &offset, &id, &held);
	if (ret)
		return ret;
	return shmdev_mutex_consistent_at(m, id);
}

/*
 * Condition variables: __seq counts signals, __reserved counts sleepers so
 * that signal and broadcast skip the kernel when nobody waits. A waiter
 * counts itself and reads __seq while it still holds the mutex; a signaller
 * bumps __seq, then reads the count. Both pairs are sequentially consistent,
 * so either the signaller sees the waiter counted (and wakes it), or the
 * waiter read the bumped __seq: it started waiting after the signal, which
 * then owed it nothing. The kernel compares __seq with the value the waiter
 * read under its queue lock, so a bump after that read is never lost.
 * A waiter killed while asleep leaves the count high: signals then merely
 * enter the kernel needlessly.
 */

/* The offset of @c's sequence word in @r's writable mapping. */
static int shmdev_cond_word(const struct shmdev_region *r,
			    const shmdev_cond_t *c, __u64 *offset)
{
	return shmdev_writable_word(r, c, c ? &c->__seq : NULL, offset);
}

SHMDEV_PUBLIC
int shmdev_cond_init(struct shmdev_region *r, shmdev_cond_t *c)
{
	__u64 offset;
	int ret;

	ret = shmdev_cond_word(r, c, &offset);
	if (ret)
		return ret;
	__atomic_store_n(&c->__seq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->__reserved, 0, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Return: 0 when signalled (or spuriously woken, as POSIX allows), else
 * -ETIMEDOUT; both with the mutex held again. A relock that finds the
 * owner died returns -EOWNERDEAD (held), and relock errors win over the
 * wait's. Errors before the mutex was released leave it held.
 */
SHMDEV_PUBLIC
int shmdev_cond_wait(struct shmdev_region *r, shmdev_cond_t *c,
		     shmdev_mutex_t *m, int64_t timeout_ns)
{
	struct shmdev_wait arg = { 0 };
	uint32_t seq;
	int ret, lret;

	ret = shmdev_cond_word(r, c, &arg.offset);
	if (ret)
		return ret;
	ret = shmdev_deadline(timeout_ns, &arg.timeout);
	if (ret)
		return ret;

	__atomic_fetch_add(&c->__reserved, 1, __ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&c->__seq, __ATOMIC_SEQ_CST);
	ret = shmdev_mutex_unlock(r, m);
	if (ret) {
		__atomic_fetch_sub(&c->__reserved, 1, __ATOMIC_SEQ_CST);
		return ret;
	}
	arg.expected = seq;
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_WAIT, &arg);
	__atomic_fetch_sub(&c->__reserved, 1, __ATOMIC_SEQ_CST);

	lret = shmdev_mutex_lock(r, m, -1);
	if (lret)
		return lret;
	if (ret == -EAGAIN || ret == -EINTR)
		return 0;
	return ret;
}

static int shmdev_cond_wake(struct shmdev_region *r, shmdev_cond_t *c, int nr)
{
	struct shmdev_wake arg = { .nr = (uint32_t)nr };
	int ret;

	ret = shmdev_cond_word(r, c, &arg.offset);
	if (ret)
		return ret;
	__atomic_fetch_add(&c->__seq, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&c->__reserved, __ATOMIC_SEQ_CST))
		return 0;
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_WAKE, &arg);
	return ret < 0 ? ret : 0;
}

SHMDEV_PUBLIC
int shmdev_cond_signal(struct shmdev_region *r, shmdev_cond_t *c)
{
	return shmdev_cond_wake(r, c, 1);
}

SHMDEV_PUBLIC
int shmdev_cond_broadcast(struct shmdev_region *r, shmdev_cond_t *c)
{
	return shmdev_cond_wake(r, c, INT_MAX);
}
