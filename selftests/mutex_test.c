// SPDX-License-Identifier: GPL-2.0
/* mutex_test: robust mutexes: no syscall uncontended, exclusion, owner death, recovery. */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "common.h"

#define SEC	1000000000LL

/*
 * Every ioctl() of this program, libshmdev's included, comes here: the
 * executable's definition wins over libc's, so the calls into the module
 * can be counted exactly.
 */
static unsigned long ioctls;

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	__atomic_fetch_add(&ioctls, 1, __ATOMIC_RELAXED);
	return syscall(SYS_ioctl, fd, request, arg);
}

struct shared {
	shmdev_mutex_t m;
	uint64_t counter;		/* under m */
	uint32_t ready, go;		/* start line of the contenders */
	uint32_t entered;		/* under m: contenders that took m */
	uint64_t first[4], last[4];	/* counter values each contender saw */
	uint64_t done[4];		/* increments each contender made */
};

FIXTURE(mutex) {
	struct test_names names;
	const char *name;
	struct shmdev_region *r;
	struct shared *s;
};

FIXTURE_SETUP(mutex)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	self->name = new_name(&self->names, "mutex");
	ASSERT_EQ(0, shmdev_open(self->name, page_size(), SHMDEV_CREAT, 0600, &self->r));
	self->s = shmdev_addr(self->r);
	ASSERT_EQ(0, shmdev_mutex_init(self->r, &self->s->m));
}

FIXTURE_TEARDOWN(mutex)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* An uncontended lock/unlock makes no ioctl and the module sees no wait or wake. */
TEST_F_TIMEOUT(mutex, uncontended_makes_no_kernel_calls, 300)
{
	struct shmdev_stat st0, st1;
	unsigned long calls;
	int64_t t0, spent;
	int i;

	/* The count sees libshmdev's calls: one STAT is one ioctl. */
	calls = ioctls;
	st0 = region_stat(self->r);
	ASSERT_EQ(calls + 1, ioctls);

	calls = ioctls;
	t0 = now_ns();
	for (i = 0; i < 1000000; i++) {
		if (shmdev_mutex_lock(self->r, &self->s->m, -1))
			break;
		self->s->counter++;
		if (shmdev_mutex_unlock(self->r, &self->s->m))
			break;
	}
	spent = now_ns() - t0;
	EXPECT_EQ(1000000, i);
	EXPECT_EQ(calls, ioctls);
	st1 = region_stat(self->r);
	/* What the module saw: nothing slept, nothing was woken. */
	EXPECT_EQ(st0.waits, st1.waits);
	EXPECT_EQ(st0.wakes, st1.wakes);
	EXPECT_EQ(1000000, self->s->counter);
	EXPECT_EQ(0, self->s->m.__word);
	TH_LOG("1,000,000 lock/unlock pairs in %lld ms: %lu ioctls, %llu waits, %llu wakes",
	       (long long)spent / 1000000, ioctls - 1 - calls,
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.wakes - st0.wakes));
}

/*
 * Four processes contending for one mutex never overlap inside it.
 *
 * An uncontended pair costs tens of nanoseconds, so 100,000 of them fit in
 * one time slice: woken one after another, the contenders could each finish
 * before the next ran, and the count would prove nothing. Each contender
 * therefore goes on past 100,000 until all four have taken the mutex once:
 * the first three are still taking it when the last one starts.
 */
TEST_F_TIMEOUT(mutex, four_processes_exclusion, 300)
{
	struct shmdev_stat st0 = region_stat(self->r), st1;
	uint64_t total = 0;
	int64_t t0;
	pid_t pids[4];
	int i, overlapped = 0;

	self->s->counter = 0;
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct shmdev_region *r;
			struct shared *s;
			uint64_t n = 0;
			int64_t until;
			bool more;

			/* A handle of its own: an owner id of its own. */
			CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
			s = shmdev_addr(r);
			/* All start together, or they might merely take turns. */
			__atomic_fetch_add(&s->ready, 1, __ATOMIC_SEQ_CST);
			while (!__atomic_load_n(&s->go, __ATOMIC_SEQ_CST)) {
				int ret = shmdev_wait(r, &s->go, 0, 20LL * 1000000000);

				CHILD_ASSERT_TRUE(!ret || ret == -EAGAIN);
			}
			/* Not for ever, should a contender never get here. */
			until = now_ns() + 60 * SEC;
			do {
				if (shmdev_mutex_lock(r, &s->m, -1))
					_exit(2);
				if (!n)
					s->first[i] = s->counter;
				s->entered += !n;
				s->last[i] = s->counter++;
				/*
				 * Decided under m: a contender that sees all four
				 * entered took m again after the last one did.
				 */
				more = ++n < 100000 || (s->entered < 4 && now_ns() < until);
				if (shmdev_mutex_unlock(r, &s->m))
					_exit(3);
			} while (more);
			s->done[i] = n;
			_exit(0);
		}
	}
	ASSERT_TRUE(WAIT_UNTIL(__atomic_load_n(&self->s->ready, __ATOMIC_SEQ_CST) == 4, 10000));
	t0 = now_ns();
	__atomic_store_n(&self->s->go, 1, __ATOMIC_SEQ_CST);
	EXPECT_LE(0, shmdev_wake(self->r, &self->s->go, INT_MAX));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
	for (i = 0; i < 4; i++) {
		EXPECT_LE(100000, self->s->done[i]);
		total += self->s->done[i];
	}
	/* A lost update, two holders at once, leaves the count short. */
	EXPECT_EQ(total, self->s->counter);
	EXPECT_EQ(0, self->s->m.__word);
	st1 = region_stat(self->r);
	/* A contender others got in between saw more values than it made. */
	for (i = 0; i < 4; i++)
		if (self->s->done[i] &&
		    self->s->last[i] - self->s->first[i] >= self->s->done[i])
			overlapped++;
	TH_LOG("%llu increments in %lld ms; %d interleaved; %llu sleeps, %llu wakes",
	       (unsigned long long)total, (long long)(now_ns() - t0) / 1000000, overlapped,
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.wakes - st0.wakes));
	/* The first three were still at it when the fourth started. */
	EXPECT_LE(3, overlapped);
}

