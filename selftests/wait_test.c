// SPDX-License-Identifier: GPL-2.0
/* wait_test: wait/wake on words of a region: values, counts, timeouts, signals, no lost wake-up. */
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>

#include "common.h"

#define MSEC	1000000LL
#define SEC	1000000000LL

FIXTURE(wait) {
	struct test_names names;
	const char *name;
	struct shmdev_region *r;
	uint32_t *w;
};

FIXTURE_SETUP(wait)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	self->name = new_name(&self->names, "wait");
	ASSERT_EQ(0, shmdev_open(self->name, 2 * page_size(), SHMDEV_CREAT, 0600, &self->r));
	self->w = shmdev_addr(self->r);
}

FIXTURE_TEARDOWN(wait)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* A wait on a word that no longer holds the value asked is -EAGAIN, without sleeping. */
TEST_F(wait, changed_word_eagain)
{
	struct shmdev_stat st0 = region_stat(self->r);

	self->w[0] = 5;
	EXPECT_EQ(-EAGAIN, shmdev_wait(self->r, &self->w[0], 4, -1));
	EXPECT_EQ(-EAGAIN, shmdev_wait(self->r, &self->w[0], 4, 0));
	EXPECT_EQ(-EAGAIN, shmdev_wait(self->r, &self->w[0], 0x80000005, -1));
	/* The last word of the region is a word like any other. */
	self->w[2 * page_size() / 4 - 1] = 1;
	EXPECT_EQ(-EAGAIN, shmdev_wait(self->r, &self->w[2 * page_size() / 4 - 1], 0, -1));
	/* Calls that found the word changed did not sleep. */
	EXPECT_EQ(st0.waits, region_stat(self->r).waits);
}

/* Timeouts a wait on an unchanged word must last, and not much longer. */
FIXTURE(wait_timeout) {
	struct test_names names;
	struct shmdev_region *r;
};

FIXTURE_VARIANT(wait_timeout) {
	int64_t ns;
};

FIXTURE_VARIANT_ADD(wait_timeout, ms_1) { .ns = 1 * MSEC };
FIXTURE_VARIANT_ADD(wait_timeout, ms_20) { .ns = 20 * MSEC };
FIXTURE_VARIANT_ADD(wait_timeout, ms_150) { .ns = 150 * MSEC };

FIXTURE_SETUP(wait_timeout)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "wait"), page_size(), SHMDEV_CREAT,
				 0600, &self->r));
}

FIXTURE_TEARDOWN(wait_timeout)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* A wait times out with -ETIMEDOUT, not before its timeout, nor for ever. */
TEST_F(wait_timeout, not_early)
{
	uint32_t *w = shmdev_addr(self->r);
	int64_t t0, t1;

	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, shmdev_wait(self->r, &w[1], 0, variant->ns));
	t1 = now_ns();
	TH_LOG("timeout %lld us: returned after %lld us",
	       (long long)variant->ns / 1000, (long long)(t1 - t0) / 1000);
	EXPECT_LE(variant->ns, t1 - t0);
	/* Not for ever either (generous: TCG on a busy host). */
	EXPECT_GT(variant->ns + 5 * SEC, t1 - t0);
}

/* The median time, in ns, of 21 shmdev_wait(@r, @word, @expected, 0) calls returning @ret. */
static int64_t median_wait(struct __test_metadata *_metadata, struct shmdev_region *r,
			   uint32_t *word, uint32_t expected, int ret)
{
	int64_t spent[21], t0, t;
	int i, j;

	for (i = 0; i < 21; i++) {
		t0 = now_ns();
		EXPECT_EQ(ret, shmdev_wait(r, word, expected, 0));
		t = now_ns() - t0;
		/* Insertion sort as they come. */
		for (j = i; j > 0 && spent[j - 1] > t; j--)
			spent[j] = spent[j - 1];
		spent[j] = t;
	}
	return spent[10];
}

