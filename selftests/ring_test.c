// SPDX-License-Identifier: GPL-2.0
/*
 * ring_test: the message ring: errors, order, wrap-around, blocking without
 * spinning or needless system calls, timeouts, many producers in their own
 * processes, and producers or a consumer killed at every step of a message.
 *
 * SHMDEV_RING_MSGS and SHMDEV_RING_BIG set the size of the stress test
 * (default 1,000,000 messages of 1 B-4 KiB plus 1,000 of up to 1 MiB).
 */
#include <sys/resource.h>

#include "common.h"

#define NPROD		3
#define SMALL_MAX	4096
#define BIG_MAX		(1024 * 1024)
#define RING_OFF	4096	/* the ring follows a page of test results */
#define MS		1000000LL
#define SEC		1000000000LL

/*
 * The library's fault injection point (lib/ring.c), in its test build only
 * (libshmdev-test.a, which this program links; selftests.mk).
 */
extern void (*shmdev_ring_test_hook)(int point);
enum { HOOK_RESERVED = 1, HOOK_PADDED = 2, HOOK_RELEASING = 3, HOOK_ADVANCED = 4,
       HOOK_WAKING_CONSUMER = 5, HOOK_WAKING_PRODUCERS = 6 };

struct results {
	uint64_t sum[NPROD];	/* each producer's checksum of what it sent */
	uint64_t sent[NPROD];
	uint64_t cpu_us;	/* a child's CPU time while it was blocked */
	uint64_t blocked_ns;	/* and the time it was blocked */
};

/*
 * The messages of producer p: lengths and bytes follow from (p, index), so
 * the consumer can tell what it should have received. Byte 0 is p.
 */