/* Unlocking a mutex nobody holds is -EPERM. */
TEST_F(mutex, unlock_unheld_eperm)
{
	EXPECT_EQ(-EPERM, shmdev_mutex_unlock(self->r, &self->s->m));
}

/* Locking a mutex the handle already holds is -EDEADLK. */
TEST_F(mutex, relock_edeadlk)
{
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-EDEADLK, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

/* shmdev_mutex_trylock() of a held mutex is -EBUSY, for the holder and others. */
TEST_F(mutex, trylock_held_ebusy)
{
	struct shmdev_region *b;
	struct shared *sb;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	sb = shmdev_addr(b);
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-EBUSY, shmdev_mutex_trylock(self->r, &self->s->m));
	EXPECT_EQ(-EBUSY, shmdev_mutex_trylock(b, &sb->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	shmdev_close(b);
}

/* Locking a mutex another handle holds times out: -ETIMEDOUT, at once or later. */
TEST_F(mutex, lock_held_etimedout)
{
	struct shmdev_region *b;
	struct shared *sb;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	sb = shmdev_addr(b);
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-ETIMEDOUT, shmdev_mutex_lock(b, &sb->m, 0));
	EXPECT_EQ(-ETIMEDOUT, shmdev_mutex_lock(b, &sb->m, 10 * 1000 * 1000));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	shmdev_close(b);
}

/* Unlocking a mutex another handle holds is -EPERM. */
TEST_F(mutex, unlock_by_other_handle_eperm)
{
	struct shmdev_region *b;
	struct shared *sb;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	sb = shmdev_addr(b);
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-EPERM, shmdev_mutex_unlock(b, &sb->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	shmdev_close(b);
}

/* shmdev_mutex_consistent() of a mutex whose owner did not die is -EINVAL. */
TEST_F(mutex, consistent_without_owner_died_einval)
{
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-EINVAL, shmdev_mutex_consistent(self->r, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

/*
 * The mutex must lie in the caller's own mapping of the region: through
 * another handle's mapping every call is -EINVAL, held or not.
 */
TEST_F(mutex, outside_own_mapping_einval)
{
	struct shmdev_region *b;
	struct shared *sb;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	sb = shmdev_addr(b);
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-EINVAL, shmdev_mutex_lock(b, &self->s->m, 0));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_trylock(b, &self->s->m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_lock(b, &self->s->m, -1));
	EXPECT_EQ(0, shmdev_mutex_trylock(b, &sb->m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_unlock(b, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(b, &sb->m));
	shmdev_close(b);
}

/* shmdev_mutex_init() of a misaligned word or one outside the region is -EINVAL. */
TEST_F(mutex, init_bad_address_einval)
{
	shmdev_mutex_t *odd = (shmdev_mutex_t *)((char *)shmdev_addr(self->r) + 2);

	EXPECT_EQ(-EINVAL, shmdev_mutex_init(self->r, odd));
	EXPECT_EQ(-EINVAL, shmdev_mutex_init(self->r, (shmdev_mutex_t *)&self->names));
}

/*
 * A mutex or condition variable whose first word is the mapping's last is
 * -EINVAL for every call: its second word lies past the end, where a store
 * or load would fault.
 */
TEST_F(mutex, object_across_mapping_end_einval)
{
	char *end = (char *)shmdev_addr(self->r) + shmdev_size(self->r);
	shmdev_mutex_t *m = (shmdev_mutex_t *)(end - sizeof(uint32_t));
	shmdev_cond_t *c = (shmdev_cond_t *)(end - sizeof(uint32_t));

	EXPECT_EQ(-EINVAL, shmdev_mutex_init(self->r, m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_lock(self->r, m, 0));
	EXPECT_EQ(-EINVAL, shmdev_mutex_trylock(self->r, m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_unlock(self->r, m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_destroy(self->r, m));
	EXPECT_EQ(-EINVAL, shmdev_cond_init(self->r, c));
	EXPECT_EQ(-EINVAL, shmdev_cond_signal(self->r, c));
	EXPECT_EQ(-EINVAL, shmdev_cond_wait(self->r, c, &self->s->m, 0));
	/* One word earlier, both words are inside: a mutex like any other. */
	m = (shmdev_mutex_t *)(end - sizeof(*m));
	ASSERT_EQ(0, shmdev_mutex_init(self->r, m));
	EXPECT_EQ(0, shmdev_mutex_lock(self->r, m, 0));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, m));
}

/* A read-only handle cannot init or lock a mutex: the library's and the module's -EACCES. */
TEST_F(mutex, read_only_handle_eacces)
{
	struct shmdev_mutex_init raw = { .offset = 2048 };
	struct shmdev_region *ro;

	ASSERT_EQ(0, shmdev_open(self->name, 0, SHMDEV_RDONLY, 0, &ro));
	EXPECT_EQ(-EACCES, shmdev_mutex_init(ro, shmdev_addr(ro)));
	EXPECT_EQ(-EACCES, xioctl(shmdev_fd(ro), SHMDEV_IOC_MUTEX_INIT, &raw));
	EXPECT_EQ(-EACCES, shmdev_mutex_lock(ro, shmdev_addr(ro), 0));
	shmdev_close(ro);
}

/* SHMDEV_IOC_MUTEX_INIT checks the word itself: misaligned, outside, flags, pad. */
FIXTURE(mutex_init_ioctl) {
	struct test_names names;
	struct shmdev_region *r;
};

FIXTURE_VARIANT(mutex_init_ioctl) {
	uint64_t offset;	/* UINT64_MAX: the region's size */
	uint32_t flags, pad;
	int err;
};

FIXTURE_VARIANT_ADD(mutex_init_ioctl, offset_1) { .offset = 1, .err = -EINVAL };
FIXTURE_VARIANT_ADD(mutex_init_ioctl, offset_2) { .offset = 2, .err = -EINVAL };
FIXTURE_VARIANT_ADD(mutex_init_ioctl, offset_3) { .offset = 3, .err = -EINVAL };
FIXTURE_VARIANT_ADD(mutex_init_ioctl, offset_at_end) { .offset = UINT64_MAX, .err = -EINVAL };
FIXTURE_VARIANT_ADD(mutex_init_ioctl, offset_overflows) {
	.offset = UINT64_MAX - 3, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(mutex_init_ioctl, flags_set) { .offset = 2048, .flags = 1, .err = -EINVAL };
FIXTURE_VARIANT_ADD(mutex_init_ioctl, pad_set) { .offset = 2048, .pad = 1, .err = -EINVAL };
FIXTURE_VARIANT_ADD(mutex_init_ioctl, valid) { .offset = 2048, .err = 0 };

FIXTURE_SETUP(mutex_init_ioctl)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "mutex"), page_size(), SHMDEV_CREAT,
				 0600, &self->r));
}

FIXTURE_TEARDOWN(mutex_init_ioctl)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* The ioctl answers the variant's errno (0 for the valid word). */
TEST_F(mutex_init_ioctl, answer)
{
	struct shmdev_mutex_init raw = {
		.offset = variant->offset == UINT64_MAX ? shmdev_size(self->r) : variant->offset,
		.flags = variant->flags,
		.pad = variant->pad,
	};

	EXPECT_EQ(variant->err, xioctl(shmdev_fd(self->r), SHMDEV_IOC_MUTEX_INIT, &raw));
}

/* A child with its own handle takes the mutex and waits to be killed. */
static pid_t doomed_holder(const char *name)
{
	int ready[2];
	pid_t pid;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (!pid) {
		struct shmdev_region *r;
		struct shared *s;

		if (shmdev_open(name, 0, 0, 0, &r))
			_exit(2);
		s = shmdev_addr(r);
		if (shmdev_mutex_lock(r, &s->m, -1))
			_exit(3);
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
 * A holder killed while another waits: the waiter wakes with -EOWNERDEAD,
 * and once made consistent the mutex is an ordinary one again. (One test:
 * the holder and the waiter are forked children.)
 */
TEST_F(mutex, owner_killed_then_consistent)
{
	struct shmdev_stat st0 = region_stat(self->r);
	pid_t holder, waiter;

	ASSERT_LT(0, holder = doomed_holder(self->name));
	/* A waiter sleeping in the kernel is woken by the death. */
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (!waiter) {
		struct shmdev_region *r;
		struct shared *s;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		s = shmdev_addr(r);
		CHILD_ASSERT_EQ(-EOWNERDEAD, shmdev_mutex_lock(r, &s->m, 30LL * 1000000000));
		s->counter = 42;
		CHILD_ASSERT_EQ(0, shmdev_mutex_consistent(r, &s->m));
		CHILD_ASSERT_EQ(-EINVAL, shmdev_mutex_consistent(r, &s->m));
		CHILD_ASSERT_EQ(0, shmdev_mutex_unlock(r, &s->m));
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > st0.waits, 10000));
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(holder));
	EXPECT_EQ(0, wait_exit(waiter));
	/* Made consistent: an ordinary mutex again. */
	EXPECT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(42, self->s->counter);
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	EXPECT_EQ(st0.owner_deaths + 1, region_stat(self->r).owner_deaths);
}

/*
 * A mutex whose dead owner's state was not made consistent is
 * -ENOTRECOVERABLE for every handle until it is initialised again.
 */
TEST_F(mutex, owner_killed_not_consistent_unrecoverable)
{
	struct shmdev_region *b;
	pid_t holder;

	ASSERT_LT(0, holder = doomed_holder(self->name));
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(holder));
	/* Nobody waited: the next locker finds it owner-died. */
	EXPECT_EQ(-EOWNERDEAD, shmdev_mutex_trylock(self->r, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	EXPECT_EQ(-ENOTRECOVERABLE, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-ENOTRECOVERABLE, shmdev_mutex_trylock(self->r, &self->s->m));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	EXPECT_EQ(-ENOTRECOVERABLE,
		  shmdev_mutex_lock(b, &((struct shared *)shmdev_addr(b))->m, 0));
	shmdev_close(b);
	/* Registering it again starts afresh. */
	ASSERT_EQ(0, shmdev_mutex_init(self->r, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, 0));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

/*
 * Closing a handle allocates nothing for mutex words on pages that do not
 * exist: a writer registers a word on each of 1024 pages and punches the
 * pages out; a reader's close must not bring them back (they are zeros,
 * owned by nobody).
 */
TEST_F(mutex, close_allocates_no_page)
{
	const char *n = new_name(&self->names, "mutex.punched");
	const unsigned int pages = 1024;
	uint64_t len = pages * page_size();
	struct shmdev_region *w, *ro;
	unsigned int i;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, len, SHMDEV_CREAT, 0600, &w));
	p = shmdev_addr(w);
	for (i = 0; i < pages; i++)
		ASSERT_EQ(0, shmdev_mutex_init(w, (shmdev_mutex_t *)(p + i * page_size())));
	EXPECT_EQ(pages, region_stat(w).resident);
	ASSERT_EQ(0, madvise(p, len, MADV_REMOVE));
	EXPECT_EQ(0, region_stat(w).resident);

	ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &ro));
	EXPECT_EQ(0, shmdev_close(ro));
	EXPECT_EQ(0, region_stat(w).resident);
	/* A word that does exist and names a dead handle is still released. */
	ASSERT_EQ(0, shmdev_mutex_init(w, (shmdev_mutex_t *)p));	/* zeroed: initialise it again */
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &ro));
	ASSERT_EQ(0, shmdev_mutex_lock(ro, (shmdev_mutex_t *)shmdev_addr(ro), -1));
	EXPECT_EQ(0, shmdev_close(ro));
	EXPECT_EQ(1, region_stat(w).resident);
	EXPECT_EQ(-EOWNERDEAD, shmdev_mutex_lock(w, (shmdev_mutex_t *)p, -1));
	EXPECT_EQ(0, shmdev_mutex_consistent(w, (shmdev_mutex_t *)p));
	EXPECT_EQ(0, shmdev_mutex_unlock(w, (shmdev_mutex_t *)p));
	EXPECT_EQ(0, shmdev_close(w));
}

