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

/* /dev/shmdev is a character device anyone may open: mode 0666. */
TEST_F(dev, node_is_char_device_0666)
{
	struct stat st;

	ASSERT_EQ(0, stat(SHMDEV_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

/* SHMDEV_IOC_API fills every field: ABI version, locks, name max, page size. */
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
}

/* SHMDEV_IOC_API reports exactly the features this header knows. */
TEST_F(dev, api_features)
{
	struct shmdev_api api;

	memset(&api, 0xff, sizeof(api));
	ASSERT_EQ(0, xioctl(self->fd, SHMDEV_IOC_API, &api));
	EXPECT_EQ(SHMDEV_FEAT_REGIONS | SHMDEV_FEAT_WAIT | SHMDEV_FEAT_LOCKS |
		  SHMDEV_FEAT_MUTEX | SHMDEV_FEAT_EVENTS |
		  SHMDEV_FEAT_MUTEX_DESTROY | SHMDEV_FEAT_OWNER_IDS |
		  SHMDEV_FEAT_INIT | SHMDEV_FEAT_SIZED_ARGS | SHMDEV_FEAT_FILES,
		  api.features);
}

/* shmdev_query_api() answers what the ioctl does. */
TEST_F(dev, query_api)
{
	struct shmdev_api api;

	memset(&api, 0, sizeof(api));
	ASSERT_EQ(0, shmdev_query_api(&api));
	EXPECT_EQ(SHMDEV_ABI_VERSION, api.abi_version);
}

/* SHMDEV_IOC_API to an unmapped address is -EFAULT. */
TEST_F(dev, api_efault)
{
	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_API, (void *)8));
}

/*
 * One ioctl with a bad argument, on a handle that is attached to a 4096-byte
 * region or not, and the errno it must give.
 */
FIXTURE(bad_ioctl) {
	int fd;
	struct test_names names;
	const char *name;
	char buf[256];
};

FIXTURE_VARIANT(bad_ioctl) {
	unsigned long cmd;
	const void *arg;	/* copied to a buffer of 256 bytes, or... */
	size_t len;
	uintptr_t addr;		/* ...this address when arg is NULL */
	bool attach;
	int err;
};

#define ARG(type, ...)	.arg = &(type){ __VA_ARGS__ }, .len = sizeof(type)
#define ZEROS		.arg = "", .len = 1	/* a zeroed buffer */
#define KERNEL_ADDR	0xffffffff81000000UL

/* An unattached handle: every call that needs a region is -EBADFD. */
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_stat_ebadfd) {
	.cmd = SHMDEV_IOC_STAT, ARG(struct shmdev_region_info), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_resize_ebadfd) {
	.cmd = SHMDEV_IOC_RESIZE, ARG(struct shmdev_resize, .size = 4096), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_wait_ebadfd) {
	.cmd = SHMDEV_IOC_WAIT, ARG(struct shmdev_wait, .timeout = 0), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_wake_ebadfd) {
	.cmd = SHMDEV_IOC_WAKE, ARG(struct shmdev_wake, .nr = 1), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_lock_ebadfd) {
	.cmd = SHMDEV_IOC_LOCK, ARG(struct shmdev_lock, .mode = SHMDEV_LOCK_EX), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_unlock_ebadfd) {
	.cmd = SHMDEV_IOC_UNLOCK, ARG(struct shmdev_unlock), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_mutex_init_ebadfd) {
	.cmd = SHMDEV_IOC_MUTEX_INIT, ARG(struct shmdev_mutex_init), .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_mutex_destroy_ebadfd) {
	.cmd = SHMDEV_IOC_MUTEX_DESTROY, ARG(struct shmdev_mutex_destroy, .len = 4),
	.err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_notify_ebadfd) {
	.cmd = SHMDEV_IOC_NOTIFY, .addr = 0, .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_ready_ebadfd) {
	.cmd = SHMDEV_IOC_READY, .addr = 0, .err = -EBADFD
};
FIXTURE_VARIANT_ADD(bad_ioctl, unattached_event_wait_ebadfd) {
	.cmd = SHMDEV_IOC_EVENT_WAIT, ARG(struct shmdev_event), .err = -EBADFD
};

/* Unknown numbers, another magic, a tty ioctl: -ENOTTY. */
FIXTURE_VARIANT_ADD(bad_ioctl, unknown_nr_enotty) {
	.cmd = _IO(SHMDEV_IOC_MAGIC, 0x7f), .addr = 0, .err = -ENOTTY
};
FIXTURE_VARIANT_ADD(bad_ioctl, unused_nr_enotty) {
	.cmd = _IOR(SHMDEV_IOC_MAGIC, 0x06, uint64_t), ZEROS, .err = -ENOTTY
};
FIXTURE_VARIANT_ADD(bad_ioctl, other_magic_enotty) {
	.cmd = _IOR('T', 0x00, struct shmdev_api), ZEROS, .err = -ENOTTY
};
FIXTURE_VARIANT_ADD(bad_ioctl, tcgets_enotty) { .cmd = TCGETS, ZEROS, .err = -ENOTTY };