struct stream {
	unsigned int p;
	uint64_t i, nr, nr_big, sum;
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t msg_len(const struct stream *s)
{
	uint64_t r = mix((uint64_t)s->p << 56 ^ s->i);

	if (s->nr_big && (s->i + 1) * s->nr_big / s->nr != s->i * s->nr_big / s->nr)
		return SMALL_MAX + 1 + r % (BIG_MAX - SMALL_MAX);
	return 1 + r % SMALL_MAX;
}

static uint64_t len_mask(size_t len, size_t k)
{
	size_t left = len - k * 8;

	return left >= 8 ? ~0ULL : (1ULL << (left * 8)) - 1;
}

/* Write message s->i (whole words: @dst has room for len rounded up to 8). */
static void msg_fill(struct stream *s, void *dst, size_t len)
{
	uint64_t x = mix((uint64_t)s->p << 56 ^ s->i ^ 0x5555) | 1, h = 0, *w = dst;
	size_t k, n = (len + 7) / 8;

	for (k = 0; k < n; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		w[k] = k ? x : (x & ~0xffULL) | s->p;
		h = h * 31 + (w[k] & len_mask(len, k));
	}
	s->sum = s->sum * 1000003 + h;
	s->i++;
}

/* Is @src message s->i? Adds it to the stream's checksum and moves on. */
static bool msg_check(struct stream *s, const void *src, size_t len)
{
	uint64_t x = mix((uint64_t)s->p << 56 ^ s->i ^ 0x5555) | 1, h = 0, e;
	const uint64_t *w = src;
	size_t k, n = (len + 7) / 8;
	bool ok = len == msg_len(s);

	for (k = 0; ok && k < n; k++) {
		uint64_t m = len_mask(len, k), got = w[k] & m;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		e = k ? x : (x & ~0xffULL) | s->p;
		ok = got == (e & m);
		h = h * 31 + got;
	}
	s->sum = s->sum * 1000003 + h;
	s->i++;
	return ok;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

FIXTURE(ring) {
	struct test_names names;
	const char *name;
	struct shmdev_region *r;
	struct shmdev_ring *ring;
	struct results *res;
};

FIXTURE_SETUP(ring)
{
	self->names.nr = 0;
	self->r = NULL;
	self->ring = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SKIP(return, "no /dev/shmdev: module not loaded");
}

FIXTURE_TEARDOWN(ring)
{
	if (self->ring)
		shmdev_ring_close(self->ring);
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* A region with a page of results and a ring of @cap bytes after it. */
static int make_ring(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self,
		     uint64_t cap)
{
	int ret;

	self->name = new_name(&self->names, "ring");
	ret = shmdev_open(self->name, RING_OFF + SHMDEV_RING_HEADER + cap,
			  SHMDEV_CREAT | SHMDEV_EXCL, 0600, &self->r);
	if (!ret)
		ret = shmdev_ring_init(self->r, RING_OFF, SHMDEV_RING_HEADER + cap);
	if (!ret)
		ret = shmdev_ring_attach(self->r, RING_OFF, &self->ring);
	self->res = self->r ? shmdev_addr(self->r) : NULL;
	return ret;
}

/* In a child: a handle and a view of the ring of its own; exits on failure. */
static struct shmdev_ring *child_ring(const char *name, struct shmdev_region **rp)
{
	struct shmdev_region *r;
	struct shmdev_ring *ring;

	if (shmdev_open(name, 0, 0, 0, &r))
		_exit(90);
	if (shmdev_ring_attach(r, RING_OFF, &ring))
		_exit(91);
	if (rp)
		*rp = r;
	return ring;
}

static struct shmdev_ring_stat ring_stat(struct shmdev_ring *ring)
{
	struct shmdev_ring_stat st;

	if (shmdev_ring_stat(ring, &st))
		abort();
	return st;
}

/*
 * A peer that writes bad positions into the ring's control data (head or
 * tail not a multiple of 8, or the tail ahead of the head) gets -EBADMSG
 * from every producer and the consumer: no store or load crosses the end of
 * the data area (the region ends there, so one would fault).
 */
static void set_positions(FIXTURE_DATA(ring) *self, uint64_t head, uint64_t tail)
{
	uint8_t *ctl = (uint8_t *)shmdev_addr(self->r) + RING_OFF;

	*(volatile uint64_t *)(ctl + SHMDEV_RING_OFF_HEAD) = head;
	*(volatile uint64_t *)(ctl + SHMDEV_RING_OFF_TAIL) = tail;
}

/*
 * One reserve (@consume false) or peek (true), timeout 0, on a view of a
 * child's own: its result. In a child, so that a fault is a failed test,
 * not a crash of the test. A peek is made twice, and the second's result
 * returned: the first takes the consumer role, the second runs as every
 * later peek does, with the role held.
 */
static int ring_call_in_child(const char *name, bool consume)
{
	pid_t pid = fork();

	if (!pid) {
		struct shmdev_ring *ring = child_ring(name, NULL);
		size_t len;
		void *p;

		if (consume)
			shmdev_ring_peek(ring, &p, &len, 0);
		_exit(-(consume ? shmdev_ring_peek(ring, &p, &len, 0) :
			shmdev_ring_reserve(ring, 8, &p, 0)));
	}
	return pid < 0 ? -errno : -wait_exit(pid);
}

#define reserve_in_child(name)	ring_call_in_child(name, false)
#define peek_in_child(name)	ring_call_in_child(name, true)

TEST_F(ring, peer_written_bad_positions_ebadmsg)
{
	const uint64_t cap = SHMDEV_RING_MIN_CAPACITY;

	ASSERT_EQ(0, make_ring(_metadata, self, cap));
	/* Misaligned, 4 bytes before the end of the data area. */
	set_positions(self, 3 * cap - 4, 3 * cap - 4);
	EXPECT_EQ(-EBADMSG, reserve_in_child(self->name));
	EXPECT_EQ(-EBADMSG, peek_in_child(self->name));
	/* The tail ahead of the head. */
	set_positions(self, cap, 2 * cap);
	EXPECT_EQ(-EBADMSG, reserve_in_child(self->name));
	EXPECT_EQ(-EBADMSG, peek_in_child(self->name));
	/* The head more than the capacity ahead. */
	set_positions(self, 3 * cap, cap);
	EXPECT_EQ(-EBADMSG, reserve_in_child(self->name));
	EXPECT_EQ(-EBADMSG, peek_in_child(self->name));
	/* Put right, the ring works again. */
	set_positions(self, cap, cap);
	EXPECT_EQ(0, reserve_in_child(self->name));
}

/*
 * A peer that moves the tail between the consumer's peek and its release
 * makes the release -EBADMSG with nothing cleared: not at the misaligned
 * tail it wrote, nor past the end of the data area, where the region ends
 * (a store there would fault). Put back, the release goes through. In a
 * child, so that a fault is a failed test.
 */
TEST_F(ring, tail_moved_before_release_ebadmsg)
{
	const uint64_t cap = SHMDEV_RING_MIN_CAPACITY;
	uint8_t *ctl;
	pid_t pid;

	ASSERT_EQ(0, make_ring(_metadata, self, cap));
	ctl = (uint8_t *)shmdev_addr(self->r) + RING_OFF;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		volatile uint64_t *tail = (uint64_t *)(ctl + SHMDEV_RING_OFF_TAIL);
		struct shmdev_ring *ring = child_ring(self->name, NULL);
		uint64_t msg[4] = { 1, 2, 3, 4 }, t;
		size_t len;
		void *p;

		if (shmdev_ring_send(ring, msg, sizeof(msg), 0) ||
		    shmdev_ring_peek(ring, &p, &len, 0))
			_exit(92);
		t = *tail;
		*tail = t + 4;
		if (shmdev_ring_release(ring) != -EBADMSG)
			_exit(93);
		*tail = t + cap - 8;
		if (shmdev_ring_release(ring) != -EBADMSG)
			_exit(94);
		*tail = t;
		if (memcmp(p, msg, sizeof(msg)))
			_exit(95);
		_exit(shmdev_ring_release(ring) ? 96 : 0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * A view belongs to the process that attached it: a forked child gets
 * -ECHILD from its parent's view (which would share the parent's producer
 * slot), its close releases nothing of the parent's, and a view it attaches
 * itself works.
 */
TEST_F(ring, view_used_after_fork_echild)
{
	char buf[16];
	pid_t pid;
	void *p;
	size_t len;

	ASSERT_EQ(0, make_ring(_metadata, self, SHMDEV_RING_MIN_CAPACITY));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, "parent", 7, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *own;
		struct shmdev_region *r;

		CHILD_ASSERT_EQ(-ECHILD, shmdev_ring_reserve(self->ring, 8, &p, 0));
		CHILD_ASSERT_EQ(-ECHILD, shmdev_ring_send(self->ring, "x", 1, 0));
		CHILD_ASSERT_EQ(-ECHILD, shmdev_ring_peek(self->ring, &p, &len, 0));
		CHILD_ASSERT_EQ(-ECHILD, shmdev_ring_release(self->ring));
		CHILD_ASSERT_EQ(0, shmdev_ring_close(self->ring));
		own = child_ring(self->name, &r);
		CHILD_ASSERT_EQ(0, shmdev_ring_send(own, "child", 6, 0));
		CHILD_ASSERT_EQ(0, shmdev_ring_close(own));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	/* The parent's view, slot and messages are as they were. */
	EXPECT_EQ(7, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_STREQ("parent", buf);
	EXPECT_EQ(6, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_STREQ("child", buf);
	EXPECT_EQ(0, shmdev_ring_send(self->ring, "again", 6, 0));
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
}

TEST_F(ring, init_and_attach_errors)
{
	struct shmdev_region *ro;
	struct shmdev_ring *ring;
	struct shmdev_ring_stat st;
	uint64_t sz;

	ASSERT_EQ(0, make_ring(_metadata, self, 64 * 1024));
	sz = shmdev_size(self->r);
	EXPECT_EQ(-EINVAL, shmdev_ring_init(NULL, 0, sz));
	EXPECT_EQ(-EINVAL, shmdev_ring_init(self->r, 8, SHMDEV_RING_HEADER + 4096));
	EXPECT_EQ(-EINVAL, shmdev_ring_init(self->r, 0, SHMDEV_RING_HEADER + 4095));
	EXPECT_EQ(-EINVAL, shmdev_ring_init(self->r, 0, sz + 1));
	EXPECT_EQ(-EINVAL, shmdev_ring_init(self->r, sz, 0));
	EXPECT_EQ(-EINVAL, shmdev_ring_init(self->r, 4096, sz));
	/* Nothing formatted at offset 0 (the results page). */
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, 0, &ring));
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, 64, NULL));
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, 100, &ring));
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, sz, &ring));

	ASSERT_EQ(0, shmdev_open(self->name, 0, SHMDEV_RDONLY, 0, &ro));
	EXPECT_EQ(-EACCES, shmdev_ring_init(ro, RING_OFF, SHMDEV_RING_HEADER + 4096));
	EXPECT_EQ(-EACCES, shmdev_ring_attach(ro, RING_OFF, &ring));
	shmdev_close(ro);

	/* The data area is the largest power of two that fits. */
	ASSERT_EQ(0, shmdev_ring_stat(self->ring, &st));
	EXPECT_EQ(64 * 1024, st.capacity);
	EXPECT_EQ(32 * 1024 - 8, st.max_msg);
	EXPECT_EQ(0, st.used);
	EXPECT_EQ(0, st.producers);
	EXPECT_EQ(0, st.consumer);
	EXPECT_EQ(-EINVAL, shmdev_ring_stat(self->ring, NULL));
	EXPECT_EQ(-EINVAL, shmdev_ring_close(NULL));
}

