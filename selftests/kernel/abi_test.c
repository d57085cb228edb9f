// SPDX-License-Identifier: GPL-2.0
/*
 * abi_test: argument structures that grow. A caller built against the
 * first, smaller layout of struct shmdev_region_info and struct
 * shmdev_status (declared below as that caller's header had them) still
 * works; a newer, larger caller is zero-checked in and cleared out; sizes
 * below the first layout and numbers of another direction are refused.
 * Raw ioctls on /dev/shmdev only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmdev.h>

#include "shmdev_ksft.h"

/* struct shmdev_region_info as the first header declared it. */
struct old_region_info {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u64 ns_id;
	__u64 size;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 region_flags;
	__u32 handles;
	__u32 mappings;
	__u64 resident;
	__u64 ns_inum;
	__u64 waits;
	__u64 wakes;
	__u64 lock_acquired;
	__u64 lock_contended;
	__u64 owner_deaths;
	__u64 events;
};

/* struct shmdev_status as the first header declared it. */
struct old_status {
	__u64 ns_regions;
	__u64 ns_bytes;
	__u64 regions;
	__u64 bytes;
	__u64 user_bytes;
	__u64 handles;
};

#define OLD_IOC_STAT	_IOWR(SHMDEV_IOC_MAGIC, 0x03, struct old_region_info)
_Static_assert(OLD_IOC_STAT == SHMDEV_IOC_STAT_VER0, "");
#define OLD_IOC_STATUS	_IOR(SHMDEV_IOC_MAGIC, 0x05, struct old_status)
_Static_assert(OLD_IOC_STATUS == SHMDEV_IOC_STATUS_VER0, "");

/* The old layouts are the prefixes of the new ones. */
_Static_assert(sizeof(struct old_region_info) == SHMDEV_REGION_INFO_SIZE_VER0, "");
_Static_assert(offsetof(struct shmdev_region_info, creator_pid) ==
	       SHMDEV_REGION_INFO_SIZE_VER0, "");
_Static_assert(sizeof(struct shmdev_region_info) == SHMDEV_REGION_INFO_SIZE_VER1, "");
_Static_assert(sizeof(struct old_status) == SHMDEV_STATUS_SIZE_VER0, "");
_Static_assert(offsetof(struct shmdev_status, max_region_size) ==
	       SHMDEV_STATUS_SIZE_VER0, "");
_Static_assert(sizeof(struct shmdev_status) == SHMDEV_STATUS_SIZE_VER1, "");

/* An ioctl number for @nr in direction @dir with an argument of @size bytes. */
#define IOC(dir, nr, size)	_IOC(dir, SHMDEV_IOC_MAGIC, nr, size)
#define RW			(_IOC_READ | _IOC_WRITE)

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++ != c)
			return false;
	return true;
}

FIXTURE(abi) {
	int fd;		/* attached to the region */
	char name[64];
	uint64_t created_ns;
};

FIXTURE_SETUP(abi)
{
	struct shmdev_attach at = { 0 };

	snprintf(self->name, sizeof(self->name), "abi_test.%d", getpid());
	self->fd = open("/dev/shmdev", O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, "no /dev/shmdev: module not loaded");
	ASSERT_LE(0, self->fd);
	at.name = (uintptr_t)self->name;
	at.name_len = strlen(self->name);
	at.size = 8192;
	at.flags = SHMDEV_CREAT | SHMDEV_EXCL;
	at.mode = 0640;
	self->created_ns = realtime_ns();
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_ATTACH, &at));
}

FIXTURE_TEARDOWN(abi)
{
	struct shmdev_name n = {
		.name = (uintptr_t)self->name,
		.name_len = strlen(self->name),
	};

	if (self->fd < 0)
		return;
	sd_ioctl(self->fd, SHMDEV_IOC_UNLINK, &n);
	close(self->fd);
}

/* A caller with the first layout of region_info gets its fields, no more. */
TEST_F(abi, old_stat_layout_filled_and_not_overrun)
{
	struct {
		struct old_region_info info;
		unsigned char after[64];
	} buf;

	memset(&buf, 0xa5, sizeof(buf));
	memset(&buf.info, 0, sizeof(buf.info));
	ASSERT_EQ(0, sd_ioctl(self->fd, OLD_IOC_STAT, &buf.info));
	EXPECT_EQ(8192, buf.info.size);
	EXPECT_EQ(0640, buf.info.mode);
	EXPECT_EQ(1, buf.info.handles);
	EXPECT_EQ(getuid(), buf.info.uid);
	EXPECT_TRUE(all_bytes(buf.after, 0xa5, sizeof(buf.after)));
}

/* A caller with the first layout of status gets its fields, no more. */
TEST_F(abi, old_status_layout_filled_and_not_overrun)
{
	struct {
		struct old_status st;
		unsigned char after[64];
	} buf;

	memset(&buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, sd_ioctl(self->fd, OLD_IOC_STATUS, &buf.st));
	EXPECT_LE(1, buf.st.regions);
	EXPECT_LE(8192, buf.st.user_bytes);
	EXPECT_LE(1, buf.st.handles);
	EXPECT_TRUE(all_bytes(buf.after, 0xa5, sizeof(buf.after)));
}

