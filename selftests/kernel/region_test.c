// SPDX-License-Identifier: GPL-2.0
/*
 * region_test: SHMDEV_IOC_ATTACH, SHMDEV_IOC_UNLINK, SHMDEV_IOC_STAT and
 * SHMDEV_IOC_RESIZE through raw ioctls: creating, finding, refusing, sizes.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include "shmdev_ksft.h"

/* A fresh name per test, unlinked at the end whatever became of it. */
FIXTURE(region) {
	char name[64];
	int fd;
	long page;
};

FIXTURE_SETUP(region)
{
	self->page = sysconf(_SC_PAGESIZE);
	sd_name(self->name, sizeof(self->name));
	self->fd = sd_open(O_RDWR);
	if (self->fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(region)
{
	if (self->fd >= 0)
		close(self->fd);
	sd_unlink(self->name);
}

/* SHMDEV_CREAT makes a region, rounded up to pages, with the mode given. */
TEST_F(region, create)
{
	struct shmdev_region_info info;
	struct shmdev_attach a;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0640, &a));
	EXPECT_EQ(self->page, a.region_size);
	EXPECT_NE(0, a.handle_id);
	EXPECT_LT(a.handle_id, SHMDEV_MUTEX_ID_MASK);
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(self->page, info.size);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(1, info.handles);
}

/* The mode is taken & 0777, without the caller's umask. */
TEST_F(region, create_mode_no_umask)
{
	struct shmdev_region_info info;
	mode_t old = umask(077);

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 07666, NULL));
	umask(old);
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(0666, info.mode);
}

/* Without SHMDEV_CREAT a missing region is -ENOENT. */
TEST_F(region, missing)
{
	EXPECT_EQ(-ENOENT, sd_attach(self->fd, self->name, 0, 0, 0, NULL));
}

/* Creating with size 0 is -EINVAL. */
TEST_F(region, create_size_zero)
{
	EXPECT_EQ(-EINVAL, sd_attach(self->fd, self->name, 0, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-ENOENT, sd_attach(self->fd, self->name, 0, 0, 0, NULL));
}

/* A size no file can have is -EFBIG. */
TEST_F(region, create_too_big)
{
	EXPECT_EQ(-EFBIG, sd_attach(self->fd, self->name, ~0ULL, SHMDEV_CREAT, 0600, NULL));
}

/* A second handle finds the region and its size; size 0 means any. */
TEST_F(region, attach_existing)
{
	struct shmdev_attach a;
	int fd2;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 3 * self->page, SHMDEV_CREAT, 0600, NULL));
	fd2 = sd_open_attach(self->name, 0, 0, 0, &a);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(3 * self->page, a.region_size);
	close(fd2);
}

/* SHMDEV_CREAT of an existing region attaches it as it is. */
TEST_F(region, creat_existing)
{
	struct shmdev_attach a;
	int fd2;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 2 * self->page, SHMDEV_CREAT, 0600, NULL));
	fd2 = sd_open_attach(self->name, self->page, SHMDEV_CREAT, 0644, &a);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(2 * self->page, a.region_size);
	close(fd2);
}

/* Asking for more than the region has is -EINVAL. */
TEST_F(region, attach_larger)
{
	ASSERT_EQ(0, sd_attach(self->fd, self->name, self->page, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, sd_open_attach(self->name, 2 * self->page, 0, 0, NULL));
}

/* SHMDEV_CREAT | SHMDEV_EXCL of an existing region is -EEXIST. */
TEST_F(region, excl_existing)
{
	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EEXIST, sd_open_attach(self->name, 1, SHMDEV_CREAT | SHMDEV_EXCL, 0600, NULL));
}

/* A handle attaches once: a second attach is -EBUSY. */
TEST_F(region, attach_twice)
{
	char other[64];

	sd_name(other, sizeof(other));
	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EBUSY, sd_attach(self->fd, other, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-ENOENT, sd_unlink(other));
}

/* A read-only attach maps for reading, and refuses a writable mapping. */
TEST_F(region, rdonly_no_write_mapping)
{
	void *p;
	int ro;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);
	ASSERT_GE(ro, 0);
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, self->page);
	p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	close(ro);
}

