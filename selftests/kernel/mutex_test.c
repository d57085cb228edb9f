// SPDX-License-Identifier: GPL-2.0
/*
 * mutex_test: robust mutex words (SHMDEV_IOC_MUTEX_INIT, _DESTROY) and
 * what the module does to them when their owner's handle goes, and owner
 * ids (SHMDEV_IOC_OWNER_ID).
 */
#include <sys/mman.h>

#include "shmdev_ksft.h"

/* A region of one page, attached and mapped read-write. */
FIXTURE(mutex) {
	char name[64];
	int fd;
	long page;
	__u32 id;
	volatile uint32_t *map;
};

FIXTURE_SETUP(mutex)
{
	struct shmdev_attach a;

	self->page = sysconf(_SC_PAGESIZE);
	sd_name(self->name, sizeof(self->name));
	self->map = MAP_FAILED;
	self->fd = sd_open_attach(self->name, self->page,
				  SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a);
	if (self->fd == -ENOENT)
		SKIP(return, "no %s", SHMDEV_DEV);
	ASSERT_GE(self->fd, 0);
	self->id = a.handle_id;
	self->map = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(mutex)
{
	if (self->map != MAP_FAILED)
		munmap((void *)self->map, self->page);
	if (self->fd >= 0)
		close(self->fd);
	sd_unlink(self->name);
}

static long sd_mutex_init(int fd, __u64 offset)
{
	struct shmdev_mutex_init m = { .offset = offset };

	return sd_ioctl(fd, SHMDEV_IOC_MUTEX_INIT, &m);
}

static long sd_mutex_destroy(int fd, __u64 offset, __u64 len)
{
	struct shmdev_mutex_destroy m = { .offset = offset, .len = len };

	return sd_ioctl(fd, SHMDEV_IOC_MUTEX_DESTROY, &m);
}

/* MUTEX_INIT registers the word and stores 0 in it. */
TEST_F(mutex, init_zeroes)
{
	self->map[3] = 0xdeadbeef;
	EXPECT_EQ(0, sd_mutex_init(self->fd, 12));
	EXPECT_EQ(0, self->map[3]);
}

/* MUTEX_INIT of a misaligned word or one outside the region is -EINVAL. */
TEST_F(mutex, init_bad_offset)
{
	EXPECT_EQ(-EINVAL, sd_mutex_init(self->fd, 1));
	EXPECT_EQ(-EINVAL, sd_mutex_init(self->fd, self->page));
}

/* MUTEX_INIT with nonzero flags or pad is -EINVAL. */
TEST_F(mutex, init_flags_pad)
{
	struct shmdev_mutex_init fl = { .flags = 1 }, pad = { .pad = 1 };

	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_MUTEX_INIT, &fl));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_MUTEX_INIT, &pad));
}

/* A read-only handle may not register a mutex: -EACCES. */
TEST_F(mutex, init_rdonly)
{
	int ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);

	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EACCES, sd_mutex_init(ro, 0));
	close(ro);
}

/*
 * A handle released while its id is in a registered word: the word becomes
 * OWNER_DIED, keeping WAITERS, and the region counts an owner death.
 */
TEST_F(mutex, owner_died_on_close)
{
	struct shmdev_region_info info;
	struct shmdev_attach a;
	int fd2 = sd_open_attach(self->name, 0, 0, 0, &a);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, sd_mutex_init(self->fd, 0));
	ASSERT_EQ(0, sd_mutex_init(self->fd, 4));
	/* fd2 "locks" word 0, with a waiter; word 4 is this handle's. */
	self->map[0] = a.handle_id | SHMDEV_MUTEX_WAITERS;
	self->map[1] = self->id;
	close(fd2);
	EXPECT_EQ(SHMDEV_MUTEX_OWNER_DIED | SHMDEV_MUTEX_WAITERS, self->map[0]);
	EXPECT_EQ(self->id, self->map[1]);
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(1, info.owner_deaths);
}

/* A word not registered is left alone when its owner goes. */
TEST_F(mutex, unregistered_untouched)
{
	struct shmdev_attach a;
	int fd2 = sd_open_attach(self->name, 0, 0, 0, &a);

	ASSERT_GE(fd2, 0);
	self->map[2] = a.handle_id;
	close(fd2);
	EXPECT_EQ(a.handle_id, self->map[2]);
}

