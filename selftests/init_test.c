// SPDX-License-Identifier: GPL-2.0
/*
 * init_test: open-or-create-and-initialise without a race (SHMDEV_INIT,
 * SHMDEV_IOC_READY, shmdev_open_init()).
 *
 * The region's first page holds what the initialiser writes: a count of
 * init calls, the pid that ran the one that counted, and a "done" marker
 * written last. Whoever shmdev_open_init() returns to must see the marker.
 */
#include <signal.h>

#include "common.h"

#define SEC		1000000000LL
#define MS		1000000LL
#define DONE		0x444f4e45U	/* "DONE" */

struct page0 {
	uint32_t inits;		/* init calls that got as far as counting */
	uint32_t done;
	int32_t pid;
};

FIXTURE(init) {
	struct test_names names;
	const char *name;
};

FIXTURE_SETUP(init)
{
	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	self->name = new_name(&self->names, "init");
}

FIXTURE_TEARDOWN(init)
{
	unlink_names(&self->names);
}

struct init_arg {
	int64_t delay_ns;	/* sleep this long inside init */
	int fail;		/* return this from init instead */
	int ready_fd;		/* if >= 0: post here when inside init */
	int calls;		/* init calls in this process */
};

static int init_page(struct shmdev_region *r, void *p)
{
	struct page0 *pg = shmdev_addr(r);
	struct init_arg *a = p;

	a->calls++;
	if (a->ready_fd >= 0)
		pipe_post(a->ready_fd);
	if (a->delay_ns) {
		struct timespec ts = { a->delay_ns / SEC, a->delay_ns % SEC };

		nanosleep(&ts, NULL);
	}
	if (a->fail)
		return a->fail;
	pg->inits++;
	pg->pid = getpid();
	__atomic_store_n(&pg->done, DONE, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Eight processes race to open a missing region: one creates it and runs
 * init, once; every other waits until it is done, and none sees it half
 * made. With plain shmdev_open() and an init by whoever created it, the
 * others would look at an empty page.
 */
TEST_F_TIMEOUT(init, racing_openers_see_one_init, 120)
{
	struct shmdev_region *r;
	struct page0 *pg;
	pid_t pids[8];
	int i, calls = 0;

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct init_arg a = { .delay_ns = 300 * MS, .ready_fd = -1 };
			struct shmdev_region *c;
			struct page0 *p;

			CHILD_ASSERT_EQ(0, shmdev_open_init(self->name, page_size(),
							    SHMDEV_CREAT, 0600, init_page,
							    &a, &c));
			p = shmdev_addr(c);
			CHILD_ASSERT_EQ(DONE, __atomic_load_n(&p->done, __ATOMIC_ACQUIRE));
			CHILD_ASSERT_EQ(1, p->inits);
			_exit(a.calls);
		}
	}
	for (i = 0; i < 8; i++)
		calls += wait_exit(pids[i]);
	EXPECT_EQ(1, calls);
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
	pg = shmdev_addr(r);
	EXPECT_EQ(1, pg->inits);
	shmdev_close(r);
}

/*
 * A child that opens @name with shmdev_open_init(), creating it if need be,
 * and exits 0 if it ran init itself, once, and succeeded.
 */
static pid_t opener_that_initialises(const char *name)
{
	pid_t pid = fork();

	if (!pid) {
		struct init_arg a = { .ready_fd = -1 };
		struct shmdev_region *c;

		if (shmdev_open_init(name, page_size(), SHMDEV_CREAT, 0600, init_page,
				     &a, &c))
			_exit(2);
		_exit(a.calls == 1 ? 0 : 3);
	}
	return pid;
}

/*
 * The initialiser dies inside init: an opener waiting for it becomes the
 * initialiser in its place and runs init again, on the same region.
 */