/* Same number, a size below the first layout: -EINVAL (abi_test has more). */
FIXTURE_VARIANT_ADD(bad_ioctl, api_short_einval) {
	.cmd = _IOR(SHMDEV_IOC_MAGIC, 0x00, uint64_t), ZEROS, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, nr_1_short_einval) {
	.cmd = _IOWR(SHMDEV_IOC_MAGIC, 0x01, uint64_t), ZEROS, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, nr_0x12_short_einval) {
	.cmd = _IOW(SHMDEV_IOC_MAGIC, 0x12, char[8]), ZEROS, .err = -EINVAL
};

/* Unmapped pointers, in the argument or as the argument: -EFAULT. */
FIXTURE_VARIANT_ADD(bad_ioctl, attach_name_efault) {
	.cmd = SHMDEV_IOC_ATTACH,
	ARG(struct shmdev_attach, .name = 16, .name_len = 4, .size = 4096,
	    .flags = SHMDEV_CREAT, .mode = 0600),
	.err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, attach_arg_efault) {
	.cmd = SHMDEV_IOC_ATTACH, .addr = 16, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, unlink_name_efault) {
	.cmd = SHMDEV_IOC_UNLINK, ARG(struct shmdev_name, .name = 16, .name_len = 4),
	.err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, stat_name_efault) {
	.cmd = SHMDEV_IOC_STAT, ARG(struct shmdev_region_info, .name = 16, .name_len = 4),
	.err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, status_arg_efault) {
	.cmd = SHMDEV_IOC_STATUS, .addr = 16, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, wait_arg_efault) {
	.cmd = SHMDEV_IOC_WAIT, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, wake_arg_efault) {
	.cmd = SHMDEV_IOC_WAKE, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, lock_arg_efault) {
	.cmd = SHMDEV_IOC_LOCK, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, unlock_arg_efault) {
	.cmd = SHMDEV_IOC_UNLOCK, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, resize_arg_efault) {
	.cmd = SHMDEV_IOC_RESIZE, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, mutex_init_arg_efault) {
	.cmd = SHMDEV_IOC_MUTEX_INIT, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, stat_arg_efault) {
	.cmd = SHMDEV_IOC_STAT, .addr = 16, .attach = true, .err = -EFAULT
};
FIXTURE_VARIANT_ADD(bad_ioctl, event_wait_arg_efault) {
	.cmd = SHMDEV_IOC_EVENT_WAIT, .addr = 16, .attach = true, .err = -EFAULT
};
/* A kernel address is as bad as an unmapped one. */
FIXTURE_VARIANT_ADD(bad_ioctl, stat_kernel_address_efault) {
	.cmd = SHMDEV_IOC_STAT, .addr = KERNEL_ADDR, .attach = true, .err = -EFAULT
};

/* Reserved fields and unknown flags: -EINVAL. */
FIXTURE_VARIANT_ADD(bad_ioctl, unlink_flags_einval) {
	.cmd = SHMDEV_IOC_UNLINK, ARG(struct shmdev_name, .flags = 1), .attach = true,
	.err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, stat_flags_einval) {
	.cmd = SHMDEV_IOC_STAT, ARG(struct shmdev_region_info, .flags = 1), .attach = true,
	.err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, resize_flags_einval) {
	.cmd = SHMDEV_IOC_RESIZE, ARG(struct shmdev_resize, .size = 8192, .flags = 1),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, resize_pad_einval) {
	.cmd = SHMDEV_IOC_RESIZE, ARG(struct shmdev_resize, .size = 8192, .pad = 1),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, wait_flags_einval) {
	.cmd = SHMDEV_IOC_WAIT, ARG(struct shmdev_wait, .timeout = 0, .flags = 1),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, wake_flags_einval) {
	.cmd = SHMDEV_IOC_WAKE, ARG(struct shmdev_wake, .nr = 1, .flags = 1),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, lock_mode_bits_einval) {
	.cmd = SHMDEV_IOC_LOCK,
	ARG(struct shmdev_lock, .timeout = 0, .mode = SHMDEV_LOCK_EX | 0x100),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, unlock_flags_einval) {
	.cmd = SHMDEV_IOC_UNLOCK, ARG(struct shmdev_unlock, .flags = 1), .attach = true,
	.err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, mutex_init_flags_einval) {
	.cmd = SHMDEV_IOC_MUTEX_INIT, ARG(struct shmdev_mutex_init, .flags = 1),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, mutex_init_pad_einval) {
	.cmd = SHMDEV_IOC_MUTEX_INIT, ARG(struct shmdev_mutex_init, .pad = 1),
	.attach = true, .err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, event_wait_flags_einval) {
	.cmd = SHMDEV_IOC_EVENT_WAIT, ARG(struct shmdev_event, .flags = 1), .attach = true,
	.err = -EINVAL
};
FIXTURE_VARIANT_ADD(bad_ioctl, event_wait_pad_einval) {
	.cmd = SHMDEV_IOC_EVENT_WAIT, ARG(struct shmdev_event, .pad = 1), .attach = true,
	.err = -EINVAL
};