/* The fields added to region_info: the creator, the last attacher, times. */
TEST_F(abi, stat_reports_creator_and_times)
{
	struct shmdev_region_info info = { 0 };
	uint64_t now = realtime_ns();

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(getpid(), info.creator_pid);
	EXPECT_EQ(getpid(), info.last_pid);
	EXPECT_LE(self->created_ns, info.ctime);
	EXPECT_GE(now, info.ctime);
	EXPECT_LE(info.ctime, info.atime);
	EXPECT_GE(now, info.atime);
	EXPECT_EQ(0, info.dtime);
}

/* A child that attaches and exits is the last pid, with a detach time. */
TEST_F(abi, stat_reports_last_attacher_and_detach)
{
	struct shmdev_region_info info = { 0 };
	struct shmdev_attach at = {
		.name = (uintptr_t)self->name,
		.name_len = strlen(self->name),
	};
	uint64_t before = realtime_ns();
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open("/dev/shmdev", O_RDWR);

		_exit(fd < 0 || sd_ioctl(fd, SHMDEV_IOC_ATTACH, &at) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(getpid(), info.creator_pid);
	EXPECT_EQ(pid, info.last_pid);
	EXPECT_LE(before, info.atime);
	EXPECT_LE(info.atime, info.dtime);
	EXPECT_GE(realtime_ns(), info.dtime);
}

/* A resize is a change: it moves ctime. */
TEST_F(abi, resize_moves_ctime)
{
	struct shmdev_region_info a = { 0 }, b = { 0 };
	struct shmdev_resize rs = { .size = 16384 };

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &a));
	usleep(1000);
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STAT, &b));
	EXPECT_LT(a.ctime, b.ctime);
}

static uint64_t param(const char *name)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/shmdev/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return ~0ULL;
	if (fscanf(f, "%llu", &v) != 1)
		v = ~0ULL;
	fclose(f);
	return v;
}

/* The fields added to status: the module's limits, as its parameters say. */
TEST_F(abi, status_reports_limits)
{
	struct shmdev_status st;

	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STATUS, &st));
	EXPECT_EQ(param("max_region_size"), st.max_region_size);
	EXPECT_EQ(param("max_regions"), st.max_regions);
	EXPECT_EQ(param("max_user_bytes"), st.max_user_bytes);
	EXPECT_EQ(param("max_total_bytes"), st.max_total_bytes);
}

/* Owner ids are counted in all and for the caller's user. */
TEST_F(abi, status_counts_owner_ids)
{
	struct shmdev_status a, b;
	struct shmdev_owner_id oid = { 0 };

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STATUS, &a));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_OWNER_ID, &oid));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STATUS, &b));
	EXPECT_EQ(a.user_owner_ids + 1, b.user_owner_ids);
	EXPECT_LE(b.user_owner_ids, b.owner_ids);
	EXPECT_LE(1, b.owner_ids);
}

/* A larger caller whose bytes past the module's layout are zero is served. */
TEST_F(abi, larger_argument_with_zero_tail_accepted)
{
	struct {
		struct shmdev_region_info info;
		unsigned char tail[40];
	} big;

	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, sd_ioctl(self->fd, IOC(RW, 0x03, sizeof(big)), &big));
	EXPECT_EQ(8192, big.info.size);
	EXPECT_EQ(getpid(), big.info.creator_pid);
	EXPECT_TRUE(all_bytes(big.tail, 0, sizeof(big.tail)));
}

/* A larger caller with a nonzero byte past the module's layout: -E2BIG. */
TEST_F(abi, larger_argument_with_nonzero_tail_e2big)
{
	struct {
		struct shmdev_region_info info;
		unsigned char tail[40];
	} big;

	memset(&big, 0, sizeof(big));
	big.tail[sizeof(big.tail) - 1] = 1;
	EXPECT_EQ(-E2BIG, sd_ioctl(self->fd, IOC(RW, 0x03, sizeof(big)), &big));
}

/* Past the module's layout, a reading call clears the caller's bytes. */
TEST_F(abi, larger_read_only_argument_tail_cleared)
{
	struct {
		struct shmdev_api api;
		unsigned char tail[40];
	} big;

	memset(&big, 0xa5, sizeof(big));
	ASSERT_EQ(0, sd_ioctl(self->fd, IOC(_IOC_READ, 0x00, sizeof(big)), &big));
	EXPECT_EQ(SHMDEV_ABI_VERSION, big.api.abi_version);
	EXPECT_TRUE(big.api.features & SHMDEV_FEAT_SIZED_ARGS);
	EXPECT_TRUE(all_bytes(big.tail, 0, sizeof(big.tail)));
}

/* A handle not attached: sizes are checked before anything else. */
FIXTURE(sizes) {
	int fd;
};

