// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev synchronisation: wait/wake on 32-bit words of a region, kernel
 * locks, robust mutex words and the event counter.
 *
 * Wait/wake keys a sleeper by (region, offset), not by user address, and
 * hashes the key to a bucket. The race it must not lose, as futex:
 *
 *   CPU 0 (waiter)                       CPU 1 (waker)
 *   val = *word;         == expected
 *                                        *word = new;
 *                                        wake(word): nobody queued
 *   queue self, sleep                    -> CPU 0 sleeps forever
 *
 * So the waiter reads the word with the bucket lock held and queues itself
 * before dropping it, and the waker stores the word before it takes the
 * bucket lock:
 *
 *   CPU 0 (waiter)                       CPU 1 (waker)
 *   lock(bucket)                         *word = new;      (user space)
 *   val = *word;                         ioctl(WAKE)
 *   if (val == expected) queue self      lock(bucket)      (B)
 *   unlock(bucket)       (A)             dequeue, unlock, wake
 *   sleep until woken
 *
 * (A) pairs with (B): either CPU 1 takes the lock after CPU 0 dropped it and
 * finds CPU 0 queued, or CPU 1 took it first, and then its store, program
 * ordered before its unlock, is visible to CPU 0's read under the lock, and
 * CPU 0 returns -EAGAIN. There is no lockless "any waiters?" test on the
 * wake side, so the bucket lock is the only barrier needed.
 *
 * Delivering a wake-up: the waker takes the sleeper off the queue and pins
 * its task under the lock, and after unlocking publishes ->woken with a
 * release store (C) and wakes the task; it touches nothing of the sleeper's
 * stack frame after (C). A sleeper that times out or is signalled retakes
 * the lock: still queued, it leaves with its error; already dequeued, it
 * belongs to a waker, so it sleeps until it sees ->woken (acquire, (D))
 * and reports the wake-up, which keeps wake's count exact. It sleeps rather
 * than spins there: under PREEMPT_RT the waker may be preempted by it.
 *
 * Kernel locks deliver grants the same way, decided under
 * region->locks_lock. Event waiters use the region's wait queue: notify
 * increments the counter and then takes the queue's lock in wake_up_all(),
 * which orders it against a waiter that queued itself and then read the
 * counter.
 */

#include <linux/bitops.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "compat.h"
#include "shmdev.h"

/**
 * struct shmdev_bucket - sleepers on words that hash here
 * @lock:	protects @waiters and every queued waiter's @node
 * @waiters:	struct shmdev_waiter, in arrival order
 */
struct shmdev_bucket {
	spinlock_t lock;
	struct list_head waiters;
} ____cacheline_aligned_in_smp;

/*
 * The wait table: 256 buckets per possible CPU, a power of two, as futex
 * sizes its hash, so that sleepers on many CPUs seldom share a lock.
 */
static struct shmdev_bucket *shmdev_buckets;
static unsigned int shmdev_hash_bits;

/**
 * struct shmdev_sleeper - a task a waker or granter will wake
 * @task:	the sleeping task
 * @next:	on the waker's list of claimed sleepers
 * @woken:	set by the waker, (C); the sleeper may leave once it sees it
 */
struct shmdev_sleeper {
	struct task_struct *task;
	struct shmdev_sleeper *next;
	bool woken;
};

struct shmdev_claimed {
	struct shmdev_sleeper *head;
	struct shmdev_sleeper **tail;
};

#define SHMDEV_CLAIMED(name) struct shmdev_claimed name = { NULL, &name.head }

/**
 * struct shmdev_waiter - a sleeper on a word
 * @s:		how it is woken
 * @node:	on the bucket's list while queued
 * @region:	key, with @offset
 * @offset:	byte offset of the word
 */
struct shmdev_waiter {
	struct shmdev_sleeper s;
	struct list_head node;
	struct shmdev_region *region;
	u64 offset;
};

/**
 * struct shmdev_lock_waiter - a task queued for a kernel lock
 * @s:		how it is woken
 * @node:	on the lock's queue until granted
 * @h:		the handle that will own the lock
 * @mode:	SHMDEV_LOCK_SH or SHMDEV_LOCK_EX
 * @ret:	set with the grant: 0 or -EOWNERDEAD
 */