TEST_F(ring, send_recv_peek_release)
{
	uint64_t buf[64];
	struct shmdev_ring_stat st;
	size_t len;
	void *p, *q;
	int i;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	ASSERT_EQ(0, shmdev_ring_stat(self->ring, &st));
	EXPECT_EQ(4096, st.capacity);
	EXPECT_EQ(2040, st.max_msg);

	EXPECT_EQ(0, shmdev_ring_send(self->ring, "hello", 5, 0));
	EXPECT_EQ(0, shmdev_ring_send(self->ring, "", 0, 0));
	EXPECT_EQ(0, shmdev_ring_send(self->ring, "world!!", 7, 0));
	ASSERT_EQ(0, shmdev_ring_stat(self->ring, &st));
	EXPECT_EQ(16 + 8 + 16, st.used);
	EXPECT_EQ(1, st.producers);

	/* Too small a buffer: the message stays. */
	EXPECT_EQ(-EMSGSIZE, shmdev_ring_recv(self->ring, buf, 4, 0));
	EXPECT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(5, len);
	EXPECT_EQ(0, memcmp(p, "hello", 5));
	/* Peek again: the same message. */
	EXPECT_EQ(0, shmdev_ring_peek(self->ring, &q, &len, 0));
	EXPECT_EQ(p, q);
	EXPECT_EQ(0, shmdev_ring_release(self->ring));
	EXPECT_EQ(-EINVAL, shmdev_ring_release(self->ring));
	EXPECT_EQ(0, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(7, shmdev_ring_recv(self->ring, buf, 7, 0));
	EXPECT_EQ(0, memcmp(buf, "world!!", 7));
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(1, ring_stat(self->ring).consumer);
	EXPECT_EQ(3, ring_stat(self->ring).received);
	EXPECT_EQ(0, ring_stat(self->ring).used);

	/* Sizes: the largest message fits, one byte more does not. */
	EXPECT_EQ(-EMSGSIZE, shmdev_ring_reserve(self->ring, 2041, &p, 0));
	EXPECT_EQ(-EMSGSIZE, shmdev_ring_send(self->ring, buf, 1 << 20, 0));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, shmdev_ring_reserve(self->ring, 2040, &p, 0));
		memset(p, 'a' + i, 2040);
		ASSERT_EQ(0, shmdev_ring_commit(self->ring, p));
		ASSERT_EQ(0, shmdev_ring_peek(self->ring, &q, &len, 0));
		EXPECT_EQ(2040, len);
		EXPECT_EQ('a' + i, ((char *)q)[2039]);
		ASSERT_EQ(0, shmdev_ring_release(self->ring));
	}

	/* Bad arguments. */
	EXPECT_EQ(-EINVAL, shmdev_ring_commit(self->ring, buf));
	EXPECT_EQ(-EINVAL, shmdev_ring_commit(self->ring, NULL));
	EXPECT_EQ(-EINVAL, shmdev_ring_send(self->ring, NULL, 1, 0));
	EXPECT_EQ(-EINVAL, shmdev_ring_reserve(self->ring, 1, &p, -2));
	EXPECT_EQ(-EINVAL, shmdev_ring_peek(self->ring, &p, NULL, 0));
	EXPECT_EQ(-EINVAL, shmdev_ring_peek(NULL, &p, &len, 0));
	/* A committed message cannot be committed again. */
	ASSERT_EQ(0, shmdev_ring_reserve(self->ring, 8, &p, 0));
	EXPECT_EQ(0, shmdev_ring_commit(self->ring, p));
	EXPECT_EQ(-EINVAL, shmdev_ring_commit(self->ring, p));
	EXPECT_EQ(8, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
}

TEST_F(ring, reservations_commit_out_of_order)
{
	struct shmdev_region *r2;
	struct shmdev_ring *other;
	void *a, *b, *c, *p;
	size_t len;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r2));
	ASSERT_EQ(0, shmdev_ring_attach(r2, RING_OFF, &other));

	ASSERT_EQ(0, shmdev_ring_reserve(self->ring, 3, &a, 0));
	ASSERT_EQ(0, shmdev_ring_reserve(other, 3, &b, 0));
	ASSERT_EQ(0, shmdev_ring_reserve(self->ring, 3, &c, 0));
	memcpy(a, "AAA", 3), memcpy(b, "BBB", 3), memcpy(c, "CCC", 3);
	/* Another producer's reservation cannot be committed by us. */
	EXPECT_EQ(-EINVAL, shmdev_ring_commit(self->ring, (char *)b - (char *)shmdev_addr(r2) +
					      (char *)shmdev_addr(self->r)));
	EXPECT_EQ(0, shmdev_ring_commit(self->ring, c));
	EXPECT_EQ(0, shmdev_ring_commit(other, b));
	/* The first reservation is not committed: nothing to read yet. */
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_peek(self->ring, &p, &len, 20 * MS));
	EXPECT_EQ(0, shmdev_ring_commit(self->ring, a));
	ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(0, memcmp(p, "AAA", 3));
	ASSERT_EQ(0, shmdev_ring_release(self->ring));
	ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(0, memcmp(p, "BBB", 3));
	ASSERT_EQ(0, shmdev_ring_release(self->ring));
	ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(0, memcmp(p, "CCC", 3));
	ASSERT_EQ(0, shmdev_ring_release(self->ring));
	EXPECT_EQ(0, ring_stat(self->ring).dropped);

	/* One consumer at a time. */
	EXPECT_EQ(-EBUSY, shmdev_ring_peek(other, &p, &len, 0));
	EXPECT_EQ(2, ring_stat(other).producers);
	/* A producer that detaches gives its slot back. */
	EXPECT_EQ(0, shmdev_ring_close(other));
	EXPECT_EQ(1, ring_stat(self->ring).producers);
	shmdev_close(r2);
}

/* Every length through a small ring: padding at the end, in order, intact. */
TEST_F(ring, wrap_around_in_order)
{
	struct stream tx = { .p = 1, .nr = 1 }, rx = { .p = 1, .nr = 1 };
	uint64_t buf[SMALL_MAX / 8 + 1];
	struct shmdev_stat st0, st1;
	int64_t i, sent = 0, got = 0;
	size_t len;
	void *p;

	ASSERT_EQ(0, make_ring(_metadata, self, 32768));
	st0 = region_stat(self->r);
	for (i = 0; i < 20000; i++) {
		/* Up to four in flight, so the tail meets the end in every state. */
		while (sent - got < 1 + i % 4) {
			len = msg_len(&tx);
			if (sent % 2) {
				ASSERT_EQ(0, shmdev_ring_reserve(self->ring, len, &p, 0));
				msg_fill(&tx, p, len);
				ASSERT_EQ(0, shmdev_ring_commit(self->ring, p));
			} else {
				msg_fill(&tx, buf, len);
				ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, len, 0));
			}
			sent++;
		}
		if (got % 2) {
			ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
			ASSERT_TRUE(msg_check(&rx, p, len));
			ASSERT_EQ(0, shmdev_ring_release(self->ring));
		} else {
			int n = shmdev_ring_recv(self->ring, buf, sizeof(buf), 0);

			ASSERT_LT(0, n);
			ASSERT_TRUE(msg_check(&rx, buf, n));
		}
		got++;
	}
	while (got < sent) {
		ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
		ASSERT_TRUE(msg_check(&rx, p, len));
		ASSERT_EQ(0, shmdev_ring_release(self->ring));
		got++;
	}
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(tx.sum, rx.sum);
	/* One process, never asleep: not one system call. */
	st1 = region_stat(self->r);
	EXPECT_EQ(st0.waits, st1.waits);
	EXPECT_EQ(st0.wakes, st1.wakes);
}