/* A wait with timeout 0 on an unchanged word returns -ETIMEDOUT at once, without sleeping. */
TEST_F(wait, timeout_zero_does_not_sleep)
{
	struct shmdev_stat st0 = region_stat(self->r);
	int64_t eagain, zero;

	/*
	 * A call that finds the word changed never sleeps: a timeout 0 call
	 * on an unchanged word may cost no more (1 ms of slack: no timer
	 * tick, no schedule).
	 */
	self->w[5] = 1;
	eagain = median_wait(_metadata, self->r, &self->w[5], 0, -EAGAIN);
	zero = median_wait(_metadata, self->r, &self->w[5], 1, -ETIMEDOUT);
	TH_LOG("median call: %lld us on a changed word, %lld us with timeout 0",
	       (long long)eagain / 1000, (long long)zero / 1000);
	EXPECT_GT(eagain + 1 * MSEC, zero);
	/* The region counts the calls that slept: none did. */
	EXPECT_EQ(st0.waits, region_stat(self->r).waits);
}

/* @n children each sleep once on @word (== 0); they exit 0 when woken. */
static void spawn_sleepers(struct __test_metadata *_metadata, struct shmdev_region *r,
			   uint32_t *word, pid_t *pids, int n)
{
	uint64_t waits0 = region_stat(r).waits;
	int i;

	for (i = 0; i < n; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			/* Bounded: a wake-up that never comes fails, it does not hang. */
			CHILD_ASSERT_EQ(0, shmdev_wait(r, word, 0, 20 * SEC));
			_exit(0);
		}
	}
	/* The region's wait counter shows each one queued. */
	ASSERT_TRUE(WAIT_UNTIL(region_stat(r).waits >= waits0 + n, 10000));
	ASSERT_EQ(waits0 + n, region_stat(r).waits);
}

/* Nobody sleeps: a wake wakes nobody. */
TEST_F(wait, wake_nobody_sleeping)
{
	uint32_t *word = &self->w[2];

	EXPECT_EQ(0, shmdev_wake(self->r, word, 1));
	EXPECT_EQ(0, shmdev_wake(self->r, word, INT_MAX));
}

/*
 * A wake wakes at most nr of the sleepers on its word, and none on another
 * word, even the next one; asking for more than sleep wakes as many as
 * sleep. Every SHMDEV_IOC_WAKE call is counted, woken or not.
 */
TEST_F_TIMEOUT(wait, wake_counts, 90)
{
	struct shmdev_stat st0 = region_stat(self->r);
	uint32_t *word = &self->w[2];
	pid_t pids[4];
	int i;

	spawn_sleepers(_metadata, self->r, word, pids, 4);
	EXPECT_EQ(0, shmdev_wake(self->r, &self->w[3], INT_MAX));
	EXPECT_EQ(0, shmdev_wake(self->r, &self->w[1], INT_MAX));
	EXPECT_EQ(1, shmdev_wake(self->r, word, 1));
	EXPECT_EQ(2, shmdev_wake(self->r, word, 2));
	EXPECT_EQ(1, shmdev_wake(self->r, word, 3));
	EXPECT_EQ(0, shmdev_wake(self->r, word, INT_MAX));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
	EXPECT_EQ(st0.wakes + 6, region_stat(self->r).wakes);
}

/* A wake of exactly as many as sleep wakes them all; the next wakes nobody. */
TEST_F_TIMEOUT(wait, wake_exactly_n_of_n, 90)
{
	uint32_t *word = &self->w[2];
	pid_t pids[3];
	int i;

	spawn_sleepers(_metadata, self->r, word, pids, 3);
	EXPECT_EQ(3, shmdev_wake(self->r, word, 3));
	EXPECT_EQ(0, shmdev_wake(self->r, word, 1));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
}

/* A wake of INT_MAX wakes every sleeper. */
TEST_F_TIMEOUT(wait, wake_int_max_wakes_all, 90)
{
	uint32_t *word = &self->w[2];
	pid_t pids[4];
	int i;

	spawn_sleepers(_metadata, self->r, word, pids, 4);
	EXPECT_EQ(4, shmdev_wake(self->r, word, INT_MAX));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
}

