// SPDX-License-Identifier: GPL-2.0
/* lock_test: kernel locks: shared/exclusive, FIFO, NB, timeouts, ownership, owner death. */
#include <sys/mman.h>

#include "common.h"

#define SEC	1000000000LL

FIXTURE(lock) {
	struct test_names names;
	const char *name;
	struct shmdev_region *a, *b;
};

FIXTURE_SETUP(lock)
{
	self->names.nr = 0;
	self->a = self->b = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	self->name = new_name(&self->names, "lock");
	ASSERT_EQ(0, shmdev_open(self->name, page_size(), SHMDEV_CREAT, 0600, &self->a));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &self->b));
}

FIXTURE_TEARDOWN(lock)
{
	if (self->a)
		shmdev_close(self->a);
	if (self->b)
		shmdev_close(self->b);
	unlink_names(&self->names);
}

/*
 * A read-only handle shares a lock with other readers but cannot take it
 * exclusively, as semop() needs alter permission: no reader holds the
 * writers out.
 */
TEST_F(lock, read_only_handle_shares_only)
{
	struct shmdev_region *ro;

	ASSERT_EQ(0, shmdev_open(self->name, 0, SHMDEV_RDONLY, 0, &ro));
	EXPECT_EQ(-EACCES, shmdev_lock(ro, 1, SHMDEV_LOCK_EX, -1));
	EXPECT_EQ(-EACCES, shmdev_lock(ro, 1, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_lock(ro, 1, SHMDEV_LOCK_SH, -1));
	EXPECT_EQ(0, shmdev_lock(self->a, 1, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(self->b, 1, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(ro, 1));
	EXPECT_EQ(0, shmdev_unlock(self->a, 1));
	EXPECT_EQ(0, shmdev_lock(self->b, 1, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(self->b, 1));
	EXPECT_EQ(0, shmdev_close(ro));
}

/*
 * Shared holders coexist and keep an exclusive taker out; an exclusive
 * holder keeps everyone out; locks are independent of each other.
 */
TEST_F(lock, shared_coexist_exclusive_excludes)
{
	struct shmdev_region *c;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &c));
	EXPECT_EQ(0, shmdev_lock(self->a, 0, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_lock(self->b, 0, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(c, 0, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	/* Locks are independent of each other. */
	EXPECT_EQ(0, shmdev_lock(c, 63, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(self->a, 0));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(c, 0, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(self->b, 0));
	EXPECT_EQ(0, shmdev_lock(c, 0, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(self->a, 0, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(self->b, 0, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(-ETIMEDOUT, shmdev_lock(self->a, 0, SHMDEV_LOCK_SH, 0));
	EXPECT_EQ(0, shmdev_unlock(c, 0));
	EXPECT_EQ(0, shmdev_unlock(c, 63));
	EXPECT_EQ(0, shmdev_lock(self->a, 0, SHMDEV_LOCK_EX, 0));
	EXPECT_EQ(0, shmdev_unlock(self->a, 0));
	EXPECT_EQ(5, region_stat(c).lock_acquired);
	shmdev_close(c);
}

/* A lock that times out waits its whole timeout, and leaves the queue. */
TEST_F(lock, timeout_not_early)
{
	int64_t t0, t1;

	ASSERT_EQ(0, shmdev_lock(self->a, 1, SHMDEV_LOCK_EX, -1));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, shmdev_lock(self->b, 1, SHMDEV_LOCK_SH, SEC / 20));
	t1 = now_ns();
	EXPECT_LE(SEC / 20, t1 - t0);
	EXPECT_GT(5 * SEC, t1 - t0);
	/* The timed-out request left the queue: the lock is free after unlock. */
	EXPECT_EQ(0, shmdev_unlock(self->a, 1));
	EXPECT_EQ(0, shmdev_lock(self->b, 1, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
}

/* Unlocking a lock the handle does not hold is -EPERM, before and after holding it. */
TEST_F(lock, unlock_unheld_eperm)
{
	EXPECT_EQ(-EPERM, shmdev_unlock(self->a, 2));
	ASSERT_EQ(0, shmdev_lock(self->a, 2, SHMDEV_LOCK_EX, -1));
	EXPECT_EQ(0, shmdev_unlock(self->a, 2));
	EXPECT_EQ(-EPERM, shmdev_unlock(self->a, 2));
}

/* Another handle cannot unlock a lock held, exclusive or shared: -EPERM. */
TEST_F(lock, unlock_by_other_handle_eperm)
{
	ASSERT_EQ(0, shmdev_lock(self->a, 2, SHMDEV_LOCK_EX, -1));
	EXPECT_EQ(-EPERM, shmdev_unlock(self->b, 2));
	EXPECT_EQ(0, shmdev_unlock(self->a, 2));
	ASSERT_EQ(0, shmdev_lock(self->a, 2, SHMDEV_LOCK_SH, -1));
	EXPECT_EQ(-EPERM, shmdev_unlock(self->b, 2));
	EXPECT_EQ(0, shmdev_unlock(self->a, 2));
}

/* A handle that holds a lock, exclusive or shared, cannot take it again: -EDEADLK. */
TEST_F(lock, relock_edeadlk)
{
	ASSERT_EQ(0, shmdev_lock(self->a, 2, SHMDEV_LOCK_EX, -1));
	EXPECT_EQ(-EDEADLK, shmdev_lock(self->a, 2, SHMDEV_LOCK_EX, -1));
	EXPECT_EQ(-EDEADLK, shmdev_lock(self->a, 2, SHMDEV_LOCK_SH, -1));
	EXPECT_EQ(0, shmdev_unlock(self->a, 2));
	ASSERT_EQ(0, shmdev_lock(self->a, 2, SHMDEV_LOCK_SH, -1));
	EXPECT_EQ(-EDEADLK, shmdev_lock(self->a, 2, SHMDEV_LOCK_SH, -1));
	EXPECT_EQ(-EDEADLK, shmdev_lock(self->a, 2, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(self->a, 2));
}

/* Lock calls with a bad lock number, mode or timeout. */
FIXTURE(bad_lock) {
	struct test_names names;
	struct shmdev_region *r;
};

FIXTURE_VARIANT(bad_lock) {
	bool unlock;		/* shmdev_unlock(), else shmdev_lock() */
	bool raw;		/* SHMDEV_IOC_LOCK with EX and timeout 0 */
	uint32_t id;
	unsigned int mode;
	int64_t timeout;
};

FIXTURE_VARIANT_ADD(bad_lock, id_past_last) {
	.id = SHMDEV_NR_LOCKS, .mode = SHMDEV_LOCK_EX, .timeout = -1
};
FIXTURE_VARIANT_ADD(bad_lock, mode_0) { .id = 0, .mode = 0, .timeout = -1 };
FIXTURE_VARIANT_ADD(bad_lock, mode_nb_only) { .id = 0, .mode = SHMDEV_LOCK_NB, .timeout = -1 };
FIXTURE_VARIANT_ADD(bad_lock, mode_sh_and_ex) {
	.id = 0, .mode = SHMDEV_LOCK_SH | SHMDEV_LOCK_EX, .timeout = -1
};
FIXTURE_VARIANT_ADD(bad_lock, mode_unknown_bit) {
	.id = 0, .mode = SHMDEV_LOCK_EX | 0x10, .timeout = -1
};
FIXTURE_VARIANT_ADD(bad_lock, timeout_negative) { .id = 0, .mode = SHMDEV_LOCK_EX, .timeout = -5 };
FIXTURE_VARIANT_ADD(bad_lock, unlock_id_past_last) { .unlock = true, .id = SHMDEV_NR_LOCKS };
FIXTURE_VARIANT_ADD(bad_lock, raw_id_1000) { .raw = true, .id = 1000 };

FIXTURE_SETUP(bad_lock)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "lock"), page_size(), SHMDEV_CREAT,
				 0600, &self->r));
}

FIXTURE_TEARDOWN(bad_lock)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* The call is -EINVAL. */
TEST_F(bad_lock, einval)
{
	struct shmdev_lock raw = { .timeout = 0, .id = variant->id, .mode = SHMDEV_LOCK_EX };

	if (variant->raw) {
		EXPECT_EQ(-EINVAL, xioctl(shmdev_fd(self->r), SHMDEV_IOC_LOCK, &raw));
	} else if (variant->unlock) {
		EXPECT_EQ(-EINVAL, shmdev_unlock(self->r, variant->id));
	} else {
		EXPECT_EQ(-EINVAL, shmdev_lock(self->r, variant->id, variant->mode,
					       variant->timeout));
	}
}

struct order_log {
	uint32_t n;
	char who[8];
};

/* A child with a handle of its own: takes lock 3 in @mode, logs @tag, unlocks. */
static pid_t locker(const char *name, unsigned int mode, char tag, struct order_log *log)
{
	pid_t pid = fork();

	if (!pid) {
		struct shmdev_region *r;

		if (shmdev_open(name, 0, 0, 0, &r))
			_exit(2);
		if (shmdev_lock(r, 3, mode, 30 * SEC))
			_exit(3);
		log->who[__atomic_fetch_add(&log->n, 1, __ATOMIC_SEQ_CST)] = tag;
		if (shmdev_unlock(r, 3))
			_exit(4);
		_exit(0);
	}
	return pid;
}

/* Locks are granted in order: readers that come after a queued writer wait behind it. */
TEST_F(lock, fifo_writer_not_starved)
{
	struct order_log *log;
	pid_t w, r1, r2;
	uint64_t c0;

	log = mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, log);
	ASSERT_EQ(0, shmdev_lock(self->a, 3, SHMDEV_LOCK_SH, -1));
	c0 = region_stat(self->a).lock_contended;
	/* A writer queues behind the reader... */
	ASSERT_LT(0, w = locker(self->name, SHMDEV_LOCK_EX, 'W', log));
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->a).lock_contended == c0 + 1, 10000));
	/* ...and readers that come after it queue behind the writer. */
	ASSERT_LT(0, r1 = locker(self->name, SHMDEV_LOCK_SH, 'R', log));
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->a).lock_contended == c0 + 2, 10000));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(self->b, 3, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, -1));
	ASSERT_LT(0, r2 = locker(self->name, SHMDEV_LOCK_SH, 'r', log));
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->a).lock_contended == c0 + 3, 10000));
	EXPECT_EQ(0, log->n);
	ASSERT_EQ(0, shmdev_unlock(self->a, 3));
	EXPECT_EQ(0, wait_exit(w));
	EXPECT_EQ(0, wait_exit(r1));
	EXPECT_EQ(0, wait_exit(r2));
	ASSERT_EQ(3, log->n);
	EXPECT_EQ('W', log->who[0]);
	munmap(log, sizeof(*log));
}