/*
 * An owner killed inside unlock, after it cleared the word and before it
 * woke the waiter, does not strand that waiter: the module wakes it when
 * the dead owner's handle goes away.
 */
TEST_F(mutex, owner_killed_inside_unlock)
{
	size_t off = (char *)&self->s->m - (char *)shmdev_addr(self->r);
	uint64_t waits0 = region_stat(self->r).waits;
	int locked[2];
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pipe(locked));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *c;
		shmdev_mutex_t *m;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &c));
		m = (shmdev_mutex_t *)((char *)shmdev_addr(c) + off);
		CHILD_ASSERT_EQ(0, shmdev_mutex_lock(c, m, -1));
		CHILD_ASSERT_EQ(0, pipe_post(locked[1]));
		CHILD_ASSERT_TRUE(WAIT_UNTIL(region_stat(c).waits > waits0, 10000));
		/* The first half of shmdev_mutex_unlock(), then death. */
		CHILD_ASSERT_TRUE(__atomic_exchange_n(&m->__word, 0, __ATOMIC_RELEASE) &
				  SHMDEV_MUTEX_WAITERS);
		_exit(0);
	}
	ASSERT_EQ(0, pipe_wait(locked[0]));
	t0 = now_ns();
	EXPECT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, 20000000000LL));
	EXPECT_GT(15000000000LL, now_ns() - t0);
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	EXPECT_EQ(0, wait_exit(pid));
	close(locked[0]);
	close(locked[1]);
}

