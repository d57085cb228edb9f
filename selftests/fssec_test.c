// SPDX-License-Identifier: GPL-2.0
/*
 * fssec_test: the shmdev filesystem against a user who would misuse it,
 * and the paths a review found wanting: giving a file away, owning the
 * directory, write-only files reading words, lock order, accounting of
 * empty regions, writes past 2 GiB, names the directory cannot show, the
 * dentries of files closing while others walk the inode's.
 */
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

#define NOBODY	65534

FIXTURE(fssec) {
	struct test_names names;
	char dir[64];
	char path[160];
	bool mounted;
};

FIXTURE_SETUP(fssec)
{
	self->names.nr = 0;
	self->mounted = false;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to mount the filesystem");
	ASSERT_EQ(0, scratch_mount(self->dir, sizeof(self->dir), "fssec", 0755));
	self->mounted = true;
}

FIXTURE_TEARDOWN(fssec)
{
	unlink_names(&self->names);
	if (self->mounted) {
		EXPECT_EQ(0, scratch_umount(self->dir));
	} else {
		rmdir(self->dir);
	}
}

static const char *in_dir(FIXTURE_DATA(fssec) *self, const char *name)
{
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name);
	return self->path;
}

/*
 * Its owner may not give a file to another user (planting it in a sticky
 * /dev/shm for the victim to open as its own), nor to a group it is not
 * in; it may change the mode. Root may do both.
 */
TEST_F(fssec, owner_cannot_give_a_file_away)
{
	const char *n = new_name(&self->names, "sec.chown");
	const char *p = in_dir(self, n);
	struct stat st;
	pid_t pid;
	int fd;

	ASSERT_EQ(0, chmod(self->dir, 01777));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_ASSERT_EQ(0, setresgid(NOBODY, NOBODY, NOBODY));
		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setresuid(NOBODY, NOBODY, NOBODY));
		fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		CHILD_ASSERT_LE(0, fd);
		CHILD_ASSERT_EQ(-1, fchown(fd, 1000, -1));
		CHILD_ASSERT_EQ(EPERM, errno);
		CHILD_ASSERT_EQ(-1, fchown(fd, -1, 0));
		CHILD_ASSERT_EQ(EPERM, errno);
		CHILD_ASSERT_EQ(0, fchmod(fd, 0600));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, stat(p, &st));
	EXPECT_EQ(NOBODY, st.st_uid);
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, chown(p, 1000, 1000));
	ASSERT_EQ(0, stat(p, &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1000, st.st_gid);
	EXPECT_EQ(0, unlink(p));
}

/*
 * Whoever makes a namespace's superblock first, any user through the
 * library's SHMDEV_FILE attach, does not own the directory that root's
 * mount then shows: root of the namespace does, mode 01777.
 */
TEST_F(fssec, first_user_does_not_own_the_directory)
{
	int ready[2], done[2];
	struct stat st;
	char c;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmdev_region *r;
		char dir[96];

		/* A namespace of our own, whose superblock we make. */
		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC | CLONE_NEWNS));
		CHILD_ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
		CHILD_ASSERT_EQ(0, pipe(ready));
		CHILD_ASSERT_EQ(0, pipe(done));
		pid = fork();
		CHILD_ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			CHILD_ASSERT_EQ(0, setresgid(NOBODY, NOBODY, NOBODY));
			CHILD_ASSERT_EQ(0, setresuid(NOBODY, NOBODY, NOBODY));
			CHILD_ASSERT_EQ(0, shmdev_open("sec.first", page_size(),
						       SHMDEV_CREAT, 0600, &r));
			CHILD_ASSERT_EQ(1, write(ready[1], "r", 1));
			CHILD_ASSERT_EQ(1, read(done[0], &c, 1));
			shmdev_close(r);
			shmdev_unlink("sec.first");
			_exit(0);
		}
		CHILD_ASSERT_EQ(1, read(ready[0], &c, 1));
		snprintf(dir, sizeof(dir), "%s.ns", self->dir);
		CHILD_ASSERT_EQ(0, mkdir(dir, 0700));
		CHILD_ASSERT_EQ(0, mount("none", dir, "shmdev", 0, NULL));
		CHILD_ASSERT_EQ(0, stat(dir, &st));
		CHILD_ASSERT_EQ(0, st.st_uid);
		CHILD_ASSERT_EQ(0, st.st_gid);
		CHILD_ASSERT_EQ(01777, st.st_mode & 07777);
		/* Options given to a mount apply to the shared directory. */
		CHILD_ASSERT_EQ(0, umount(dir));
		CHILD_ASSERT_EQ(0, mount("none", dir, "shmdev", 0, "mode=0711,uid=5"));
		CHILD_ASSERT_EQ(0, stat(dir, &st));
		CHILD_ASSERT_EQ(5, st.st_uid);
		CHILD_ASSERT_EQ(0711, st.st_mode & 07777);
		CHILD_ASSERT_EQ(0, umount(dir));
		CHILD_ASSERT_EQ(0, rmdir(dir));
		CHILD_ASSERT_EQ(1, write(done[1], "d", 1));
		CHILD_ASSERT_EQ(0, wait_exit(pid));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/* A file opened write-only cannot read the region's words through ioctls. */