/* Neither empty nor full: producer and consumer in two processes, no system call. */
TEST_F(ring, no_syscalls_while_neither_empty_nor_full)
{
	struct shmdev_stat st0, st1;
	uint64_t buf[16];
	pid_t pid;
	int i, rounds;

	ASSERT_EQ(0, make_ring(_metadata, self, 1 << 20));
	st0 = region_stat(self->r);
	for (rounds = 0; rounds < 20; rounds++) {
		/* Producer process: 1,000 messages, never more than half the ring. */
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct shmdev_ring *ring = child_ring(self->name, NULL);

			for (i = 0; i < 1000; i++) {
				buf[0] = rounds * 1000 + i;
				if (shmdev_ring_send(ring, buf, 100, 0))
					_exit(1);
			}
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(pid));
		for (i = 0; i < 1000; i++) {
			ASSERT_EQ(100, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
			ASSERT_EQ(rounds * 1000 + i, buf[0]);
		}
	}
	st1 = region_stat(self->r);
	EXPECT_EQ(st0.waits, st1.waits);
	EXPECT_EQ(st0.wakes, st1.wakes);
	EXPECT_EQ(20000, ring_stat(self->ring).received);
}

/*
 * A consumer blocked on an empty ring sleeps (its CPU time stays flat)
 * until a message comes, and is woken by one wake call.
 */
TEST_F(ring, empty_ring_blocks_and_wakes)
{
	struct shmdev_stat st0, st1;
	uint64_t buf[4];
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	/* Timeouts: never early, 0 does not sleep. */
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 100 * MS));
	EXPECT_LE(100 * MS, now_ns() - t0);
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	shmdev_ring_close(self->ring);
	self->ring = NULL;

	st0 = region_stat(self->r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);
		uint64_t c0;
		int64_t b0;

		/* Fault the mapping in first: only the sleep is measured. */
		CHILD_ASSERT_EQ(-ETIMEDOUT, shmdev_ring_recv(ring, buf, sizeof(buf), 0));
		c0 = cpu_us();
		b0 = now_ns();
		CHILD_ASSERT_EQ(8, shmdev_ring_recv(ring, buf, sizeof(buf), 60 * SEC));
		self->res->cpu_us = cpu_us() - c0;
		self->res->blocked_ns = now_ns() - b0;
		CHILD_ASSERT_EQ(42, buf[0]);
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > st0.waits, 20000));
	usleep(500000);
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	buf[0] = 42;
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 8, 0));
	EXPECT_EQ(0, wait_exit(pid));
	st1 = region_stat(self->r);
	TH_LOG("consumer blocked %lld ms using %llu us of CPU; %llu waits, %llu wakes",
	       (long long)self->res->blocked_ns / MS, (unsigned long long)self->res->cpu_us,
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.wakes - st0.wakes));
	EXPECT_LE(500 * MS, self->res->blocked_ns);
	EXPECT_GT(50000, self->res->cpu_us);
	EXPECT_EQ(1, st1.waits - st0.waits);
	EXPECT_EQ(1, st1.wakes - st0.wakes);
}

/* A producer blocked on a full ring sleeps until the consumer makes room. */
TEST_F(ring, full_ring_blocks_and_wakes)
{
	struct shmdev_stat st0, st1;
	uint64_t buf[128];
	int64_t t0;
	pid_t pid;
	int i, n;
	void *p;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	/* Fill it: 4096 / (8 + 1016) = 4 messages. */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 1016, 0));
	EXPECT_EQ(4096, ring_stat(self->ring).used);
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_send(self->ring, buf, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_reserve(self->ring, 1, &p, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_send(self->ring, buf, 1, 100 * MS));
	EXPECT_LE(100 * MS, now_ns() - t0);

	st0 = region_stat(self->r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);
		uint64_t c0;
		int64_t b0;

		CHILD_ASSERT_EQ(-ETIMEDOUT, shmdev_ring_send(ring, buf, 1016, 0));
		c0 = cpu_us();
		b0 = now_ns();
		for (i = 0; i < 8; i++) {
			buf[0] = i;
			CHILD_ASSERT_EQ(0, shmdev_ring_send(ring, buf, 1016, 60 * SEC));
			if (!i) {
				self->res->cpu_us = cpu_us() - c0;
				self->res->blocked_ns = now_ns() - b0;
			}
		}
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > st0.waits, 20000));
	usleep(500000);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1016, shmdev_ring_recv(self->ring, buf, sizeof(buf), 60 * SEC));
	for (i = 0; i < 8; i++) {
		n = shmdev_ring_recv(self->ring, buf, sizeof(buf), 60 * SEC);
		ASSERT_EQ(1016, n);
		EXPECT_EQ(i, buf[0]);
	}
	EXPECT_EQ(0, wait_exit(pid));
	st1 = region_stat(self->r);
	TH_LOG("producer blocked %lld ms using %llu us of CPU; %llu waits, %llu wakes",
	       (long long)self->res->blocked_ns / MS, (unsigned long long)self->res->cpu_us,
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.wakes - st0.wakes));
	EXPECT_LE(500 * MS, self->res->blocked_ns);
	EXPECT_GT(50000, self->res->cpu_us);
	/* At most one sleep and one wake per message on each side. */
	EXPECT_LE(1, st1.waits - st0.waits);
	EXPECT_GE(16, st1.waits - st0.waits);
	EXPECT_GE(16, st1.wakes - st0.wakes);
}

/* Producer p of the stress test: n messages, every third one copied with send. */
static void stress_producer(const char *name, struct results *res, unsigned int p,
			    uint64_t nr, uint64_t nr_big)
{
	struct stream s = { .p = p, .nr = nr, .nr_big = nr_big };
	struct shmdev_ring *ring = child_ring(name, NULL);
	uint64_t *buf = malloc(BIG_MAX + 8);
	size_t len;
	void *ptr;

	if (!buf)
		_exit(92);
	while (s.i < nr) {
		len = msg_len(&s);
		if (s.i % 3 == 2) {
			msg_fill(&s, buf, len);
			if (shmdev_ring_send(ring, buf, len, 120 * SEC))
				_exit(93);
		} else {
			if (shmdev_ring_reserve(ring, len, &ptr, 120 * SEC))
				_exit(94);
			msg_fill(&s, ptr, len);
			if (shmdev_ring_commit(ring, ptr))
				_exit(95);
		}
	}
	res->sum[p] = s.sum;
	res->sent[p] = s.i;
	shmdev_ring_close(ring);
	_exit(0);
}