TEST_F_TIMEOUT(init, initialiser_killed_next_opener_takes_over, 120)
{
	struct shmdev_stat st;
	struct page0 *pg;
	struct shmdev_region *r;
	int ready[2];
	pid_t victim, next;

	ASSERT_EQ(0, pipe(ready));
	victim = fork();
	ASSERT_LE(0, victim);
	if (!victim) {
		struct init_arg a = { .delay_ns = 60 * SEC, .ready_fd = ready[1] };
		struct shmdev_region *c;

		shmdev_open_init(self->name, page_size(), SHMDEV_CREAT, 0600, init_page,
				 &a, &c);
		_exit(1);
	}
	ASSERT_EQ(0, pipe_wait(ready[0]));
	ASSERT_EQ(0, shmdev_stat(self->name, &st));
	EXPECT_EQ(SHMDEV_REGION_UNREADY, st.region_flags & SHMDEV_REGION_UNREADY);
	next = opener_that_initialises(self->name);
	ASSERT_LE(0, next);
	/* It waits, and does not initialise, while the initialiser lives. */
	usleep(300000);
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
	pg = shmdev_addr(r);
	EXPECT_EQ(0, pg->done);
	ASSERT_EQ(0, kill(victim, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(victim));
	EXPECT_EQ(0, wait_exit(next));
	EXPECT_EQ(DONE, pg->done);
	EXPECT_EQ(1, pg->inits);
	EXPECT_EQ(next, pg->pid);
	ASSERT_EQ(0, shmdev_stat(self->name, &st));
	EXPECT_EQ(0, st.region_flags & SHMDEV_REGION_UNREADY);
	shmdev_close(r);
	close(ready[0]);
	close(ready[1]);
}

/*
 * An init that fails is the caller's error, and leaves the region to be
 * initialised by the next opener; an initialised region is opened without
 * calling init.
 */
TEST_F(init, failed_init_is_retried_by_the_next_opener)
{
	struct init_arg fail = { .fail = -EIO, .ready_fd = -1 };
	struct init_arg ok = { .ready_fd = -1 };
	struct shmdev_region *r, *r2;
	struct page0 *pg;

	EXPECT_EQ(-EIO, shmdev_open_init(self->name, page_size(), SHMDEV_CREAT, 0600,
					 init_page, &fail, &r));
	EXPECT_EQ(1, fail.calls);
	fail.fail = 5;		/* not a -errno */
	EXPECT_EQ(-EINVAL, shmdev_open_init(self->name, 0, 0, 0, init_page, &fail, &r));
	EXPECT_EQ(2, fail.calls);
	ASSERT_EQ(0, shmdev_open_init(self->name, 0, 0, 0, init_page, &ok, &r));
	EXPECT_EQ(1, ok.calls);
	pg = shmdev_addr(r);
	EXPECT_EQ(DONE, pg->done);
	ASSERT_EQ(0, shmdev_open_init(self->name, 0, 0, 0, init_page, &ok, &r2));
	EXPECT_EQ(1, ok.calls);
	EXPECT_EQ(1, pg->inits);
	/* Bad arguments; SHMDEV_INIT is shmdev_open_init()'s alone. */
	EXPECT_EQ(-EINVAL, shmdev_open_init(self->name, 0, 0, 0, NULL, NULL, &r2));
	EXPECT_EQ(-EINVAL, shmdev_open_init(self->name, 0, 0, 0, init_page, &ok, NULL));
	EXPECT_EQ(-EINVAL, shmdev_open_init(self->name, 0, SHMDEV_INIT, 0, init_page,
					    &ok, &r2));
	EXPECT_EQ(-EINVAL, shmdev_open(self->name, 0, SHMDEV_INIT, 0, &r2));
	shmdev_close(r2);
	shmdev_close(r);
}

/*
 * An unready region whose name goes away (unlinked by its owner, or its
 * creator's attach failed) is nobody's to initialise: an opener waiting on
 * it looks the name up again, creates a region of its own and initialises
 * that one, the one the name now reaches.
 */
TEST_F_TIMEOUT(init, unlinked_while_unready_opener_starts_over, 60)
{
	struct shmdev_region *r;
	struct shmdev_attach at;
	struct page0 *pg;
	pid_t opener;
	int fd;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0600, &at));
	opener = opener_that_initialises(self->name);
	ASSERT_LE(0, opener);
	usleep(300000);
	ASSERT_EQ(0, shmdev_unlink(self->name));
	EXPECT_EQ(0, wait_exit(opener));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &r));
	pg = shmdev_addr(r);
	EXPECT_EQ(DONE, pg->done);
	EXPECT_EQ(opener, pg->pid);
	shmdev_close(r);
	close(fd);
}

/*
 * A read-only opener that creates the region does not initialise it: it
 * waits for a writer, which becomes the initialiser.
 */
