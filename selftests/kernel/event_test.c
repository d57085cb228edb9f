// SPDX-License-Identifier: GPL-2.0
/*
 * event_test: the region's event counter: SHMDEV_IOC_NOTIFY,
 * SHMDEV_IOC_EVENT_WAIT and poll().
 */
#include <poll.h>
#include <sys/wait.h>

#include "shmdev_ksft.h"

/* A region and two handles attached to it. */
FIXTURE(event) {
	char name[64];
	int fd, fd2;
};

FIXTURE_SETUP(event)
{
	sd_name(self->name, sizeof(self->name));
	self->fd2 = -1;
	self->fd = sd_open_attach(self->name, 1, SHMDEV_CREAT | SHMDEV_EXCL, 0600, NULL);
	if (self->fd == -ENOENT)
		SKIP(return, "no %s", SHMDEV_DEV);
	ASSERT_GE(self->fd, 0);
	self->fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);
	ASSERT_GE(self->fd2, 0);
}

FIXTURE_TEARDOWN(event)
{
	if (self->fd2 >= 0)
		close(self->fd2);
	if (self->fd >= 0)
		close(self->fd);
	sd_unlink(self->name);
}

static long sd_event_wait(int fd, __u64 seq, __u64 timeout, __u64 *counter)
{
	struct shmdev_event e = { .seq = seq, .timeout = timeout, .counter = ~0ULL };
	long ret = sd_ioctl(fd, SHMDEV_IOC_EVENT_WAIT, &e);

	if (counter)
		*counter = e.counter;
	return ret;
}

static int poll_in(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) < 0)
		return -errno;
	return pfd.revents;
}

/* A new region's counter is 0: EVENT_WAIT with timeout 0 reads it. */
TEST_F(event, counter_starts_at_zero)
{
	__u64 c;

	EXPECT_EQ(-ETIMEDOUT, sd_event_wait(self->fd, 0, 0, &c));
	EXPECT_EQ(0, c);
}

/* NOTIFY bumps the counter by one: a wait on the old value returns at once. */
TEST_F(event, notify_bumps)
{
	__u64 c;

	ASSERT_EQ(0, sd_ioctl(self->fd2, SHMDEV_IOC_NOTIFY, NULL));
	EXPECT_EQ(0, sd_event_wait(self->fd, 0, SHMDEV_TIMEOUT_INFINITE, &c));
	EXPECT_EQ(1, c);
}

/* EVENT_WAIT on the current value until a deadline is -ETIMEDOUT, with the counter. */
TEST_F(event, wait_timeout)
{
	__u64 c;

	EXPECT_EQ(-ETIMEDOUT, sd_event_wait(self->fd, 0, sd_deadline_ms(30), &c));
	EXPECT_EQ(0, c);
}

/* A sleeper in EVENT_WAIT is woken by NOTIFY from another handle. */
TEST_F(event, notify_wakes)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(sd_event_wait(self->fd, 0, SHMDEV_TIMEOUT_INFINITE, NULL) ? 1 : 0);
	ASSERT_EQ(0, sd_ioctl(self->fd2, SHMDEV_IOC_NOTIFY, NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* EVENT_WAIT with nonzero flags or pad is -EINVAL. */
TEST_F(event, wait_flags_pad)
{
	struct shmdev_event fl = { .flags = 1 }, pad = { .pad = 1 };

	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, &fl));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, &pad));
}

/* No event since attach: poll() reports nothing. */
TEST_F(event, poll_quiet)
{
	EXPECT_EQ(0, poll_in(self->fd));
}

/* poll() reports POLLIN after a NOTIFY, until the handle reads the counter. */
TEST_F(event, poll_after_notify)
{
	ASSERT_EQ(0, sd_ioctl(self->fd2, SHMDEV_IOC_NOTIFY, NULL));
	EXPECT_EQ(POLLIN, poll_in(self->fd) & POLLIN);
	EXPECT_EQ(POLLIN, poll_in(self->fd2) & POLLIN);
	ASSERT_EQ(0, sd_event_wait(self->fd, 0, 0, NULL));
	EXPECT_EQ(0, poll_in(self->fd));
	/* The other handle has not read it. */
	EXPECT_EQ(POLLIN, poll_in(self->fd2) & POLLIN);
}

/* A read-only handle may notify. */
TEST_F(event, notify_rdonly)
{
	int ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);
	__u64 c;

	ASSERT_GE(ro, 0);
	EXPECT_EQ(0, sd_ioctl(ro, SHMDEV_IOC_NOTIFY, NULL));
	EXPECT_EQ(0, sd_event_wait(self->fd, 0, 0, &c));
	EXPECT_EQ(1, c);
	close(ro);
}

SHMDEV_KSFT_MAIN
