// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmdev message ring: variable-length messages in a region, one
 * consumer, many producers, each in its own process.
 *
 * Memory. The ring starts with SHMDEV_RING_HEADER bytes of control data
 * (struct shmdev_ring_shared) followed by the data area of capacity bytes,
 * a power of two. The format is public: <shmdev_ring.h> defines it and
 * docs/ring-format.md specifies it for implementations in other languages;
 * a change to it is a new SHMDEV_RING_VERSION. Positions are byte counts
 * that only grow (64 bits never wrap); position p lives at offset p & mask.
 * head is the end of all reservations, tail the end of what the consumer
 * released; head - tail <= capacity. A record is an 8-byte header word and
 * the payload, 8-aligned:
 *
 *	bits 63..62  kind: BUSY (reserved), COMMIT, PAD (skip to the end)
 *	bits 61..56  the producer's slot
 *	bits 55..32  the slot's generation when the record was reserved
 *	bits 31..0   payload length
 *
 * Every byte of free space reads as zero: init clears the area and the
 * consumer clears each record as it releases it. So the header word of the
 * record at the tail is 0 until its producer writes it, and a producer only
 * ever writes inside space it owns; nothing in the payload can be mistaken
 * for a header.
 *
 * Reserving. A producer publishes its intent (slot->need, slot->resv = h),
 * then moves head from h to h + need with a compare-and-swap, then writes
 * its header(s) BUSY: a PAD record first when the message does not fit
 * before the end of the area. It fills the payload and commits by storing
 * the header with kind COMMIT (release). Producers commit in any order; the
 * consumer reads records in position order, so a producer's messages arrive
 * in the order it reserved them.
 *
 * Sleeping without lost wake-ups. Each side announces that it is about to
 * sleep, then checks again, then sleeps on a word with SHMDEV_IOC_WAIT; the
 * other side makes its change, then looks for the announcement. Each pair
 * is the store; full fence; load pattern on both sides (Dekker), so at
 * least one of them sees the other's store:
 *
 *	consumer (ring empty)		producer (commit)
 *	cons_wait = g ASLEEP		header = COMMIT
 *	fence				fence
 *	header == 0 ?			cons_wait g ASLEEP ?
 *	  sleep(cons_wait, g ASLEEP)	  -> g WOKEN, wake, -> g DONE (A)
 *	cons_wait = g AWAKE		cons_wait g WOKEN ? wake, -> g DONE
 *
 *	producer (ring full)		consumer (release)
 *	s = space_seq			clear the record
 *	slot's sleep_seq = s		tail += size
 *	sleeping |= slot's bit		fence
 *	fence				a live slot's bit, its sleep_seq
 *	room ? retry : sleep(s)		  not behind space_woken, room for
 *	sleeping &= ~bit		  want ? n = ++space_seq, wake all,
 *					  space_woken = n            (B)
 *
 *	consumer (record BUSY)		producer (commit)
 *	owner word |= WAITERS		header = COMMIT
 *	(cmpxchg: a full fence)		fence
 *	still BUSY ? sleep on owner	owner & WAITERS ? clear, wake     (C)
 *
 * Nobody announces while the ring is neither empty nor full, so then no
 * system call is made.
 *
 * An announcement belongs to its sleeper: only the sleeper withdraws it,
 * once it is awake. A waker changes the word slept on (ASLEEP to WOKEN,
 * space_seq), so that a sleeper not yet in the kernel does not sleep, then
 * wakes, then records that its wake-up was delivered (DONE, space_woken),
 * so that later wakers make no system call for a sleeper that is merely
 * not running yet. A waker may die between its change and its wake:
 *
 *	consumer			producer
 *	cons_wait = g ASLEEP
 *	header == 0
 *					header = COMMIT
 *					cons_wait = g WOKEN
 *	sleep(cons_wait, g WOKEN)	<killed>: no wake
 *
 * Had the waker cleared the flag, every later waker would find it clear
 * and the consumer would sleep for ever with a message ready. As it stays
 * announced and no delivery was recorded, the next waker wakes it: the
 * next commit for the consumer, the next release for producers (B).
 * Taking over a dead peer's role does the same for every sleeper (a new
 * producer in a dead producer's slot, a new consumer after a dead one).
 * The generation g (30 bits, bumped by each sleep) keeps a late waker from
 * recording a delivery for a later sleep. (C) needs none of this: the
 * module wakes the consumer asleep on a producer's owner word when that
 * producer's handle goes. The bit of a producer that died asleep stays
 * set, but wakers ignore the bits of slots whose producer is gone, and the
 * slot's next producer clears it.
 *
 * Fairness. The first producer to find no room stores its slot and need in
 * `want`; until it has reserved, other producers only reserve if that
 * leaves room for it, and the consumer wakes sleeping producers once there
 * is room for it (B). The holder clears `want` when it reserves or gives up.
 *
 * Crashed producers. Each producer holds a slot: a robust mutex word of the
 * module, taken when it first reserves and held until it detaches. When its
 * handle goes, the module marks the word OWNER_DIED and wakes the waiter on
 * it, which is the consumer if it sleeps on one of that producer's records
 * (C). A record whose header is BUSY and whose slot is dead, or owned by a
 * later generation, is dropped: cleared, skipped and counted (dropped,
 * dropped_bytes); its half-written payload is never delivered. A producer
 * that dies after its compare-and-swap but before writing its header leaves
 * zeroes at the tail with head beyond them; the consumer, waking every
 * RECHECK_NS while it sees that, finds the first written word q after the
 * tail and drops [tail, q) once no live slot's intent overlaps it and the
 * span still reads as zero (a live owner changes its intent only after
 * writing its header, so one of the two checks sees it); such a span
 * counts as one dropped message, however many reservations it held. A dead
 * `want` holder is cleared by the producers it holds back, which also
 * recheck every RECHECK_NS.
 *
 * The consumer role is another robust mutex word, so a dead consumer's
 * successor takes over where it left (a peeked message is seen again).
 * Before clearing a record the consumer stores where the tail will be
 * (`releasing`); a successor that finds it ahead of the tail finishes the
 * release, so it never reads a half-cleared record, and it wakes producers
 * that may have waited for the dead consumer's wake-up (B).
 *
 * A producer about to sleep for room wakes a consumer asleep on an empty
 * ring (A): that consumer is woken by commits only, and the room may be held
 * by a producer that died before writing its header, which only the
 * consumer can drop.
 *
 * Nothing read from the region is trusted as an index or a length: a slot
 * number out of range counts as a dead producer, and a head or tail that is
 * not 8-aligned, a head more than the capacity past the tail (or behind
 * it), a record that runs past the end or an unknown header is -EBADMSG,
 * for producers and the consumer alike.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* The format: <shmdev_ring.h>, docs/ring-format.md. */
