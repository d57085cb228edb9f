// SPDX-License-Identifier: GPL-2.0
/* device_test: /dev/shmdev itself: the API ioctl, bad ioctls, handles, bad input. */
#include <sys/mman.h>

#include "common.h"

FIXTURE(dev) {
	int fd;
	struct test_names names;
};

FIXTURE_SETUP(dev)
{
	self->names.nr = 0;
	self->fd = dev_open();
	if (self->fd == -ENOENT)
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	unlink_names(&self->names);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, node_is_char_device_0666)
{
	struct stat st;

	ASSERT_EQ(0, stat(SHMDEV_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST_F(dev, api_answers)
{
	struct shmdev_api api;

	memset(&api, 0xff, sizeof(api));
	ASSERT_EQ(0, xioctl(self->fd, SHMDEV_IOC_API, &api));
	EXPECT_EQ(SHMDEV_ABI_VERSION, api.abi_version);
	EXPECT_EQ(SHMDEV_NR_LOCKS, api.nr_locks);
	EXPECT_LE(64, api.nr_locks);
	EXPECT_EQ(SHMDEV_NAME_MAX, api.name_max);
	EXPECT_EQ(page_size(), api.page_size);
	EXPECT_EQ(SHMDEV_FEAT_REGIONS | SHMDEV_FEAT_WAIT | SHMDEV_FEAT_LOCKS |
		  SHMDEV_FEAT_MUTEX | SHMDEV_FEAT_EVENTS |
		  SHMDEV_FEAT_MUTEX_DESTROY | SHMDEV_FEAT_OWNER_IDS |
		  SHMDEV_FEAT_INIT | SHMDEV_FEAT_SIZED_ARGS, api.features);

	memset(&api, 0, sizeof(api));
	ASSERT_EQ(0, shmdev_query_api(&api));
	EXPECT_EQ(SHMDEV_ABI_VERSION, api.abi_version);
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_API, (void *)8));
}

TEST_F(dev, unknown_ioctl_enotty)
{
	char buf[256] = { 0 };

	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IO(SHMDEV_IOC_MAGIC, 0x7f), NULL));
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOR(SHMDEV_IOC_MAGIC, 0x06, uint64_t), buf));
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOR('T', 0x00, struct shmdev_api), buf));
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, TCGETS, buf));
}

/* Same number, a size below the first layout: -EINVAL (abi_test has more). */
TEST_F(dev, short_argument_einval)
{
	char buf[256] = { 0 };

	EXPECT_EQ(-EINVAL, xioctl(self->fd, _IOR(SHMDEV_IOC_MAGIC, 0x00, uint64_t), buf));
	EXPECT_EQ(-EINVAL, xioctl(self->fd, _IOWR(SHMDEV_IOC_MAGIC, 0x01, uint64_t), buf));
	EXPECT_EQ(-EINVAL, xioctl(self->fd, _IOW(SHMDEV_IOC_MAGIC, 0x12, char[8]), buf));
}

TEST_F(dev, unattached_handle_ebadfd)
{
	struct shmdev_region_info info = { 0 };
	struct shmdev_resize rs = { .size = 4096 };
	struct shmdev_wait w = { .timeout = 0 };
	struct shmdev_wake wk = { .nr = 1 };
	struct shmdev_lock l = { .mode = SHMDEV_LOCK_EX };
	struct shmdev_unlock ul = { 0 };
	struct shmdev_mutex_init mi = { 0 };
	struct shmdev_mutex_destroy md = { .len = 4 };
	struct shmdev_event ev = { 0 };
	void *p;

	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_WAIT, &w));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_WAKE, &wk));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_LOCK, &l));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_UNLOCK, &ul));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_MUTEX_INIT, &mi));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_MUTEX_DESTROY, &md));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_NOTIFY, NULL));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, &ev));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(dev, second_attach_ebusy)
{
	const char *a = new_name(&self->names, "dev.a");
	const char *b = new_name(&self->names, "dev.b");
	struct shmdev_attach at;

	ASSERT_EQ(0, raw_attach(self->fd, a, 4096, SHMDEV_CREAT, 0600, &at));
	EXPECT_EQ(-EBUSY, raw_attach(self->fd, a, 0, 0, 0, &at));
	EXPECT_EQ(-EBUSY, raw_attach(self->fd, b, 4096, SHMDEV_CREAT, 0600, &at));
	EXPECT_EQ(-ENOENT, shmdev_stat(b, &(struct shmdev_stat){ 0 }));
}