FIXTURE_SETUP(bad_ioctl)
{
	struct shmdev_attach at;

	self->names.nr = 0;
	self->fd = dev_open();
	if (self->fd == -ENOENT)
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	ASSERT_LE(0, self->fd);
	self->name = new_name(&self->names, "dev.bad");
	if (variant->attach)
		ASSERT_EQ(0, raw_attach(self->fd, self->name, 4096, SHMDEV_CREAT, 0600, &at));
	memset(self->buf, 0, sizeof(self->buf));
	if (variant->arg)
		memcpy(self->buf, variant->arg, variant->len);
	/* SHMDEV_IOC_UNLINK of the attached region's own name. */
	if (variant->cmd == SHMDEV_IOC_UNLINK && variant->attach) {
		struct shmdev_name *un = (struct shmdev_name *)self->buf;

		un->name = (uintptr_t)self->name;
		un->name_len = strlen(self->name);
	}
}

FIXTURE_TEARDOWN(bad_ioctl)
{
	unlink_names(&self->names);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The ioctl fails with the variant's errno and, on an attached handle,
 * leaves the region as it was.
 */
TEST_F(bad_ioctl, refused)
{
	void *arg = variant->arg ? self->buf : (void *)variant->addr;
	struct shmdev_region_info info = { 0 };

	EXPECT_EQ(variant->err, xioctl(self->fd, variant->cmd, arg));
	if (!variant->attach)
		return;
	ASSERT_EQ(0, xioctl(self->fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(4096, info.size);
	EXPECT_EQ(0, info.lock_acquired);
	EXPECT_EQ(0, info.events);
}

/* An unattached handle cannot be mapped: EBADFD. */
TEST_F(dev, unattached_mmap_ebadfd)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
}

/* An attached handle cannot attach again, to the same region or another: -EBUSY. */
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

/* An attach that failed with -EFAULT leaves the handle usable. */
TEST_F(dev, attach_after_efault)
{
	const char *a = new_name(&self->names, "dev.fault");
	struct shmdev_attach at = { .name = 16, .name_len = 4, .size = 4096,
				    .flags = SHMDEV_CREAT, .mode = 0600 };

	EXPECT_EQ(-EFAULT, xioctl(self->fd, SHMDEV_IOC_ATTACH, &at));
	EXPECT_EQ(0, raw_attach(self->fd, a, 4096, SHMDEV_CREAT, 0600, &at));
}

/*
 * Answers that cannot be written back (read-only memory) are -EFAULT; the
 * failed attach created nothing and left the handle unattached and usable.
 */
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

/* Every attach flag bit outside SHMDEV_ATTACH_VALID_FLAGS is -EINVAL. */
TEST_F(dev, unknown_attach_flags_einval)
{
	const char *a = new_name(&self->names, "dev.rsv");
	struct shmdev_attach at;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & SHMDEV_ATTACH_VALID_FLAGS)
			continue;
		EXPECT_EQ(-EINVAL, raw_attach(self->fd, a, 4096,
					      SHMDEV_CREAT | (1U << bit), 0600, &at));
	}
}

/* An attach with its pad set is -EINVAL and creates nothing. */
TEST_F(dev, attach_pad_einval)
{
	const char *a = new_name(&self->names, "dev.rsv");
	struct shmdev_attach at;

	memset(&at, 0, sizeof(at));
	at.name = (uintptr_t)a;
	at.name_len = strlen(a);
	at.size = 4096;
	at.flags = SHMDEV_CREAT;
	at.mode = 0600;
	at.pad = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, SHMDEV_IOC_ATTACH, &at));
	EXPECT_EQ(-ENOENT, shmdev_stat(a, &(struct shmdev_stat){ 0 }));
}

/* The mode is taken & 0777, as SPEC says: no error for other bits. */
TEST_F(dev, attach_mode_masked)
{
	const char *a = new_name(&self->names, "dev.rsv");
	struct shmdev_attach at;
	struct shmdev_stat st;

	ASSERT_EQ(0, raw_attach(self->fd, a, 4096, SHMDEV_CREAT, 07600, &at));
	ASSERT_EQ(0, shmdev_stat(a, &st));
	EXPECT_EQ(0600, st.mode);
}

/* 10000 opens and closes leave no handle, region, byte or /proc/shmdev line behind. */
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

/* Handle ids are distinct and lie in a mutex word's owner range. */
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

/* SHMDEV_IOC_STATUS counts open handles. */
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
