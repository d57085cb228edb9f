// SPDX-License-Identifier: GPL-2.0
/* event_test: the region's event counter: notify, event_wait, poll and epoll on the handle. */
#include <poll.h>
#include <sys/epoll.h>

#include "common.h"

FIXTURE(event) {
	struct test_names names;
	const char *name;
	struct shmdev_region *a, *b;
};

FIXTURE_SETUP(event)
{
	self->names.nr = 0;
	self->a = self->b = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
	self->name = new_name(&self->names, "event");
	ASSERT_EQ(0, shmdev_open(self->name, page_size(), SHMDEV_CREAT, 0600, &self->a));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &self->b));
}

FIXTURE_TEARDOWN(event)
{
	if (self->a)
		shmdev_close(self->a);
	if (self->b)
		shmdev_close(self->b);
	unlink_names(&self->names);
}

/* With no event, event_wait times out: at once with timeout 0, after the timeout otherwise. */
TEST_F(event, wait_without_event_times_out)
{
	uint64_t seq = 0;
	int64_t t0;

	EXPECT_EQ(-ETIMEDOUT, shmdev_event_wait(self->b, &seq, 0));
	EXPECT_EQ(0, seq);
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, shmdev_event_wait(self->b, &seq, 20 * 1000 * 1000));
	EXPECT_LE(20 * 1000 * 1000, now_ns() - t0);
}

/*
 * Each notify adds one to the counter: event_wait returns the count, and
 * times out again until the next notify.
 */
TEST_F(event, notify_counts_events)
{
	uint64_t seq = 0;

	EXPECT_EQ(0, shmdev_notify(self->a));
	EXPECT_EQ(0, shmdev_notify(self->a));
	EXPECT_EQ(0, shmdev_event_wait(self->b, &seq, -1));
	EXPECT_EQ(2, seq);
	EXPECT_EQ(2, region_stat(self->a).events);
	EXPECT_EQ(-ETIMEDOUT, shmdev_event_wait(self->b, &seq, 0));
	EXPECT_EQ(2, seq);
}

/* An event_wait with an old sequence number returns at once with the count. */
TEST_F(event, old_sequence_returns_at_once)
{
	uint64_t seq = 1;

	EXPECT_EQ(0, shmdev_notify(self->a));
	EXPECT_EQ(0, shmdev_notify(self->a));
	EXPECT_EQ(0, shmdev_event_wait(self->b, &seq, -1));
	EXPECT_EQ(2, seq);
}

/* shmdev_event_wait() without a sequence number is -EINVAL. */
TEST_F(event, wait_null_seq_einval)
{
	EXPECT_EQ(-EINVAL, shmdev_event_wait(self->b, NULL, 0));
}

/* One notify wakes every process sleeping in event_wait. */
TEST_F(event, waiters_woken_by_notify)
{
	struct shmdev_stat st;
	pid_t pids[3];
	int i;

	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct shmdev_region *r;
			uint64_t seq = 0;

			if (shmdev_open(self->name, 0, 0, 0, &r))
				_exit(1);
			if (shmdev_event_wait(r, &seq, 30LL * 1000000000))
				_exit(2);
			_exit(seq == 1 ? 0 : 3);
		}
	}
	/* All three are attached before the notify. */
	ASSERT_TRUE(WAIT_UNTIL(!shmdev_fstat(self->a, &st) && st.handles == 5, 10000));
	usleep(100 * 1000);
	ASSERT_EQ(0, shmdev_notify(self->a));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
}

/*
 * epoll sleeps until another process notifies, and not less: the notifier
 * notes the time just before it notifies, in the region. Then poll too
 * reports the handle readable.
 */
TEST_F(event, epoll_wakes_on_notify)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd pfd = { .fd = shmdev_fd(self->b), .events = POLLIN };
	volatile int64_t *notified;
	int64_t woke;
	pid_t pid;
	int ep;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, shmdev_fd(self->b), &ev));
	/* Nothing happened yet. */
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	notified = (volatile int64_t *)shmdev_addr(self->a) + 1;
	*notified = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *r;

		if (shmdev_open(self->name, 0, 0, 0, &r))
			_exit(1);
		usleep(100 * 1000);
		((volatile int64_t *)shmdev_addr(r))[1] = now_ns();
		_exit(shmdev_notify(r) ? 2 : 0);
	}
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 30000));
	woke = now_ns();
	EXPECT_TRUE(out.events & EPOLLIN);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_NE(0, *notified);
	EXPECT_LE(*notified, woke);
	EXPECT_EQ(1, region_stat(self->a).events);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);
	close(ep);
}

/* Only the polled handle's own reading of the counter clears its readiness. */
TEST_F(event, own_read_clears_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd pfd = { .fd = shmdev_fd(self->b), .events = POLLIN };
	uint64_t seq = 0;
	int ep;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, shmdev_fd(self->b), &ev));
	ASSERT_EQ(0, shmdev_notify(self->a));
	EXPECT_EQ(0, shmdev_event_wait(self->a, &seq, -1));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	seq = 0;
	EXPECT_EQ(0, shmdev_event_wait(self->b, &seq, -1));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
}

/*
 * The next event sets readiness again, whoever notifies; a read without
 * sleeping (timeout 0) records the counter and clears it too.
 */
TEST_F(event, next_event_sets_readiness_again)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	uint64_t seq = 0;
	int ep;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, shmdev_fd(self->b), &ev));
	ASSERT_EQ(0, shmdev_notify(self->b));
	ASSERT_EQ(0, shmdev_event_wait(self->b, &seq, -1));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(0, shmdev_notify(self->a));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 30000));
	EXPECT_TRUE(out.events & EPOLLIN);
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, shmdev_event_wait(self->b, &seq, 0));
	EXPECT_EQ(2, seq);
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
}

/* An unattached handle polls as an error. */
TEST_F(event, unattached_polls_pollerr)
{
	struct pollfd pfd = { .events = POLLIN };
	int unattached;

	unattached = dev_open();
	ASSERT_LE(0, unattached);
	pfd.fd = unattached;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
	close(unattached);
}

TEST_HARNESS_MAIN