TEST_F(dev, bad_pointers_efault)
{
	const char *a = new_name(&self->names, "dev.fault");
	struct shmdev_attach at = { .name = 16, .name_len = 4, .size = 4096,
				    .flags = SHMDEV_CREAT, .mode = 0600 };
	struct shmdev_name un = { .name = 16, .name_len = 4 };
	struct shmdev_region_info info = { .name = 16, .name_len = 4 };

	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_ATTACH, &at));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_ATTACH, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_UNLINK, &un));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_STATUS, (void *)16));
	/* A failed attach leaves the handle usable. */
	EXPECT_EQ(0, raw_attach(self->fd, a, 4096, SHMDEV_CREAT, 0600, &at));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_WAIT, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_WAKE, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_LOCK, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_UNLOCK, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_RESIZE, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_MUTEX_INIT, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_STAT, (void *)16));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, (void *)16));
	/* A kernel address is as bad as an unmapped one. */
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_STAT, (void *)0xffffffff81000000UL));
}

TEST_F(dev, answer_to_read_only_memory_efault)
{
	const char *a = new_name(&self->names, "dev.rofault");
	struct shmdev_attach *at;
	struct shmdev_attach ok;
	struct shmdev_status *st;
	struct shmdev_api *api;
	void *page;

	/* The arguments can be read but not written back. */
	page = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	at = page;
	at->name = (uintptr_t)a;
	at->name_len = strlen(a);
	at->size = page_size();
	at->flags = SHMDEV_CREAT;
	at->mode = 0600;
	api = (void *)((char *)page + 256);
	st = (void *)((char *)page + 512);
	ASSERT_EQ(0, mprotect(page, page_size(), PROT_READ));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_API, api));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_STATUS, st));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_ATTACH, at));
	/* The failed attach created nothing and left the handle usable. */
	EXPECT_EQ(-ENOENT, shmdev_stat(a, &(struct shmdev_stat){ 0 }));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_NOTIFY, NULL));
	EXPECT_EQ(-EBADFD, xioctl(self->fd, SHMDEV_IOC_READY, NULL));
	EXPECT_EQ(0, raw_attach(self->fd, a, page_size(), SHMDEV_CREAT, 0600, &ok));
	EXPECT_EQ(page_size(), ok.region_size);
	munmap(page, page_size());
}

TEST_F(dev, reserved_fields_and_unknown_flags_einval)
{
	const char *a = new_name(&self->names, "dev.rsv");
	struct shmdev_attach at;
	struct shmdev_name un = { .name = (uintptr_t)a, .name_len = strlen(a) };
	struct shmdev_region_info info = { 0 };
	struct shmdev_resize rs = { .size = 8192 };
	struct shmdev_wait w = { .timeout = 0 };
	struct shmdev_wake wk = { .nr = 1 };
	struct shmdev_lock l = { .timeout = 0, .mode = SHMDEV_LOCK_EX };
	struct shmdev_unlock ul = { 0 };
	struct shmdev_mutex_init mi = { 0 };
	struct shmdev_event ev = { 0 };
	struct shmdev_stat st;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & SHMDEV_ATTACH_VALID_FLAGS)
			continue;
		EXPECT_EQ(-EINVAL, raw_attach(self->fd, a, 4096,
					      SHMDEV_CREAT | (1U << bit), 0600, &at));
	}
	memset(&at, 0, sizeof(at));
	at.name = (uintptr_t)a;
	at.name_len = strlen(a);
	at.size = 4096;
	at.flags = SHMDEV_CREAT;
	at.mode = 0600;
	at.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_ATTACH, &at));
	EXPECT_EQ(-ENOENT, shmdev_stat(a, &(struct shmdev_stat){ 0 }));
	/* The mode is taken & 0777, as SPEC says: no error for other bits. */
	ASSERT_EQ(0, raw_attach(self->fd, a, 4096, SHMDEV_CREAT, 07600, &at));
	ASSERT_EQ(0, shmdev_stat(a, &st));
	EXPECT_EQ(0600, st.mode);

	un.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_UNLINK, &un));
	info.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_STAT, &info));
	rs.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	rs.flags = 0;
	rs.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_RESIZE, &rs));
	w.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_WAIT, &w));
	wk.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_WAKE, &wk));
	l.mode |= 0x100;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_LOCK, &l));
	ul.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_UNLOCK, &ul));
	mi.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_MUTEX_INIT, &mi));
	mi.flags = 0;
	mi.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_MUTEX_INIT, &mi));
	ev.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, &ev));
	ev.flags = 0;
	ev.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_EVENT_WAIT, &ev));
	/* Nothing above changed the region. */
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, xioctl(self->fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(4096, info.size);
	EXPECT_EQ(0, info.lock_acquired);
	EXPECT_EQ(0, info.events);
}