FIXTURE_SETUP(sizes)
{
	self->fd = open("/dev/shmdev", O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, "no /dev/shmdev: module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(sizes)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Every call with an argument, and its first layout's size less one. */
FIXTURE_VARIANT(sizes) {
	unsigned int dir;
	unsigned int nr;
	unsigned int size;	/* one byte short of the first layout */
};

FIXTURE_VARIANT_ADD(sizes, api) { _IOC_READ, 0x00, sizeof(struct shmdev_api) - 1 };
FIXTURE_VARIANT_ADD(sizes, attach) { RW, 0x01, sizeof(struct shmdev_attach) - 1 };
FIXTURE_VARIANT_ADD(sizes, unlink) { _IOC_WRITE, 0x02, sizeof(struct shmdev_name) - 1 };
FIXTURE_VARIANT_ADD(sizes, stat) { RW, 0x03, SHMDEV_REGION_INFO_SIZE_VER0 - 1 };
FIXTURE_VARIANT_ADD(sizes, resize) { _IOC_WRITE, 0x04, sizeof(struct shmdev_resize) - 1 };
FIXTURE_VARIANT_ADD(sizes, status) { _IOC_READ, 0x05, SHMDEV_STATUS_SIZE_VER0 - 1 };
FIXTURE_VARIANT_ADD(sizes, wait) { _IOC_WRITE, 0x10, sizeof(struct shmdev_wait) - 1 };
FIXTURE_VARIANT_ADD(sizes, wake) { _IOC_WRITE, 0x11, sizeof(struct shmdev_wake) - 1 };
FIXTURE_VARIANT_ADD(sizes, lock) { _IOC_WRITE, 0x12, sizeof(struct shmdev_lock) - 1 };
FIXTURE_VARIANT_ADD(sizes, unlock) { _IOC_WRITE, 0x13, sizeof(struct shmdev_unlock) - 1 };
FIXTURE_VARIANT_ADD(sizes, mutex_init) { _IOC_WRITE, 0x14, sizeof(struct shmdev_mutex_init) - 1 };
FIXTURE_VARIANT_ADD(sizes, event_wait) { RW, 0x16, sizeof(struct shmdev_event) - 1 };
FIXTURE_VARIANT_ADD(sizes, mutex_destroy) { _IOC_WRITE, 0x17, sizeof(struct shmdev_mutex_destroy) - 1 };
FIXTURE_VARIANT_ADD(sizes, owner_id) { RW, 0x18, sizeof(struct shmdev_owner_id) - 1 };

/* Each call refuses an argument one byte short of its first layout. */
TEST_F(sizes, short_argument_einval)
{
	char buf[256] = { 0 };

	EXPECT_EQ(-EINVAL, sd_ioctl(self->fd, IOC(variant->dir, variant->nr,
						variant->size), buf));
}

/* The same call number with the other direction is no call: -ENOTTY. */
TEST_F(sizes, other_direction_enotty)
{
	char buf[256] = { 0 };
	unsigned int dir = variant->dir == RW ? _IOC_READ :
			   variant->dir ^ RW;

	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, IOC(dir, variant->nr,
						variant->size + 1), buf));
}

/* A call without an argument takes none: a size makes it unknown. */
TEST_F(abi, argumentless_call_with_size_enotty)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, IOC(_IOC_NONE, 0x15, 8), buf));
	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, IOC(_IOC_WRITE, 0x19, 8), buf));
}

/* Numbers the module never gave out, of its type or of another: -ENOTTY. */
TEST_F(abi, unknown_numbers_enotty)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, IOC(_IOC_NONE, 0x7f, 0), buf));
	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, IOC(_IOC_READ, 0x06, 8), buf));
	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, IOC(_IOC_NONE, 0xff, 0), buf));
	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, _IOR('T', 0x00, struct shmdev_api), buf));
}

/*
 * EVENT_WAIT writes only the counter back: the caller's other fields may
 * lie in memory it cannot write (here: a read-only page before it).
 */
TEST_F(abi, event_wait_writes_only_counter)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct shmdev_event *ev;
	char *map;

	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ev = (void *)(map + pg - offsetof(struct shmdev_event, counter));
	memset(ev, 0, offsetof(struct shmdev_event, counter));
	ev->seq = 12345;	/* not the counter: no sleep */
	ev->counter = ~0ULL;
	ASSERT_EQ(0, mprotect(map, pg, PROT_READ));
	EXPECT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, ev));
	EXPECT_EQ(0, ev->counter);
	EXPECT_EQ(12345, ev->seq);
	munmap(map, 2 * pg);
}

/* Pids and times go to those who may read the region only: others see 0. */
TEST_F(abi, stat_hides_pids_and_times_from_non_readers)
{
	struct shmdev_region_info info = {
		.name = (uintptr_t)self->name,
		.name_len = strlen(self->name),
	};
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to become another user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open("/dev/shmdev", O_RDONLY);

		/* nobody: neither the owner (root) nor in group root; mode 0640. */
		if (fd < 0 || setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (sd_ioctl(fd, SHMDEV_IOC_STAT, &info))
			_exit(3);
		_exit(info.size == 8192 && !info.creator_pid && !info.last_pid &&
		      !info.ctime && !info.atime && !info.dtime ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

SHMDEV_KSFT_MAIN