TEST_F(fssec, write_only_file_gets_no_region_ioctl)
{
	const char *p = in_dir(self, new_name(&self->names, "sec.wronly"));
	struct shmdev_wait w = { .offset = 0, .expected = 0, .timeout = 0 };
	struct shmdev_region_info info = { 0 };
	int fd;

	fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, page_size()));
	EXPECT_EQ(0, close(fd));
	fd = open(p, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, xioctl(fd, SHMDEV_IOC_WAIT, &w));
	EXPECT_EQ(-EBADF, xioctl(fd, SHMDEV_IOC_NOTIFY, NULL));
	/* What needs no attached handle still works. */
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(1, write(fd, "x", 1));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, unlink(p));
}

/*
 * write() from a buffer not yet faulted in, mmap() and ftruncate() of one
 * region: the locks they take have one order (a debug kernel's lockdep
 * reports a cycle otherwise, which fails the run).
 */
TEST_F(fssec, write_mmap_truncate_one_order)
{
	const char *p = in_dir(self, new_name(&self->names, "sec.order"));
	size_t len = 4 * page_size();
	char *buf, *m;
	int fd;

	fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	EXPECT_EQ((ssize_t)len, write(fd, buf, len));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	EXPECT_EQ(0, ftruncate(fd, len - 1));
	EXPECT_EQ(0, munmap(m, len));
	EXPECT_EQ(0, ftruncate(fd, 2 * len));
	EXPECT_EQ(0, munmap(buf, len));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, unlink(p));
}

/*
 * A region that grew and shrank back to 0 bytes is freed cleanly, its
 * owner charged nothing after (a debug kernel would report a WARNING).
 */
TEST_F(fssec, empty_again_region_frees_cleanly)
{
	const char *p = in_dir(self, new_name(&self->names, "sec.empty"));
	struct shmdev_status before, after;
	int fd;

	ASSERT_EQ(0, status_get(&before));
	fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, page_size()));
	ASSERT_EQ(0, ftruncate(fd, 0));
	EXPECT_EQ(0, unlink(p));
	EXPECT_EQ(0, close(fd));
	ASSERT_EQ(0, status_get(&after));
	EXPECT_EQ(before.user_bytes, after.user_bytes);
	EXPECT_EQ(before.ns_regions, after.ns_regions);
}

/* A write past 2 GiB works, as on any file opened with O_LARGEFILE. */
TEST_F(fssec, write_past_2_gib)
{
	const char *p = in_dir(self, new_name(&self->names, "sec.big"));
	char user[32], total[32], region[32], c = 0;
	off_t off = 3LL << 30;
	struct stat st;
	int fd;

	ASSERT_EQ(0, param_get("max_user_bytes", user, sizeof(user)));
	ASSERT_EQ(0, param_get("max_total_bytes", total, sizeof(total)));
	ASSERT_EQ(0, param_get("max_region_size", region, sizeof(region)));
	ASSERT_EQ(0, param_set_u64("max_user_bytes", 4ULL << 30));
	ASSERT_EQ(0, param_set_u64("max_total_bytes", 4ULL << 30));
	ASSERT_EQ(0, param_set_u64("max_region_size", 4ULL << 30));
	fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		EXPECT_EQ(1, pwrite(fd, "z", 1, off));
		EXPECT_EQ(1, pread(fd, &c, 1, off));
		EXPECT_EQ('z', c);
		EXPECT_EQ(0, fstat(fd, &st));
		EXPECT_EQ(off + 1, st.st_size);
		EXPECT_EQ(0, close(fd));
		EXPECT_EQ(0, unlink(p));
	}
	EXPECT_EQ(0, param_set("max_user_bytes", user));
	EXPECT_EQ(0, param_set("max_total_bytes", total));
	EXPECT_EQ(0, param_set("max_region_size", region));
	ASSERT_LE(0, fd);
}