struct shmdev_lock_waiter {
	struct shmdev_sleeper s;
	struct list_head node;
	struct shmdev_handle *h;
	unsigned int mode;
	int ret;
};

/*
 * Take @s for waking after the lock is dropped. Caller must hold the lock
 * of the queue @s was on and must have removed it.
 */
static void shmdev_claim(struct shmdev_claimed *c, struct shmdev_sleeper *s)
{
	get_task_struct(s->task);
	s->next = NULL;
	*c->tail = s;
	c->tail = &s->next;
}

/* Wake what shmdev_claim() collected. Caller must not hold the queue lock. */
static void shmdev_wake_claimed(struct shmdev_claimed *c)
{
	struct shmdev_sleeper *s = c->head;

	while (s) {
		struct shmdev_sleeper *next = s->next;
		struct task_struct *task = s->task;

		/* (C): pairs with (D); @s may be gone right after. */
		smp_store_release(&s->woken, true);
		wake_up_process(task);
		put_task_struct(task);
		s = next;
	}
}

/* A sleeper that gave up but was already claimed waits for its waker. */
static void shmdev_wait_claimed(struct shmdev_sleeper *s)
{
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (smp_load_acquire(&s->woken))	/* (D) */
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

/*
 * Sleep until @s is woken, the absolute CLOCK_MONOTONIC @timeout passes or
 * a signal arrives. Return: 0 when woken, -ETIMEDOUT, -ERESTARTSYS.
 *
 * A signal is -ERESTARTSYS, as in futex_wait(): the deadline is absolute,
 * so a restarted call sleeps exactly as long as the first would have. The
 * caller sees -EINTR only when a handler without SA_RESTART ran; a stop
 * and continue, a ptrace attach or the freezer leaves it asleep.
 */
static int shmdev_sleep(struct shmdev_sleeper *s, u64 timeout)
{
	bool forever = timeout == SHMDEV_TIMEOUT_INFINITE || timeout > KTIME_MAX;
	ktime_t expires = forever ? KTIME_MAX : (ktime_t)timeout;
	int ret = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (smp_load_acquire(&s->woken))	/* (D) */
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (forever) {
			schedule();
		} else if (!schedule_hrtimeout_range(&expires,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			/* (D): a waker may have claimed us as the timer fired. */
			ret = smp_load_acquire(&s->woken) ? 0 : -ETIMEDOUT;
			break;
		}
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* A deadline already past: check, but never queue or sleep. */
static bool shmdev_expired(u64 timeout)
{
	return timeout != SHMDEV_TIMEOUT_INFINITE && timeout <= KTIME_MAX &&
	       (ktime_t)timeout <= ktime_get();
}

static struct shmdev_bucket *shmdev_bucket(struct shmdev_region *r, u64 offset)
{
	return &shmdev_buckets[hash_64((unsigned long)r ^ offset,
				       shmdev_hash_bits)];
}

/* An aligned 32-bit word inside the region? */
static int shmdev_word_check(struct shmdev_region *r, u64 offset)
{
	if ((offset & 3) || offset > READ_ONCE(r->size) - sizeof(u32))
		return -EINVAL;
	return 0;
}

static u32 *shmdev_word_map(struct folio *folio, u64 offset)
{
	return kmap_local_folio(folio, offset_in_folio(folio, offset));
}

/**
 * shmdev_wait - sleep on a word while it holds @expected
 * @r: the region
 * @offset: byte offset of the word
 * @expected: the value to sleep on
 * @timeout: absolute CLOCK_MONOTONIC ns or SHMDEV_TIMEOUT_INFINITE
 *
 * Return: 0 when woken by shmdev_wake(), -EAGAIN when the word differs,
 * -ETIMEDOUT, -ERESTARTSYS, -EINVAL (offset).
 */
int shmdev_wait(struct shmdev_region *r, u64 offset, u32 expected,
		u64 timeout)
{
	struct shmdev_waiter w = {
		.s.task = current,
		.region = r,
		.offset = offset,
	};
	struct shmdev_bucket *b;
	struct folio *folio;
	u32 *word, val;
	int ret;

	ret = shmdev_word_check(r, offset);
	if (ret)
		return ret;
	folio = shmdev_region_word(r, offset);
	if (IS_ERR(folio))
		return PTR_ERR(folio);

	b = shmdev_bucket(r, offset);
	spin_lock(&b->lock);
	word = shmdev_word_map(folio, offset);
	val = READ_ONCE(*word);
	kunmap_local(word);
	if (val != expected || shmdev_expired(timeout)) {
		spin_unlock(&b->lock);
		folio_put(folio);
		return val != expected ? -EAGAIN : -ETIMEDOUT;
	}
	list_add_tail(&w.node, &b->waiters);
	spin_unlock(&b->lock);			/* (A) */
	folio_put(folio);
	atomic64_inc(&r->waits);

	ret = shmdev_sleep(&w.s, timeout);
	if (!ret)
		return 0;

	spin_lock(&b->lock);
	if (!list_empty(&w.node)) {
		list_del(&w.node);
		spin_unlock(&b->lock);
		return ret;
	}
	spin_unlock(&b->lock);
	shmdev_wait_claimed(&w.s);
	return 0;
}

/* Wake up to @nr sleepers on (@r, @offset); return how many. */
static int __shmdev_wake(struct shmdev_region *r, u64 offset, u32 nr)
{
	struct shmdev_bucket *b = shmdev_bucket(r, offset);
	SHMDEV_CLAIMED(claimed);
	struct shmdev_waiter *w, *tmp;
	int n = 0;

	spin_lock(&b->lock);			/* (B) */
	list_for_each_entry_safe(w, tmp, &b->waiters, node) {
		if (w->region != r || w->offset != offset)
			continue;
		list_del_init(&w->node);
		shmdev_claim(&claimed, &w->s);
		if (++n >= nr)
			break;
	}
	spin_unlock(&b->lock);
	shmdev_wake_claimed(&claimed);
	return n;
}

/**
 * shmdev_wake - wake sleepers on a word
 * @r: the region
 * @offset: byte offset of the word
 * @nr: most to wake, >= 1
 *
 * Return: the number woken, or -EINVAL.
 */
int shmdev_wake(struct shmdev_region *r, u64 offset, u32 nr)
{
	int ret = shmdev_word_check(r, offset);

	if (ret)
		return ret;
	if (!nr)
		return -EINVAL;
	atomic64_inc(&r->wakes);
	return __shmdev_wake(r, offset, min_t(u32, nr, INT_MAX));
}

static struct shmdev_klock *shmdev_klocks(struct shmdev_region *r)
{
	struct shmdev_klock *locks;
	int i;

	/* Pairs with cmpxchg_release() below: the queues are initialised. */
	locks = smp_load_acquire(&r->locks);
	if (locks)
		return locks;
	locks = kcalloc(SHMDEV_NR_LOCKS, sizeof(*locks), GFP_KERNEL_ACCOUNT);
	if (!locks)
		return NULL;
	for (i = 0; i < SHMDEV_NR_LOCKS; i++)
		INIT_LIST_HEAD(&locks[i].queue);
	if (cmpxchg_release(&r->locks, NULL, locks)) {
		kfree(locks);
		/* Another task published its array first: use it. */
		locks = smp_load_acquire(&r->locks);
	}
	return locks;
}

static bool shmdev_klock_free_for(struct shmdev_klock *l, unsigned int mode)
{
	if (mode == SHMDEV_LOCK_EX)
		return !l->writer && !l->readers;
	return !l->writer;
}

/*
 * Give lock @id to @h. Caller must hold region->locks_lock and have checked
 * that @mode is free. Return: 0, or -EOWNERDEAD for an exclusive grant after
 * an exclusive holder died.
 */
static int shmdev_klock_take(struct shmdev_region *r, struct shmdev_handle *h,
			     unsigned int id, unsigned int mode)
{
	struct shmdev_klock *l = &r->locks[id];
	int ret = 0;

	atomic64_inc(&r->lock_acquired);
	if (mode == SHMDEV_LOCK_SH) {
		l->readers++;
		__set_bit(id, h->held_sh);
		return 0;
	}
	l->writer = true;
	__set_bit(id, h->held_ex);
	if (l->owner_died) {
		l->owner_died = false;
		ret = -EOWNERDEAD;
	}
	return ret;
}

/*
 * Grant lock @id to the head of its queue while it can be granted: one
 * writer, or every reader up to the next writer. Threads (or forked
 * processes) share a handle and its locks: a reader whose handle was just
 * granted the lock for another of them gets -EDEADLK, as it would have had
 * it asked a moment later. Caller must hold region->locks_lock.
 */
static void shmdev_klock_grant(struct shmdev_region *r, unsigned int id,
			       struct shmdev_claimed *claimed)
{
	struct shmdev_klock *l = &r->locks[id];
	struct shmdev_lock_waiter *w;

	while (!list_empty(&l->queue)) {
		w = list_first_entry(&l->queue, struct shmdev_lock_waiter, node);
		if (!shmdev_klock_free_for(l, w->mode))
			break;
		list_del_init(&w->node);
		if (test_bit(id, w->h->held_sh) || test_bit(id, w->h->held_ex))
			w->ret = -EDEADLK;
		else
			w->ret = shmdev_klock_take(r, w->h, id, w->mode);
		shmdev_claim(claimed, &w->s);
		if (w->mode == SHMDEV_LOCK_EX)
			break;
	}
}

/*
 * Release lock @id held by @h; @died: the handle went away holding it.
 * Caller must hold region->locks_lock. Return: 0 or -EPERM (not held).
 */
static int shmdev_klock_put(struct shmdev_region *r, struct shmdev_handle *h,
			    unsigned int id, bool died,
			    struct shmdev_claimed *claimed)
{
	struct shmdev_klock *l = &r->locks[id];

	if (__test_and_clear_bit(id, h->held_ex)) {
		l->writer = false;
		if (died) {
			l->owner_died = true;
			atomic64_inc(&r->owner_deaths);
		}
	} else if (__test_and_clear_bit(id, h->held_sh)) {
		l->readers--;
	} else {
		return -EPERM;
	}
	shmdev_klock_grant(r, id, claimed);
	return 0;
}

/**
 * shmdev_lock - take kernel lock @id of the handle's region
 * @h: the handle, attached; it will own the lock
 * @id: 0..SHMDEV_NR_LOCKS - 1
 * @mode: SHMDEV_LOCK_SH or SHMDEV_LOCK_EX, maybe | SHMDEV_LOCK_NB
 * @timeout: absolute CLOCK_MONOTONIC ns or SHMDEV_TIMEOUT_INFINITE
 *
 * Requests are served in arrival order: one that finds others queued queues
 * behind them even if it could share the lock now, so writers do not starve.
 *
 * Return: 0 or -EOWNERDEAD with the lock held; -EWOULDBLOCK, -ETIMEDOUT,
 * -ERESTARTSYS (a restarted call queues again, last), -EDEADLK (already held by @h), -EINVAL, -ENOMEM.
 */
int shmdev_lock(struct shmdev_handle *h, unsigned int id, unsigned int mode,
		u64 timeout)
{
	struct shmdev_region *r = shmdev_handle_region(h);
	unsigned int kind = mode & (SHMDEV_LOCK_SH | SHMDEV_LOCK_EX);
	struct shmdev_lock_waiter w = {
		.s.task = current,
		.h = h,
		.mode = kind,
	};
	SHMDEV_CLAIMED(claimed);
	struct shmdev_klock *l;
	int ret;

	if (id >= SHMDEV_NR_LOCKS || (mode & ~SHMDEV_LOCK_VALID_FLAGS) ||
	    (kind != SHMDEV_LOCK_SH && kind != SHMDEV_LOCK_EX))
		return -EINVAL;
	if (!shmdev_klocks(r))
		return -ENOMEM;
	l = &r->locks[id];

	spin_lock(&r->locks_lock);
	ret = -EDEADLK;
	if (test_bit(id, h->held_sh) || test_bit(id, h->held_ex))
		goto out_unlock;
	if (list_empty(&l->queue) && shmdev_klock_free_for(l, kind)) {
		ret = shmdev_klock_take(r, h, id, kind);
		goto out_unlock;
	}
	ret = -EWOULDBLOCK;
	if (mode & SHMDEV_LOCK_NB)
		goto out_unlock;
	list_add_tail(&w.node, &l->queue);
	atomic64_inc(&r->lock_contended);
	spin_unlock(&r->locks_lock);

	ret = shmdev_sleep(&w.s, timeout);
	if (!ret)
		return w.ret;

	spin_lock(&r->locks_lock);
	if (list_empty(&w.node)) {
		/* Granted while we gave up: keep it. */
		spin_unlock(&r->locks_lock);
		shmdev_wait_claimed(&w.s);
		return w.ret;
	}
	list_del(&w.node);
	/* Leaving the queue may let those behind us in. */
	shmdev_klock_grant(r, id, &claimed);
out_unlock:
	spin_unlock(&r->locks_lock);
	shmdev_wake_claimed(&claimed);
	return ret;
}

/**
 * shmdev_unlock - release kernel lock @id held by @h
 * @h: the handle, attached
 * @id: the lock
 *
 * Return: 0, -EPERM (not held by @h), -EINVAL.
 */
int shmdev_unlock(struct shmdev_handle *h, unsigned int id)
{
	SHMDEV_CLAIMED(claimed);
	struct shmdev_region *r = shmdev_handle_region(h);
	int ret;

	if (id >= SHMDEV_NR_LOCKS)
		return -EINVAL;
	/* No lock array yet (see shmdev_klocks()): nothing is held. */
	if (!smp_load_acquire(&r->locks))
		return -EPERM;
	spin_lock(&r->locks_lock);
	ret = shmdev_klock_put(r, h, id, false, &claimed);
	spin_unlock(&r->locks_lock);
	shmdev_wake_claimed(&claimed);
	return ret;
}

/**
 * shmdev_mutex_register - register a robust mutex word and store 0 in it
 * @r: the region
 * @offset: byte offset of the word
 *
 * Return: 0, -EINVAL (offset), -ENOSPC (too many), -ENOMEM.
 */
int shmdev_mutex_register(struct shmdev_region *r, u64 offset)
{
	struct folio *folio;
	u32 *word;
	int ret;

	ret = shmdev_word_check(r, offset);
	if (ret)
		return ret;
	folio = shmdev_region_word(r, offset);
	if (IS_ERR(folio))
		return PTR_ERR(folio);

	mutex_lock(&r->lock);
	if (!xa_load(&r->mutexes, offset >> 2)) {
		ret = -ENOSPC;
		if (r->nr_mutexes >= SHMDEV_MAX_MUTEXES)
			goto out_unlock;
		ret = xa_err(xa_store(&r->mutexes, offset >> 2, xa_mk_value(1),
				      GFP_KERNEL_ACCOUNT));
		if (ret)
			goto out_unlock;
		r->nr_mutexes++;
	}
	folio_lock(folio);
	word = shmdev_word_map(folio, offset);
	WRITE_ONCE(*word, 0);
	kunmap_local(word);
	folio_mark_dirty(folio);
	folio_unlock(folio);
out_unlock:
	mutex_unlock(&r->lock);
	folio_put(folio);
	return ret;
}

/**
 * shmdev_mutex_unregister - forget the robust mutex words in a range
 * @r: the region
 * @offset: byte offset of the range, 4-aligned
 * @len: its bytes, a multiple of 4, @offset + @len not wrapping
 *
 * The words keep their values, and whoever sleeps on them is woken, to
 * look at them again: nobody is left asleep on a word no handle's death
 * will wake any more.
 *
 * Return: the number of words unregistered.
 */
int shmdev_mutex_unregister(struct shmdev_region *r, u64 offset, u64 len)
{
	u64 first64 = offset >> 2, last64 = (offset + len - 1) >> 2;
	unsigned long index, first, last;
	void *entry;
	int nr = 0;

	if (first64 > ULONG_MAX)
		return 0;	/* beyond any index: nothing registered there */
	first = first64;
	last = min_t(u64, last64, ULONG_MAX);
	mutex_lock(&r->lock);
	xa_for_each_range(&r->mutexes, index, entry, first, last) {
		xa_erase(&r->mutexes, index);
		r->nr_mutexes--;
		nr++;
		__shmdev_wake(r, (u64)index << 2, INT_MAX);
		cond_resched();
	}
	mutex_unlock(&r->lock);
	return nr;
}

/*
 * Handle @id went away: every registered word it owns becomes owner-died,
 * keeping the waiters bit, and one sleeper on it is woken.
 *
 * It may also have died inside an unlock, between clearing the word and
 * waking a sleeper, as futex's handle_futex_death() allows for:
 *
 *   owner (dies)                         waiter
 *                                        old = *word   (id)
 *                                        *word = id | WAITERS
 *                                        WAIT(word, id | WAITERS): sleeps
 *   old = xchg(word, 0)   (WAITERS)
 *   <killed>              no WAKE        asleep on a free mutex, for ever
 *
 * A waiter sleeps only on a value with WAITERS set, so a sleeper queued on
 * a word whose value no longer has WAITERS was owed a wake-up by whoever
 * cleared it: one is woken now (all of them for a word made
 * NOTRECOVERABLE, whose unlocker wakes all). A wake-up the unlocker still
 * delivers later finds nobody, and a spurious one only makes the waiter
 * look again.
 *
 * Words are visited page by page and a page that does not exist is not
 * allocated (shmdev_region_peek()): its words are 0, owned by nobody. So a
 * writer that registers many words and punches their pages out makes a
 * close cost a lookup per page, not a page per word in the closer's cgroup.
 */
static void shmdev_mutex_owner_gone(struct shmdev_region *r,
				    struct shmdev_handle *h)
{
	const unsigned long words_per_page = PAGE_SIZE / sizeof(u32);
	struct folio *folio = NULL;
	pgoff_t page = ULONG_MAX;
	unsigned long index;
	void *entry;

	xa_for_each(&r->mutexes, index, entry) {
		u64 offset = (u64)index << 2;
		u32 *word, old, new;
		bool died;

		if (shmdev_word_check(r, offset))
			continue;
		if (offset >> PAGE_SHIFT != page) {
			if (folio)
				folio_put(folio);
			page = offset >> PAGE_SHIFT;
			folio = shmdev_region_peek(r, page);
			if (!folio) {
				/* xa_for_each() goes on after this page's words. */
				index = (page + 1) * words_per_page - 1;
				continue;
			}
		}
		/*
		 * Still registered? A destroy that returned has unregistered
		 * it, and the word is the application's again: leave it.
		 */
		mutex_lock(&r->lock);
		if (xa_load(&r->mutexes, index) != entry) {
			mutex_unlock(&r->lock);
			continue;
		}
		folio_lock(folio);
		word = shmdev_word_map(folio, offset);
		old = READ_ONCE(*word);
		do {
			died = (old & SHMDEV_MUTEX_ID_MASK) &&
			       shmdev_handle_owns(h, old & SHMDEV_MUTEX_ID_MASK);
			if (!died)
				break;
			new = (old & SHMDEV_MUTEX_WAITERS) |
			      SHMDEV_MUTEX_OWNER_DIED;
		} while (!try_cmpxchg(word, &old, new));
		kunmap_local(word);
		if (died)
			folio_mark_dirty(folio);
		folio_unlock(folio);
		mutex_unlock(&r->lock);
		if (died) {
			atomic64_inc(&r->owner_deaths);
			__shmdev_wake(r, offset, 1);
		} else if (!(old & SHMDEV_MUTEX_WAITERS)) {
			__shmdev_wake(r, offset,
				      old == SHMDEV_MUTEX_NOTRECOVERABLE ?
				      INT_MAX : 1);
		}
	}
	if (folio)
		folio_put(folio);
}

/**
 * shmdev_sync_release - a handle goes away: release what it owns
 * @h: the handle, attached, with no ioctl in flight
 *
 * Its kernel locks are released (an exclusive one is marked owner-died) and
 * its robust mutexes are marked owner-died, waking their next takers.
 */
void shmdev_sync_release(struct shmdev_handle *h)
{
	SHMDEV_CLAIMED(claimed);
	struct shmdev_region *r = h->region;
	unsigned int id;

	/* No lock array yet (see shmdev_klocks()): nothing is held. */
	if (smp_load_acquire(&r->locks)) {
		spin_lock(&r->locks_lock);
		for_each_set_bit(id, h->held_ex, SHMDEV_NR_LOCKS)
			shmdev_klock_put(r, h, id, true, &claimed);
		for_each_set_bit(id, h->held_sh, SHMDEV_NR_LOCKS)
			shmdev_klock_put(r, h, id, true, &claimed);
		spin_unlock(&r->locks_lock);
		shmdev_wake_claimed(&claimed);
	}
	shmdev_mutex_owner_gone(r, h);
}

/**
 * shmdev_notify - bump the region's event counter, wake waiters and pollers
 * @r: the region
 */
void shmdev_notify(struct shmdev_region *r)
{
	/*
	 * Fully ordered: stores to the region before notify are visible to a
	 * waiter that reads the new counter (acquire, in shmdev_event_wait()).
	 */
	atomic64_inc_return(&r->events);
	wake_up_all(&r->event_wq);
}

/**
 * shmdev_event_wait - sleep until the event counter differs from @seq
 * @h: the handle, attached; records the counter as seen
 * @seq: the value to sleep on
 * @timeout: absolute CLOCK_MONOTONIC ns or SHMDEV_TIMEOUT_INFINITE
 * @counter: the counter, on success and on -ETIMEDOUT
 *
 * Return: 0, -ETIMEDOUT, -ERESTARTSYS.
 */
int shmdev_event_wait(struct shmdev_handle *h, u64 seq, u64 timeout,
		      u64 *counter)
{
	struct shmdev_region *r = shmdev_handle_region(h);
	bool forever = timeout == SHMDEV_TIMEOUT_INFINITE || timeout > KTIME_MAX;
	ktime_t expires = forever ? KTIME_MAX : (ktime_t)timeout;
	DEFINE_WAIT(wait);
	u64 c;
	int ret = 0;

	for (;;) {
		prepare_to_wait(&r->event_wq, &wait, TASK_INTERRUPTIBLE);
		c = atomic64_read_acquire(&r->events);
		if (c != seq)
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (forever) {
			schedule();
		} else if (!schedule_hrtimeout_range(&expires,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			c = atomic64_read(&r->events);
			ret = c != seq ? 0 : -ETIMEDOUT;
			break;
		}
	}
	finish_wait(&r->event_wq, &wait);
	if (ret != -ERESTARTSYS) {
		WRITE_ONCE(h->event_seen, c);
		*counter = c;
	}
	return ret;
}

/* The region is being freed: nobody sleeps on it or holds its locks. */
void shmdev_sync_region_free(struct shmdev_region *r)
{
	kfree(r->locks);
	xa_destroy(&r->mutexes);
}

int shmdev_sync_init(void)
{
	unsigned long i, n = roundup_pow_of_two(256 * num_possible_cpus());

	shmdev_buckets = kvcalloc(n, sizeof(*shmdev_buckets), GFP_KERNEL);
	if (!shmdev_buckets)
		return -ENOMEM;
	shmdev_hash_bits = ilog2(n);
	for (i = 0; i < n; i++) {
		spin_lock_init(&shmdev_buckets[i].lock);
		INIT_LIST_HEAD(&shmdev_buckets[i].waiters);
	}
	return 0;
}

/* At unload: no region, so nobody sleeps. */
void shmdev_sync_exit(void)
{
	kvfree(shmdev_buckets);
}