TEST_F_TIMEOUT(dev, open_close_10000_leaves_nothing, 120)
{
	static char proc_before[65536], proc_after[65536];
	struct shmdev_status before, after;
	struct shmdev_api api;
	int i, fd;

	ASSERT_EQ(0, status_get(&before));
	ASSERT_LE(0, read_whole(SHMDEV_PROC, proc_before, sizeof(proc_before)));
	for (i = 0; i < 10000; i++) {
		fd = dev_open();
		ASSERT_LE(0, fd);
		/* Every other one does something, so the handle is not idle. */
		if (i % 2)
			ASSERT_EQ(0, xioctl(fd, SHMDEV_IOC_API, &api));
		ASSERT_EQ(0, close(fd));
	}
	ASSERT_EQ(0, status_get(&after));
	ASSERT_LE(0, read_whole(SHMDEV_PROC, proc_after, sizeof(proc_after)));
	EXPECT_EQ(before.handles, after.handles);
	EXPECT_EQ(before.regions, after.regions);
	EXPECT_EQ(before.bytes, after.bytes);
	EXPECT_EQ(before.user_bytes, after.user_bytes);
	EXPECT_STREQ(proc_before, proc_after);
}

TEST_F(dev, handle_ids_distinct_and_in_range)
{
	const char *n = new_name(&self->names, "dev.ids");
	struct shmdev_attach at;
	uint32_t ids[8];
	int fds[8], i, j;

	for (i = 0; i < 8; i++) {
		ASSERT_LE(0, fds[i] = dev_open());
		ASSERT_EQ(0, raw_attach(fds[i], n, page_size(),
					SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &at));
		ids[i] = at.handle_id;
		/* A mutex word's owner: 1 .. SHMDEV_MUTEX_ID_MASK - 1. */
		EXPECT_LE(1, ids[i]);
		EXPECT_GE(SHMDEV_MUTEX_ID_MASK - 1, ids[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
	}
	for (i = 0; i < 8; i++)
		close(fds[i]);
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
}

/*
 * A closed handle's id is not the next one handed out: ids go round the
 * whole range first, so a word still holding a dead handle's id is not
 * taken for a new handle's.
 */
TEST_F(dev, handle_ids_not_reused_at_once)
{
	const char *n = new_name(&self->names, "dev.reuse");
	struct shmdev_attach at;
	uint32_t seen[16];
	int i, j, fd;

	for (i = 0; i < 16; i++) {
		ASSERT_LE(0, fd = dev_open());
		ASSERT_EQ(0, raw_attach(fd, n, page_size(),
					SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &at));
		seen[i] = at.handle_id;
		close(fd);
		for (j = 0; j < i; j++)
			EXPECT_NE(seen[j], seen[i]);
	}
}

TEST(handles_counted)
{
	struct shmdev_status st0, st1;
	int fds[8], i;

	if (access(SHMDEV_DEVICE, F_OK))
		SKIP(return, "no /dev/shmdev: module not loaded");
	ASSERT_EQ(0, status_get(&st0));
	for (i = 0; i < 8; i++)
		ASSERT_LE(0, fds[i] = dev_open());
	ASSERT_EQ(0, status_get(&st1));
	/* status_get() opens a handle of its own each time. */
	EXPECT_EQ(st0.handles + 8, st1.handles);
	for (i = 0; i < 8; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