/*
 * In a time namespace whose CLOCK_MONOTONIC runs a day ahead of the host's,
 * a wait and a lock with a 200 ms timeout still end after 200 ms: the
 * kernel reads the deadline in the caller's clock, as futex does.
 */
TEST_F(wait, deadline_in_a_time_namespace)
{
	struct shmdev_region *b;
	pid_t pid;
	int fd, st;

	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_lock(b, 0, SHMDEV_LOCK_EX, -1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (unshare(CLONE_NEWTIME))
			_exit(4);
		fd = open("/proc/self/timens_offsets", O_WRONLY);
		CHILD_ASSERT_LE(0, fd);
		CHILD_ASSERT_EQ(17, write(fd, "monotonic 86400 0", 17));
		close(fd);
		/* Only the children of unshare's caller enter the namespace. */
		pid = fork();
		CHILD_ASSERT_LE(0, pid);
		if (!pid) {
			int64_t t0;

			alarm(20);
			t0 = now_ns();
			CHILD_ASSERT_EQ(-ETIMEDOUT, shmdev_wait(self->r, &self->w[7], 0, 200 * MSEC));
			CHILD_ASSERT_LE(200 * MSEC, now_ns() - t0);
			CHILD_ASSERT_LE(now_ns() - t0, 5 * SEC);
			t0 = now_ns();
			CHILD_ASSERT_EQ(-ETIMEDOUT,
					shmdev_lock(self->r, 0, SHMDEV_LOCK_SH, 200 * MSEC));
			CHILD_ASSERT_LE(200 * MSEC, now_ns() - t0);
			CHILD_ASSERT_LE(now_ns() - t0, 5 * SEC);
			_exit(0);
		}
		_exit(wait_exit(pid));
	}
	st = wait_exit(pid);
	EXPECT_EQ(0, shmdev_close(b));
	if (st == 4)
		SKIP(return, "no time namespaces (CONFIG_TIME_NS)");
	EXPECT_EQ(0, st);
}

static void on_signal(int sig)
{
}

/* A signal whose handler has no SA_RESTART ends a sleeping wait with -EINTR. */
TEST_F(wait, signal_eintr)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = 0 };
	uint64_t waits0 = region_stat(self->r).waits;
	pid_t me = getpid(), pid;
	int64_t t0;

	/* No SA_RESTART: the interrupted wait reports the signal. */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *r;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		/* Signal only once the parent sleeps in the kernel. */
		CHILD_ASSERT_TRUE(WAIT_UNTIL(region_stat(r).waits > waits0, 10000));
		CHILD_ASSERT_EQ(0, kill(me, SIGUSR1));
		_exit(0);
	}
	t0 = now_ns();
	/* Bounded: if the signal went astray this times out instead of hanging. */
	EXPECT_EQ(-EINTR, shmdev_wait(self->r, &self->w[4], 0, 20 * SEC));
	EXPECT_GT(20 * SEC, now_ns() - t0);
	EXPECT_EQ(0, wait_exit(pid));
	/* The interrupted sleeper left the queue. */
	EXPECT_EQ(0, shmdev_wake(self->r, &self->w[4], INT_MAX));
	signal(SIGUSR1, SIG_DFL);
}

/* The state letter of @pid in /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* @pid is asleep inside an ioctl. */
static bool asleep_in_ioctl(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (read_file(path, buf, sizeof(buf)) || atoi(buf) != SYS_ioctl)
		return false;
	return proc_state(pid) == 'S';
}

enum interruption { BY_STOP, BY_RESTART_HANDLER };

#define HANDLED_WORD	64	/* self->w[]: set by on_restart_signal() */

static volatile uint32_t *handled;

static void on_restart_signal(int sig)
{
	*handled = 1;
}

/*
 * In a child: once @parent sleeps in its ioctl, interrupt it @how, wait
 * until the restarted call sleeps again, then run @release (which ends
 * the parent's sleep). Exits 0 on success.
 */
