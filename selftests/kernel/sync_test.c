// SPDX-License-Identifier: GPL-2.0
/*
 * sync_test: SHMDEV_IOC_WAIT and SHMDEV_IOC_WAKE on a word of the region,
 * and the kernel locks of SHMDEV_IOC_LOCK and SHMDEV_IOC_UNLOCK.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "shmdev_ksft.h"

/* A region of two pages, attached and mapped read-write. */
FIXTURE(sync) {
	char name[64];
	int fd;
	long page;
	volatile uint32_t *map;
};

FIXTURE_SETUP(sync)
{
	self->page = sysconf(_SC_PAGESIZE);
	sd_name(self->name, sizeof(self->name));
	self->map = MAP_FAILED;
	self->fd = sd_open_attach(self->name, 2 * self->page,
				  SHMDEV_CREAT | SHMDEV_EXCL, 0600, NULL);
	if (self->fd == -ENOENT)
		SKIP(return, "no %s", SHMDEV_DEV);
	ASSERT_GE(self->fd, 0);
	self->map = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(sync)
{
	if (self->map != MAP_FAILED)
		munmap((void *)self->map, 2 * self->page);
	if (self->fd >= 0)
		close(self->fd);
	sd_unlink(self->name);
}

static long sd_wait(int fd, __u64 offset, __u32 expected, __u64 timeout)
{
	struct shmdev_wait w = {
		.offset = offset, .expected = expected, .timeout = timeout,
	};

	return sd_ioctl(fd, SHMDEV_IOC_WAIT, &w);
}

static long sd_wake(int fd, __u64 offset, __u32 nr)
{
	struct shmdev_wake w = { .offset = offset, .nr = nr };

	return sd_ioctl(fd, SHMDEV_IOC_WAKE, &w);
}

static long sd_lock(int fd, __u32 id, __u32 mode, __u64 timeout)
{
	struct shmdev_lock l = { .id = id, .mode = mode, .timeout = timeout };

	return sd_ioctl(fd, SHMDEV_IOC_LOCK, &l);
}

static long sd_unlock(int fd, __u32 id)
{
	struct shmdev_unlock u = { .id = id };

	return sd_ioctl(fd, SHMDEV_IOC_UNLOCK, &u);
}

/* Wait until the region's counter at @field (a __u64 of the info) passes @n. */
static int stat_reaches(int fd, size_t field, __u64 n)
{
	struct shmdev_region_info info;
	int i;

	for (i = 0; i < 10000; i++) {
		if (sd_stat(fd, &info))
			return 0;
		if (*(__u64 *)((char *)&info + field) >= n)
			return 1;
		usleep(1000);
	}
	return 0;
}

/* WAIT on a word that differs from the value expected is -EAGAIN at once. */
TEST_F(sync, wait_value_mismatch)
{
	self->map[4] = 7;
	EXPECT_EQ(-EAGAIN, sd_wait(self->fd, 16, 8, SHMDEV_TIMEOUT_INFINITE));
}

/* WAIT with a deadline and nobody to wake it is -ETIMEDOUT, not before. */
TEST_F(sync, wait_timeout)
{
	__u64 deadline = sd_deadline_ms(50);

	self->map[0] = 0;
	EXPECT_EQ(-ETIMEDOUT, sd_wait(self->fd, 0, 0, deadline));
	EXPECT_GE(sd_deadline_ms(0), deadline);
}

/* WAIT with a deadline already past is -ETIMEDOUT. */
TEST_F(sync, wait_deadline_past)
{
	EXPECT_EQ(-ETIMEDOUT, sd_wait(self->fd, 0, 0, 1));
}

/* A misaligned offset is -EINVAL, for WAIT and WAKE. */
TEST_F(sync, wait_misaligned)
{
	EXPECT_EQ(-EINVAL, sd_wait(self->fd, 2, 0, 1));
	EXPECT_EQ(-EINVAL, sd_wake(self->fd, 2, 1));
}

/* An offset past the last word is -EINVAL, for WAIT and WAKE. */
TEST_F(sync, wait_outside)
{
	__u64 end = 2 * self->page;

	EXPECT_EQ(-EINVAL, sd_wait(self->fd, end, 0, 1));
	EXPECT_EQ(-EINVAL, sd_wake(self->fd, end, 1));
	EXPECT_EQ(-EINVAL, sd_wait(self->fd, ~0ULL & ~3ULL, 0, 1));
	EXPECT_EQ(-ETIMEDOUT, sd_wait(self->fd, end - 4, 0, 1));
}

/* Nonzero flags are -EINVAL, for WAIT and WAKE. */
TEST_F(sync, wait_wake_flags)
{
	struct shmdev_wait w = { .timeout = 1, .flags = 1 };
	struct shmdev_wake k = { .nr = 1, .flags = 1 };

	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_WAIT, &w));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_WAKE, &k));
}

