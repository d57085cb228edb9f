// SPDX-License-Identifier: GPL-2.0
/*
 * init_test: race-free create-and-initialise, SHMDEV_INIT with
 * SHMDEV_IOC_READY.
 */
#include <sys/wait.h>

#include "shmdev_ksft.h"

FIXTURE(init) {
	char name[64];
	int fd;
	struct shmdev_attach a;
};

/* The fixture's handle creates the region with SHMDEV_INIT. */
FIXTURE_SETUP(init)
{
	sd_name(self->name, sizeof(self->name));
	self->fd = sd_open_attach(self->name, 1, SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_INIT,
				  0600, &self->a);
	if (self->fd == -ENOENT)
		SKIP(return, "no %s", SHMDEV_DEV);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(init)
{
	if (self->fd >= 0)
		close(self->fd);
	sd_unlink(self->name);
}

/* The creator is the initialiser, and the region is unready. */
TEST_F(init, creator_initialises)
{
	struct shmdev_region_info info;

	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, self->a.region_flags & SHMDEV_REGION_INITIALIZER);
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(SHMDEV_REGION_UNREADY, info.region_flags & SHMDEV_REGION_UNREADY);
}

/* READY makes the region ready; a second READY is -EINVAL. */
TEST_F(init, ready)
{
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_READY, NULL));
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(0, info.region_flags & SHMDEV_REGION_UNREADY);
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_READY, NULL));
}

/* READY from a handle that is not the initialiser is -EPERM. */
TEST_F(init, ready_not_initialiser)
{
	int fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);

	ASSERT_GE(fd2, 0);
	EXPECT_EQ(-EPERM, sd_ioctl(fd2, SHMDEV_IOC_READY, NULL));
	close(fd2);
}

/* READY of a region created without SHMDEV_INIT is -EINVAL. */
TEST(ready_plain_region)
{
	char name[64];
	int fd;

	sd_name(name, sizeof(name));
	fd = sd_open_attach(name, 1, SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, NULL);
	if (fd == -ENOENT)
		SKIP(return, "no %s", SHMDEV_DEV);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EINVAL, sd_ioctl(fd, SHMDEV_IOC_READY, NULL));
	close(fd);
}

/* An attach without SHMDEV_INIT does not wait for an unready region. */
TEST_F(init, plain_attach_does_not_wait)
{
	struct shmdev_attach a;
	int fd2 = sd_open_attach(self->name, 0, 0, 0, &a);

	ASSERT_GE(fd2, 0);
	EXPECT_EQ(0, a.region_flags & SHMDEV_REGION_INITIALIZER);
	close(fd2);
}

/* Wait (up to 10 s) until @pid sleeps: its state in /proc is 'S'. */
static int sleeping(pid_t pid)
{
	char path[64], buf[256], *p;
	int i, fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 10000; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return 0;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return 0;
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return 1;
		usleep(1000);
	}
	return 0;
}

/* An SHMDEV_INIT attach waits for READY, then finds the region ready. */
TEST_F(init, init_attach_waits_for_ready)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct shmdev_attach a;
		int fd = sd_open_attach(self->name, 0, SHMDEV_INIT, 0, &a);

		_exit(fd < 0 ? 2 : (a.region_flags & SHMDEV_REGION_INITIALIZER) ? 1 : 0);
	}
	/* Once it sleeps in its attach; it must not become the initialiser. */
	ASSERT_TRUE(sleeping(pid));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_READY, NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* An initialiser released without READY hands the job to the next INIT attach. */
TEST_F(init, abandoned_init_handed_over)
{
	struct shmdev_attach a;
	int fd2;

	close(self->fd);
	self->fd = -1;
	fd2 = sd_open_attach(self->name, 0, SHMDEV_INIT, 0, &a);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(SHMDEV_REGION_INITIALIZER, a.region_flags & SHMDEV_REGION_INITIALIZER);
	EXPECT_EQ(0, sd_ioctl(fd2, SHMDEV_IOC_READY, NULL));
	close(fd2);
}

SHMDEV_KSFT_MAIN