#define RECHECK_NS	20000000ULL	/* 20 ms */

/* A ring's robust mutex is a shmdev_mutex_t: the same two words. */
_Static_assert(sizeof(struct shmdev_ring_mutex) == sizeof(shmdev_mutex_t) &&
	       offsetof(struct shmdev_ring_mutex, word) == offsetof(shmdev_mutex_t, __word) &&
	       offsetof(struct shmdev_ring_mutex, ready) == offsetof(shmdev_mutex_t, __reserved),
	       "ring mutex layout");

static shmdev_mutex_t *ring_mutex(struct shmdev_ring_mutex *m)
{
	return (shmdev_mutex_t *)(void *)m;
}

struct shmdev_ring {
	struct shmdev_region *r;
	struct shmdev_ring_shared *sh;
	uint8_t *data;
	uint64_t cap, mask;
	uint64_t tail_cache;	/* producer: the tail last read */
	int slot;		/* producer: its slot, or -1 */
	uint32_t gen;		/* producer: the slot's generation */
	bool consumer;		/* holds the consumer role */
	bool peeked;		/* consumer: a message awaits release */
	uint64_t peek_pos;	/* its record's position */
	uint64_t peek_size;	/* its record's bytes */
	unsigned long fork_gen;	/* ring_fork_gen when attached */
};

/*
 * A view is its process's: its producer slot and consumer role are robust
 * mutexes of the handle, which a forked child shares with its parent. Used
 * from both, two processes would write one slot's records (messages lost or
 * delivered corrupt, with nobody dead) and a child's close would release
 * the parent's slot. So a child of fork() may not use its parent's views:
 * ring_fork_gen counts forks in this process's line, bumped in each child,
 * and costs the hot path a load, not a getpid() system call.
 */
static unsigned long ring_fork_gen;
static pthread_once_t ring_atfork_once = PTHREAD_ONCE_INIT;
static int ring_atfork_err;

static void ring_atfork_child(void)
{
	ring_fork_gen++;
}

static void ring_atfork_register(void)
{
	ring_atfork_err = pthread_atfork(NULL, NULL, ring_atfork_child);
}

/* Was @ring attached by another process (this one's parent)? */
static bool ring_foreign(const struct shmdev_ring *ring)
{
	return ring->fork_gen != ring_fork_gen;
}

/*
 * Fault injection for selftests/ring_test.c: called at the points where a
 * process's death needs recovery of its own. Only in the test build of the
 * library (SHMDEV_TEST_HOOKS, libshmdev-test.a); the library users get has
 * no hook and no branch for one.
 */
enum { HOOK_RESERVED = 1, HOOK_PADDED = 2, HOOK_RELEASING = 3, HOOK_ADVANCED = 4,
       HOOK_WAKING_CONSUMER = 5, HOOK_WAKING_PRODUCERS = 6 };

#ifdef SHMDEV_TEST_HOOKS
void (*shmdev_ring_test_hook)(int point);

static void ring_hook(int point)
{
	if (shmdev_ring_test_hook)
		shmdev_ring_test_hook(point);
}
#else
static inline void ring_hook(int point)
{
	(void)point;
}
#endif

#define load(p, mo)		__atomic_load_n(p, __ATOMIC_##mo)
#define store(p, v, mo)		__atomic_store_n(p, v, __ATOMIC_##mo)
#define fence()			__atomic_thread_fence(__ATOMIC_SEQ_CST)

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