#define INTERRUPT_THEN(parent, how, release) do {				\
	CHILD_ASSERT_TRUE(WAIT_UNTIL(asleep_in_ioctl(parent), 10000));		\
	if ((how) == BY_STOP) {						\
		CHILD_ASSERT_EQ(0, kill(parent, SIGSTOP));			\
		CHILD_ASSERT_TRUE(WAIT_UNTIL(proc_state(parent) == 'T', 10000)); \
		CHILD_ASSERT_EQ(0, kill(parent, SIGCONT));			\
	} else {								\
		CHILD_ASSERT_EQ(0, kill(parent, SIGUSR1));			\
		CHILD_ASSERT_TRUE(WAIT_UNTIL(*handled, 10000));			\
	}									\
	CHILD_ASSERT_TRUE(WAIT_UNTIL(asleep_in_ioctl(parent), 10000));		\
	release;								\
	_exit(0);								\
} while (0)

static void restart_handler_install(struct __test_metadata *_metadata, uint32_t *w)
{
	struct sigaction sa = { .sa_handler = on_restart_signal, .sa_flags = SA_RESTART };

	handled = &w[HANDLED_WORD];
	*handled = 0;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
}

/*
 * A stop and continue (SIGSTOP/SIGCONT, a debugger, the freezer) or a
 * handler installed with SA_RESTART does not end a sleeping call: it is
 * restarted, with the same absolute deadline, and ends as it would have.
 */
static void wait_restarted(struct __test_metadata *_metadata,
			   FIXTURE_DATA(wait) *self, enum interruption how)
{
	pid_t me = getpid(), pid;

	restart_handler_install(_metadata, self->w);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *r;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		INTERRUPT_THEN(me, how,
			       CHILD_ASSERT_EQ(1, shmdev_wake(r, (uint32_t *)shmdev_addr(r) + 5, 1)));
	}
	EXPECT_EQ(0, shmdev_wait(self->r, &self->w[5], 0, 20 * SEC));
	EXPECT_EQ(0, wait_exit(pid));
	signal(SIGUSR1, SIG_DFL);
}

/* A sleeping wait survives a stop and continue. */
TEST_F(wait, wait_restarted_after_stop)
{
	wait_restarted(_metadata, self, BY_STOP);
}

/* A sleeping wait survives a handler installed with SA_RESTART. */
TEST_F(wait, wait_restarted_by_sa_restart)
{
	wait_restarted(_metadata, self, BY_RESTART_HANDLER);
}

/* A lock sleeping for its holder survives a stop and continue. */
TEST_F(wait, lock_restarted_after_stop)
{
	pid_t me = getpid(), pid;
	int held[2];

	ASSERT_EQ(0, pipe(held));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *r;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		CHILD_ASSERT_EQ(0, shmdev_lock(r, 3, SHMDEV_LOCK_EX, -1));
		CHILD_ASSERT_EQ(0, pipe_post(held[1]));
		INTERRUPT_THEN(me, BY_STOP, CHILD_ASSERT_EQ(0, shmdev_unlock(r, 3)));
	}
	ASSERT_EQ(0, pipe_wait(held[0]));
	EXPECT_EQ(0, shmdev_lock(self->r, 3, SHMDEV_LOCK_EX, 20 * SEC));
	EXPECT_EQ(0, shmdev_unlock(self->r, 3));
	EXPECT_EQ(0, wait_exit(pid));
	close(held[0]);
	close(held[1]);
}