/*
 * 1,000,000 messages of 1 B-4 KiB and 1,000 of up to 1 MiB from three
 * producer processes to one consumer: all arrive, whole, in each producer's
 * order, and the checksums agree.
 */
TEST_F_TIMEOUT(ring, three_producers_one_consumer, 1800)
{
	uint64_t nr_small = env_u64("SHMDEV_RING_MSGS", 1000000);
	uint64_t nr_big = env_u64("SHMDEV_RING_BIG", 1000);
	struct stream rx[NPROD];
	struct shmdev_stat st0, st1;
	uint64_t *buf, bytes = 0, total = 0, got = 0;
	pid_t pids[NPROD];
	int64_t t0, t;
	unsigned int p;
	size_t len;
	void *ptr;

	ASSERT_EQ(0, make_ring(_metadata, self, 4 << 20));
	buf = malloc(BIG_MAX + 8);
	ASSERT_NE(NULL, buf);
	st0 = region_stat(self->r);
	t0 = now_ns();
	for (p = 0; p < NPROD; p++) {
		uint64_t n = nr_small / NPROD + (p < nr_small % NPROD);
		uint64_t b = nr_big / NPROD + (p < nr_big % NPROD);

		rx[p] = (struct stream){ .p = p, .nr = n + b, .nr_big = b };
		total += n + b;
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p])
			stress_producer(self->name, self->res, p, n + b, b);
	}
	while (got < total) {
		int n;

		if (got % 4 == 3) {
			n = shmdev_ring_recv(self->ring, buf, BIG_MAX + 8, 120 * SEC);
			ASSERT_LE(1, n);
			ptr = buf;
			len = n;
		} else {
			ASSERT_EQ(0, shmdev_ring_peek(self->ring, &ptr, &len, 120 * SEC));
		}
		p = *(uint8_t *)ptr;
		ASSERT_GT(NPROD, p);
		ASSERT_LT(rx[p].i, rx[p].nr);
		if (!msg_check(&rx[p], ptr, len)) {
			TH_LOG("producer %u message %llu: %zu bytes, wrong", p,
			       (unsigned long long)rx[p].i - 1, len);
			ASSERT_TRUE(0);
		}
		if (got % 4 != 3)
			ASSERT_EQ(0, shmdev_ring_release(self->ring));
		bytes += len;
		got++;
	}
	t = now_ns() - t0;
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_peek(self->ring, &ptr, &len, 0));
	for (p = 0; p < NPROD; p++) {
		EXPECT_EQ(0, wait_exit(pids[p]));
		EXPECT_EQ(rx[p].nr, self->res->sent[p]);
		EXPECT_EQ(rx[p].sum, self->res->sum[p]);
	}
	st1 = region_stat(self->r);
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
	EXPECT_EQ(total, ring_stat(self->ring).received);
	TH_LOG("%llu messages, %llu MiB in %lld ms (%.0f msg/s, %.1f MiB/s); %llu waits, %llu wakes",
	       (unsigned long long)total, (unsigned long long)(bytes >> 20),
	       (long long)(t / MS), total * 1e9 / t, (bytes >> 20) * 1e9 / t,
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.wakes - st0.wakes));
	/*
	 * How often the consumer found the ring empty depends on the scheduler
	 * (on PREEMPT_RT a woken consumer runs at once and drains the ring one
	 * message at a time), so the wait count is reported, not asserted;
	 * no_syscalls_while_neither_empty_nor_full asserts the property itself.
	 */
	free(buf);
}

/*
 * Producer that sends @before whole messages, then reserves one and writes
 * half of it, tells the parent through @ready and waits to be killed.
 */
static pid_t doomed_producer(const char *name, struct results *res, unsigned int p,
			     uint64_t before, size_t len)
{
	int ready[2];
	pid_t pid;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (!pid) {
		struct stream s = { .p = p, .nr = 1 };
		struct shmdev_ring *ring = child_ring(name, NULL);
		uint64_t buf[SMALL_MAX / 8 + 1];
		void *ptr;

		while (s.i < before) {
			size_t n = msg_len(&s);

			msg_fill(&s, buf, n);
			if (shmdev_ring_send(ring, buf, n, 60 * SEC))
				_exit(93);
		}
		res->sum[p] = s.sum;
		res->sent[p] = s.i;
		if (shmdev_ring_reserve(ring, len, &ptr, 60 * SEC))
			_exit(94);
		memset(ptr, 0xee, len / 2);
		pipe_post(ready[1]);
		pause();
		_exit(1);
	}
	if (pid > 0 && pipe_wait(ready[0]))
		pid = -1;
	close(ready[0]);
	close(ready[1]);
	return pid;
}

/*
 * kill -9 of a producer between reserve and commit: the consumer, asleep on
 * its message, is woken by the death, drops and counts the message, and the
 * other producers' messages keep coming.
 */
TEST_F_TIMEOUT(ring, producer_killed_mid_message, 300)
{
	const uint64_t each = 20000;
	struct stream rx[NPROD];
	uint64_t buf[SMALL_MAX / 8 + 1], got = 0;
	struct shmdev_ring_stat st;
	pid_t victim, pids[2];
	int64_t killed = 0, resumed = 0;
	unsigned int p;
	int n;

	ASSERT_EQ(0, make_ring(_metadata, self, 256 * 1024));
	for (p = 0; p < NPROD; p++)
		rx[p] = (struct stream){ .p = p, .nr = 1 };
	/* Producer 0 sends 100 messages, then dies in the middle of the 101st. */
	victim = doomed_producer(self->name, self->res, 0, 100, 3000);
	ASSERT_LT(0, victim);
	for (p = 1; p < NPROD; p++) {
		pids[p - 1] = fork();
		ASSERT_LE(0, pids[p - 1]);
		if (!pids[p - 1]) {
			struct stream s = { .p = p, .nr = 1 };
			struct shmdev_ring *ring = child_ring(self->name, NULL);

			while (s.i < each) {
				size_t len = msg_len(&s);

				msg_fill(&s, buf, len);
				if (shmdev_ring_send(ring, buf, len, 60 * SEC))
					_exit(93);
			}
			self->res->sum[p] = s.sum;
			_exit(0);
		}
	}
	/*
	 * The consumer reaches the half-written message (the others started
	 * after it was reserved) and sleeps on it.
	 */
	while (rx[0].i < 100) {
		n = shmdev_ring_recv(self->ring, buf, sizeof(buf), 60 * SEC);
		ASSERT_LT(0, n);
		p = *(uint8_t *)buf;
		ASSERT_EQ(0, p);
		ASSERT_TRUE(msg_check(&rx[p], buf, n));
		got++;
	}
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 300 * MS));
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
	/* The others fill the ring behind it and wait for room. */
	EXPECT_TRUE(WAIT_UNTIL(ring_stat(self->ring).used > 240 * 1024, 20000));

	ASSERT_EQ(0, kill(victim, SIGKILL));
	killed = now_ns();
	while (got < 100 + 2 * each) {
		n = shmdev_ring_recv(self->ring, buf, sizeof(buf), 60 * SEC);
		ASSERT_LT(0, n);
		if (!resumed)
			resumed = now_ns();
		p = *(uint8_t *)buf;
		ASSERT_NE(0, p);	/* nothing of the victim's half message */
		ASSERT_GT(NPROD, p);
		ASSERT_TRUE(msg_check(&rx[p], buf, n));
		got++;
	}
	EXPECT_EQ(128 + SIGKILL, wait_exit(victim));
	EXPECT_EQ(0, wait_exit(pids[0]));
	EXPECT_EQ(0, wait_exit(pids[1]));
	EXPECT_EQ(self->res->sum[0], rx[0].sum);
	EXPECT_EQ(self->res->sum[1], rx[1].sum);
	EXPECT_EQ(self->res->sum[2], rx[2].sum);
	st = ring_stat(self->ring);
	EXPECT_EQ(1, st.dropped);
	EXPECT_EQ(8 + 3000, st.dropped_bytes);
	EXPECT_EQ(100 + 2 * each, st.received);
	EXPECT_EQ(0, st.used);
	TH_LOG("first message %lld ms after the kill", (long long)(resumed - killed) / MS);
	EXPECT_GT(2000 * MS, resumed - killed);
	/* The victim's slot is free for the next producer. */
	EXPECT_EQ(0, ring_stat(self->ring).producers);
	EXPECT_EQ(0, shmdev_ring_send(self->ring, "x", 1, 0));
	EXPECT_EQ(1, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
}