/* Closing a handle releases the mutexes it held: the next locker sees OWNER_DIED. */
TEST_F(mutex, closed_handle_releases_its_mutexes)
{
	struct shmdev_region *b;
	struct shared *s;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	s = shmdev_addr(b);
	ASSERT_EQ(0, shmdev_mutex_lock(b, &s->m, -1));
	EXPECT_EQ((uint32_t)shmdev_handle_id(b), self->s->m.__word);
	ASSERT_EQ(0, shmdev_close(b));
	EXPECT_EQ(SHMDEV_MUTEX_OWNER_DIED, self->s->m.__word);
	EXPECT_EQ(-EOWNERDEAD, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(0, shmdev_mutex_consistent(self->r, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

/*
 * A mutex that was never initialised (zeroed memory) or was destroyed is
 * -EINVAL for every call, not a lock that works until its holder dies and
 * then stays taken; a held one cannot be destroyed.
 */

/* Every call on a zeroed, never initialised word is -EINVAL and leaves it 0. */
TEST_F(mutex, uninitialised_is_einval)
{
	shmdev_mutex_t *z = (shmdev_mutex_t *)((char *)self->s + 1024);

	memset(z, 0, sizeof(*z));
	EXPECT_EQ(-EINVAL, shmdev_mutex_lock(self->r, z, 0));
	EXPECT_EQ(-EINVAL, shmdev_mutex_trylock(self->r, z));
	EXPECT_EQ(-EINVAL, shmdev_mutex_unlock(self->r, z));
	EXPECT_EQ(-EINVAL, shmdev_mutex_consistent(self->r, z));
	EXPECT_EQ(-EINVAL, shmdev_mutex_destroy(self->r, z));
	EXPECT_EQ(0, z->__word);
}

/* A held mutex cannot be destroyed: -EBUSY. */
TEST_F(mutex, destroy_held_ebusy)
{
	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, 0));
	EXPECT_EQ(-EBUSY, shmdev_mutex_destroy(self->r, &self->s->m));
	ASSERT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

/* After destroy, lock, trylock and destroy again are -EINVAL. */
TEST_F(mutex, destroyed_is_einval)
{
	EXPECT_EQ(0, shmdev_mutex_destroy(self->r, &self->s->m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_lock(self->r, &self->s->m, 0));
	EXPECT_EQ(-EINVAL, shmdev_mutex_trylock(self->r, &self->s->m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_destroy(self->r, &self->s->m));
}

/* A destroyed mutex initialised again works again. */
TEST_F(mutex, destroyed_then_init_works)
{
	ASSERT_EQ(0, shmdev_mutex_destroy(self->r, &self->s->m));
	ASSERT_EQ(0, shmdev_mutex_init(self->r, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_trylock(self->r, &self->s->m));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

/* shmdev_mutex_destroy() without a region or a mutex is -EINVAL. */
TEST_F(mutex, destroy_null_einval)
{
	EXPECT_EQ(-EINVAL, shmdev_mutex_destroy(NULL, &self->s->m));
	EXPECT_EQ(-EINVAL, shmdev_mutex_destroy(self->r, NULL));
}

/*
 * Once destroyed, a mutex's word is the application's again: a value there
 * that equals a closing handle's id (a counter, say) is left alone. Before
 * there was a destroy, the module rewrote it to OWNER_DIED.
 */
TEST_F(mutex, destroyed_word_not_rewritten)
{
	struct shmdev_region *b;
	uint32_t id;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	id = (uint32_t)shmdev_handle_id(b);
	ASSERT_EQ(0, shmdev_mutex_destroy(self->r, &self->s->m));
	self->s->m.__word = id;		/* the application's data now */
	shmdev_close(b);
	EXPECT_EQ(id, self->s->m.__word);
}

/*
 * The module's side of destroy: it checks its argument, counts what it
 * unregistered, and wakes whoever sleeps on a word it forgets.
 */
FIXTURE(destroy_ioctl) {
	struct test_names names;
	struct shmdev_region *r;
};

FIXTURE_VARIANT(destroy_ioctl) {
	uint64_t offset;
	uint32_t len, flags, pad;
};

FIXTURE_VARIANT_ADD(destroy_ioctl, flags_set) { .offset = 2048, .len = 4, .flags = 1 };
FIXTURE_VARIANT_ADD(destroy_ioctl, pad_set) { .offset = 2048, .len = 4, .pad = 1 };
FIXTURE_VARIANT_ADD(destroy_ioctl, len_0) { .offset = 2048, .len = 0 };
FIXTURE_VARIANT_ADD(destroy_ioctl, len_not_words) { .offset = 2048, .len = 6 };
FIXTURE_VARIANT_ADD(destroy_ioctl, offset_misaligned) { .offset = 2050, .len = 4 };
FIXTURE_VARIANT_ADD(destroy_ioctl, range_overflows) { .offset = UINT64_MAX - 3, .len = 8 };

FIXTURE_SETUP(destroy_ioctl)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "mutex"), page_size(), SHMDEV_CREAT,
				 0600, &self->r));
}

FIXTURE_TEARDOWN(destroy_ioctl)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* SHMDEV_IOC_MUTEX_DESTROY refuses the bad range or the set field: -EINVAL. */
TEST_F(destroy_ioctl, einval)
{
	struct shmdev_mutex_destroy md = {
		.offset = variant->offset, .len = variant->len,
		.flags = variant->flags, .pad = variant->pad,
	};

	EXPECT_EQ(-EINVAL, xioctl(shmdev_fd(self->r), SHMDEV_IOC_MUTEX_DESTROY, &md));
}

/* Destroying a range with nothing registered is 0, far beyond the region too. */
TEST_F(mutex, destroy_ioctl_nothing_registered)
{
	struct shmdev_mutex_destroy md = { .offset = 2048, .len = 4 };
	int fd = shmdev_fd(self->r);

	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_MUTEX_DESTROY, &md));
	md.offset = UINT64_MAX - 7;
	md.len = 4;
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_MUTEX_DESTROY, &md));
}