/* "." and ".." name no file of the directory: no region may take them. */
TEST_F(fssec, dot_names_refused)
{
	struct shmdev_region *r;

	EXPECT_EQ(-EINVAL, shmdev_open(".", page_size(), SHMDEV_CREAT, 0600, &r));
	EXPECT_EQ(-EINVAL, shmdev_open("..", page_size(), SHMDEV_CREAT, 0600, &r));
	EXPECT_EQ(-EINVAL, shmdev_create("..", page_size(), 0, 0600));
	/* Names merely starting with dots are names. */
	ASSERT_EQ(0, shmdev_create("...", page_size(), SHMDEV_EXCL, 0600));
	EXPECT_EQ(0, shmdev_unlink("..."));
}

/*
 * Unlinking a region while its last file is closed, over and over: the
 * name's removal prunes the region's dentries while the superblock of the
 * files' internal mounts goes away (KASAN on a debug kernel).
 */
TEST_F(fssec, unlink_races_last_close)
{
	const char *n = new_name(&self->names, "sec.race");
	int64_t end;
	pid_t pid;

	/* No mount of ours: the library's files are the superblock's only users. */
	ASSERT_EQ(0, umount(self->dir));
	self->mounted = false;
	end = now_ns() + 2000000000LL;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		while (now_ns() < end)
			shmdev_unlink(n);
		_exit(0);
	}
	while (now_ns() < end) {
		struct shmdev_region *r;

		if (!shmdev_open(n, page_size(), SHMDEV_CREAT, 0600, &r))
			shmdev_close(r);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, mount("none", self->dir, "shmdev", 0, NULL));
	self->mounted = true;
}

struct getxattr_loop {
	int fd;			/* a file of the region */
	int stop;
};

/* fgetxattr() of @arg's fd until told to stop: the calls made, or -1. */
static void *getxattr_loop(void *arg)
{
	struct getxattr_loop *l = arg;
	char buf[64];
	long n = 0;

	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		if (fgetxattr(l->fd, "security.capability", buf, sizeof(buf)) >= 0 ||
		    (errno != ENODATA && errno != EOPNOTSUPP))
			return (void *)-1L;
		n++;
	}
	return (void *)n;
}

/*
 * A file of a region is closed while another thread reads the security
 * xattr of another file of it, over and over: the xattr's lookup takes a
 * reference to the first of the inode's dentries, the newest file's,
 * while that file's close drops it (KASAN on a debug kernel: a use after
 * free in one of the two dput()s).
 */
TEST_F(fssec, getxattr_races_closing_files)
{
	const char *n = new_name(&self->names, "sec.xattr");
	struct getxattr_loop l = { .fd = -1 };
	struct shmdev_region *a, *b;
	int64_t end = now_ns() + 2000000000LL;
	unsigned long closed = 0;
	pthread_t t;
	void *ret;

	ASSERT_EQ(0, shmdev_open(n, page_size(), SHMDEV_CREAT, 0600, &a));
	l.fd = shmdev_fd(a);
	ASSERT_EQ(0, pthread_create(&t, NULL, getxattr_loop, &l));
	while (now_ns() < end) {
		if (shmdev_open(n, 0, 0, 0, &b))
			break;
		shmdev_close(b);
		closed++;
	}
	__atomic_store_n(&l.stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_join(t, &ret));
	TH_LOG("%lu files closed beside %ld getxattr() calls", closed, (long)ret);
	EXPECT_LT(0L, (long)ret);
	EXPECT_LT(0, closed);
	shmdev_close(a);
}

TEST_HARNESS_MAIN