static uint64_t *ring_word(const struct shmdev_ring *ring, uint64_t pos)
{
	return (uint64_t *)(ring->data + (pos & ring->mask));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Sleep on @word while it holds @expected, until the absolute @deadline or
 * @recheck ns from now, whichever is first (@recheck 0: no such limit).
 * Return: 0 when woken or the word changed, -ETIMEDOUT when @deadline
 * passed, -EAGAIN when only the recheck interval did, -EINTR, or -errno.
 */
static int ring_sleep(struct shmdev_ring *ring, const uint32_t *word,
		      uint32_t expected, uint64_t deadline, uint64_t recheck)
{
	struct shmdev_wait arg = { .expected = expected, .timeout = deadline };
	bool short_sleep = false;
	int ret;

	ret = shmdev_word_offset(ring->r, word, &arg.offset);
	if (ret)
		return ret;
	if (recheck) {
		uint64_t t = now_ns() + recheck;

		if (t < deadline) {
			arg.timeout = t;
			short_sleep = true;
		}
	}
	ret = shmdev_ioctl(ring->r->fd, SHMDEV_IOC_WAIT, &arg);
	if (ret == -EAGAIN)
		return 0;
	if (ret == -ETIMEDOUT && short_sleep)
		return -EAGAIN;
	return ret;
}

static void ring_wake(struct shmdev_ring *ring, uint32_t *word, int nr)
{
	shmdev_wake(ring->r, word, nr);
}

/* Is the robust mutex word @w held by a live handle? */
static bool word_alive(uint32_t w)
{
	uint32_t id = w & SHMDEV_MUTEX_ID_MASK;

	return id && id != SHMDEV_MUTEX_NOTRECOVERABLE && !(w & SHMDEV_MUTEX_OWNER_DIED);
}

/* Does the producer of generation @gen still hold @slot? */
static bool slot_alive(struct shmdev_ring *ring, unsigned int slot, uint32_t gen)
{
	struct shmdev_ring_slot *s = &ring->sh->slots[slot];

	/* Word first: a new owner bumps gen before it clears OWNER_DIED. */
	if (!word_alive(load(&s->owner.word, ACQUIRE)))
		return false;
	return (load(&s->gen, ACQUIRE) & SHMDEV_RING_GEN_MASK) == gen;
}

/*
 * (A), the waker's side, after its change and a full fence: wake the
 * consumer if it announced a sleep that no wake-up was delivered for.
 */
static void ring_wake_consumer(struct shmdev_ring *ring)
{
	uint32_t *flag = &ring->sh->cons_wait, v = load(flag, SEQ_CST);

	for (;;) {
		switch (v & SHMDEV_RING_CONS_STATE) {
		case SHMDEV_RING_CONS_AWAKE:
		case SHMDEV_RING_CONS_DONE:
			return;
		case SHMDEV_RING_CONS_ASLEEP:
			if (!__atomic_compare_exchange_n(flag, &v,
							 (v & ~SHMDEV_RING_CONS_STATE) |
							 SHMDEV_RING_CONS_WOKEN,
							 false, __ATOMIC_SEQ_CST,
							 __ATOMIC_SEQ_CST))
				continue;
			v = (v & ~SHMDEV_RING_CONS_STATE) | SHMDEV_RING_CONS_WOKEN;
			break;
		}
		break;
	}
	ring_hook(HOOK_WAKING_CONSUMER);
	ring_wake(ring, flag, 1);
	__atomic_compare_exchange_n(flag, &v,
				    (v & ~SHMDEV_RING_CONS_STATE) | SHMDEV_RING_CONS_DONE, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

/*
 * (B), the waker's side: has a live producer announced a sleep on a
 * space_seq that no delivered wake-up has passed?
 */
static bool ring_producers_asleep(struct shmdev_ring *ring)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint64_t bits = load(&sh->sleeping, SEQ_CST);
	uint32_t woken = load(&sh->space_woken, SEQ_CST);

	while (bits) {
		struct shmdev_ring_slot *s = &sh->slots[__builtin_ctzll(bits)];

		if (word_alive(load(&s->owner.word, RELAXED)) &&
		    (int32_t)(load(&s->sleep_seq, SEQ_CST) - woken) >= 0)
			return true;
		bits &= bits - 1;
	}
	return false;
}

/* (B): wake every producer asleep for room; record the delivery. */
static void ring_wake_producers(struct shmdev_ring *ring)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint32_t n, w;

	n = __atomic_add_fetch(&sh->space_seq, 1, __ATOMIC_SEQ_CST);
	ring_hook(HOOK_WAKING_PRODUCERS);
	ring_wake(ring, &sh->space_seq, INT_MAX);
	w = load(&sh->space_woken, RELAXED);
	while ((int32_t)(n - w) > 0 &&
	       !__atomic_compare_exchange_n(&sh->space_woken, &w, n, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

/*
 * Producer: are head @h and tail @t, as read from the region, not a ring's?
 * Both are record boundaries (8-aligned), and the head is at most the
 * capacity ahead of the tail: a peer that wrote anything else would have a
 * producer store, or the consumer load, a header word across the end of the
 * data area, or a producer wait for room that never comes. The consumer
 * moves the tail on while a producer reads it, so @h - @t may exceed the
 * capacity in a sound ring: only a tail read while the head stood still
 * gives a pair to compare.
 */
static bool ring_corrupt(const struct shmdev_ring *ring, uint64_t h, uint64_t t)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint64_t h2;

	if ((h | t) & 7)
		return true;
	if (h - t <= ring->cap)
		return false;
	h = load(&sh->head, SEQ_CST);
	t = load(&sh->tail, SEQ_CST);
	h2 = load(&sh->head, SEQ_CST);
	return h == h2 && (((h | t) & 7) || h - t > ring->cap);
}

/* Does the producer that stored `want` @w still hold its slot? */
static bool want_alive(struct shmdev_ring *ring, uint64_t w)
{
	unsigned int s1 = SHMDEV_RING_WANT_SLOT1(w);

	if (!s1 || s1 > SHMDEV_RING_PRODUCERS)
		return false;
	return slot_alive(ring, s1 - 1, SHMDEV_RING_WANT_GEN(w));
}

static int ring_deadline(int64_t timeout_ns, uint64_t *deadline, bool *have)
{
	__u64 d;
	int ret;

	if (*have)
		return 0;
	ret = shmdev_deadline(timeout_ns, &d);
	if (ret)
		return ret;
	*deadline = d;
	*have = true;
	return 0;
}

SHMDEV_PUBLIC
int shmdev_ring_init(struct shmdev_region *r, uint64_t offset, uint64_t size)
{
	struct shmdev_ring_shared *sh;
	uint64_t cap;
	unsigned int i;
	int ret;

	if (!r || offset % SHMDEV_RING_ALIGN ||
	    size < SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY ||
	    offset > r->size || size > r->size - offset)
		return -EINVAL;
	if (r->rdonly)
		return -EACCES;
	cap = SHMDEV_RING_MAX_CAPACITY;
	while (cap > size - SHMDEV_RING_HEADER)
		cap >>= 1;

	sh = (struct shmdev_ring_shared *)((uint8_t *)r->addr + offset);
	store(&sh->magic, 0, RELAXED);
	/*
	 * Mutexes that lived here before (an earlier ring's, the
	 * application's) stop being rewritten by the module, and sleepers on
	 * them are woken; only this ring's are registered again.
	 */
	ret = shmdev_mutex_forget(r, offset, SHMDEV_RING_HEADER + cap);
	if (ret)
		return ret;
	memset((uint8_t *)sh + sizeof(sh->magic), 0,
	       SHMDEV_RING_HEADER + cap - sizeof(sh->magic));
	sh->version = SHMDEV_RING_VERSION;
	sh->capacity = cap;
	sh->nr_slots = SHMDEV_RING_PRODUCERS;
	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++)
		sh->slots[i].resv = SHMDEV_RING_RESV_NONE;
	ret = shmdev_mutex_init(r, ring_mutex(&sh->consumer));
	for (i = 0; !ret && i < SHMDEV_RING_PRODUCERS; i++)
		ret = shmdev_mutex_init(r, ring_mutex(&sh->slots[i].owner));
	if (ret)
		return ret;
	store(&sh->magic, SHMDEV_RING_MAGIC, RELEASE);
	return 0;
}

SHMDEV_PUBLIC
int shmdev_ring_attach(struct shmdev_region *r, uint64_t offset,
		       struct shmdev_ring **out)
{
	struct shmdev_ring *ring;
	struct shmdev_ring_shared *sh;
	uint64_t cap;
	int saved;

	if (!r || !out || offset % SHMDEV_RING_ALIGN || offset > r->size ||
	    r->size - offset < SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY)
		return -EINVAL;
	if (r->rdonly)
		return -EACCES;
	sh = (struct shmdev_ring_shared *)((uint8_t *)r->addr + offset);
	if (load(&sh->magic, ACQUIRE) != SHMDEV_RING_MAGIC || sh->version != SHMDEV_RING_VERSION ||
	    sh->nr_slots != SHMDEV_RING_PRODUCERS)
		return -EINVAL;
	cap = sh->capacity;
	if (cap < SHMDEV_RING_MIN_CAPACITY || cap > SHMDEV_RING_MAX_CAPACITY || (cap & (cap - 1)) ||
	    cap > r->size - offset - SHMDEV_RING_HEADER)
		return -EINVAL;

	pthread_once(&ring_atfork_once, ring_atfork_register);
	if (ring_atfork_err)
		return -ring_atfork_err;
	saved = errno;
	ring = calloc(1, sizeof(*ring));
	errno = saved;
	if (!ring)
		return -ENOMEM;
	ring->fork_gen = ring_fork_gen;
	ring->r = r;
	ring->sh = sh;
	ring->data = (uint8_t *)sh + SHMDEV_RING_HEADER;
	ring->cap = cap;
	ring->mask = cap - 1;
	ring->slot = -1;
	*out = ring;
	return 0;
}

/* Give up `want` if this producer holds it; wake the producers it held back. */
static void ring_want_done(struct shmdev_ring *ring, uint64_t mine)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint64_t w = mine;

	__atomic_compare_exchange_n(&sh->want, &w, 0, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_RELAXED);
	fence();
	if (ring_producers_asleep(ring))
		ring_wake_producers(ring);
}

/* Release the producer slot: its open reservations become dropped records. */
static int ring_slot_put(struct shmdev_ring *ring)
{
	struct shmdev_ring_slot *s;
	int ret;

	if (ring->slot < 0)
		return 0;
	s = &ring->sh->slots[ring->slot];
	store(&s->resv, SHMDEV_RING_RESV_NONE, RELEASE);
	ret = shmdev_mutex_unlock_as(ring->r, ring_mutex(&s->owner), ring->r->handle_id);
	ring->slot = -1;
	return ret;
}

/*
 * Take a free producer slot, or the slot of a producer that went away; on
 * taking over from one, wake every sleeper (it may have died waking them).
 */
static int ring_slot_get(struct shmdev_ring *ring)
{
	struct shmdev_ring_shared *sh = ring->sh;
	unsigned int i;
	int ret;

	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++) {
		struct shmdev_ring_slot *s = &sh->slots[i];
		bool dead;
		uint32_t w;

		if (word_alive(load(&s->owner.word, RELAXED)))
			continue;
		ret = shmdev_mutex_trylock_as(ring->r, ring_mutex(&s->owner), ring->r->handle_id);
		if (ret == -EBUSY || ret == -ENOTRECOVERABLE)
			continue;
		if (ret && ret != -EOWNERDEAD)
			return ret;
		dead = ret == -EOWNERDEAD;
		store(&s->resv, SHMDEV_RING_RESV_NONE, RELEASE);
		ring->gen = (load(&s->gen, RELAXED) + 1) & SHMDEV_RING_GEN_MASK;
		store(&s->gen, ring->gen, RELEASE);
		if (dead) {
			ret = shmdev_mutex_consistent_as(ring->r, ring_mutex(&s->owner), ring->r->handle_id);
			if (ret) {
				shmdev_mutex_unlock_as(ring->r, ring_mutex(&s->owner), ring->r->handle_id);
				return ret;
			}
		}
		ring->slot = (int)i;
		/* The bit of a producer that died asleep; never set by us yet. */
		__atomic_fetch_and(&sh->sleeping, ~(1ULL << i), __ATOMIC_SEQ_CST);
		fence();
		if (dead) {
			ring_wake_consumer(ring);
			if (ring_producers_asleep(ring))
				ring_wake_producers(ring);
		}
		/* A consumer may sleep on a record of the slot's last owner (C). */
		w = load(&s->owner.word, RELAXED);
		while (w & SHMDEV_MUTEX_WAITERS) {
			if (__atomic_compare_exchange_n(&s->owner.word, &w,
							w & ~SHMDEV_MUTEX_WAITERS, false,
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
				ring_wake(ring, &s->owner.word, INT_MAX);
				break;
			}
		}
		return 0;
	}
	return -EUSERS;
}

/*
 * Can a record needing @need bytes be reserved at @h, given the consumer's
 * tail @tail and `want` @w (@mine: this producer's own want, if it holds it)?
 */
static bool ring_fits(const struct shmdev_ring *ring, uint64_t h, uint64_t tail,
		      uint64_t need, uint64_t w, uint64_t mine)
{
	uint64_t room = need;

	if (w && w != mine)
		room += SHMDEV_RING_WANT_NEED(w);
	return h - tail + room <= ring->cap;
}

/* The bytes a record of @rec bytes needs at @h: the record, after a pad if it wraps. */
static uint64_t ring_need(const struct shmdev_ring *ring, uint64_t h, uint64_t rec)
{
	uint64_t off = h & ring->mask;

	return off + rec <= ring->cap ? rec : ring->cap - off + rec;
}

/*
 * Move head past @rec bytes (and a pad before them if needed): the
 * reservation's start in *@pos, its bytes in *@need.
 */
static int ring_claim(struct shmdev_ring *ring, uint64_t rec, int64_t timeout_ns,
		      uint64_t *pos, uint64_t *needp)
{
	struct shmdev_ring_shared *sh = ring->sh;
	struct shmdev_ring_slot *me = &sh->slots[ring->slot];
	uint64_t bit = 1ULL << ring->slot;
	uint64_t deadline = 0, mine = 0, h, need, w;
	bool have = false;
	int ret;

	for (;;) {
		bool fresh = false;
		uint32_t seq;

again:
		h = load(&sh->head, ACQUIRE);
		ret = -EBADMSG;
		if (h & 7)
			goto out;
		need = ring_need(ring, h, rec);
		w = load(&sh->want, ACQUIRE);
		if (!ring_fits(ring, h, ring->tail_cache, need, w, mine)) {
			if (!fresh) {
				ring->tail_cache = load(&sh->tail, ACQUIRE);
				fresh = true;
				goto again;	/* head read after tail: h >= tail */
			}
			if (ring_corrupt(ring, h, ring->tail_cache))
				goto out;
			goto full;
		}
		store(&me->need, need, RELAXED);
		store(&me->resv, h, RELEASE);
		if (__atomic_compare_exchange_n(&sh->head, &h, h + need, false,
						__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			break;
		continue;

full:
		if (mine && w != mine)
			mine = 0;	/* taken for dead: ask again if need be */
		if (w && w != mine && !want_alive(ring, w)) {
			/* The producer that held want went away. */
			__atomic_compare_exchange_n(&sh->want, &w, 0, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
			continue;
		}
		if (!timeout_ns) {
			ret = -ETIMEDOUT;
			goto out;
		}
		if (w == mine && mine && SHMDEV_RING_WANT_NEED(mine) != need) {
			/* Head moved: ask for what the next try needs. */
			if (__atomic_compare_exchange_n(&sh->want, &w,
							SHMDEV_RING_WANT(ring->slot, ring->gen, need), false,
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
				mine = w = SHMDEV_RING_WANT(ring->slot, ring->gen, need);
			continue;
		}
		if (!w && h - ring->tail_cache + need > ring->cap) {
			/* First to find no room: the others leave room for us. */
			uint64_t nw = SHMDEV_RING_WANT(ring->slot, ring->gen, need);

			if (__atomic_compare_exchange_n(&sh->want, &w, nw, false,
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
				mine = nw;
			continue;
		}
		ret = ring_deadline(timeout_ns, &deadline, &have);
		if (ret)
			goto out;

		/* (B): announce, check again, sleep. */
		store(&me->resv, SHMDEV_RING_RESV_NONE, RELEASE);
		seq = load(&sh->space_seq, SEQ_CST);
		store(&me->sleep_seq, seq, SEQ_CST);
		__atomic_fetch_or(&sh->sleeping, bit, __ATOMIC_SEQ_CST);
		fence();
		ring->tail_cache = load(&sh->tail, SEQ_CST);
		h = load(&sh->head, SEQ_CST);
		w = load(&sh->want, SEQ_CST);
		if (ring_corrupt(ring, h, ring->tail_cache)) {
			ret = -EBADMSG;
		} else if (ring_fits(ring, h, ring->tail_cache,
				     ring_need(ring, h, rec), w, mine)) {
			ret = -EAGAIN;
		} else {
			/* A consumer asleep on what was an empty ring: look again. */
			ring_wake_consumer(ring);
			ret = ring_sleep(ring, &sh->space_seq, seq, deadline,
					 w && w != mine ? RECHECK_NS : 0);
		}
		__atomic_fetch_and(&sh->sleeping, ~bit, __ATOMIC_SEQ_CST);
		if (ret && ret != -EAGAIN)
			goto out;
	}

	*pos = h;
	*needp = need;
	if (mine)
		ring_want_done(ring, mine);
	return 0;

out:
	store(&me->resv, SHMDEV_RING_RESV_NONE, RELEASE);
	if (mine)
		ring_want_done(ring, mine);
	return ret;
}

/* shmdev_ring_reserve() in general; out of line, for the fast path's sake. */
static __attribute__((noinline))
int ring_reserve_slow(struct shmdev_ring *ring, size_t len, void **ptr,
		      int64_t timeout_ns)
{
	uint64_t rec, pos, need;
	int ret;

	if (!ring || !ptr || timeout_ns < -1)
		return -EINVAL;
	if (ring_foreign(ring))
		return -ECHILD;
	if (len > ring->cap / 2 - 8)
		return -EMSGSIZE;
	if (ring->slot < 0) {
		ret = ring_slot_get(ring);
		if (ret)
			return ret;
	}
	rec = align8(8 + len);
	ret = ring_claim(ring, rec, timeout_ns, &pos, &need);
	if (ret)
		return ret;
	ring_hook(HOOK_RESERVED);

	if (need != rec) {
		store(ring_word(ring, pos),
		      SHMDEV_RING_REC(SHMDEV_RING_REC_PAD, ring->slot, ring->gen, need - rec - 8),
		      RELEASE);
		pos += need - rec;
		ring_hook(HOOK_PADDED);
	}
	store(ring_word(ring, pos),
	      SHMDEV_RING_REC(SHMDEV_RING_REC_BUSY, ring->slot, ring->gen, len), RELEASE);
	*ptr = (uint8_t *)ring_word(ring, pos) + 8;
	return 0;
}

/*
 * The fast path, what ring_claim() does when nothing is in the way: the
 * slot is held, the record fits before the end of the area with room to
 * spare by the tail last read, nobody holds `want`, and the head does not
 * move under us. Anything else, the slow path, from the start.
 */
SHMDEV_PUBLIC
int shmdev_ring_reserve(struct shmdev_ring *ring, size_t len, void **ptr,
			int64_t timeout_ns)
{
	struct shmdev_ring_shared *sh;
	struct shmdev_ring_slot *me;
	uint64_t rec, h;

	if (!ring || !ptr || timeout_ns < -1 || ring_foreign(ring) || ring->slot < 0 ||
	    len > ring->cap / 2 - 8)
		return ring_reserve_slow(ring, len, ptr, timeout_ns);
	sh = ring->sh;
	me = &sh->slots[ring->slot];
	rec = align8(8 + len);
	h = load(&sh->head, ACQUIRE);
	if ((h & 7) || (h & ring->mask) + rec > ring->cap ||
	    h - ring->tail_cache + rec > ring->cap || load(&sh->want, ACQUIRE))
		return ring_reserve_slow(ring, len, ptr, timeout_ns);
	store(&me->need, rec, RELAXED);
	store(&me->resv, h, RELEASE);
	if (!__atomic_compare_exchange_n(&sh->head, &h, h + rec, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return ring_reserve_slow(ring, len, ptr, timeout_ns);
	ring_hook(HOOK_RESERVED);
	store(ring_word(ring, h),
	      SHMDEV_RING_REC(SHMDEV_RING_REC_BUSY, ring->slot, ring->gen, len), RELEASE);
	*ptr = (uint8_t *)ring_word(ring, h) + 8;
	return 0;
}

SHMDEV_PUBLIC
int shmdev_ring_commit(struct shmdev_ring *ring, void *ptr)
{
	struct shmdev_ring_shared *sh;
	uint64_t *hdr, h, off;
	uint32_t *ow, w;

	if (!ring || !ptr)
		return -EINVAL;
	if (ring_foreign(ring))
		return -ECHILD;
	if (ring->slot < 0)
		return -EINVAL;
	sh = ring->sh;
	off = (uint64_t)((uint8_t *)ptr - ring->data);
	if ((uint8_t *)ptr < ring->data + 8 || off > ring->cap || off % 8)
		return -EINVAL;
	hdr = (uint64_t *)ptr - 1;
	h = load(hdr, RELAXED);
	if (SHMDEV_RING_REC_KIND(h) != SHMDEV_RING_REC_BUSY ||
	    SHMDEV_RING_REC_SLOT(h) != (unsigned int)ring->slot ||
	    SHMDEV_RING_REC_GEN(h) != ring->gen)
		return -EINVAL;
	store(hdr, (h & ~(SHMDEV_RING_REC_KIND_MASK << SHMDEV_RING_REC_KIND_SHIFT)) |
		   SHMDEV_RING_REC_COMMIT << SHMDEV_RING_REC_KIND_SHIFT, RELEASE);
	fence();

	/* (A), when the consumer announced a sleep: no call else. */
	w = load(&sh->cons_wait, SEQ_CST) & SHMDEV_RING_CONS_STATE;
	if (w != SHMDEV_RING_CONS_AWAKE && w != SHMDEV_RING_CONS_DONE)
		ring_wake_consumer(ring);
	/* (C) */
	ow = &sh->slots[ring->slot].owner.word;
	w = load(ow, RELAXED);
	while (w & SHMDEV_MUTEX_WAITERS) {
		if (__atomic_compare_exchange_n(ow, &w, w & ~SHMDEV_MUTEX_WAITERS, false,
						__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
			ring_wake(ring, ow, INT_MAX);
			break;
		}
	}
	return 0;
}

SHMDEV_PUBLIC
int shmdev_ring_send(struct shmdev_ring *ring, const void *buf, size_t len,
		     int64_t timeout_ns)
{
	void *p;
	int ret;

	if (!buf && len)
		return -EINVAL;
	ret = shmdev_ring_reserve(ring, len, &p, timeout_ns);
	if (ret)
		return ret;
	if (len)
		memcpy(p, buf, len);
	return shmdev_ring_commit(ring, p);
}

/* ring_space_made() once a producer's bit is set. */
static __attribute__((noinline)) void ring_space_made_slow(struct shmdev_ring *ring, uint64_t t)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint64_t w, used;

	if (!ring_producers_asleep(ring))
		return;
	w = load(&sh->want, RELAXED);
	used = load(&sh->head, RELAXED) - t;
	if (w && used + SHMDEV_RING_WANT_NEED(w) > ring->cap)
		return;
	ring_wake_producers(ring);
}

/*
 * Consumer, having moved the tail to @t: wake sleeping producers once there
 * is room for the first (B). Inline, and no call while no producer's bit is
 * set, as in a ring that is not full.
 */
static inline void ring_space_made(struct shmdev_ring *ring, uint64_t t)
{
	fence();
	if (load(&ring->sh->sleeping, SEQ_CST))
		ring_space_made_slow(ring, t);
}

/*
 * Zero @n bytes (a multiple of 8) at position @t, not wrapping, with
 * stores in line, 16 bytes at a time (aligned to 16 when the data area
 * is, as it is in any region; unaligned stores otherwise). Not memset(): for
 * long records glibc's uses REP STOSB, which a CPU emulator (QEMU's TCG)
 * runs a byte at a time, and a short one is not worth the call. The empty
 * asm keeps the compiler from turning the loop back into memset().
 */
typedef uint64_t ring_v16 __attribute__((vector_size(16), aligned(8), may_alias));

static inline void ring_clear(struct shmdev_ring *ring, uint64_t t, uint64_t n)
{
	uint8_t *p = (uint8_t *)ring_word(ring, t), *end = p + n;
	const ring_v16 zero = { 0, 0 };

	if ((uintptr_t)p & 8 && p < end) {
		store((uint64_t *)p, 0, RELAXED);
		p += 8;
	}
	for (; end - p >= 32; p += 32) {
		((ring_v16 *)p)[0] = zero;
		((ring_v16 *)p)[1] = zero;
		__asm__ __volatile__("" : : "r"(p) : "memory");
	}
	for (; p < end; p += 8)
		store((uint64_t *)p, 0, RELAXED);
}

/*
 * Consumer: clear @n bytes at position @t (not wrapping) and move the tail
 * past them, then (B). `releasing` first: should this process die among
 * the stores that follow, its successor finishes the job.
 */
static inline void ring_advance(struct shmdev_ring *ring, uint64_t t, uint64_t n)
{
	struct shmdev_ring_shared *sh = ring->sh;

	store(&sh->releasing, t + n, RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* in program order */
	ring_hook(HOOK_RELEASING);
	ring_clear(ring, t, n);
	store(&sh->tail, t + n, RELEASE);
	ring_hook(HOOK_ADVANCED);
	ring_space_made(ring, t + n);
}

/* Consumer: drop @n bytes at @t that no live producer will complete. */
static void ring_drop(struct shmdev_ring *ring, uint64_t t, uint64_t n)
{
	struct shmdev_ring_shared *sh = ring->sh;

	store(&sh->dropped, load(&sh->dropped, RELAXED) + 1, RELAXED);
	store(&sh->dropped_bytes, load(&sh->dropped_bytes, RELAXED) + n, RELAXED);
	while (n) {
		uint64_t chunk = ring->cap - (t & ring->mask);

		if (chunk > n)
			chunk = n;
		ring_advance(ring, t, chunk);
		t += chunk;
		n -= chunk;
	}
}

/*
 * Consumer: the tail's header is unwritten and head is beyond it. If every
 * producer that reserved there went away, the bytes from the tail to the
 * first written word: else 0.
 */
static uint64_t ring_orphans(struct shmdev_ring *ring, uint64_t t)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint64_t h = load(&sh->head, SEQ_CST), q, p;
	unsigned int i;

	if (h - t > ring->cap)
		return 0;	/* the caller sees it too: -EBADMSG */
	for (q = t; q < h; q += 8)
		if (load(ring_word(ring, q), RELAXED))
			break;
	if (q == t)
		return 0;
	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++) {
		struct shmdev_ring_slot *s = &sh->slots[i];
		uint64_t resv, need;

		if (!word_alive(load(&s->owner.word, SEQ_CST)))
			continue;
		resv = load(&s->resv, SEQ_CST);
		need = load(&s->need, SEQ_CST);
		if (resv != SHMDEV_RING_RESV_NONE && resv < q && resv + need > t)
			return 0;
	}
	for (p = t; p < q; p += 8)
		if (load(ring_word(ring, p), SEQ_CST))
			return 0;
	return q - t;
}

/*
 * Take the consumer role: -EBUSY while another live consumer has it. From a
 * consumer that died, take its flag, finish the release it began, and wake
 * the producers it may have left waiting, whatever it did before it died.
 */
static int ring_consumer_get(struct shmdev_ring *ring)
{
	struct shmdev_ring_shared *sh = ring->sh;
	uint64_t t, e;
	bool dead;
	int ret;

	if (ring->consumer)
		return 0;
	ret = shmdev_mutex_trylock_as(ring->r, ring_mutex(&sh->consumer), ring->r->handle_id);
	dead = ret == -EOWNERDEAD;
	if (dead)
		ret = shmdev_mutex_consistent_as(ring->r, ring_mutex(&sh->consumer), ring->r->handle_id);
	if (ret == -ENOTRECOVERABLE)
		ret = -EBUSY;
	if (ret)
		return ret;
	ring->consumer = true;
	if (dead) {
		store(&sh->cons_wait, load(&sh->cons_wait, RELAXED) & ~SHMDEV_RING_CONS_STATE, RELAXED);
		t = load(&sh->tail, ACQUIRE);
		e = load(&sh->releasing, RELAXED);
		if (e > t && !((e | t) & 7) && (t & ring->mask) + (e - t) <= ring->cap &&
		    e - t <= load(&sh->head, ACQUIRE) - t)
			ring_advance(ring, t, e - t);
		fence();
		if (ring_producers_asleep(ring))
			ring_wake_producers(ring);
	}
	return 0;
}

/*
 * Consumer: sleep on the owner word of the BUSY record @hdr at position @t
 * until it changes (C). Return: 0 to look again, or -errno.
 */
static int ring_wait_owner(struct shmdev_ring *ring, uint64_t t, uint64_t hdr,
			   uint64_t deadline)
{
	struct shmdev_ring_slot *s = &ring->sh->slots[SHMDEV_RING_REC_SLOT(hdr)];
	uint32_t *ow = &s->owner.word, w = load(ow, ACQUIRE);

	while (!(w & SHMDEV_MUTEX_WAITERS)) {
		if (!word_alive(w))
			return 0;
		if (__atomic_compare_exchange_n(ow, &w, w | SHMDEV_MUTEX_WAITERS, false,
						__ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
			w |= SHMDEV_MUTEX_WAITERS;
	}
	if (!word_alive(w) ||
	    (load(&s->gen, SEQ_CST) & SHMDEV_RING_GEN_MASK) != SHMDEV_RING_REC_GEN(hdr) ||
	    load(ring_word(ring, t), SEQ_CST) != hdr)
		return 0;
	return ring_sleep(ring, ow, w, deadline, 0);
}

/* Peek: the committed record @hdr of @n bytes at @t, checked, is the message. */
static inline int ring_peeked(struct shmdev_ring *ring, uint64_t t, uint64_t hdr,
			      uint64_t n, void **ptr, size_t *len)
{
	ring->peeked = true;
	ring->peek_pos = t;
	ring->peek_size = n;
	*ptr = (uint8_t *)ring_word(ring, t) + 8;
	*len = SHMDEV_RING_REC_LEN(hdr);
	return 0;
}

static __attribute__((noinline))
int ring_peek_slow(struct shmdev_ring *ring, void **ptr, size_t *len,
		   int64_t timeout_ns)
{
	struct shmdev_ring_shared *sh;
	uint64_t deadline = 0;
	bool have = false;
	int ret;

	if (!ring || !ptr || !len || timeout_ns < -1)
		return -EINVAL;
	if (ring_foreign(ring))
		return -ECHILD;
	ret = ring_consumer_get(ring);
	if (ret)
		return ret;
	sh = ring->sh;

	for (;;) {
		uint64_t t = load(&sh->tail, RELAXED), off = t & ring->mask;
		uint64_t hdr, n, h;
		bool orphans;
		uint32_t g;

		if (t & 7)
			return -EBADMSG;
		hdr = load(ring_word(ring, t), ACQUIRE);

		switch (SHMDEV_RING_REC_KIND(hdr)) {
		case SHMDEV_RING_REC_COMMIT:
			n = align8(8 + SHMDEV_RING_REC_LEN(hdr));
			if (off + n > ring->cap)
				return -EBADMSG;
			return ring_peeked(ring, t, hdr, n, ptr, len);
		case SHMDEV_RING_REC_PAD:
			if (off + 8 + SHMDEV_RING_REC_LEN(hdr) != ring->cap)
				return -EBADMSG;
			ring_advance(ring, t, ring->cap - off);
			continue;
		case SHMDEV_RING_REC_BUSY:
			n = align8(8 + SHMDEV_RING_REC_LEN(hdr));
			if (off + n > ring->cap)
				return -EBADMSG;
			if (!slot_alive(ring, SHMDEV_RING_REC_SLOT(hdr), SHMDEV_RING_REC_GEN(hdr))) {
				ring_drop(ring, t, n);
				continue;
			}
			if (!timeout_ns)
				return -ETIMEDOUT;
			ret = ring_deadline(timeout_ns, &deadline, &have);
			if (!ret)
				ret = ring_wait_owner(ring, t, hdr, deadline);
			if (ret)
				return ret;
			continue;
		}
		if (hdr)
			return -EBADMSG;

		/* Nothing written at the tail: empty, or a reservation in progress. */
		/* The tail is the consumer's own: it stood still. */
		h = load(&sh->head, ACQUIRE);
		if ((h & 7) || h - t > ring->cap)
			return -EBADMSG;
		orphans = h != t;
		if (orphans) {
			n = ring_orphans(ring, t);
			if (n) {
				ring_drop(ring, t, n);
				continue;
			}
		}
		if (!timeout_ns)
			return -ETIMEDOUT;
		ret = ring_deadline(timeout_ns, &deadline, &have);
		if (ret)
			return ret;
		/* (A): announce, check again, sleep. */
		g = (load(&sh->cons_wait, RELAXED) & ~SHMDEV_RING_CONS_STATE) +
		    SHMDEV_RING_CONS_STATE + 1;
		store(&sh->cons_wait, g | SHMDEV_RING_CONS_ASLEEP, SEQ_CST);
		fence();
		if (load(ring_word(ring, t), SEQ_CST) ||
		    (!orphans && load(&sh->head, SEQ_CST) != t)) {
			store(&sh->cons_wait, g | SHMDEV_RING_CONS_AWAKE, RELAXED);
			continue;
		}
		ret = ring_sleep(ring, &sh->cons_wait, g | SHMDEV_RING_CONS_ASLEEP, deadline,
				 orphans ? RECHECK_NS : 0);
		store(&sh->cons_wait, g | SHMDEV_RING_CONS_AWAKE, RELAXED);
		if (ret && ret != -EAGAIN)
			return ret;
	}
}

/* The fast path: the consumer's, a committed message at the tail. */
SHMDEV_PUBLIC
int shmdev_ring_peek(struct shmdev_ring *ring, void **ptr, size_t *len,
		     int64_t timeout_ns)
{
	uint64_t t, hdr, n;

	if (!ring || !ptr || !len || timeout_ns < -1 || ring_foreign(ring) || !ring->consumer)
		return ring_peek_slow(ring, ptr, len, timeout_ns);
	t = load(&ring->sh->tail, RELAXED);
	if (t & 7)
		return ring_peek_slow(ring, ptr, len, timeout_ns);
	hdr = load(ring_word(ring, t), ACQUIRE);
	n = align8(8 + SHMDEV_RING_REC_LEN(hdr));
	if (SHMDEV_RING_REC_KIND(hdr) != SHMDEV_RING_REC_COMMIT ||
	    (t & ring->mask) + n > ring->cap)
		return ring_peek_slow(ring, ptr, len, timeout_ns);
	return ring_peeked(ring, t, hdr, n, ptr, len);
}

SHMDEV_PUBLIC
int shmdev_ring_release(struct shmdev_ring *ring)
{
	struct shmdev_ring_shared *sh;
	uint64_t t;

	if (!ring)
		return -EINVAL;
	if (ring_foreign(ring))
		return -ECHILD;
	if (!ring->peeked)
		return -EINVAL;
	sh = ring->sh;
	t = load(&sh->tail, RELAXED);
	/* Only the consumer moves the tail: a peer wrote it. Clear nothing. */
	if (t != ring->peek_pos)
		return -EBADMSG;
	ring->peeked = false;
	store(&sh->received, load(&sh->received, RELAXED) + 1, RELAXED);
	ring_advance(ring, t, ring->peek_size);
	return 0;
}

SHMDEV_PUBLIC
int shmdev_ring_recv(struct shmdev_ring *ring, void *buf, size_t cap,
		     int64_t timeout_ns)
{
	size_t len;
	void *p;
	int ret;

	if (!buf && cap)
		return -EINVAL;
	ret = shmdev_ring_peek(ring, &p, &len, timeout_ns);
	if (ret)
		return ret;
	if (len > cap)
		return -EMSGSIZE;
	if (len)
		memcpy(buf, p, len);
	ret = shmdev_ring_release(ring);
	return ret ? ret : (int)len;
}

SHMDEV_PUBLIC
int shmdev_ring_stat(struct shmdev_ring *ring, struct shmdev_ring_stat *st)
{
	struct shmdev_ring_shared *sh;
	uint64_t tail;
	unsigned int i;

	if (!ring || !st)
		return -EINVAL;
	sh = ring->sh;
	memset(st, 0, sizeof(*st));
	st->capacity = ring->cap;
	st->max_msg = ring->cap / 2 - 8;
	tail = load(&sh->tail, ACQUIRE);
	st->used = load(&sh->head, ACQUIRE) - tail;
	st->received = load(&sh->received, RELAXED);
	st->dropped = load(&sh->dropped, RELAXED);
	st->dropped_bytes = load(&sh->dropped_bytes, RELAXED);
	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++)
		st->producers += word_alive(load(&sh->slots[i].owner.word, RELAXED));
	st->consumer = word_alive(load(&sh->consumer.word, RELAXED));
	return 0;
}

SHMDEV_PUBLIC
int shmdev_ring_close(struct shmdev_ring *ring)
{
	int ret = 0, ret2;

	if (!ring)
		return -EINVAL;
	/* A child frees its copy of its parent's view and releases nothing. */
	if (ring_foreign(ring)) {
		free(ring);
		return 0;
	}
	ret = ring_slot_put(ring);
	if (ring->consumer) {
		ret2 = shmdev_mutex_unlock_as(ring->r, ring_mutex(&ring->sh->consumer),
					      ring->r->handle_id);
		if (!ret)
			ret = ret2;
	}
	free(ring);
	return ret;
}