/* Through /dev/shmdev opened read-only, creating is -EACCES. */
TEST_F(region, rdonly_device_no_create)
{
	int fd = sd_open(O_RDONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EACCES, sd_attach(fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EACCES, sd_attach(fd, self->name, 1, SHMDEV_CREAT | SHMDEV_RDONLY, 0600, NULL));
	close(fd);
}

/* A handle's mapping shares the region's pages with every other handle's. */
TEST_F(region, mappings_shared)
{
	volatile uint32_t *p, *q;
	int fd2;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	fd2 = sd_open_attach(self->name, 0, 0, 0, NULL);
	ASSERT_GE(fd2, 0);
	p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	q = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	p[7] = 0xc0ffee;
	EXPECT_EQ(0xc0ffee, q[7]);
	munmap((void *)p, self->page);
	munmap((void *)q, self->page);
	close(fd2);
}

/* MAP_PRIVATE of a region is -EINVAL. */
TEST_F(region, map_private)
{
	void *p;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	p = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

/* UNLINK removes the name: the next attach without CREAT is -ENOENT. */
TEST_F(region, unlink)
{
	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(0, sd_unlink(self->name));
	EXPECT_EQ(-ENOENT, sd_open_attach(self->name, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, sd_unlink(self->name));
}

/* An unlinked region stays with its handles, marked unlinked. */
TEST_F(region, unlink_keeps_handles)
{
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	ASSERT_EQ(0, sd_unlink(self->name));
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(SHMDEV_REGION_UNLINKED, info.region_flags & SHMDEV_REGION_UNLINKED);
	EXPECT_EQ(self->page, info.size);
}

/* UNLINK with nonzero flags is -EINVAL. */
TEST_F(region, unlink_flags)
{
	struct shmdev_name n = {
		.name = (uintptr_t)self->name,
		.name_len = strlen(self->name),
		.flags = 1,
	};

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_UNLINK, &n));
}

/* UNLINK through /dev/shmdev opened read-only is -EACCES. */
TEST_F(region, unlink_rdonly_device)
{
	struct shmdev_name n = {
		.name = (uintptr_t)self->name,
		.name_len = strlen(self->name),
	};
	int fd = sd_open(O_RDONLY);

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EACCES, sd_ioctl(fd, SHMDEV_IOC_UNLINK, &n));
	close(fd);
}

/* An AUTODESTROY region goes with its last handle. */
TEST_F(region, autodestroy)
{
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1,
			       SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, NULL));
	ASSERT_EQ(0, sd_stat_name(self->name, &info));
	EXPECT_EQ(SHMDEV_AUTODESTROY, info.region_flags & SHMDEV_AUTODESTROY);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-ENOENT, sd_stat_name(self->name, &info));
}

/* STAT by name, from a handle that is not attached. */
TEST_F(region, stat_by_name)
{
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 5 * self->page, SHMDEV_CREAT, 0604, NULL));
	ASSERT_EQ(0, sd_stat_name(self->name, &info));
	EXPECT_EQ(5 * self->page, info.size);
	EXPECT_EQ(0604, info.mode);
	EXPECT_EQ(1, info.handles);
}

/* STAT of a missing name is -ENOENT. */
TEST_F(region, stat_missing)
{
	struct shmdev_region_info info;

	EXPECT_EQ(-ENOENT, sd_stat_name(self->name, &info));
}

/* STAT with nonzero flags is -EINVAL. */
TEST_F(region, stat_flags)
{
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	memset(&info, 0, sizeof(info));
	info.flags = 1;
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &info));
}

/* STAT of the attached region with a namespace but no name is -EINVAL. */
TEST_F(region, stat_ns_without_name)
{
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	memset(&info, 0, sizeof(info));
	info.ns_id = 1;
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &info));
}

/* RESIZE grows the region. */
TEST_F(region, resize_grow)
{
	struct shmdev_resize rs = { .size = 4 * self->page };
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(4 * self->page, info.size);
}