/*
 * A killed exclusive holder's waiter gets the lock at once with
 * -EOWNERDEAD, reported once. (One test: holder and waiter are forked.)
 */
TEST_F(lock, exclusive_holder_killed_eownerdead)
{
	volatile int64_t *acquired;
	struct shmdev_stat st0;
	int ready[2];
	pid_t holder, waiter;
	int64_t died;

	acquired = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, acquired);
	st0 = region_stat(self->a);
	ASSERT_EQ(0, pipe(ready));
	holder = fork();
	ASSERT_LE(0, holder);
	if (!holder) {
		struct shmdev_region *r;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		CHILD_ASSERT_EQ(0, shmdev_lock(r, 5, SHMDEV_LOCK_EX, -1));
		CHILD_ASSERT_EQ(0, pipe_post(ready[1]));
		pause();
		_exit(1);
	}
	ASSERT_EQ(0, pipe_wait(ready[0]));
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (!waiter) {
		struct shmdev_region *r;
		int ret;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		ret = shmdev_lock(r, 5, SHMDEV_LOCK_EX, 30 * SEC);
		acquired[0] = now_ns();
		CHILD_ASSERT_EQ(-EOWNERDEAD, ret);
		/* It holds the lock now. */
		CHILD_ASSERT_EQ(0, shmdev_unlock(r, 5));
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->a).lock_contended > st0.lock_contended, 10000));
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(holder));
	died = now_ns();
	EXPECT_EQ(0, wait_exit(waiter));
	TH_LOG("lock granted %lld us after waitpid saw the death",
	       (long long)(acquired[0] - died) / 1000);
	EXPECT_GT(100LL * 1000 * 1000, acquired[0] - died);
	/* Reported once: the next taker gets a clean lock. */
	EXPECT_EQ(0, shmdev_lock(self->a, 5, SHMDEV_LOCK_EX, SEC));
	EXPECT_EQ(0, shmdev_unlock(self->a, 5));
	EXPECT_EQ(st0.owner_deaths + 1, region_stat(self->a).owner_deaths);
	munmap((void *)acquired, 4096);
}