/* An event wait survives a stop and continue. */
TEST_F(wait, event_wait_restarted_after_stop)
{
	pid_t me = getpid(), pid;
	uint64_t seq = 0;

	ASSERT_EQ(-ETIMEDOUT, shmdev_event_wait(self->r, &seq, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *r;

		CHILD_ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
		INTERRUPT_THEN(me, BY_STOP, CHILD_ASSERT_EQ(0, shmdev_notify(r)));
	}
	EXPECT_EQ(0, shmdev_event_wait(self->r, &seq, 20 * SEC));
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * Words that wait and wake refuse with -EINVAL: misaligned, before the
 * region, straddling or past its end, through the library (by address) and
 * through the raw ABI (by offset); and unknown flags of the raw calls.
 */
FIXTURE(bad_word) {
	struct test_names names;
	struct shmdev_region *r;
};

FIXTURE_VARIANT(bad_word) {
	bool raw;		/* the ioctl, else the library call */
	bool wake;		/* wake, else wait */
	bool from_end;		/* off counts from the region's end */
	uint64_t off;
	bool page_past;		/* and a page more */
	uint32_t flags;		/* raw calls only */
};

FIXTURE_VARIANT_ADD(bad_word, wait_misaligned_1) { .off = 1 };
FIXTURE_VARIANT_ADD(bad_word, wait_misaligned_2) { .off = 2 };
FIXTURE_VARIANT_ADD(bad_word, wait_misaligned_3) { .off = 3 };
FIXTURE_VARIANT_ADD(bad_word, wake_misaligned_1) { .wake = true, .off = 1 };
FIXTURE_VARIANT_ADD(bad_word, wake_misaligned_2) { .wake = true, .off = 2 };
FIXTURE_VARIANT_ADD(bad_word, wake_misaligned_3) { .wake = true, .off = 3 };
FIXTURE_VARIANT_ADD(bad_word, wait_straddles_end) { .from_end = true, .off = -2ULL };
FIXTURE_VARIANT_ADD(bad_word, wait_at_end) { .from_end = true, .off = 0 };
FIXTURE_VARIANT_ADD(bad_word, wake_at_end) { .wake = true, .from_end = true, .off = 0 };
FIXTURE_VARIANT_ADD(bad_word, wait_before_region) { .off = -4ULL };
FIXTURE_VARIANT_ADD(bad_word, wake_before_region) { .wake = true, .off = -4ULL };

FIXTURE_VARIANT_ADD(bad_word, raw_wait_misaligned_1) { .raw = true, .off = 1 };
FIXTURE_VARIANT_ADD(bad_word, raw_wait_misaligned_2) { .raw = true, .off = 2 };
FIXTURE_VARIANT_ADD(bad_word, raw_wait_misaligned_3) { .raw = true, .off = 3 };
FIXTURE_VARIANT_ADD(bad_word, raw_wake_misaligned_1) { .raw = true, .wake = true, .off = 1 };
FIXTURE_VARIANT_ADD(bad_word, raw_wake_misaligned_2) { .raw = true, .wake = true, .off = 2 };
FIXTURE_VARIANT_ADD(bad_word, raw_wake_misaligned_3) { .raw = true, .wake = true, .off = 3 };
FIXTURE_VARIANT_ADD(bad_word, raw_wait_at_end) { .raw = true, .from_end = true, .off = 0 };
FIXTURE_VARIANT_ADD(bad_word, raw_wait_straddles_end) {
	.raw = true, .from_end = true, .off = -2ULL
};
FIXTURE_VARIANT_ADD(bad_word, raw_wait_page_past_end) {
	.raw = true, .from_end = true, .page_past = true
};
FIXTURE_VARIANT_ADD(bad_word, raw_wait_offset_overflows) { .raw = true, .off = UINT64_MAX - 3 };
FIXTURE_VARIANT_ADD(bad_word, raw_wait_offset_huge) { .raw = true, .off = 1ULL << 62 };
FIXTURE_VARIANT_ADD(bad_word, raw_wake_at_end) {
	.raw = true, .wake = true, .from_end = true, .off = 0
};
FIXTURE_VARIANT_ADD(bad_word, raw_wake_offset_overflows) {
	.raw = true, .wake = true, .off = UINT64_MAX - 3
};
FIXTURE_VARIANT_ADD(bad_word, raw_wait_flag_1) { .raw = true, .flags = 1 };
FIXTURE_VARIANT_ADD(bad_word, raw_wait_flag_31) { .raw = true, .flags = 0x80000000 };
FIXTURE_VARIANT_ADD(bad_word, raw_wake_flag_2) { .raw = true, .wake = true, .flags = 2 };
FIXTURE_VARIANT_ADD(bad_word, raw_wake_flag_31) {
	.raw = true, .wake = true, .flags = 0x80000000
};

FIXTURE_SETUP(bad_word)
{
	self->names.nr = 0;
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "wait"), 2 * page_size(),
				 SHMDEV_CREAT, 0600, &self->r));
}