static int hook_point, hook_post = -1, hook_wait = -1;

/*
 * Fault injection: at hook_point, die; or, with hook_post set, tell the
 * parent and stall until it answers on hook_wait.
 */
static void hook(int point)
{
	if (point != hook_point)
		return;
	if (hook_post < 0)
		raise(SIGKILL);
	pipe_post(hook_post);
	pipe_wait(hook_wait);
}

/*
 * Make the next reservation of @len bytes wrap (need a pad) or not, by
 * moving head and tail to @off bytes before the end of the area.
 */
static void ring_move_to(struct __test_metadata *_metadata, struct shmdev_ring *ring,
			 uint64_t cap, uint64_t off)
{
	uint64_t buf[1024];
	struct shmdev_ring_stat st;
	uint64_t pos = 0;
	int n;

	while (pos % cap != off) {
		uint64_t room = (off + cap - pos % cap) % cap;
		size_t len = room > 2048 ? 2040 : room - 8;

		ASSERT_EQ(0, shmdev_ring_send(ring, buf, len, 0));
		n = shmdev_ring_recv(ring, buf, sizeof(buf), 0);
		ASSERT_EQ((int)len, n);
		pos += (len + 8 + 7) & ~7ULL;
	}
	ASSERT_EQ(0, shmdev_ring_stat(ring, &st));
	ASSERT_EQ(0, st.used);
}

/* A producer sends @first (if given), then dies at @point of reserving 2000 bytes. */
static void producer_killed_at(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self,
			       int point, const char *first)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);
		void *p;

		if (first)
			CHILD_ASSERT_EQ(0, shmdev_ring_send(ring, first, strlen(first), 0));
		hook_point = point;
		shmdev_ring_test_hook = hook;
		shmdev_ring_reserve(ring, 2000, &p, 0);
		_exit(1);
	}
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
}

/* A producer dies at @point of a reservation; the consumer skips what it left. */
static void killed_at(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self,
		      int point)
{
	uint64_t buf[512];
	struct shmdev_ring_stat st;
	int64_t t0;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	/* 1000 bytes left before the end: a 2000-byte message needs a pad. */
	ring_move_to(_metadata, self->ring, 4096, 4096 - 1000);
	producer_killed_at(_metadata, self, point, "before");
	t0 = now_ns();
	EXPECT_EQ(6, shmdev_ring_recv(self->ring, buf, sizeof(buf), 5 * SEC));
	EXPECT_EQ(0, memcmp(buf, "before", 6));
	/* Its reservation, header never written, is dropped; the ring works on. */
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 200 * MS));
	st = ring_stat(self->ring);
	EXPECT_EQ(1, st.dropped);
	/* Killed before its pad: the pad (984 bytes) and the record (2008). */
	EXPECT_EQ(point == HOOK_RESERVED ? 984 + 2008 : 2008, st.dropped_bytes);
	EXPECT_EQ(0, st.used);
	EXPECT_GT(2 * SEC, now_ns() - t0);
	ASSERT_EQ(0, shmdev_ring_send(self->ring, "after", 5, 0));
	EXPECT_EQ(5, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "after", 5));
}

TEST_F(ring, producer_killed_before_writing_header)
{
	killed_at(_metadata, self, HOOK_RESERVED);
}

TEST_F(ring, producer_killed_after_pad)
{
	killed_at(_metadata, self, HOOK_PADDED);
}

/*
 * A live producer stalled between claiming space and writing its header is
 * waited for, not dropped.
 */
TEST_F(ring, stalled_producer_is_not_dropped)
{
	uint64_t buf[512];
	int to_parent[2], to_child[2];
	pid_t pid;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	ring_move_to(_metadata, self->ring, 4096, 4096 - 1000);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);
		void *p;

		hook_post = to_parent[1];
		hook_wait = to_child[0];
		hook_point = HOOK_PADDED;
		shmdev_ring_test_hook = hook;
		CHILD_ASSERT_EQ(0, shmdev_ring_reserve(ring, 2000, &p, 0));
		memset(p, 0x5a, 2000);
		CHILD_ASSERT_EQ(0, shmdev_ring_commit(ring, p));
		_exit(0);
	}
	ASSERT_EQ(0, pipe_wait(to_parent[0]));
	/* Stalled after its pad, before its header: several rechecks pass. */
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 300 * MS));
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
	ASSERT_EQ(0, pipe_post(to_child[1]));
	EXPECT_EQ(2000, shmdev_ring_recv(self->ring, buf, sizeof(buf), 10 * SEC));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, buf[249]);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
}

/* A child that sends @len bytes of @byte within @timeout; exits 0 if it did. */
static pid_t sender(FIXTURE_DATA(ring) *self, int byte, size_t len, int64_t timeout)
{
	uint64_t buf[512];
	pid_t pid = fork();

	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);

		memset(buf, byte, sizeof(buf));
		_exit(shmdev_ring_send(ring, buf, len, timeout) ? 1 : 0);
	}
	return pid;
}

/*
 * A producer that waits for room is served before later ones; if it dies
 * waiting, the others stop leaving room for it.
 */