/* Register mutex words at 2048, 2052 and 2060 of @fd's region. */
static int register_three_words(int fd)
{
	struct shmdev_mutex_init mi = { .offset = 2048 };
	int ret;

	ret = xioctl(fd, SHMDEV_IOC_MUTEX_INIT, &mi);
	mi.offset = 2052;
	if (!ret)
		ret = xioctl(fd, SHMDEV_IOC_MUTEX_INIT, &mi);
	mi.offset = 2060;
	if (!ret)
		ret = xioctl(fd, SHMDEV_IOC_MUTEX_INIT, &mi);
	return ret;
}

/* SHMDEV_IOC_MUTEX_DESTROY through a read-only handle is -EACCES. */
TEST_F(mutex, destroy_ioctl_read_only_eacces)
{
	struct shmdev_mutex_destroy md = { .offset = 2048, .len = 8 };
	struct shmdev_region *ro;

	ASSERT_EQ(0, register_three_words(shmdev_fd(self->r)));
	ASSERT_EQ(0, shmdev_open(self->name, 0, SHMDEV_RDONLY, 0, &ro));
	EXPECT_EQ(-EACCES, xioctl(shmdev_fd(ro), SHMDEV_IOC_MUTEX_DESTROY, &md));
	shmdev_close(ro);
}