/* RESIZE rounds up to pages and shrinks a region nobody maps. */
TEST_F(region, resize_shrink)
{
	struct shmdev_resize rs = { .size = self->page + 1 };
	struct shmdev_region_info info;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 8 * self->page, SHMDEV_CREAT, 0600, NULL));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	ASSERT_EQ(0, sd_stat(self->fd, &info));
	EXPECT_EQ(2 * self->page, info.size);
}

/* Shrinking below a live mapping is -EBUSY. */
TEST_F(region, resize_shrink_mapped)
{
	struct shmdev_resize rs = { .size = self->page };
	void *p;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 2 * self->page, SHMDEV_CREAT, 0600, NULL));
	p = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EBUSY, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	munmap(p, 2 * self->page);
	EXPECT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
}

/* RESIZE to 0 is -EINVAL; to more than any file can hold, -EFBIG. */
TEST_F(region, resize_bad_size)
{
	struct shmdev_resize zero = { .size = 0 }, huge = { .size = ~0ULL };

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &zero));
	EXPECT_EQ(-EFBIG, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &huge));
}

/* RESIZE with nonzero flags or pad is -EINVAL. */
TEST_F(region, resize_flags_pad)
{
	struct shmdev_resize fl = { .size = 2 * self->page, .flags = 1 };
	struct shmdev_resize pad = { .size = 2 * self->page, .pad = 1 };

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &fl));
	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &pad));
}

/* A read-only handle may not resize: -EACCES. */
TEST_F(region, resize_rdonly)
{
	struct shmdev_resize rs = { .size = 2 * self->page };
	int ro;

	ASSERT_EQ(0, sd_attach(self->fd, self->name, 1, SHMDEV_CREAT, 0600, NULL));
	ro = sd_open_attach(self->name, 0, SHMDEV_RDONLY, 0, NULL);
	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EACCES, sd_ioctl(ro, SHMDEV_IOC_RESIZE, &rs));
	close(ro);
}

/*
 * Bad names, for ATTACH, UNLINK and STAT alike: one row per kind, with the
 * errno each must give.
 */
FIXTURE(bad_name) {
	int fd;
	char buf[SHMDEV_NAME_MAX + 2];
};

FIXTURE_VARIANT(bad_name) {
	const char *name;	/* NULL: SHMDEV_NAME_MAX + 1 bytes of 'a' */
	__u32 len;
	__u64 pointer;		/* nonzero: use this as the name's address */
	int err;
};

/* An empty name. */
FIXTURE_VARIANT_ADD(bad_name, empty) {
	.name = "", .len = 0, .err = -EINVAL,
};

/* One byte longer than SHMDEV_NAME_MAX. */
FIXTURE_VARIANT_ADD(bad_name, too_long) {
	.name = NULL, .len = SHMDEV_NAME_MAX + 1, .err = -ENAMETOOLONG,
};

/* A slash inside. */
FIXTURE_VARIANT_ADD(bad_name, slash) {
	.name = "a/b", .len = 3, .err = -EINVAL,
};

/* A NUL inside the length given. */
FIXTURE_VARIANT_ADD(bad_name, nul) {
	.name = "a\0b", .len = 3, .err = -EINVAL,
};

/* A name at an address no process can read. */
FIXTURE_VARIANT_ADD(bad_name, bad_pointer) {
	.name = "", .len = 4, .pointer = 8, .err = -EFAULT,
};

