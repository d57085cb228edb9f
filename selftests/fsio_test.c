// SPDX-License-Identifier: GPL-2.0
/*
 * fsio_test: the shmdev filesystem as the tools that copy files and
 * measure filesystems see it: sendfile() and copy_file_range() out of a
 * region, statfs() giving the module's limits.
 */
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "common.h"

FIXTURE(fsio) {
	char dir[64];
	char path[160];
	char tmp[160];
	bool mounted;
};

FIXTURE_SETUP(fsio)
{
	self->mounted = false;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to mount the filesystem");
	ASSERT_EQ(0, scratch_mount(self->dir, sizeof(self->dir), "fsio", 0700));
	self->mounted = true;
	snprintf(self->path, sizeof(self->path), "%s/f", self->dir);
	snprintf(self->tmp, sizeof(self->tmp), "/tmp/fsio.%d.out", (int)getpid());
}

FIXTURE_TEARDOWN(fsio)
{
	unlink(self->path);
	unlink(self->tmp);
	if (self->mounted) {
		EXPECT_EQ(0, scratch_umount(self->dir));
	} else {
		rmdir(self->dir);
	}
}

/* sendfile() out of a region copies its bytes, and stops at its length. */
TEST_F(fsio, sendfile_from_a_region)
{
	char buf[16] = { 0 };
	off_t off = 0;
	int fd, out;

	fd = open(self->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "hello", 5));
	out = open(self->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, out);
	EXPECT_EQ(5, sendfile(out, fd, &off, 4096));
	EXPECT_EQ(5, off);
	EXPECT_EQ(5, pread(out, buf, sizeof(buf), 0));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(0, close(out));
	EXPECT_EQ(0, close(fd));
}

/* sendfile() into a region writes through it, as write() would. */
TEST_F(fsio, sendfile_into_a_region)
{
	char buf[16] = { 0 };
	off_t off = 0;
	int fd, in;

	in = open(self->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, in);
	ASSERT_EQ(6, write(in, "world!", 6));
	fd = open(self->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(6, sendfile(fd, in, &off, 6));
	EXPECT_EQ(6, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("world!", buf);
	EXPECT_EQ(0, close(in));
	EXPECT_EQ(0, close(fd));
}

/*
 * statfs(): the magic number, pages as blocks, max_total_bytes of them in
 * all, and what a region's pages take from what is free.
 */
TEST_F(fsio, statfs_gives_the_limits)
{
	struct statfs a, b;
	char val[32];
	int fd;

	ASSERT_EQ(0, param_get("max_total_bytes", val, sizeof(val)));
	ASSERT_EQ(0, statfs(self->dir, &a));
	EXPECT_EQ(SHMDEV_SUPER_MAGIC, (unsigned long)a.f_type);
	EXPECT_EQ(page_size(), (uint64_t)a.f_bsize);
	EXPECT_EQ(strtoull(val, NULL, 0) / page_size(), (uint64_t)a.f_blocks);
	EXPECT_EQ(255, a.f_namelen);
	fd = open(self->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4 * page_size()));
	ASSERT_EQ(0, statfs(self->dir, &b));
	EXPECT_EQ(a.f_bfree - 4, b.f_bfree);
	EXPECT_EQ(a.f_bavail - 4, b.f_bavail);
	EXPECT_EQ(a.f_ffree - 1, b.f_ffree);
	EXPECT_EQ(0, close(fd));
}

TEST_HARNESS_MAIN