/*
 * SHMDEV_IOC_MUTEX_DESTROY wakes a sleeper on a word it forgets, leaves the
 * word's value alone, and answers how many words it unregistered. (One
 * test: the sleeper is a forked child.)
 */
TEST_F(mutex, destroy_ioctl_wakes_and_counts)
{
	struct shmdev_mutex_destroy md = { .offset = 2048, .len = 8 };
	int fd = shmdev_fd(self->r);
	uint32_t *w = (uint32_t *)((char *)self->s + 2048);
	int64_t t0;
	pid_t pid;

	/* Three words registered, two in the range. */
	ASSERT_EQ(0, register_three_words(fd));
	*w = 7;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *c;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &c));
		CHILD_ASSERT_EQ(0, shmdev_wait(c, (uint32_t *)((char *)shmdev_addr(c) + 2048),
					       7, 20 * SEC));
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > 0, 10000));
	t0 = now_ns();
	EXPECT_EQ(2, xioctl(fd, SHMDEV_IOC_MUTEX_DESTROY, &md));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_GT(5 * SEC, now_ns() - t0);
	EXPECT_EQ(7, *w);
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_MUTEX_DESTROY, &md));
	md.len = 16;
	EXPECT_EQ(1, xioctl(fd, SHMDEV_IOC_MUTEX_DESTROY, &md));
}

struct thread_arg {
	struct shmdev_region *r;
	struct shared *s;
	int rounds, err;
};

/* Lock, bump the counter in two steps with a yield between, unlock. */
static void *bump_thread(void *p)
{
	struct thread_arg *a = p;
	int i, ret;

	for (i = 0; i < a->rounds; i++) {
		uint64_t c;

		ret = shmdev_mutex_lock(a->r, &a->s->m, -1);
		if (ret) {
			a->err = ret;
			break;
		}
		c = a->s->counter;
		if (!(i % 16))
			sched_yield();
		a->s->counter = c + 1;
		ret = shmdev_mutex_unlock(a->r, &a->s->m);
		if (ret) {
			a->err = ret;
			break;
		}
	}
	return NULL;
}

/*
 * Threads that share one handle exclude each other on one mutex, as with a
 * pthread mutex: no -EDEADLK, no lost update.
 */
TEST_F_TIMEOUT(mutex, threads_sharing_a_handle_exclude_each_other, 300)
{
	struct thread_arg a[4];
	pthread_t t[4];
	int i;

	self->s->counter = 0;
	for (i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){ .r = self->r, .s = self->s, .rounds = 5000 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, bump_thread, &a[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, a[i].err);
	}
	EXPECT_EQ(20000, self->s->counter);
}

struct owner_probe {
	struct shmdev_region *r;
	shmdev_mutex_t *m;
	int lock0, trylock, unlock, lock, unlock2;
};

static void *probe_thread(void *p)
{
	struct owner_probe *o = p;

	o->lock0 = shmdev_mutex_lock(o->r, o->m, 0);
	o->trylock = shmdev_mutex_trylock(o->r, o->m);
	o->unlock = shmdev_mutex_unlock(o->r, o->m);
	o->lock = shmdev_mutex_lock(o->r, o->m, 20 * SEC);
	o->unlock2 = shmdev_mutex_unlock(o->r, o->m);
	return NULL;
}

/*
 * The owner is the thread: another thread of the handle waits for it, may
 * not unlock it, and gets it once it is unlocked; the owner alone relocks
 * into -EDEADLK.
 */
TEST_F(mutex, owner_is_the_thread)
{
	struct owner_probe o = { .r = self->r, .m = &self->s->m };
	pthread_t t;

	ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, -1));
	EXPECT_EQ(-EDEADLK, shmdev_mutex_lock(self->r, &self->s->m, -1));
	ASSERT_EQ(0, pthread_create(&t, NULL, probe_thread, &o));
	ASSERT_TRUE(WAIT_UNTIL(region_stat(self->r).waits > 0, 10000));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-ETIMEDOUT, o.lock0);
	EXPECT_EQ(-EBUSY, o.trylock);
	EXPECT_EQ(-EPERM, o.unlock);
	EXPECT_EQ(0, o.lock);
	EXPECT_EQ(0, o.unlock2);
	EXPECT_EQ(0, self->s->m.__word);
}

static void *lock_and_exit(void *p)
{
	struct owner_probe *o = p;

	o->lock = shmdev_mutex_lock(o->r, o->m, 0);
	if (o->unlock == 1)
		o->unlock2 = shmdev_mutex_unlock(o->r, o->m);
	return NULL;
}

/*
 * Threads come and go: an exited thread's id is handed to the next one, so
 * more threads than a handle may have ids lock through it in turn; a
 * thread that exits holding a mutex leaves it held by an id no other
 * thread gets, until the process goes: then it is owner-died.
 */