/* WAKE of nobody returns 0; WAKE of 0 sleepers is -EINVAL. */
TEST_F(sync, wake_nobody)
{
	EXPECT_EQ(0, sd_wake(self->fd, 0, 1));
	EXPECT_EQ(-EINVAL, sd_wake(self->fd, 0, 0));
}

/* WAKE wakes a sleeper on the word and returns how many it woke. */
TEST_F(sync, wake_sleeper)
{
	int status;
	pid_t pid;

	self->map[8] = 0;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(sd_wait(self->fd, 32, 0, SHMDEV_TIMEOUT_INFINITE) ? 1 : 0);
	ASSERT_TRUE(stat_reaches(self->fd, offsetof(struct shmdev_region_info, waits), 1));
	/* Another word's wake does not reach it. */
	EXPECT_EQ(0, sd_wake(self->fd, 36, INT32_MAX));
	EXPECT_EQ(1, sd_wake(self->fd, 32, INT32_MAX));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A lock is taken and released; a second unlock is -EPERM. */
TEST_F(sync, lock_unlock)
{
	EXPECT_EQ(0, sd_lock(self->fd, 0, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	EXPECT_EQ(0, sd_unlock(self->fd, 0));
	EXPECT_EQ(-EPERM, sd_unlock(self->fd, 0));
}

/* Taking a lock the handle already holds is -EDEADLK. */
TEST_F(sync, lock_twice)
{
	ASSERT_EQ(0, sd_lock(self->fd, 1, SHMDEV_LOCK_SH, SHMDEV_TIMEOUT_INFINITE));
	EXPECT_EQ(-EDEADLK, sd_lock(self->fd, 1, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	EXPECT_EQ(0, sd_unlock(self->fd, 1));
}

/* An exclusive lock held elsewhere: NB is -EWOULDBLOCK, a deadline -ETIMEDOUT. */
TEST_F(sync, lock_contended)
{
	int fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, sd_lock(self->fd, 2, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	EXPECT_EQ(-EWOULDBLOCK, sd_lock(fd2, 2, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, 0));
	EXPECT_EQ(-ETIMEDOUT, sd_lock(fd2, 2, SHMDEV_LOCK_EX, sd_deadline_ms(20)));
	/* Another lock id is free. */
	EXPECT_EQ(0, sd_lock(fd2, 3, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, 0));
	close(fd2);
}

/* Shared locks are held by several handles at once, excluding writers. */
TEST_F(sync, lock_shared)
{
	int fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);
	int fd3 = sd_open_attach(self->name, 0, 0, 0, NULL);

	ASSERT_GE(fd2, 0);
	ASSERT_GE(fd3, 0);
	EXPECT_EQ(0, sd_lock(self->fd, 4, SHMDEV_LOCK_SH, SHMDEV_TIMEOUT_INFINITE));
	EXPECT_EQ(0, sd_lock(fd2, 4, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, 0));
	EXPECT_EQ(-EWOULDBLOCK, sd_lock(fd3, 4, SHMDEV_LOCK_EX | SHMDEV_LOCK_NB, 0));
	close(fd3);
	close(fd2);
}

/* An exclusive holder that goes without unlocking: the next gets -EOWNERDEAD. */
TEST_F(sync, lock_owner_died)
{
	struct shmdev_region_info info;
	int fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, sd_lock(fd2, 6, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	close(fd2);
	EXPECT_EQ(-EOWNERDEAD, sd_lock(self->fd, 6, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	/* Held now, and repaired: the next holder gets 0. */
	EXPECT_EQ(0, sd_unlock(self->fd, 6));
	EXPECT_EQ(0, sd_lock(self->fd, 6, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(1, info.owner_deaths);
}

/* A lock's waiter is granted it when the holder unlocks. */
TEST_F(sync, lock_handover)
{
	int fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);
	int status;
	pid_t pid;

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, sd_lock(self->fd, 7, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(sd_lock(fd2, 7, SHMDEV_LOCK_EX, SHMDEV_TIMEOUT_INFINITE) ? 1 : 0);
	ASSERT_TRUE(stat_reaches(self->fd,
				 offsetof(struct shmdev_region_info, lock_contended), 1));
	EXPECT_EQ(0, sd_unlock(self->fd, 7));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* fd2 holds it now. */
	EXPECT_EQ(-EWOULDBLOCK, sd_lock(self->fd, 7, SHMDEV_LOCK_SH | SHMDEV_LOCK_NB, 0));
	close(fd2);
}

/* A read-only handle takes shared locks only: exclusive is -EACCES. */
TEST_F(sync, lock_rdonly_exclusive)
{
	int ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);

	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EACCES, sd_lock(ro, 0, SHMDEV_LOCK_EX, 0));
	EXPECT_EQ(0, sd_lock(ro, 0, SHMDEV_LOCK_SH, 0));
	close(ro);
}

/* UNLOCK with nonzero flags is -EINVAL; of a lock id out of range, too. */
TEST_F(sync, unlock_bad)
{
	struct shmdev_unlock u = { .id = 0, .flags = 1 };

	ASSERT_EQ(0, sd_lock(self->fd, 0, SHMDEV_LOCK_EX, 0));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_UNLOCK, &u));
	EXPECT_EQ(-EINVAL, sd_unlock(self->fd, SHMDEV_NR_LOCKS));
	EXPECT_EQ(0, sd_unlock(self->fd, 0));
}

/* Bad LOCK arguments: one row per kind, each -EINVAL. */
FIXTURE(bad_lock) {
	char name[64];
	int fd;
};

FIXTURE_VARIANT(bad_lock) {
	__u32 id;
	__u32 mode;
};

/* The first lock id past the last. */
FIXTURE_VARIANT_ADD(bad_lock, id_range) {
	.id = SHMDEV_NR_LOCKS, .mode = SHMDEV_LOCK_EX,
};

/* Neither shared nor exclusive. */
FIXTURE_VARIANT_ADD(bad_lock, no_kind) {
	.id = 0, .mode = 0,
};

/* Only SHMDEV_LOCK_NB. */
FIXTURE_VARIANT_ADD(bad_lock, nb_only) {
	.id = 0, .mode = SHMDEV_LOCK_NB,
};

/* Both shared and exclusive. */
FIXTURE_VARIANT_ADD(bad_lock, both_kinds) {
	.id = 0, .mode = SHMDEV_LOCK_SH | SHMDEV_LOCK_EX,
};

/* A mode bit above the valid ones. */
FIXTURE_VARIANT_ADD(bad_lock, unknown_bit) {
	.id = 0, .mode = SHMDEV_LOCK_EX | (SHMDEV_LOCK_NB << 1),
};

FIXTURE_SETUP(bad_lock)
{
	sd_name(self->name, sizeof(self->name));
	self->fd = sd_open_attach(self->name, 1, SHMDEV_CREAT | SHMDEV_AUTODESTROY,
				  0600, NULL);
	if (self->fd == -ENOENT)
		SKIP(return, "no %s", SHMDEV_DEV);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(bad_lock)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* LOCK with this row's id and mode is -EINVAL. */
TEST_F(bad_lock, einval)
{
	EXPECT_EQ(-EINVAL, sd_lock(self->fd, variant->id, variant->mode, 0));
}

SHMDEV_KSFT_MAIN