/* MUTEX_DESTROY unregisters the words of its range and returns how many. */
TEST_F(mutex, destroy)
{
	struct shmdev_attach a;
	int fd2 = sd_open_attach(self->name, 0, 0, 0, &a);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, sd_mutex_init(self->fd, 0));
	ASSERT_EQ(0, sd_mutex_init(self->fd, 8));
	ASSERT_EQ(0, sd_mutex_init(self->fd, 64));
	EXPECT_EQ(2, sd_mutex_destroy(self->fd, 0, 16));
	EXPECT_EQ(0, sd_mutex_destroy(self->fd, 0, 16));
	/* The words keep their values and are no longer repaired. */
	self->map[2] = a.handle_id;
	self->map[16] = a.handle_id;
	close(fd2);
	EXPECT_EQ(a.handle_id, self->map[2]);
	EXPECT_EQ(SHMDEV_MUTEX_OWNER_DIED, self->map[16]);
}

/* Bad MUTEX_DESTROY ranges: -EINVAL; from a read-only handle, -EACCES. */
TEST_F(mutex, destroy_bad)
{
	struct shmdev_mutex_destroy fl = { .len = 4, .flags = 1 };
	struct shmdev_mutex_destroy pad = { .len = 4, .pad = 1 };
	int ro;

	EXPECT_EQ(-EINVAL, sd_mutex_destroy(self->fd, 0, 0));
	EXPECT_EQ(-EINVAL, sd_mutex_destroy(self->fd, 2, 4));
	EXPECT_EQ(-EINVAL, sd_mutex_destroy(self->fd, 0, 6));
	EXPECT_EQ(-EINVAL, sd_mutex_destroy(self->fd, ~3ULL, 8));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_MUTEX_DESTROY, &fl));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_MUTEX_DESTROY, &pad));
	ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);
	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EACCES, sd_mutex_destroy(ro, 0, 4));
	close(ro);
}

/* OWNER_ID gives new ids, in range, apart from the handle's own. */
TEST_F(mutex, owner_id)
{
	struct shmdev_owner_id o1 = {}, o2 = {};

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_OWNER_ID, &o1));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_OWNER_ID, &o2));
	EXPECT_NE(0, o1.id);
	EXPECT_LT(o1.id, SHMDEV_MUTEX_ID_MASK);
	EXPECT_NE(self->id, o1.id);
	EXPECT_NE(self->id, o2.id);
	EXPECT_NE(o1.id, o2.id);
}

/* A word holding an owner id of a handle becomes OWNER_DIED when it goes. */
TEST_F(mutex, owner_id_dies_with_handle)
{
	struct shmdev_owner_id o = {};
	int fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, sd_ioctl(fd2, SHMDEV_IOC_OWNER_ID, &o));
	ASSERT_EQ(0, sd_mutex_init(self->fd, 20));
	self->map[5] = o.id;
	close(fd2);
	EXPECT_EQ(SHMDEV_MUTEX_OWNER_DIED, self->map[5]);
}

/* OWNER_ID with nonzero flags is -EINVAL; from a read-only handle, -EACCES. */
TEST_F(mutex, owner_id_bad)
{
	struct shmdev_owner_id o = { .flags = 1 };
	int ro;

	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_OWNER_ID, &o));
	ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);
	ASSERT_GE(ro, 0);
	o.flags = 0;
	EXPECT_EQ(-EACCES, sd_ioctl(ro, SHMDEV_IOC_OWNER_ID, &o));
	close(ro);
}

/* At most SHMDEV_MAX_OWNER_IDS owner ids per handle, then -ENOSPC. */
TEST_F(mutex, owner_id_limit)
{
	struct shmdev_owner_id o = {};
	int i;

	for (i = 0; i < SHMDEV_MAX_OWNER_IDS; i++)
		ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_OWNER_ID, &o));
	EXPECT_EQ(-ENOSPC, sd_ioctl(self->fd, SHMDEV_IOC_OWNER_ID, &o));
}

SHMDEV_KSFT_MAIN