TEST_F_TIMEOUT(mutex, threads_come_and_go, 300)
{
	shmdev_mutex_t *m2 = (shmdev_mutex_t *)((char *)self->s + 1024);
	struct owner_probe o;
	pthread_t t;
	pid_t pid;
	int i;

	for (i = 0; i < 2 * SHMDEV_MAX_OWNER_IDS; i++) {
		o = (struct owner_probe){ .r = self->r, .m = &self->s->m, .unlock = 1 };
		ASSERT_EQ(0, pthread_create(&t, NULL, lock_and_exit, &o));
		ASSERT_EQ(0, pthread_join(t, NULL));
		ASSERT_EQ(0, o.lock);
		ASSERT_EQ(0, o.unlock2);
	}
	ASSERT_EQ(0, shmdev_mutex_init(self->r, m2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *c;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &c));
		o = (struct owner_probe){ .r = c, .m = (shmdev_mutex_t *)((char *)shmdev_addr(c) + 1024) };
		CHILD_ASSERT_EQ(0, pthread_create(&t, NULL, lock_and_exit, &o));
		CHILD_ASSERT_EQ(0, pthread_join(t, NULL));
		CHILD_ASSERT_EQ(0, o.lock);
		/* Its owner is gone, the process lives: still held. */
		CHILD_ASSERT_EQ(-EBUSY, shmdev_mutex_trylock(c, o.m));
		CHILD_ASSERT_EQ(-EPERM, shmdev_mutex_unlock(c, o.m));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(-EOWNERDEAD, shmdev_mutex_lock(self->r, m2, 0));
	EXPECT_EQ(0, shmdev_mutex_consistent(self->r, m2));
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, m2));
}

static void *lock_and_unlock(void *p)
{
	struct owner_probe *o = p;

	o->lock = shmdev_mutex_lock(o->r, o->m, 0);
	if (!o->lock)
		o->unlock = shmdev_mutex_unlock(o->r, o->m);
	return NULL;
}

/*
 * After fork(), a new thread of the child and a new thread of the parent
 * are two owners, though both processes share the handle and the parent
 * kept an exited thread's id for its next thread.
 */
TEST_F_TIMEOUT(mutex, fork_child_threads_are_other_owners, 60)
{
	struct owner_probe o = { .r = self->r, .m = &self->s->m };
	int held[2], done[2];
	pthread_t t;
	pid_t pid;

	/* The main thread takes the handle's id; a thread's id becomes spare. */
	ASSERT_EQ(0, shmdev_mutex_trylock(self->r, &self->s->m));
	ASSERT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
	ASSERT_EQ(0, pthread_create(&t, NULL, lock_and_unlock, &o));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, o.lock);
	ASSERT_EQ(0, pipe(held));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct owner_probe c = { .r = self->r, .m = &self->s->m, .unlock = 0 };

		/* A child thread locks and exits holding it. */
		CHILD_ASSERT_EQ(0, pthread_create(&t, NULL, lock_and_exit, &c));
		CHILD_ASSERT_EQ(0, pthread_join(t, NULL));
		CHILD_ASSERT_EQ(0, c.lock);
		pipe_post(held[1]);
		pipe_wait(done[0]);
		_exit(0);
	}
	ASSERT_EQ(0, pipe_wait(held[0]));
	o = (struct owner_probe){ .r = self->r, .m = &self->s->m };
	ASSERT_EQ(0, pthread_create(&t, NULL, lock_and_unlock, &o));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-ETIMEDOUT, o.lock);
	pipe_post(done[1]);
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * A process that opened a handle and forked before any thread locked: the
 * child's first thread locks with the handle's own id, as the parent's
 * would, and takes no id that only the handle's close would give back (a
 * prefork server's children would use the handle's ids up).
 */
TEST_F(mutex, forked_child_locks_with_the_handles_id)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, 0));
		CHILD_ASSERT_EQ((uint32_t)shmdev_handle_id(self->r), self->s->m.__word);
		CHILD_ASSERT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	/* The parent's thread is the same owner, as the handle is shared. */
	EXPECT_EQ(0, shmdev_mutex_lock(self->r, &self->s->m, 0));
	EXPECT_EQ((uint32_t)shmdev_handle_id(self->r), self->s->m.__word);
	EXPECT_EQ(0, shmdev_mutex_unlock(self->r, &self->s->m));
}

static pthread_key_t late_key;
static struct owner_probe late;

/* A destructor that runs after libshmdev's and still locks. */
static void late_destructor(void *p)
{
	(void)p;
	late.lock = shmdev_mutex_lock(late.r, late.m, 0);
	if (!late.lock)
		late.unlock2 = shmdev_mutex_unlock(late.r, late.m);
}

static void *lock_then_exit_with_late_destructor(void *p)
{
	struct owner_probe *o = p;

	o->lock = shmdev_mutex_lock(o->r, o->m, 0);
	if (!o->lock)
		o->unlock = shmdev_mutex_unlock(o->r, o->m);
	pthread_setspecific(late_key, o);
	return NULL;
}

/*
 * A thread's exit hands its ids back; another library's thread-exit
 * destructor that runs later may still lock and unlock.
 */