FIXTURE_TEARDOWN(bad_word)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* The call is -EINVAL. */
TEST_F(bad_word, einval)
{
	uint64_t off = variant->off + (variant->from_end ? shmdev_size(self->r) : 0) +
		       (variant->page_past ? page_size() : 0);
	uint32_t *word = (uint32_t *)((char *)shmdev_addr(self->r) + off);
	struct shmdev_wait wa = { .offset = off, .flags = variant->flags, .timeout = 0 };
	struct shmdev_wake wk = { .offset = off, .flags = variant->flags, .nr = 1 };
	int fd = shmdev_fd(self->r);

	if (variant->raw && variant->wake) {
		EXPECT_EQ(-EINVAL, xioctl(fd, SHMDEV_IOC_WAKE, &wk));
	} else if (variant->raw) {
		EXPECT_EQ(-EINVAL, xioctl(fd, SHMDEV_IOC_WAIT, &wa));
	} else if (variant->wake) {
		EXPECT_EQ(-EINVAL, shmdev_wake(self->r, word, 1));
	} else {
		EXPECT_EQ(-EINVAL, shmdev_wait(self->r, word, 0, 0));
	}
}

/* A wake of nobody (nr 0) or of a negative number is -EINVAL. */
TEST_F(wait, wake_nr_not_positive_einval)
{
	struct shmdev_wake wk = { .offset = 0, .nr = 0 };

	EXPECT_EQ(-EINVAL, shmdev_wake(self->r, self->w, 0));
	EXPECT_EQ(-EINVAL, shmdev_wake(self->r, self->w, -1));
	EXPECT_EQ(-EINVAL, xioctl(shmdev_fd(self->r), SHMDEV_IOC_WAKE, &wk));
}

/* A wait with a negative timeout other than -1 is -EINVAL. */
TEST_F(wait, wait_negative_timeout_einval)
{
	EXPECT_EQ(-EINVAL, shmdev_wait(self->r, self->w, 0, -2));
}

/* The last word of the region is inside: it only differs from the value asked. */
TEST_F(wait, raw_last_word_inside)
{
	uint64_t size = shmdev_size(self->r);
	struct shmdev_wait wa = { .offset = size - 4, .expected = 1, .timeout = 0 };
	struct shmdev_wake wk = { .offset = size - 4, .nr = 1 };
	int fd = shmdev_fd(self->r);

	EXPECT_EQ(-EAGAIN, xioctl(fd, SHMDEV_IOC_WAIT, &wa));
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_WAKE, &wk));
}

/* The raw calls with good arguments work: the counterpart of bad_word. */
TEST_F(wait, raw_good_arguments_work)
{
	struct shmdev_wait wa = { .offset = 0, .expected = 0, .timeout = 0 };
	struct shmdev_wake wk = { .offset = 0, .nr = 1 };
	int fd = shmdev_fd(self->r);

	EXPECT_EQ(-ETIMEDOUT, xioctl(fd, SHMDEV_IOC_WAIT, &wa));
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_WAKE, &wk));
}

/*
 * No lost wake-up. Producers add tokens to a counter, at most CAP in it
 * at a time so that consumers run dry and sleep thousands of times, and
 * wake one sleeper only when they raise the counter from 0; consumers take
 * a token when there is one and sleep while the counter is 0. A lost
 * wake-up can leave tokens in the counter with every consumer asleep, and
 * then nothing wakes them again: the parent sees the number taken stop
 * moving and fails the test instead of hanging. (CAP 4 makes a consumer
 * sleep for every other token, but takes minutes under TCG.)
 */
