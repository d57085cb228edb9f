// SPDX-License-Identifier: GPL-2.0
/* cond_test: condition variables: a bounded queue of 200,000 items, timeouts, broadcast. */
#include <sys/mman.h>

#include "common.h"

#define SLOTS		64
#define ITEMS		200000
#define PRODUCERS	2
#define CONSUMERS	2

struct queue {
	shmdev_mutex_t m;
	shmdev_cond_t not_empty, not_full;
	uint32_t head, tail;		/* under m */
	uint32_t slot[SLOTS];
	uint64_t sum, xor;		/* of the items consumed, under m */
	uint32_t count;			/* items consumed, under m */
	uint32_t seen[ITEMS / 32];	/* consumed items, under m */
	uint32_t dup;			/* items seen twice, or never sent */
};

FIXTURE(cond) {
	struct test_names names;
	const char *name;
	struct shmdev_region *r;
	struct queue *q;
};

FIXTURE_SETUP(cond)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	self->name = new_name(&self->names, "cond");
	ASSERT_EQ(0, shmdev_open(self->name, sizeof(struct queue), SHMDEV_CREAT, 0600,
				 &self->r));
	self->q = shmdev_addr(self->r);
	ASSERT_EQ(0, shmdev_mutex_init(self->r, &self->q->m));
	ASSERT_EQ(0, shmdev_cond_init(self->r, &self->q->not_empty));
	ASSERT_EQ(0, shmdev_cond_init(self->r, &self->q->not_full));
}

FIXTURE_TEARDOWN(cond)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

static int produce(struct shmdev_region *r, struct queue *q, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (shmdev_mutex_lock(r, &q->m, -1))
			return 2;
		while (q->tail - q->head == SLOTS)
			if (shmdev_cond_wait(r, &q->not_full, &q->m, -1))
				return 3;
		q->slot[q->tail++ % SLOTS] = i;
		if (shmdev_cond_signal(r, &q->not_empty) ||
		    shmdev_mutex_unlock(r, &q->m))
			return 4;
	}
	return 0;
}

static int consume(struct shmdev_region *r, struct queue *q)
{
	for (;;) {
		uint32_t v;

		if (shmdev_mutex_lock(r, &q->m, -1))
			return 2;
		while (q->tail == q->head && q->count < ITEMS)
			if (shmdev_cond_wait(r, &q->not_empty, &q->m, -1))
				return 3;
		if (q->count == ITEMS) {
			shmdev_cond_broadcast(r, &q->not_empty);
			shmdev_mutex_unlock(r, &q->m);
			return 0;
		}
		v = q->slot[q->head++ % SLOTS];
		if (v >= ITEMS || q->seen[v / 32] & (1U << (v % 32)))
			q->dup++;
		else
			q->seen[v / 32] |= 1U << (v % 32);
		q->sum += v;
		q->xor ^= v;
		q->count++;
		if (q->count == ITEMS)
			shmdev_cond_broadcast(r, &q->not_empty);
		if (shmdev_cond_signal(r, &q->not_full) ||
		    shmdev_mutex_unlock(r, &q->m))
			return 4;
	}
}

TEST_F_TIMEOUT(cond, bounded_queue_200000, 600)
{
	struct shmdev_stat st0 = region_stat(self->r), st1;
	pid_t pids[PRODUCERS + CONSUMERS];
	uint64_t sum = 0, xor = 0;
	int64_t t0 = now_ns();
	uint32_t i;
	int k, stalled;

	for (k = 0; k < PRODUCERS + CONSUMERS; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (!pids[k]) {
			struct shmdev_region *r;

			if (shmdev_open(self->name, 0, 0, 0, &r))
				_exit(1);
			if (k < PRODUCERS)
				_exit(produce(r, shmdev_addr(r), k * (ITEMS / PRODUCERS),
					      ITEMS / PRODUCERS));
			_exit(consume(r, shmdev_addr(r)));
		}
	}
	/* A lost wake-up stops the queue: a stall fails, it does not hang. */
	stalled = watch_progress(&self->q->count, ITEMS, 30000, pids, PRODUCERS + CONSUMERS);
	if (stalled)
		TH_LOG("stalled: %u of %u items consumed, none for 30 s", self->q->count, ITEMS);
	for (k = 0; k < PRODUCERS + CONSUMERS; k++)
		EXPECT_EQ(0, wait_exit(pids[k]));
	EXPECT_EQ(0, stalled);
	for (i = 0; i < ITEMS; i++) {
		sum += i;
		xor ^= i;
	}
	EXPECT_EQ(ITEMS, self->q->count);
	EXPECT_EQ(0, self->q->dup);
	EXPECT_EQ(sum, self->q->sum);
	EXPECT_EQ(xor, self->q->xor);
	for (i = 0; i < ITEMS / 32; i++)
		if (self->q->seen[i] != UINT32_MAX)
			break;
	EXPECT_EQ(ITEMS / 32, i);
	st1 = region_stat(self->r);
	TH_LOG("%u items through %u slots in %lld ms: %llu sleeps, %llu wakes",
	       ITEMS, SLOTS, (long long)(now_ns() - t0) / 1000000,
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.wakes - st0.wakes));
}

TEST_F(cond, timeout_relocks)
{
	int64_t t0 = now_ns();

	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->q->m, -1));
	EXPECT_EQ(-ETIMEDOUT, shmdev_cond_wait(self->r, &self->q->not_empty, &self->q->m,
					       20 * 1000 * 1000));
	EXPECT_LE(20 * 1000 * 1000, now_ns() - t0);
	/* The mutex is held again. */
	EXPECT_EQ((uint32_t)shmdev_handle_id(self->r),
		  self->q->m.__word & SHMDEV_MUTEX_ID_MASK);
	EXPECT_EQ(-EDEADLK, shmdev_mutex_lock(self->r, &self->q->m, 0));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->q->m));
	/* Waiting without holding the mutex is an error. */
	EXPECT_EQ(-EPERM, shmdev_cond_wait(self->r, &self->q->not_empty, &self->q->m, 0));
}

TEST_F_TIMEOUT(cond, broadcast_wakes_all, 60)
{
	struct shmdev_stat st0 = region_stat(self->r);
	pid_t pids[3];
	int k;

	self->q->count = 0;
	for (k = 0; k < 3; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (!pids[k]) {
			struct shmdev_region *r;
			struct queue *q;

			if (shmdev_open(self->name, 0, 0, 0, &r))
				_exit(1);
			q = shmdev_addr(r);
			if (shmdev_mutex_lock(r, &q->m, -1))
				_exit(2);
			/* Bounded: one left asleep by the broadcast times out. */
			while (!q->count)
				if (shmdev_cond_wait(r, &q->not_empty, &q->m, 10LL * 1000000000))
					_exit(3);
			_exit(shmdev_mutex_unlock(r, &q->m) ? 4 : 0);
		}
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits >= st0.waits + 3, 10000));
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->q->m, -1));
	self->q->count = 1;
	ASSERT_EQ(0, shmdev_cond_broadcast(self->r, &self->q->not_empty));
	ASSERT_EQ(0, shmdev_mutex_unlock(self->r, &self->q->m));
	for (k = 0; k < 3; k++)
		EXPECT_EQ(0, wait_exit(pids[k]));
}

TEST_HARNESS_MAIN