TEST_F_TIMEOUT(ring, first_waiter_served_first_or_forgotten_when_dead, 120)
{
	struct shmdev_stat st0;
	uint64_t buf[256];
	int pass, i;

	for (pass = 0; pass < 2; pass++) {
		pid_t big;

		ASSERT_EQ(0, make_ring(_metadata, self, 4096));
		/* Full: 8 messages of 504 bytes (512 with their header). */
		for (i = 0; i < 8; i++)
			ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 504, 0));
		st0 = region_stat(self->r);
		big = sender(self, 0xbb, 2000, 60 * SEC);
		ASSERT_LE(0, big);
		ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > st0.waits, 20000));
		if (pass == 1) {
			ASSERT_EQ(0, kill(big, SIGKILL));
			EXPECT_EQ(128 + SIGKILL, wait_exit(big));
		}
		/* Two messages out: 1024 bytes free, not enough for 2008. */
		for (i = 0; i < 2; i++)
			ASSERT_EQ(504, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
		if (pass == 0) {
			/* A small message must leave room for the waiter. */
			EXPECT_EQ(-ETIMEDOUT, shmdev_ring_send(self->ring, buf, 100, 100 * MS));
			for (i = 0; i < 6; i++)
				ASSERT_EQ(504, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
			ASSERT_EQ(2000, shmdev_ring_recv(self->ring, buf, sizeof(buf), 10 * SEC));
			EXPECT_EQ(0xbbbbbbbbbbbbbbbbULL, buf[100]);
			EXPECT_EQ(0, wait_exit(big));
			EXPECT_EQ(0, shmdev_ring_send(self->ring, buf, 100, 0));
		} else {
			/* Its wish dies with it. */
			EXPECT_EQ(0, shmdev_ring_send(self->ring, buf, 100, 100 * MS));
		}
		shmdev_ring_close(self->ring);
		self->ring = NULL;
		shmdev_close(self->r);
		self->r = NULL;
	}
}

/*
 * A consumer killed while it peeks: another process takes over and gets
 * the same message; while the first lives, a second consumer gets -EBUSY.
 */
TEST_F(ring, consumer_killed_successor_takes_over)
{
	uint64_t buf[16];
	int ready[2];
	pid_t pid;
	size_t len;
	void *p;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, "first", 5, 0));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, "second", 6, 0));
	shmdev_ring_close(self->ring);
	self->ring = NULL;
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);

		CHILD_ASSERT_EQ(0, shmdev_ring_peek(ring, &p, &len, 0));
		CHILD_ASSERT_EQ(5, len);
		pipe_post(ready[1]);
		pause();
		_exit(1);
	}
	ASSERT_EQ(0, pipe_wait(ready[0]));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	EXPECT_EQ(1, ring_stat(self->ring).consumer);
	EXPECT_EQ(-EBUSY, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(-EBUSY, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
	EXPECT_EQ(0, ring_stat(self->ring).consumer);
	EXPECT_EQ(5, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	EXPECT_EQ(6, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "second", 6));
	close(ready[0]);
	close(ready[1]);
}

/*
 * The consumer sleeps on an empty ring; a producer dies holding most of the
 * room, before writing its header; another producer finds no room. It
 * wakes the consumer, which drops the dead reservation, and its message
 * gets through: nobody waits for a wake-up that would never come.
 */
TEST_F_TIMEOUT(ring, consumer_asleep_while_dead_producer_holds_room, 120)
{
	uint64_t buf[512], w0;
	pid_t cons, prod;
	int64_t t0;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	/* 1000 bytes before the end: a 2000-byte message takes 3008 with its pad. */
	ring_move_to(_metadata, self->ring, 4096, 4096 - 1000);
	shmdev_ring_close(self->ring);
	self->ring = NULL;
	w0 = region_stat(self->r).waits;
	cons = fork();
	ASSERT_LE(0, cons);
	if (!cons) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);

		CHILD_ASSERT_EQ(2000, shmdev_ring_recv(ring, buf, sizeof(buf), 20 * SEC));
		CHILD_ASSERT_EQ(0xb0b0b0b0b0b0b0b0ULL, buf[100]);
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > w0, 10000));
	producer_killed_at(_metadata, self, HOOK_RESERVED, NULL);
	t0 = now_ns();
	prod = sender(self, 0xb0, 2000, 20 * SEC);
	ASSERT_LE(0, prod);
	EXPECT_EQ(0, wait_exit(prod));
	EXPECT_EQ(0, wait_exit(cons));
	TH_LOG("delivered %lld ms after the second producer started",
	       (long long)(now_ns() - t0) / MS);
	EXPECT_GT(10 * SEC, now_ns() - t0);
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	EXPECT_EQ(1, ring_stat(self->ring).dropped);
	EXPECT_EQ(0, ring_stat(self->ring).used);
}

/* A consumer takes the ring and dies at @point of its first receive. */
static void consumer_killed_at(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self,
			       int point)
{
	uint64_t buf[256];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);

		hook_point = point;
		shmdev_ring_test_hook = hook;
		shmdev_ring_recv(ring, buf, sizeof(buf), 0);
		_exit(1);
	}
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
}

/*
 * A consumer killed while it releases a message, before the tail moved:
 * its successor finishes the release. The message is not seen again, the
 * next one is whole, and the count of received messages is right.
 */
TEST_F(ring, consumer_killed_mid_release)
{
	uint64_t buf[256];

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	memset(buf, 0x11, sizeof(buf));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 1000, 0));
	memset(buf, 0x22, sizeof(buf));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 1500, 0));
	shmdev_ring_close(self->ring);
	self->ring = NULL;
	consumer_killed_at(_metadata, self, HOOK_RELEASING);
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(1500, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0x2222222222222222ULL, buf[0]);
	EXPECT_EQ(0x2222222222222222ULL, buf[186]);
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(2, ring_stat(self->ring).received);
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
	EXPECT_EQ(0, ring_stat(self->ring).used);
}

/*
 * A producer sleeps for room in a full ring; a consumer takes the first
 * message and dies at @point of releasing it. The consumer that takes over
 * holds the second message without releasing anything, and the producer
 * must still get its room and finish.
 */
static void producer_woken_after_consumer_killed_at(struct __test_metadata *_metadata,
						    FIXTURE_DATA(ring) *self, int point)
{
	uint64_t buf[256], w0;
	size_t len;
	pid_t prod;
	void *p;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	/* Full: two messages of 2040 bytes (2048 with their header). */
	memset(buf, 0x33, sizeof(buf));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 2040, 0));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 2040, 0));
	shmdev_ring_close(self->ring);
	self->ring = NULL;
	w0 = region_stat(self->r).waits;
	prod = sender(self, 0x44, 2000, 20 * SEC);
	ASSERT_LE(0, prod);
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > w0, 10000));
	consumer_killed_at(_metadata, self, point);
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	/* Take over and hold the second message: nothing released. */
	ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(2040, len);
	EXPECT_EQ(0, wait_exit(prod));
	EXPECT_EQ(0, shmdev_ring_release(self->ring));
	EXPECT_EQ(2000, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0x4444444444444444ULL, buf[100]);
}