#define TOKENS		200000
#define PRODUCERS	4
#define CONSUMERS	4
#define CAP		32
#define DONE		UINT32_MAX
#define STALL_MS	20000

struct tokens {
	uint32_t count;			/* tokens in flight, DONE at the end */
	uint32_t pad[15];
	uint32_t taken;			/* tokens taken so far */
	uint32_t sleeps, woken;		/* consumers' waits that slept, producers' wakes */
};

static int producer(struct shmdev_region *r, struct tokens *t)
{
	int n = 0, ret;

	while (n < TOKENS / PRODUCERS) {
		uint32_t c = __atomic_load_n(&t->count, __ATOMIC_SEQ_CST);

		/* Keep few in flight: consumers run dry and sleep often. */
		if (c >= CAP) {
			sched_yield();
			continue;
		}
		if (!__atomic_compare_exchange_n(&t->count, &c, c + 1, 0,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		n++;
		if (c != 0)
			continue;
		ret = shmdev_wake(r, &t->count, 1);
		if (ret < 0)
			return 2;
		__atomic_fetch_add(&t->woken, ret, __ATOMIC_RELAXED);
	}
	return 0;
}

static int consumer(struct shmdev_region *r, struct tokens *t)
{
	for (;;) {
		uint32_t c = __atomic_load_n(&t->count, __ATOMIC_SEQ_CST);
		int ret;

		if (c == DONE)
			return 0;
		if (c > 0) {
			if (!__atomic_compare_exchange_n(&t->count, &c, c - 1, 0,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				continue;
			if (__atomic_add_fetch(&t->taken, 1, __ATOMIC_SEQ_CST) < TOKENS)
				continue;
			/* The last token: let the others go. */
			__atomic_store_n(&t->count, DONE, __ATOMIC_SEQ_CST);
			return shmdev_wake(r, &t->count, INT_MAX) < 0 ? 3 : 0;
		}
		ret = shmdev_wait(r, &t->count, 0, -1);
		if (ret && ret != -EAGAIN)
			return 4;
		if (!ret)
			__atomic_fetch_add(&t->sleeps, 1, __ATOMIC_RELAXED);
	}
}

/* Producers and consumers on wait/wake never lose a wake-up. */
TEST_F_TIMEOUT(wait, no_lost_wakeup, 600)
{
	struct tokens *t = (struct tokens *)&self->w[64];
	pid_t pids[PRODUCERS + CONSUMERS];
	int64_t t0 = now_ns();
	int i, stalled;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < PRODUCERS + CONSUMERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct shmdev_region *r;
			struct tokens *tt;

			/* A handle of its own, as an unrelated process would have. */
			if (shmdev_open(self->name, 0, 0, 0, &r))
				_exit(1);
			tt = (struct tokens *)((uint32_t *)shmdev_addr(r) + 64);
			/* Consumers first: they start out asleep. */
			_exit(i < CONSUMERS ? consumer(r, tt) : producer(r, tt));
		}
	}
	/* A lost wake-up stops the tokens: a stall fails, it does not hang. */
	stalled = watch_progress(&t->taken, TOKENS, STALL_MS, pids, PRODUCERS + CONSUMERS);
	if (stalled)
		TH_LOG("stalled: %u of %u tokens taken, %u in the counter, no progress for %d s",
		       t->taken, TOKENS, t->count, STALL_MS / 1000);
	for (i = 0; i < PRODUCERS + CONSUMERS; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
	EXPECT_EQ(0, stalled);
	EXPECT_EQ(TOKENS, t->taken);
	EXPECT_EQ(DONE, t->count);
	TH_LOG("%u tokens in %lld ms; consumers slept %u times, producers woke %u",
	       t->taken, (long long)(now_ns() - t0) / MSEC, t->sleeps, t->woken);
	/* The test means nothing if nobody ever slept. */
	EXPECT_LT(0, t->sleeps);
}

TEST_HARNESS_MAIN