FIXTURE_SETUP(bad_name)
{
	memset(self->buf, 'a', sizeof(self->buf));
	self->fd = sd_open(O_RDWR);
	if (self->fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(bad_name)
{
	if (self->fd >= 0)
		close(self->fd);
}

static __u64 bad_name_ptr(const FIXTURE_VARIANT(bad_name) *v, const char *buf)
{
	if (v->pointer)
		return v->pointer;
	return (uintptr_t)(v->name ? v->name : buf);
}

/* ATTACH with this row's name fails with its errno, creating nothing. */
TEST_F(bad_name, attach)
{
	struct shmdev_attach a = {
		.name = bad_name_ptr(variant, self->buf),
		.name_len = variant->len,
		.size = 1,
		.flags = SHMDEV_CREAT,
		.mode = 0600,
	};

	EXPECT_EQ(variant->err, sd_attach_arg(self->fd, &a));
}

/* UNLINK with this row's name fails with its errno. */
TEST_F(bad_name, unlink)
{
	struct shmdev_name n = {
		.name = bad_name_ptr(variant, self->buf),
		.name_len = variant->len,
	};

	EXPECT_EQ(variant->err, sd_ioctl(self->fd, SHMDEV_IOC_UNLINK, &n));
}

/* STAT with this row's name fails with its errno. */
TEST_F(bad_name, stat)
{
	struct shmdev_region_info info = {
		.name = bad_name_ptr(variant, self->buf),
		.name_len = variant->len,
	};

	EXPECT_EQ(variant->err, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &info));
}

/* A name of exactly SHMDEV_NAME_MAX bytes is fine. */
TEST(name_max)
{
	char name[SHMDEV_NAME_MAX + 1];
	int fd, n;

	n = snprintf(name, sizeof(name), "ksft.%d.", (int)getpid());
	memset(name + n, 'm', SHMDEV_NAME_MAX - n);
	name[SHMDEV_NAME_MAX] = '\0';
	fd = sd_open_attach(name, 1, SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, NULL);
	ASSERT_GE(fd, 0);
	close(fd);
}

/*
 * Bad flags and pad of SHMDEV_IOC_ATTACH: one row per combination that
 * must be refused with -EINVAL before anything is looked up.
 */
FIXTURE(bad_attach) {
	int fd;
	char name[64];
};

FIXTURE_VARIANT(bad_attach) {
	__u32 flags;
	__u32 pad;
	__u32 pad2;
};

/* A flag above the valid ones. */
FIXTURE_VARIANT_ADD(bad_attach, unknown_flag) {
	.flags = SHMDEV_CREAT | (SHMDEV_FILE << 1),
};

/* The top bit. */
FIXTURE_VARIANT_ADD(bad_attach, top_flag) {
	.flags = SHMDEV_CREAT | 0x80000000u,
};

/* SHMDEV_EXCL without SHMDEV_CREAT. */
FIXTURE_VARIANT_ADD(bad_attach, excl_without_creat) {
	.flags = SHMDEV_EXCL,
};

/* SHMDEV_AUTODESTROY without SHMDEV_CREAT. */
FIXTURE_VARIANT_ADD(bad_attach, autodestroy_without_creat) {
	.flags = SHMDEV_AUTODESTROY,
};

/* SHMDEV_POPULATE without SHMDEV_CREAT. */
FIXTURE_VARIANT_ADD(bad_attach, populate_without_creat) {
	.flags = SHMDEV_POPULATE,
};

/* A nonzero pad field. */
FIXTURE_VARIANT_ADD(bad_attach, pad) {
	.flags = SHMDEV_CREAT, .pad = 1,
};

/* A nonzero second pad field. */
FIXTURE_VARIANT_ADD(bad_attach, pad2) {
	.flags = SHMDEV_CREAT, .pad2 = 1,
};

FIXTURE_SETUP(bad_attach)
{
	sd_name(self->name, sizeof(self->name));
	self->fd = sd_open(O_RDWR);
	if (self->fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(bad_attach)
{
	if (self->fd >= 0)
		close(self->fd);
	sd_unlink(self->name);
}

/* ATTACH with this row's flags is -EINVAL and creates nothing. */
TEST_F(bad_attach, einval)
{
	struct shmdev_region_info info;
	struct shmdev_attach a = {
		.name = (uintptr_t)self->name,
		.name_len = strlen(self->name),
		.size = 1,
		.flags = variant->flags,
		.mode = 0600,
		.pad = variant->pad,
		.pad2 = variant->pad2,
	};

	EXPECT_EQ(-EINVAL, sd_attach_arg(self->fd, &a));
	EXPECT_EQ(-ENOENT, sd_stat_name(self->name, &info));
}

SHMDEV_KSFT_MAIN