/*
 * A consumer killed after its release moved the tail, before it woke the
 * producer waiting for that room: taking over wakes it.
 */
TEST_F_TIMEOUT(ring, consumer_killed_before_waking_producer, 120)
{
	producer_woken_after_consumer_killed_at(_metadata, self, HOOK_ADVANCED);
}

/*
 * A producer killed inside its commit, after it marked the sleeping
 * consumer woken and before its wake call: the consumer sleeps with a
 * message ready. The flag is the consumer's, so the next commit of another
 * producer still finds it set and wakes it.
 */
TEST_F_TIMEOUT(ring, producer_killed_while_waking_consumer, 120)
{
	uint64_t buf[16], w0;
	pid_t cons, victim;
	int64_t t0;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	/* Our view takes a slot now, so that it wakes as a producer, not a successor. */
	ASSERT_EQ(0, shmdev_ring_send(self->ring, "zero", 4, 0));
	w0 = region_stat(self->r).waits;
	cons = fork();
	ASSERT_LE(0, cons);
	if (!cons) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);

		CHILD_ASSERT_EQ(4, shmdev_ring_recv(ring, buf, sizeof(buf), 0));
		CHILD_ASSERT_EQ(5, shmdev_ring_recv(ring, buf, sizeof(buf), 20 * SEC));
		CHILD_ASSERT_EQ(0, memcmp(buf, "first", 5));
		CHILD_ASSERT_EQ(6, shmdev_ring_recv(ring, buf, sizeof(buf), 20 * SEC));
		CHILD_ASSERT_EQ(0, memcmp(buf, "second", 6));
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > w0, 10000));
	victim = fork();
	ASSERT_LE(0, victim);
	if (!victim) {
		struct shmdev_ring *ring = child_ring(self->name, NULL);

		hook_point = HOOK_WAKING_CONSUMER;
		shmdev_ring_test_hook = hook;
		shmdev_ring_send(ring, "first", 5, 0);
		_exit(1);
	}
	EXPECT_EQ(128 + SIGKILL, wait_exit(victim));
	t0 = now_ns();
	ASSERT_EQ(0, shmdev_ring_send(self->ring, "second", 6, 0));
	EXPECT_EQ(0, wait_exit(cons));
	EXPECT_GT(5 * SEC, now_ns() - t0);
	EXPECT_EQ(0, ring_stat(self->ring).used);
}

/*
 * A consumer killed inside its release, after it told the producers asleep
 * for room that room was made and before its wake call: the consumer that
 * takes over wakes them, though it releases nothing itself.
 */
TEST_F_TIMEOUT(ring, consumer_killed_while_waking_producers, 120)
{
	producer_woken_after_consumer_killed_at(_metadata, self, HOOK_WAKING_PRODUCERS);
}

/*
 * A producer killed while it sleeps for room leaves its announcement
 * behind; releases then make no wake call for it, and the producer that
 * takes its slot next sleeps and is woken as any other.
 */
TEST_F_TIMEOUT(ring, producer_killed_asleep_costs_no_wakes, 120)
{
	uint64_t buf[256], w0;
	struct shmdev_stat st0;
	pid_t prod;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 2040, 0));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 2040, 0));
	w0 = region_stat(self->r).waits;
	prod = sender(self, 0x66, 2000, 20 * SEC);
	ASSERT_LE(0, prod);
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > w0, 10000));
	ASSERT_EQ(0, kill(prod, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(prod));
	st0 = region_stat(self->r);
	EXPECT_EQ(2040, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(2040, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(st0.wakes, region_stat(self->r).wakes);

	/* Full again; the next producer sleeps in the dead one's slot. */
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 2040, 0));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 2040, 0));
	w0 = region_stat(self->r).waits;
	prod = sender(self, 0x77, 2000, 20 * SEC);
	ASSERT_LE(0, prod);
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > w0, 10000));
	EXPECT_EQ(2040, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0, wait_exit(prod));
	EXPECT_EQ(2040, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(2000, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0x7777777777777777ULL, buf[100]);
}

/*
 * A mutex that lived where a ring is formatted is forgotten: message bytes
 * there that equal a closing handle's id are not rewritten by the module.
 */
TEST_F(ring, init_forgets_mutexes_in_its_bytes)
{
	uint8_t *base;
	struct shmdev_region *b;
	shmdev_mutex_t *m;
	uint32_t id;

	ASSERT_EQ(0, make_ring(_metadata, self, 4096));
	shmdev_ring_close(self->ring);
	self->ring = NULL;
	base = (uint8_t *)shmdev_addr(self->r) + RING_OFF;
	m = (shmdev_mutex_t *)(base + SHMDEV_RING_HEADER + 64);
	ASSERT_EQ(0, shmdev_mutex_init(self->r, m));
	ASSERT_EQ(0, shmdev_ring_init(self->r, RING_OFF, SHMDEV_RING_HEADER + 4096));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	id = (uint32_t)shmdev_handle_id(b);
	m->__word = id;
	shmdev_close(b);
	EXPECT_EQ(id, m->__word);
}

/* SHMDEV_RING_PRODUCERS producers at once; the next gets -EUSERS. */
TEST_F(ring, producer_slots)
{
	struct shmdev_region *r[SHMDEV_RING_PRODUCERS + 1];
	struct shmdev_ring *ring[SHMDEV_RING_PRODUCERS + 1];
	uint64_t buf[2];
	int i;

	ASSERT_EQ(0, make_ring(_metadata, self, 64 * 1024));
	for (i = 0; i <= SHMDEV_RING_PRODUCERS; i++) {
		ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r[i]));
		ASSERT_EQ(0, shmdev_ring_attach(r[i], RING_OFF, &ring[i]));
	}
	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++) {
		buf[0] = i;
		ASSERT_EQ(0, shmdev_ring_send(ring[i], buf, 8, 0));
	}
	EXPECT_EQ(SHMDEV_RING_PRODUCERS, ring_stat(self->ring).producers);
	EXPECT_EQ(-EUSERS, shmdev_ring_send(ring[SHMDEV_RING_PRODUCERS], buf, 8, 0));
	/* A handle that goes frees its slot. */
	shmdev_close(r[5]);
	buf[0] = 1000;
	EXPECT_EQ(0, shmdev_ring_send(ring[SHMDEV_RING_PRODUCERS], buf, 8, 0));
	for (i = 0; i <= SHMDEV_RING_PRODUCERS; i++) {
		ASSERT_EQ(8, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
		EXPECT_EQ(i < SHMDEV_RING_PRODUCERS ? i : 1000, buf[0]);
	}
	/* ring[5] lost its handle with r[5]: it is left as it is. */
	for (i = 0; i <= SHMDEV_RING_PRODUCERS; i++) {
		if (i == 5)
			continue;
		shmdev_ring_close(ring[i]);
		shmdev_close(r[i]);
	}
	EXPECT_EQ(0, ring_stat(self->ring).dropped);
}

TEST_HARNESS_MAIN