TEST_F_TIMEOUT(init, read_only_creator_waits_for_a_writer, 60)
{
	struct shmdev_attach at;
	struct shmdev_stat st;
	pid_t reader;
	int fd;

	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		int c = dev_open();

		CHILD_ASSERT_EQ(0, raw_attach(c, self->name, page_size(),
					      SHMDEV_CREAT | SHMDEV_RDONLY | SHMDEV_INIT,
					      0600, &at));
		CHILD_ASSERT_EQ(0, at.region_flags & SHMDEV_REGION_INITIALIZER);
		_exit(0);
	}
	ASSERT_TRUE(WAIT_UNTIL(!shmdev_stat(self->name, &st), 10000));
	EXPECT_EQ(SHMDEV_REGION_UNREADY, st.region_flags & SHMDEV_REGION_UNREADY);
	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, 0, SHMDEV_INIT, 0, &at));
	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(0, wait_exit(reader));
	close(fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * The module's side: READY only from the initialiser and only once; a
 * plain attach does not wait; a read-only SHMDEV_INIT attach waits and
 * never becomes the initialiser; the wait ends on a signal.
 */

/* SHMDEV_IOC_READY on an unattached handle is -EBADFD. */
TEST_F(init, ready_unattached_ebadfd)
{
	int fd;

	ASSERT_LE(0, fd = dev_open());
	EXPECT_EQ(-EBADFD, xioctl(fd, SHMDEV_IOC_READY, NULL));
	close(fd);
}

/* The SHMDEV_INIT attach that creates the region is its initialiser. */
TEST_F(init, init_creator_is_initialiser)
{
	struct shmdev_attach at;
	int fd;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0644, &at));
	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, at.region_flags & SHMDEV_REGION_INITIALIZER);
	close(fd);
}

/*
 * A plain attach to a region still being initialised returns at once, not
 * as initialiser, and may not declare it ready: -EPERM.
 */
TEST_F(init, plain_attach_does_not_wait)
{
	struct shmdev_attach at;
	int fd, fd2;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0644, &at));
	ASSERT_LE(0, fd2 = dev_open());
	ASSERT_EQ(0, raw_attach(fd2, self->name, 0, 0, 0, &at));
	EXPECT_EQ(0, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(-EPERM, xioctl(fd2, SHMDEV_IOC_READY, NULL));
	close(fd2);
	close(fd);
}

/*
 * A read-only SHMDEV_INIT attach waits, stays a waiter when the initialiser
 * goes without READY (it cannot initialise), and its wait ends with -EINTR
 * on a signal.
 */
TEST_F_TIMEOUT(init, read_only_waiter_never_initialiser, 60)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct shmdev_attach at;
	int64_t t0;
	pid_t pid;
	int fd;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0644, &at));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int c = dev_open();

		alarm(2);
		t0 = now_ns();
		CHILD_ASSERT_EQ(-EINTR, raw_attach(c, self->name, 0,
						   SHMDEV_RDONLY | SHMDEV_INIT, 0, &at));
		CHILD_ASSERT_TRUE(now_ns() - t0 > 1500 * MS);
		_exit(0);
	}
	usleep(200000);
	close(fd);	/* the initialiser goes without READY */
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * When the initialiser goes without READY, the next writer's SHMDEV_INIT
 * attach takes over; only it may declare the region ready, and only once.
 */
TEST_F(init, writer_takes_over_ready_once)
{
	struct shmdev_attach at;
	int fd, fd2, fd3;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0644, &at));
	ASSERT_LE(0, fd2 = dev_open());
	ASSERT_EQ(0, raw_attach(fd2, self->name, 0, 0, 0, &at));
	close(fd);	/* the initialiser goes without READY */
	ASSERT_LE(0, fd3 = dev_open());
	ASSERT_EQ(0, raw_attach(fd3, self->name, 0, SHMDEV_INIT, 0, &at));
	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(-EPERM, xioctl(fd2, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(0, xioctl(fd3, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(-EINVAL, xioctl(fd3, SHMDEV_IOC_READY, NULL));
	close(fd3);
	close(fd2);
}

/* Once ready, SHMDEV_INIT attaches return at once, not as initialiser; READY is -EINVAL. */
TEST_F(init, ready_region_init_attach_returns_at_once)
{
	struct shmdev_attach at;
	int fd, fd3;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0644, &at));
	ASSERT_EQ(0, xioctl(fd, SHMDEV_IOC_READY, NULL));
	ASSERT_LE(0, fd3 = dev_open());
	ASSERT_EQ(0, raw_attach(fd3, self->name, 0, SHMDEV_INIT, 0, &at));
	EXPECT_EQ(0, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(-EINVAL, xioctl(fd3, SHMDEV_IOC_READY, NULL));
	close(fd3);
	close(fd);
}

TEST_HARNESS_MAIN
