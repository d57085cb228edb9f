// SPDX-License-Identifier: GPL-2.0
/*
 * init_test: open-or-create-and-initialise without a race (SHMDEV_INIT,
 * SHMDEV_IOC_READY).
 */
#include <signal.h>

#include "common.h"

#define SEC		1000000000LL
#define MS		1000000LL

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

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * The module's side: READY only from the initialiser and only once; a
 * plain attach does not wait; a read-only SHMDEV_INIT attach waits and
 * never becomes the initialiser; the wait ends on a signal.
 */
TEST_F_TIMEOUT(init, attach_and_ready_ioctls, 60)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct shmdev_attach at;
	int fd, fd2, fd3;
	int64_t t0;
	pid_t pid;

	ASSERT_LE(0, fd = dev_open());
	EXPECT_EQ(-EBADFD, xioctl(fd, SHMDEV_IOC_READY, NULL));
	ASSERT_EQ(0, raw_attach(fd, self->name, page_size(),
				SHMDEV_CREAT | SHMDEV_INIT, 0644, &at));
	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, at.region_flags & SHMDEV_REGION_INITIALIZER);

	ASSERT_LE(0, fd2 = dev_open());
	ASSERT_EQ(0, raw_attach(fd2, self->name, 0, 0, 0, &at));
	EXPECT_EQ(0, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(-EPERM, xioctl(fd2, SHMDEV_IOC_READY, NULL));

	/* A read-only waiter stays one when the initialiser goes. */
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

	/* A writer that waits takes over; READY then works once. */
	ASSERT_LE(0, fd3 = dev_open());
	ASSERT_EQ(0, raw_attach(fd3, self->name, 0, SHMDEV_INIT, 0, &at));
	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(-EPERM, xioctl(fd2, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(0, xioctl(fd3, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(-EINVAL, xioctl(fd3, SHMDEV_IOC_READY, NULL));
	close(fd3);
	/* Ready: SHMDEV_INIT attaches return at once, not as initialiser. */
	ASSERT_LE(0, fd3 = dev_open());
	ASSERT_EQ(0, raw_attach(fd3, self->name, 0, SHMDEV_INIT, 0, &at));
	EXPECT_EQ(0, at.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(-EINVAL, xioctl(fd3, SHMDEV_IOC_READY, NULL));
	close(fd3);
	close(fd2);
}

TEST_HARNESS_MAIN
