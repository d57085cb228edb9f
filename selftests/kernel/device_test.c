// SPDX-License-Identifier: GPL-2.0
/*
 * device_test: what /dev/shmdev says of itself (SHMDEV_IOC_API), what a
 * handle not yet attached may do, and unknown ioctl numbers.
 */
#include <poll.h>
#include <sys/mman.h>

#include "shmdev_ksft.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = sd_open(O_RDWR);
	if (self->fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The module speaks ABI version 1. */
TEST_F(dev, api_abi_version)
{
	struct shmdev_api api;

	memset(&api, 0xff, sizeof(api));
	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_API, &api));
	EXPECT_EQ(SHMDEV_ABI_VERSION, api.abi_version);
}

/* Every feature this header knows of is offered. */
TEST_F(dev, api_features)
{
	const __u64 all = SHMDEV_FEAT_REGIONS | SHMDEV_FEAT_WAIT |
			  SHMDEV_FEAT_LOCKS | SHMDEV_FEAT_MUTEX |
			  SHMDEV_FEAT_EVENTS | SHMDEV_FEAT_MUTEX_DESTROY |
			  SHMDEV_FEAT_OWNER_IDS | SHMDEV_FEAT_INIT;
	struct shmdev_api api = {};

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_API, &api));
	EXPECT_EQ(all, api.features & all);
}

/* The sizes the header promises: locks per region, name length, page. */
TEST_F(dev, api_sizes)
{
	struct shmdev_api api = {};

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_API, &api));
	EXPECT_EQ(SHMDEV_NR_LOCKS, api.nr_locks);
	EXPECT_EQ(SHMDEV_NAME_MAX, api.name_max);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), api.page_size);
}

/* SHMDEV_IOC_API answers a handle opened read-only too. */
TEST(api_read_only_handle)
{
	struct shmdev_api api = {};
	int fd = sd_open(O_RDONLY);

	if (fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-fd));
	EXPECT_EQ(0, sd_ioctl(fd, SHMDEV_IOC_API, &api));
	EXPECT_EQ(SHMDEV_ABI_VERSION, api.abi_version);
	close(fd);
}

/* An answer that cannot be written out is -EFAULT. */
TEST_F(dev, api_bad_pointer)
{
	EXPECT_EQ(-EFAULT, sd_ioctl(self->fd, SHMDEV_IOC_API, (void *)8));
}

/* SHMDEV_IOC_STATUS counts this open handle among the module's. */
TEST_F(dev, status_counts_handles)
{
	struct shmdev_status st = {};

	ASSERT_EQ(0, sd_ioctl(self->fd, SHMDEV_IOC_STATUS, &st));
	EXPECT_GE(st.handles, 1);
}

/*
 * The region ioctls of a handle not attached to a region: -EBADFD. One
 * table row per ioctl.
 */
FIXTURE(unattached) {
	int fd;
};

FIXTURE_VARIANT(unattached) {
	unsigned long cmd;
};

FIXTURE_VARIANT_ADD(unattached, resize) { .cmd = SHMDEV_IOC_RESIZE };
FIXTURE_VARIANT_ADD(unattached, wait) { .cmd = SHMDEV_IOC_WAIT };
FIXTURE_VARIANT_ADD(unattached, wake) { .cmd = SHMDEV_IOC_WAKE };
FIXTURE_VARIANT_ADD(unattached, lock) { .cmd = SHMDEV_IOC_LOCK };
FIXTURE_VARIANT_ADD(unattached, unlock) { .cmd = SHMDEV_IOC_UNLOCK };
FIXTURE_VARIANT_ADD(unattached, mutex_init) { .cmd = SHMDEV_IOC_MUTEX_INIT };
FIXTURE_VARIANT_ADD(unattached, mutex_destroy) { .cmd = SHMDEV_IOC_MUTEX_DESTROY };
FIXTURE_VARIANT_ADD(unattached, owner_id) { .cmd = SHMDEV_IOC_OWNER_ID };
FIXTURE_VARIANT_ADD(unattached, notify) { .cmd = SHMDEV_IOC_NOTIFY };
FIXTURE_VARIANT_ADD(unattached, event_wait) { .cmd = SHMDEV_IOC_EVENT_WAIT };
FIXTURE_VARIANT_ADD(unattached, ready) { .cmd = SHMDEV_IOC_READY };
FIXTURE_VARIANT_ADD(unattached, stat_self) { .cmd = SHMDEV_IOC_STAT };

FIXTURE_SETUP(unattached)
{
	self->fd = sd_open(O_RDWR);
	if (self->fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(unattached)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The ioctl of this row on an unattached handle fails with -EBADFD. */
TEST_F(unattached, ebadfd)
{
	/* Zeroes: valid arguments apart from the missing region. */
	char arg[256] = {};

	EXPECT_EQ(-EBADFD, sd_ioctl(self->fd, variant->cmd, arg));
}

/* An unattached handle cannot be mapped: -EBADFD. */
TEST_F(dev, mmap_unattached)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
}

/* poll() on an unattached handle reports POLLERR. */
TEST_F(dev, poll_unattached)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLERR, pfd.revents & (POLLERR | POLLIN));
}

/*
 * Unknown ioctls: -ENOTTY, whatever their argument. One row per number
 * the module must not take for one of its own.
 */
FIXTURE(unknown) {
	int fd;
};

FIXTURE_VARIANT(unknown) {
	unsigned long cmd;
};

/* An unused number of shmdev's own type. */
FIXTURE_VARIANT_ADD(unknown, unused_nr) {
	.cmd = _IO(SHMDEV_IOC_MAGIC, 0x7f),
};

/* The last number of the type, with an argument. */
FIXTURE_VARIANT_ADD(unknown, last_nr) {
	.cmd = _IOWR(SHMDEV_IOC_MAGIC, 0xff, struct shmdev_attach),
};

/* SHMDEV_IOC_API's number under another ioctl type. */
FIXTURE_VARIANT_ADD(unknown, other_type) {
	.cmd = _IOR('x', 0x00, struct shmdev_api),
};

/* A terminal ioctl, which a character device must refuse. */
FIXTURE_VARIANT_ADD(unknown, tcgets) {
	.cmd = 0x5401,
};

FIXTURE_SETUP(unknown)
{
	self->fd = sd_open(O_RDWR);
	if (self->fd < 0)
		SKIP(return, "open %s: %s", SHMDEV_DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(unknown)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The ioctl of this row fails with -ENOTTY. */
TEST_F(unknown, enotty)
{
	char arg[256] = {};

	EXPECT_EQ(-ENOTTY, sd_ioctl(self->fd, variant->cmd, arg));
}

SHMDEV_KSFT_MAIN