TEST_F(mutex, lock_from_a_later_thread_destructor)
{
	struct owner_probe o = { .r = self->r, .m = &self->s->m };
	pthread_t t;

	/* Created after libshmdev's key (first open): its destructor runs later. */
	ASSERT_EQ(0, pthread_key_create(&late_key, late_destructor));
	late = (struct owner_probe){ .r = self->r, .m = &self->s->m, .lock = 1, .unlock2 = 1 };
	ASSERT_EQ(0, pthread_create(&t, NULL, lock_then_exit_with_late_destructor, &o));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, o.lock);
	EXPECT_EQ(0, o.unlock);
	EXPECT_EQ(0, late.lock);
	EXPECT_EQ(0, late.unlock2);
	EXPECT_EQ(0, self->s->m.__word);
	pthread_key_delete(late_key);
}

/* The module's side: ids for threads, distinct, bounded, the handle's. */
/* The module's side: ids for threads, distinct, bounded, the handle's. */

/* SHMDEV_IOC_OWNER_ID on a handle not attached to a region is -EBADFD. */
TEST_F(mutex, owner_id_unattached_ebadfd)
{
	struct shmdev_owner_id oi = { 0 };
	int fd;

	ASSERT_LE(0, fd = open(SHMDEV_DEVICE, O_RDWR));
	EXPECT_EQ(-EBADFD, xioctl(fd, SHMDEV_IOC_OWNER_ID, &oi));
	close(fd);
}

/* SHMDEV_IOC_OWNER_ID with a flag set is -EINVAL. */
TEST_F(mutex, owner_id_flags_einval)
{
	struct shmdev_owner_id oi = { .flags = 1 };

	EXPECT_EQ(-EINVAL, xioctl(shmdev_fd(self->r), SHMDEV_IOC_OWNER_ID, &oi));
}

/* SHMDEV_IOC_OWNER_ID with no argument is -EFAULT. */
TEST_F(mutex, owner_id_null_efault)
{
	EXPECT_EQ(-EFAULT, xioctl(shmdev_fd(self->r), SHMDEV_IOC_OWNER_ID, NULL));
}

/* An owner id is not the handle's id and lies in the mutex word's id range. */
TEST_F(mutex, owner_id_in_range)
{
	struct shmdev_owner_id oi = { 0 };

	ASSERT_EQ(0, xioctl(shmdev_fd(self->r), SHMDEV_IOC_OWNER_ID, &oi));
	EXPECT_NE((uint32_t)shmdev_handle_id(self->r), oi.id);
	EXPECT_LE(1, oi.id);
	EXPECT_GE(SHMDEV_MUTEX_ID_MASK - 1, oi.id);
}

/* A handle gets SHMDEV_MAX_OWNER_IDS distinct ids, then -ENOSPC. */
TEST_F(mutex, owner_id_per_handle_limit_enospc)
{
	struct shmdev_owner_id oi = { 0 };
	int fd = shmdev_fd(self->r), i, ret = 0;
	uint32_t first;

	ASSERT_EQ(0, xioctl(fd, SHMDEV_IOC_OWNER_ID, &oi));
	first = oi.id;
	for (i = 1; i < SHMDEV_MAX_OWNER_IDS; i++) {
		ret = xioctl(fd, SHMDEV_IOC_OWNER_ID, &oi);
		if (ret)
			break;
		if (oi.id == first)
			break;
	}
	EXPECT_EQ(0, ret);
	EXPECT_NE(first, oi.id);
	EXPECT_EQ(-ENOSPC, xioctl(fd, SHMDEV_IOC_OWNER_ID, &oi));
}

/* A read-only handle takes no mutex, and no id: -EACCES. */
TEST_F(mutex, owner_id_read_only_eacces)
{
	struct shmdev_owner_id oi = { 0 };
	struct shmdev_region *b;

	ASSERT_EQ(0, shmdev_open(self->name, 0, SHMDEV_RDONLY, 0, &b));
	EXPECT_EQ(-EACCES, xioctl(shmdev_fd(b), SHMDEV_IOC_OWNER_ID, &oi));
	shmdev_close(b);
}

/*
 * 16 handles of 1024 ids each: the user's 16384; the next is refused with
 * -ENOSPC, and closing a handle gives its ids back to the user.
 */
TEST_F(mutex, owner_id_per_user_limit_enospc)
{
	struct shmdev_owner_id oi = { 0 };
	struct shmdev_region *b, *many[16];
	int i, j, ret = 0;

	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &many[i]));
		for (j = 0; j < SHMDEV_MAX_OWNER_IDS; j++) {
			ret = xioctl(shmdev_fd(many[i]), SHMDEV_IOC_OWNER_ID, &oi);
			if (ret)
				break;
		}
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	EXPECT_EQ(-ENOSPC, xioctl(shmdev_fd(b), SHMDEV_IOC_OWNER_ID, &oi));
	shmdev_close(many[0]);
	EXPECT_EQ(0, xioctl(shmdev_fd(b), SHMDEV_IOC_OWNER_ID, &oi));
	shmdev_close(b);
	for (i = 1; i < 16; i++)
		shmdev_close(many[i]);
}

/* An owner id owns a word as the handle does: released with it, OWNER_DIED. */
TEST_F(mutex, owner_id_released_with_handle)
{
	struct shmdev_owner_id oi = { 0 };
	struct shmdev_region *b;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	ASSERT_EQ(0, xioctl(shmdev_fd(b), SHMDEV_IOC_OWNER_ID, &oi));
	self->s->m.__word = oi.id;
	shmdev_close(b);
	EXPECT_EQ(SHMDEV_MUTEX_OWNER_DIED, self->s->m.__word);
}

TEST_HARNESS_MAIN