/* Closing a handle releases its locks; only an exclusive holder's end is an owner death. */
TEST_F(lock, close_releases_locks)
{
	struct shmdev_region *c;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &c));
	ASSERT_EQ(0, shmdev_lock(c, 6, SHMDEV_LOCK_SH, -1));
	ASSERT_EQ(0, shmdev_lock(c, 7, SHMDEV_LOCK_EX, -1));
	EXPECT_EQ(-EWOULDBLOCK, shmdev_lock(self->a, 6, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	ASSERT_EQ(0, shmdev_close(c));
	/* A shared holder's end is not an owner death; an exclusive one's is. */
	EXPECT_EQ(0, shmdev_lock(self->a, 6, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_lock(self->a, 7, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(self->a, 7));
	EXPECT_EQ(-EOWNERDEAD, shmdev_lock(self->a, 7, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
}

/* A forked child shares its parent's handle: it may unlock the parent's lock. */
TEST_F(lock, forked_child_shares_the_handle)
{
	pid_t pid;

	ASSERT_EQ(0, shmdev_lock(self->a, 8, SHMDEV_LOCK_EX, -1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Same handle, same owner: it may unlock. */
		CHILD_ASSERT_EQ(0, shmdev_unlock(self->a, 8));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_lock(self->b, 8, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
}

/*
 * Two processes sharing a handle both wait for the shared lock: when it is
 * granted, the handle holds it once. The second is told -EDEADLK, as when it
 * asks after the first got it, and one unlock frees the lock.
 */
TEST_F(lock, handle_granted_shared_once)
{
	uint64_t c0;
	pid_t pids[2];
	int i, st, ok = 0, deadlk = 0;

	ASSERT_EQ(0, shmdev_lock(self->b, 9, SHMDEV_LOCK_EX, -1));
	c0 = region_stat(self->a).lock_contended;
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			int ret = shmdev_lock(self->a, 9, SHMDEV_LOCK_SH, 20 * SEC);

			_exit(ret == 0 ? 0 : ret == -EDEADLK ? 1 : 2);
		}
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->a).lock_contended == c0 + 2, 10000));
	ASSERT_EQ(0, shmdev_unlock(self->b, 9));
	for (i = 0; i < 2; i++) {
		st = wait_exit(pids[i]);
		ok += st == 0;
		deadlk += st == 1;
	}
	EXPECT_EQ(1, ok);
	EXPECT_EQ(1, deadlk);
	EXPECT_EQ(0, shmdev_unlock(self->a, 9));
	EXPECT_EQ(-EPERM, shmdev_unlock(self->a, 9));
	EXPECT_EQ(0, shmdev_lock(self->b, 9, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, -1));
	EXPECT_EQ(0, shmdev_unlock(self->b, 9));
}

TEST_HARNESS_MAIN
