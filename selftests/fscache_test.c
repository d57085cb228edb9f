// SPDX-License-Identifier: GPL-2.0
/*
 * fscache_test: what the shmdev filesystem keeps of a name (its dentries)
 * follows the name table, which the ioctls change without the VFS: no
 * kept dentry shows a name that is gone or hides one that came, and none
 * keeps a region alive that lost its names or its last user.
 */
#include <sys/stat.h>

#include "common.h"

FIXTURE(fscache) {
	struct test_names names;
	char dir[64];
	char path[160];
	bool mounted;
};

FIXTURE_SETUP(fscache)
{
	self->names.nr = 0;
	self->mounted = false;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to mount the filesystem");
	ASSERT_EQ(0, scratch_mount(self->dir, sizeof(self->dir), "fscache", 0700));
	self->mounted = true;
}

FIXTURE_TEARDOWN(fscache)
{
	unlink_names(&self->names);
	if (self->mounted) {
		EXPECT_EQ(0, scratch_umount(self->dir));
	} else {
		rmdir(self->dir);
	}
}

static const char *in_dir(FIXTURE_DATA(fscache) *self, const char *name)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name);
	return self->path;
}

static uint64_t regions_now(struct __test_metadata *_metadata)
{
	struct shmdev_status st;

	EXPECT_EQ(0, status_get(&st));
	return st.ns_regions;
}

/*
 * A region unlinked with SHMDEV_IOC_UNLINK after a stat() through the
 * mount is freed at once: the dentry that stat() left does not keep it.
 */
TEST_F(fscache, ioctl_unlink_frees_a_looked_up_region)
{
	const char *n = new_name(&self->names, "fsc.unl");
	uint64_t before = regions_now(_metadata);
	struct stat st;

	ASSERT_EQ(0, shmdev_create(n, 4 * page_size(), SHMDEV_EXCL, 0600));
	ASSERT_EQ(0, stat(in_dir(self, n), &st));
	EXPECT_EQ(before + 1, regions_now(_metadata));
	ASSERT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(before, regions_now(_metadata));
	EXPECT_EQ(-1, stat(in_dir(self, n), &st));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * An AUTODESTROY region looked up through the mount is still freed with
 * its last handle.
 */
TEST_F(fscache, autodestroy_freed_with_last_handle_after_lookup)
{
	const char *n = new_name(&self->names, "fsc.auto");
	uint64_t before = regions_now(_metadata);
	struct shmdev_region *r;
	struct stat st;

	ASSERT_EQ(0, shmdev_open(n, page_size(), SHMDEV_CREAT | SHMDEV_EXCL |
				 SHMDEV_AUTODESTROY, 0600, &r));
	ASSERT_EQ(0, stat(in_dir(self, n), &st));
	EXPECT_EQ(before + 1, regions_now(_metadata));
	ASSERT_EQ(0, shmdev_close(r));
	EXPECT_EQ(before, regions_now(_metadata));
	EXPECT_EQ(-1, stat(in_dir(self, n), &st));
	EXPECT_EQ(ENOENT, errno);
}

/* A name looked up while missing is found once made with the library. */
TEST_F(fscache, name_made_after_a_failed_lookup_is_found)
{
	const char *n = new_name(&self->names, "fsc.neg");
	struct stat st;

	EXPECT_EQ(-1, stat(in_dir(self, n), &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, shmdev_create(n, page_size(), SHMDEV_EXCL, 0600));
	EXPECT_EQ(0, stat(in_dir(self, n), &st));
	EXPECT_EQ(page_size(), (uint64_t)st.st_size);
}

/*
 * A name removed and made again with the ioctls names the new region in
 * the mount: another inode, the new size.
 */
TEST_F(fscache, name_made_again_is_the_new_region)
{
	const char *n = new_name(&self->names, "fsc.again");
	struct stat a, b;
	int fd;

	ASSERT_EQ(0, shmdev_create(n, page_size(), SHMDEV_EXCL, 0600));
	/* Held open, so that pruning cannot drop the old dentry. */
	fd = open(in_dir(self, n), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &a));
	ASSERT_EQ(0, shmdev_unlink(n));
	ASSERT_EQ(0, shmdev_create(n, 3 * page_size(), SHMDEV_EXCL, 0600));
	ASSERT_EQ(0, stat(in_dir(self, n), &b));
	EXPECT_NE(a.st_ino, b.st_ino);
	EXPECT_EQ(3 * page_size(), (uint64_t)b.st_size);
	/* The old region, open still, has no name. */
	ASSERT_EQ(0, fstat(fd, &a));
	EXPECT_EQ(0, a.st_nlink);
	EXPECT_EQ(0, close(fd));
}

TEST_HARNESS_MAIN
