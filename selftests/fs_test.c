// SPDX-License-Identifier: GPL-2.0
/*
 * fs_test: regions as files of the shmdev filesystem. What fstat() says of
 * a region file, the file SHMDEV_FILE attaches, the region ioctls on a
 * file, open(O_CREAT), truncate and fallocate against the module's limits,
 * read and write against a mapping, file locks, chmod and chown, link and
 * the directory operations a region file refuses, the mounter's IPC
 * namespace, and the module pinned by a region file.
 *
 * Each test mounts the filesystem on a directory of its own. FS_TEST_TYPE
 * mounts another type there instead (FS_TEST_TYPE=tmpfs), to see the tests
 * that are about shmdev fail on a filesystem that is not.
 */
#include <dirent.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/falloc.h>

#include "common.h"

/* Ids of an unprivileged user, for the children that drop root. */
#define USER	1234
#define GROUP	1234
#define USER2	1235

static const char *const limit_params[] = {
	"max_region_size", "max_regions", "max_user_bytes", "max_total_bytes",
};

FIXTURE(fs) {
	struct test_names names;
	char saved[4][32];
	char dir[64];
	bool mounted;
	uint64_t pg;
};

static const char *fs_type(void)
{
	const char *t = getenv("FS_TEST_TYPE");

	return t && *t ? t : "shmdev";
}

FIXTURE_SETUP(fs)
{
	unsigned int i;

	self->names.nr = 0;
	self->mounted = false;
	self->saved[0][0] = '\0';
	self->pg = page_size();
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to mount the filesystem");
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, param_get(limit_params[i], self->saved[i],
				       sizeof(self->saved[i])));
	snprintf(self->dir, sizeof(self->dir), "/tmp/fs_test.%d", (int)getpid());
	/* Children that drop root walk through it. */
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	ASSERT_EQ(0, mount("none", self->dir, fs_type(), 0, NULL)) {
		TH_LOG("mount -t %s: %s", fs_type(), strerror(errno));
	}
	self->mounted = true;
}

FIXTURE_TEARDOWN(fs)
{
	unsigned int i;

	unlink_names(&self->names);
	if (self->saved[0][0])
		for (i = 0; i < 4; i++)
			param_set(limit_params[i], self->saved[i]);
	if (self->mounted)
		EXPECT_EQ(0, umount(self->dir));
	rmdir(self->dir);
}

/* The path of @name in the mount (four at a time stay valid). */
static const char *at(FIXTURE_DATA(fs) *self, const char *name)
{
	static char path[4][160];
	static unsigned int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", self->dir, name);
	return p;
}

/* open(2) of @name in the mount: the fd or -errno. */
static int fs_open(FIXTURE_DATA(fs) *self, const char *name, int flags, mode_t mode)
{
	int fd = open(at(self, name), flags | O_CLOEXEC, mode);

	return fd < 0 ? -errno : fd;
}

/* A new region file of size 0, opened read-write. */
static int fs_create(FIXTURE_DATA(fs) *self, const char *name, mode_t mode)
{
	return fs_open(self, name, O_RDWR | O_CREAT | O_EXCL, mode);
}

/* SHMDEV_IOC_STAT of the region @fd is a file of. */
static int fd_stat(int fd, struct shmdev_region_info *info)
{
	memset(info, 0, sizeof(*info));
	return xioctl(fd, SHMDEV_IOC_STAT, info);
}

/* SHMDEV_IOC_STAT of @name, through a handle of its own. */
static int name_stat(const char *name, struct shmdev_region_info *info)
{
	int fd = dev_open(), ret;

	if (fd < 0)
		return fd;
	memset(info, 0, sizeof(*info));
	info->name = (uintptr_t)name;
	info->name_len = strlen(name);
	ret = xioctl(fd, SHMDEV_IOC_STAT, info);
	close(fd);
	return ret;
}

/* Is @name an entry of the directory @dir? */
static bool dir_has(const char *dir, const char *name)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, name))
			found = true;
	closedir(d);
	return found;
}

/* Bytes charged to the caller's fsuid. */
static uint64_t user_bytes(struct __test_metadata *_metadata)
{
	struct shmdev_status st;

	EXPECT_EQ(0, status_get(&st));
	return st.user_bytes;
}

static int64_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -errno : st.st_size;
}

/* TAINT_WARN in /proc/sys/kernel/tainted: the kernel has warned. */
#define TAINT_WARN_BIT	(1UL << 9)

static unsigned long tainted(void)
{
	char buf[32];

	return read_file("/proc/sys/kernel/tainted", buf, sizeof(buf)) ? 0 :
	       strtoul(buf, NULL, 10);
}

/*
 * Two regions of one user made empty by open(O_CREAT), never grown, are
 * both unlinked without a kernel warning: what the module counts for the
 * user outlives the first. (First in this file, before other tests make
 * empty regions.)
 *
 * Fails on the module of "shmdev: make regions files, in a filesystem per
 * IPC namespace": a region of 0 bytes charges nothing, so the first
 * release frees the user's entry (0 bytes, no owner ids) and the second
 * hits WARN_ON_ONCE(!u) in shmdev_uncharge(). The VM runner reports the
 * WARNING as well.
 */
TEST_F(fs, empty_regions_of_one_user_unlink_cleanly)
{
	const char *n = new_name(&self->names, "fs.empty");
	const char *m = new_name(&self->names, "fs.empty2");
	int fa, fb;

	if (tainted() & TAINT_WARN_BIT)
		SKIP(return, "the kernel has warned before: cannot tell");
	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_create(self, m, 0600));
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fb));
	EXPECT_EQ(0, unlink(at(self, n)));
	EXPECT_EQ(0, unlink(at(self, m)));
	EXPECT_EQ(0, tainted() & TAINT_WARN_BIT);
}

/*
 * fstat() of an open region file: a regular file whose size is the bytes
 * written, then truncated to, and whose mode, owner and group are the
 * region's, with one link for its one name.
 */
TEST_F(fs, fstat_is_the_region)
{
	const char *n = new_name(&self->names, "fs.fstat");
	char buf[512];
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0640));
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(512, write(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(512, st.st_size);
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_EQ(1, st.st_nlink);
	ASSERT_EQ(0, ftruncate(fd, 700));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(700, st.st_size);
	EXPECT_EQ(0, close(fd));
}

/*
 * A region has one inode number: the same through two opens and stat() of
 * its path, another for another region.
 */
TEST_F(fs, inode_number_is_the_regions)
{
	const char *n = new_name(&self->names, "fs.ino");
	const char *m = new_name(&self->names, "fs.ino2");
	struct stat a, b, c, d;
	int fa, fb, fc;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_open(self, n, O_RDWR, 0));
	ASSERT_LE(0, fc = fs_create(self, m, 0600));
	ASSERT_EQ(0, fstat(fa, &a));
	ASSERT_EQ(0, fstat(fb, &b));
	ASSERT_EQ(0, stat(at(self, n), &c));
	ASSERT_EQ(0, fstat(fc, &d));
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, c.st_dev);
	EXPECT_EQ(a.st_ino, c.st_ino);
	EXPECT_NE(a.st_ino, d.st_ino);
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fb));
	EXPECT_EQ(0, close(fc));
}

/*
 * The descriptor SHMDEV_IOC_ATTACH returns with SHMDEV_FILE is a file of
 * the region as a mount shows it: the same device and inode as stat() of
 * its path, the region's size; close-on-exec.
 */
TEST_F(fs, attach_file_is_the_mounts_file)
{
	const char *n = new_name(&self->names, "fs.afile");
	struct shmdev_attach a;
	struct stat sf, sp;
	int dev;

	ASSERT_LE(0, dev = dev_open());
	ASSERT_EQ(0, raw_attach(dev, n, 3 * self->pg, SHMDEV_CREAT | SHMDEV_FILE,
				0600, &a));
	ASSERT_LE(0, a.fd);
	EXPECT_NE(dev, a.fd);
	ASSERT_EQ(0, fstat(a.fd, &sf));
	ASSERT_EQ(0, stat(at(self, n), &sp));
	EXPECT_TRUE(S_ISREG(sf.st_mode));
	EXPECT_EQ(sp.st_dev, sf.st_dev);
	EXPECT_EQ(sp.st_ino, sf.st_ino);
	EXPECT_EQ(3 * self->pg, (uint64_t)sf.st_size);
	EXPECT_EQ(FD_CLOEXEC, fcntl(a.fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(a.fd));
	EXPECT_EQ(0, close(dev));
}

/*
 * SHMDEV_FILE leaves the /dev/shmdev file it was asked through as it was:
 * not attached, so a region ioctl on it is -EBADFD, and free to attach.
 */
TEST_F(fs, attach_file_leaves_the_device_file_unattached)
{
	const char *n = new_name(&self->names, "fs.aunat");
	struct shmdev_region_info info;
	struct shmdev_attach a, b;
	int dev;

	ASSERT_LE(0, dev = dev_open());
	ASSERT_EQ(0, raw_attach(dev, n, self->pg, SHMDEV_CREAT | SHMDEV_FILE,
				0600, &a));
	EXPECT_EQ(-EBADFD, fd_stat(dev, &info));
	EXPECT_EQ(0, raw_attach(dev, n, 0, 0, 0, &b));
	EXPECT_NE(a.handle_id, b.handle_id);
	EXPECT_EQ(0, fd_stat(dev, &info));
	EXPECT_EQ(0, close(a.fd));
	EXPECT_EQ(0, close(dev));
}

/*
 * SHMDEV_FILE through the first layout of the argument, which has no
 * field for the descriptor, is -EINVAL, and creates nothing.
 */
TEST_F(fs, attach_file_first_layout_einval)
{
	const char *n = new_name(&self->names, "fs.aver0");
	struct shmdev_attach a;
	struct stat st;
	int dev;

	ASSERT_LE(0, dev = dev_open());
	memset(&a, 0, sizeof(a));
	a.name = (uintptr_t)n;
	a.name_len = strlen(n);
	a.size = self->pg;
	a.flags = SHMDEV_CREAT | SHMDEV_FILE;
	a.mode = 0600;
	EXPECT_EQ(-EINVAL, xioctl(dev, SHMDEV_IOC_ATTACH_VER0, &a));
	EXPECT_EQ(-1, stat(at(self, n), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, close(dev));
}

/*
 * A read-only attach with SHMDEV_FILE gives an O_RDONLY file: mapping it
 * PROT_READ works, PROT_WRITE is EACCES.
 */
TEST_F(fs, attach_file_rdonly_is_o_rdonly)
{
	const char *n = new_name(&self->names, "fs.ardonly");
	struct shmdev_attach a;
	void *p;
	int dev;

	ASSERT_EQ(0, shmdev_create(n, self->pg, SHMDEV_EXCL, 0644));
	ASSERT_LE(0, dev = dev_open());
	ASSERT_EQ(0, raw_attach(dev, n, 0, SHMDEV_RDONLY | SHMDEV_FILE, 0, &a));
	EXPECT_EQ(O_RDONLY, fcntl(a.fd, F_GETFL) & O_ACCMODE);
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, a.fd, 0);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, self->pg);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED, a.fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, close(a.fd));
	EXPECT_EQ(0, close(dev));
}

/*
 * A file opened through the mount is an attached handle: SHMDEV_IOC_STAT
 * without a name states its region, and SHMDEV_IOC_ATTACH is -EBUSY.
 */
TEST_F(fs, mount_file_is_attached)
{
	const char *n = new_name(&self->names, "fs.attached");
	struct shmdev_region_info info;
	struct shmdev_attach a;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 2 * self->pg));
	ASSERT_EQ(0, fd_stat(fd, &info));
	EXPECT_EQ(2 * self->pg, info.size);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(-EBUSY, raw_attach(fd, n, 0, 0, 0, &a));
	EXPECT_EQ(0, close(fd));
}

/* SHMDEV_IOC_NOTIFY on a mount's file wakes SHMDEV_IOC_EVENT_WAIT on another. */
TEST_F(fs, events_on_mount_files)
{
	const char *n = new_name(&self->names, "fs.event");
	struct shmdev_event ev = { 0 };
	int fa, fb;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_open(self, n, O_RDWR, 0));
	/* A timeout of 0 reads the counter of the new region. */
	ASSERT_EQ(-ETIMEDOUT, xioctl(fb, SHMDEV_IOC_EVENT_WAIT, &ev));
	ASSERT_EQ(0, ev.counter);
	ASSERT_EQ(0, xioctl(fa, SHMDEV_IOC_NOTIFY, NULL));
	ev.seq = ev.counter;
	ev.timeout = now_ns() + 10000000000LL;
	EXPECT_EQ(0, xioctl(fb, SHMDEV_IOC_EVENT_WAIT, &ev));
	EXPECT_EQ(ev.seq + 1, ev.counter);
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fb));
}

/*
 * SHMDEV_IOC_LOCK on a mount's file is the region's lock: another file
 * of the region gets -EWOULDBLOCK until SHMDEV_IOC_UNLOCK.
 */
TEST_F(fs, kernel_locks_on_mount_files)
{
	const char *n = new_name(&self->names, "fs.klock");
	struct shmdev_lock lk = { .timeout = SHMDEV_TIMEOUT_INFINITE, .id = 3,
				  .mode = SHMDEV_LOCK_EX | SHMDEV_LOCK_NB };
	struct shmdev_unlock ul = { .id = 3 };
	int fa, fb;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_open(self, n, O_RDWR, 0));
	ASSERT_EQ(0, xioctl(fa, SHMDEV_IOC_LOCK, &lk));
	EXPECT_EQ(-EWOULDBLOCK, xioctl(fb, SHMDEV_IOC_LOCK, &lk));
	EXPECT_EQ(-EPERM, xioctl(fb, SHMDEV_IOC_UNLOCK, &ul));
	EXPECT_EQ(0, xioctl(fa, SHMDEV_IOC_UNLOCK, &ul));
	EXPECT_EQ(0, xioctl(fb, SHMDEV_IOC_LOCK, &lk));
	EXPECT_EQ(0, xioctl(fb, SHMDEV_IOC_UNLOCK, &ul));
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fb));
}

/*
 * SHMDEV_IOC_WAIT and SHMDEV_IOC_WAKE on a mount's file act on the word of
 * the region the file's data holds: a wait on a changed value is -EAGAIN,
 * a sleeper on one file is woken through another.
 */
TEST_F(fs, wait_wake_on_mount_files)
{
	const char *n = new_name(&self->names, "fs.wait");
	struct shmdev_wait w = { .offset = 8, .timeout = SHMDEV_TIMEOUT_INFINITE };
	struct shmdev_wake wk = { .offset = 8, .nr = 1 };
	struct shmdev_region_info info;
	uint32_t v = 7;
	int fa, fb, woken = 0, i;
	pid_t pid;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fa, self->pg));
	ASSERT_EQ(4, pwrite(fa, &v, 4, 8));
	w.expected = 6;
	EXPECT_EQ(-EAGAIN, xioctl(fa, SHMDEV_IOC_WAIT, &w));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_LE(0, fb = fs_open(self, n, O_RDWR, 0));
		w.expected = 7;
		CHILD_ASSERT_EQ(0, xioctl(fb, SHMDEV_IOC_WAIT, &w));
		_exit(0);
	}
	/* Wake until the child's sleep is woken, bounded. */
	for (i = 0; i < 10000 && !woken; i++) {
		woken = xioctl(fa, SHMDEV_IOC_WAKE, &wk);
		if (!woken)
			usleep(1000);
	}
	EXPECT_EQ(1, woken);
	if (!woken)
		kill(pid, SIGKILL);
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, fd_stat(fa, &info));
	EXPECT_EQ(1, info.waits);
	EXPECT_EQ(0, close(fa));
}

/*
 * open(O_CREAT) makes a region of size 0, with the mode asked less the
 * umask, listed in /proc/shmdev and in the directory.
 */
TEST_F(fs, o_creat_makes_an_empty_region)
{
	const char *n = new_name(&self->names, "fs.creat");
	struct proc_row rows[2];
	struct stat st;
	int fd;

	EXPECT_EQ(0, proc_find(n, rows, 2));
	umask(077);
	fd = fs_create(self, n, 0666);
	umask(022);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	ASSERT_EQ(1, proc_find(n, rows, 2));
	EXPECT_STREQ("0", proc_col(&rows[0], "size"));
	EXPECT_STREQ("0600", proc_col(&rows[0], "mode"));
	EXPECT_TRUE(dir_has(self->dir, n));
	EXPECT_EQ(0, close(fd));
}

/* open(O_CREAT | O_EXCL) of a name that exists is EEXIST. */
TEST_F(fs, o_excl_on_an_existing_name_eexist)
{
	const char *n = new_name(&self->names, "fs.excl");

	ASSERT_EQ(0, shmdev_create(n, self->pg, SHMDEV_EXCL, 0600));
	EXPECT_EQ(-EEXIST, fs_create(self, n, 0600));
}

/*
 * A region created with the library is a file of the mount at once, in
 * the directory too, of its size.
 */
TEST_F(fs, library_region_appears_at_once)
{
	const char *n = new_name(&self->names, "fs.libnew");
	struct stat st;

	EXPECT_FALSE(dir_has(self->dir, n));
	ASSERT_EQ(0, shmdev_create(n, 2 * self->pg, SHMDEV_EXCL, 0600));
	ASSERT_EQ(0, stat(at(self, n), &st));
	EXPECT_EQ(2 * self->pg, (uint64_t)st.st_size);
	EXPECT_TRUE(dir_has(self->dir, n));
}

/*
 * A region unlinked with SHMDEV_IOC_UNLINK is gone from the mount at once:
 * stat() of a path looked up before is ENOENT, readdir misses it.
 */
TEST_F(fs, ioctl_unlink_disappears_at_once)
{
	const char *n = new_name(&self->names, "fs.unl");
	struct stat st;

	ASSERT_EQ(0, shmdev_create(n, self->pg, SHMDEV_EXCL, 0600));
	ASSERT_EQ(0, stat(at(self, n), &st));
	ASSERT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(-1, stat(at(self, n), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_FALSE(dir_has(self->dir, n));
}

/*
 * ftruncate() grows a region, which reads zeros past the old end, and
 * shrinks it, reads stopping at the new end.
 */
TEST_F(fs, ftruncate_grows_and_shrinks)
{
	const char *n = new_name(&self->names, "fs.trunc");
	char buf[16], zero[16] = { 0 };
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(0, ftruncate(fd, 3 * self->pg));
	EXPECT_EQ(3 * self->pg, (uint64_t)file_size(fd));
	memset(buf, 1, sizeof(buf));
	EXPECT_EQ(16, pread(fd, buf, sizeof(buf), 2 * self->pg + 100));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
	memset(buf, 1, sizeof(buf));
	EXPECT_EQ(16, pread(fd, buf, sizeof(buf), 3));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
	ASSERT_EQ(0, ftruncate(fd, 2));
	EXPECT_EQ(2, file_size(fd));
	EXPECT_EQ(2, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), 2));
	EXPECT_EQ(0, close(fd));
}

/* ftruncate() past max_region_size is EFBIG; the size stays. */
TEST_F(fs, ftruncate_over_max_region_size_efbig)
{
	const char *n = new_name(&self->names, "fs.tbig");
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 100));
	ASSERT_EQ(0, param_set_u64("max_region_size", 4 * self->pg));
	EXPECT_EQ(0, ftruncate(fd, 4 * self->pg));
	EXPECT_EQ(-1, ftruncate(fd, 4 * self->pg + 1));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(4 * self->pg, (uint64_t)file_size(fd));
	EXPECT_EQ(0, close(fd));
}

/*
 * ftruncate() past what max_user_bytes leaves the creator is ENOSPC; the
 * size and the charge stay.
 */
TEST_F(fs, ftruncate_over_max_user_bytes_enospc)
{
	const char *n = new_name(&self->names, "fs.tuser");
	uint64_t used;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 100));
	used = user_bytes(_metadata);
	ASSERT_EQ(0, param_set_u64("max_user_bytes", used + self->pg));
	EXPECT_EQ(-1, ftruncate(fd, 2 * self->pg + 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(100, file_size(fd));
	EXPECT_EQ(used, user_bytes(_metadata));
	EXPECT_EQ(0, ftruncate(fd, 2 * self->pg));
	EXPECT_EQ(used + self->pg, user_bytes(_metadata));
	EXPECT_EQ(0, close(fd));
}

/* Shrinking a mapped region's pages is EBUSY; the size stays. */
TEST_F(fs, ftruncate_shrink_mapped_ebusy)
{
	const char *n = new_name(&self->names, "fs.tbusy");
	void *p;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 3 * self->pg));
	p = mmap(NULL, 3 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, ftruncate(fd, 2 * self->pg));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(3 * self->pg, (uint64_t)file_size(fd));
	EXPECT_EQ(0, munmap(p, 3 * self->pg));
	EXPECT_EQ(0, ftruncate(fd, 2 * self->pg));
	EXPECT_EQ(0, close(fd));
}

/*
 * Shrinking a mapped region within its last page keeps every page, and
 * succeeds: the length changes, the bytes past it read zero.
 */
TEST_F(fs, ftruncate_shrink_within_last_page_mapped)
{
	const char *n = new_name(&self->names, "fs.tpage");
	char *p;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 2 * self->pg + 100));
	p = mmap(NULL, 3 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[2 * self->pg + 50] = 'z';
	EXPECT_EQ(0, ftruncate(fd, 2 * self->pg + 10));
	EXPECT_EQ(2 * self->pg + 10, (uint64_t)file_size(fd));
	EXPECT_EQ(0, p[2 * self->pg + 50]);
	EXPECT_EQ(0, munmap(p, 3 * self->pg));
	EXPECT_EQ(0, close(fd));
}

/*
 * fallocate() mode 0 allocates the range's pages, as st_blocks and the
 * region's resident count say, and extends the size to its end.
 */
TEST_F(fs, fallocate_allocates_and_extends)
{
	const char *n = new_name(&self->names, "fs.falloc");
	struct shmdev_region_info info;
	struct proc_row row;
	char want[32];
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_blocks);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 4 * self->pg));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(4 * self->pg, (uint64_t)st.st_size);
	EXPECT_EQ(4 * self->pg / 512, (uint64_t)st.st_blocks);
	ASSERT_EQ(0, fd_stat(fd, &info));
	EXPECT_EQ(4, info.resident);
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("4", proc_col(&row, "resident"));
	snprintf(want, sizeof(want), "%llu", (unsigned long long)(4 * self->pg));
	EXPECT_STREQ(want, proc_col(&row, "size"));
	EXPECT_EQ(0, close(fd));
}

/* fallocate() past max_user_bytes is ENOSPC, and leaves the size as it was. */
TEST_F(fs, fallocate_over_a_limit_enospc)
{
	const char *n = new_name(&self->names, "fs.fnospc");
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 100));
	ASSERT_EQ(0, param_set_u64("max_user_bytes",
				   user_bytes(_metadata) + self->pg));
	EXPECT_EQ(-1, fallocate(fd, 0, 0, 4 * self->pg));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(100, st.st_size);
	EXPECT_EQ(0, close(fd));
}

/*
 * fallocate(FALLOC_FL_KEEP_SIZE) keeps the size, and allocates only the
 * region's own pages.
 */
TEST_F(fs, fallocate_keep_size)
{
	const char *n = new_name(&self->names, "fs.fkeep");
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, self->pg));
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4 * self->pg));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(self->pg, (uint64_t)st.st_size);
	EXPECT_EQ(self->pg / 512, (uint64_t)st.st_blocks);
	EXPECT_EQ(0, close(fd));
}

/* fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) frees the range's pages. */
TEST_F(fs, fallocate_punch_hole_frees)
{
	const char *n = new_name(&self->names, "fs.fpunch");
	struct shmdev_region_info info;
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, fallocate(fd, 0, 0, 4 * self->pg));
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       self->pg, 2 * self->pg));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(4 * self->pg, (uint64_t)st.st_size);
	EXPECT_EQ(2 * self->pg / 512, (uint64_t)st.st_blocks);
	ASSERT_EQ(0, fd_stat(fd, &info));
	EXPECT_EQ(2, info.resident);
	EXPECT_EQ(0, close(fd));
}

/* fallocate(FALLOC_FL_COLLAPSE_RANGE) is not for shared memory: EOPNOTSUPP. */
TEST_F(fs, fallocate_collapse_range_eopnotsupp)
{
	const char *n = new_name(&self->names, "fs.fcollapse");
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 4 * self->pg));
	EXPECT_EQ(-1, fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, self->pg));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(4 * self->pg, (uint64_t)file_size(fd));
	EXPECT_EQ(0, close(fd));
}

/*
 * read(), write(), pread(), pwrite() and lseek(SEEK_END) see the bytes a
 * MAP_SHARED mapping of the region sees, both ways.
 */
TEST_F(fs, read_write_agree_with_mapping)
{
	const char *n = new_name(&self->names, "fs.rw");
	char buf[8] = { 0 };
	char *p;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 2 * self->pg));
	p = mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(5, pwrite(fd, "hello", 5, self->pg + 3));
	EXPECT_EQ(0, memcmp(p + self->pg + 3, "hello", 5));
	memcpy(p + 6, "mapped", 6);
	EXPECT_EQ(6, pread(fd, buf, 6, 6));
	EXPECT_STREQ("mapped", buf);
	EXPECT_EQ(2 * self->pg, (uint64_t)lseek(fd, 0, SEEK_END));
	EXPECT_EQ(4, lseek(fd, 4, SEEK_SET));
	EXPECT_EQ(2, write(fd, "AB", 2));
	EXPECT_EQ(0, memcmp(p + 4, "AB", 2));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(fd, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "mapp", 4));
	EXPECT_EQ(0, munmap(p, 2 * self->pg));
	EXPECT_EQ(0, close(fd));
}

/* write() past the end makes the region longer; the gap reads zeros. */
TEST_F(fs, write_past_end_grows)
{
	const char *n = new_name(&self->names, "fs.wgrow");
	char buf[8];
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 10));
	EXPECT_EQ(5, pwrite(fd, "tail!", 5, 3 * self->pg));
	EXPECT_EQ(3 * self->pg + 5, (uint64_t)file_size(fd));
	memset(buf, 1, sizeof(buf));
	EXPECT_EQ(8, pread(fd, buf, 8, 2 * self->pg));
	EXPECT_EQ(0, memcmp(buf, "\0\0\0\0\0\0\0\0", 8));
	EXPECT_EQ(5, pread(fd, buf, 8, 3 * self->pg));
	EXPECT_EQ(0, memcmp(buf, "tail!", 5));
	EXPECT_EQ(0, close(fd));
}

/* write() on an O_APPEND file writes at the end, whatever the position. */
TEST_F(fs, o_append_appends)
{
	const char *n = new_name(&self->names, "fs.append");
	char buf[8] = { 0 };
	int fd, fa;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_LE(0, fa = fs_open(self, n, O_WRONLY | O_APPEND, 0));
	EXPECT_EQ(0, lseek(fa, 0, SEEK_SET));
	EXPECT_EQ(2, write(fa, "de", 2));
	EXPECT_EQ(2, write(fa, "fg", 2));
	EXPECT_EQ(7, file_size(fd));
	EXPECT_EQ(7, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("abcdefg", buf);
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fd));
}

/* A write() past what max_user_bytes leaves is ENOSPC; the size stays. */
TEST_F(fs, write_over_max_user_bytes_enospc)
{
	const char *n = new_name(&self->names, "fs.wnospc");
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	ASSERT_EQ(0, param_set_u64("max_user_bytes", user_bytes(_metadata)));
	EXPECT_EQ(-1, pwrite(fd, "x", 1, self->pg));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(10, file_size(fd));
	/* Within the page charged already it is no new charge. */
	EXPECT_EQ(1, pwrite(fd, "x", 1, 100));
	EXPECT_EQ(101, file_size(fd));
	EXPECT_EQ(0, close(fd));
}

/* MAP_PRIVATE of a region file is EINVAL: a region is shared or nothing. */
TEST_F(fs, map_private_einval)
{
	const char *n = new_name(&self->names, "fs.private");
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, self->pg));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->pg, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, close(fd));
}

/*
 * A mapping may reach the length rounded up to pages, not past it: EINVAL,
 * at offset 0 and at an offset.
 */
TEST_F(fs, map_past_length_einval)
{
	const char *n = new_name(&self->names, "fs.mappast");
	void *p;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, self->pg + 1));
	p = mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, munmap(p, 2 * self->pg));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 3 * self->pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, self->pg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, close(fd));
}

/*
 * flock() is per region: LOCK_EX on one file of a region makes LOCK_NB on
 * another file of it EWOULDBLOCK, while a file of another region locks.
 */
TEST_F(fs, flock_is_per_region)
{
	const char *n = new_name(&self->names, "fs.flock");
	const char *m = new_name(&self->names, "fs.flock2");
	int fa, fb, fc;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_open(self, n, O_RDWR, 0));
	ASSERT_LE(0, fc = fs_create(self, m, 0600));
	ASSERT_EQ(0, flock(fa, LOCK_EX | LOCK_NB));
	EXPECT_EQ(-1, flock(fb, LOCK_EX | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(-1, flock(fb, LOCK_SH | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, flock(fc, LOCK_EX | LOCK_NB));
	EXPECT_EQ(0, flock(fa, LOCK_UN));
	EXPECT_EQ(0, flock(fb, LOCK_EX | LOCK_NB));
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fb));
	EXPECT_EQ(0, close(fc));
}

/*
 * fcntl(F_SETLK) record locks of two processes on one region conflict:
 * the child gets EAGAIN and F_GETLK names the parent; on another region
 * the same range locks.
 */
TEST_F(fs, record_locks_conflict_between_processes)
{
	const char *n = new_name(&self->names, "fs.setlk");
	const char *m = new_name(&self->names, "fs.setlk2");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 10 };
	pid_t parent = getpid(), pid;
	int fd, fm;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_LE(0, fm = fs_create(self, m, 0600));
	ASSERT_EQ(0, fcntl(fd, F_SETLK, &fl));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct flock g = fl;
		int f2, m2;

		CHILD_ASSERT_LE(0, f2 = fs_open(self, n, O_RDWR, 0));
		CHILD_ASSERT_LE(0, m2 = fs_open(self, m, O_RDWR, 0));
		CHILD_ASSERT_EQ(-1, fcntl(f2, F_SETLK, &g));
		CHILD_ASSERT_EQ(EAGAIN, errno);
		CHILD_ASSERT_EQ(0, fcntl(f2, F_GETLK, &g));
		CHILD_ASSERT_EQ(F_WRLCK, g.l_type);
		CHILD_ASSERT_EQ(parent, g.l_pid);
		g = fl;
		CHILD_ASSERT_EQ(0, fcntl(m2, F_SETLK, &g));
		/* Outside the parent's range. */
		g.l_start = 10;
		CHILD_ASSERT_EQ(0, fcntl(f2, F_SETLK, &g));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(fm));
}

/* Open file description locks of two opens of one region conflict: EAGAIN. */
TEST_F(fs, ofd_locks_conflict)
{
	const char *n = new_name(&self->names, "fs.ofd");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 0 };
	int fa, fb;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_open(self, n, O_RDWR, 0));
	ASSERT_EQ(0, fcntl(fa, F_OFD_SETLK, &fl));
	fl.l_pid = 0;
	EXPECT_EQ(-1, fcntl(fb, F_OFD_SETLK, &fl));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, close(fa));
	fl.l_pid = 0;
	EXPECT_EQ(0, fcntl(fb, F_OFD_SETLK, &fl));
	EXPECT_EQ(0, close(fb));
}

/*
 * fchmod() and chmod() change the region's mode, as SHMDEV_IOC_STAT and
 * /proc/shmdev say.
 */
TEST_F(fs, chmod_changes_the_region)
{
	const char *n = new_name(&self->names, "fs.chmod");
	struct shmdev_region_info info;
	struct proc_row row;
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, fchmod(fd, 0604));
	ASSERT_EQ(0, name_stat(n, &info));
	EXPECT_EQ(0604, info.mode);
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("0604", proc_col(&row, "mode"));
	ASSERT_EQ(0, chmod(at(self, n), 0640));
	ASSERT_EQ(0, fd_stat(fd, &info));
	EXPECT_EQ(0640, info.mode);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(0, close(fd));
}

/*
 * fchown() and chown() change the region's owner and group, as
 * SHMDEV_IOC_STAT and /proc/shmdev say; the charge stays the creator's.
 */
TEST_F(fs, chown_changes_the_region_not_the_charge)
{
	const char *n = new_name(&self->names, "fs.chown");
	struct shmdev_region_info info;
	struct proc_row row;
	uint64_t charged;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, 2 * self->pg));
	charged = user_bytes(_metadata);
	ASSERT_EQ(0, fchown(fd, USER, GROUP));
	ASSERT_EQ(0, name_stat(n, &info));
	EXPECT_EQ(USER, info.uid);
	EXPECT_EQ(GROUP, info.gid);
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("1234", proc_col(&row, "uid"));
	EXPECT_STREQ("1234", proc_col(&row, "gid"));
	ASSERT_EQ(0, chown(at(self, n), USER2, -1));
	ASSERT_EQ(0, fd_stat(fd, &info));
	EXPECT_EQ(USER2, info.uid);
	EXPECT_EQ(GROUP, info.gid);
	EXPECT_EQ(charged, user_bytes(_metadata));
	EXPECT_EQ(0, close(fd));
}

/*
 * Someone neither owner nor creator, without CAP_FOWNER, may not chmod or
 * chown a region, through a file or a path: EPERM, the region unchanged.
 */
TEST_F(fs, chmod_chown_by_others_eperm)
{
	const char *n = new_name(&self->names, "fs.chperm");
	struct shmdev_region_info info;
	pid_t pid;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, fchmod(fd, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setresgid(GROUP, GROUP, GROUP));
		CHILD_ASSERT_EQ(0, setresuid(USER, USER, USER));
		CHILD_ASSERT_EQ(-1, fchmod(fd, 0600));
		CHILD_ASSERT_EQ(EPERM, errno);
		CHILD_ASSERT_EQ(-1, chmod(at(self, n), 0600));
		CHILD_ASSERT_EQ(EPERM, errno);
		CHILD_ASSERT_EQ(-1, fchown(fd, USER, -1));
		CHILD_ASSERT_EQ(EPERM, errno);
		CHILD_ASSERT_EQ(-1, chown(at(self, n), -1, GROUP));
		CHILD_ASSERT_EQ(EPERM, errno);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, fd_stat(fd, &info));
	EXPECT_EQ(0666, info.mode);
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
	EXPECT_EQ(0, close(fd));
}

/*
 * The owner may change the mode but not give the region to another user
 * (EPERM: in a sticky /dev/shm that would plant a file the other user then
 * opens as its own); root may, and the creator stays the user charged.
 */
TEST_F(fs, only_root_gives_the_region_away)
{
	const char *n = new_name(&self->names, "fs.giveaway");
	struct shmdev_region_info info;
	uint64_t before = 0;
	pid_t pid;
	int fd;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setresgid(GROUP, GROUP, GROUP));
		CHILD_ASSERT_EQ(0, setresuid(USER, USER, USER));
		CHILD_ASSERT_LE(0, fd = fs_create(self, n, 0600));
		CHILD_ASSERT_EQ(0, fchmod(fd, 0660));
		CHILD_ASSERT_EQ(0, ftruncate(fd, 3 * self->pg));
		CHILD_ASSERT_EQ(-1, fchown(fd, USER2, -1));
		CHILD_ASSERT_EQ(EPERM, errno);
		CHILD_ASSERT_EQ(0, close(fd));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, name_stat(n, &info));
	EXPECT_EQ(USER, info.uid);
	EXPECT_EQ(0660, info.mode);
	/* Root gives it away; the creator's charge stays. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setresgid(GROUP, GROUP, GROUP));
		CHILD_ASSERT_EQ(0, setresuid(USER, USER, 0));
		before = user_bytes(_metadata);
		CHILD_ASSERT_EQ(0, setresuid(0, 0, 0));
		CHILD_ASSERT_LE(0, fd = fs_open(self, n, O_RDWR, 0));
		CHILD_ASSERT_EQ(0, fchown(fd, USER2, -1));
		CHILD_ASSERT_EQ(0, close(fd));
		CHILD_ASSERT_EQ(0, setresuid(USER, USER, 0));
		CHILD_ASSERT_EQ(before, user_bytes(_metadata));
		/* Owner-only for another owner now: the creator may not open it. */
		CHILD_ASSERT_EQ(0, setresuid(0, 0, 0));
		CHILD_ASSERT_LE(0, fd = fs_open(self, n, O_RDWR, 0));
		CHILD_ASSERT_EQ(0, fchmod(fd, 0600));
		CHILD_ASSERT_EQ(0, close(fd));
		CHILD_ASSERT_EQ(0, setresuid(USER, USER, 0));
		CHILD_ASSERT_EQ(-EACCES, fs_open(self, n, O_RDONLY, 0));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, name_stat(n, &info));
	EXPECT_EQ(USER2, info.uid);
	EXPECT_EQ(GROUP, info.gid);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(3 * self->pg, info.size);
}

/* Send @fd over @sock with SCM_RIGHTS. */
static int send_fd(int sock, int fd)
{
	char data = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/* The descriptor SCM_RIGHTS brings on @sock, or -errno. */
static int recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * A region file opened O_RDONLY and passed over SCM_RIGHTS stays
 * read-only: the receiver maps it PROT_READ, not PROT_WRITE (EACCES), and
 * write() is EBADF.
 */
TEST_F(fs, scm_rights_keeps_o_rdonly)
{
	const char *n = new_name(&self->names, "fs.scm");
	int sv[2], fd, ro;
	pid_t pid;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, ftruncate(fd, self->pg));
	ASSERT_EQ(5, pwrite(fd, "given", 5, 0));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p;

		close(sv[0]);
		close(fd);
		CHILD_ASSERT_LE(0, ro = recv_fd(sv[1]));
		p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, ro, 0);
		CHILD_ASSERT_TRUE(p != MAP_FAILED);
		CHILD_ASSERT_EQ(0, memcmp(p, "given", 5));
		CHILD_ASSERT_TRUE(MAP_FAILED == mmap(NULL, self->pg,
						     PROT_READ | PROT_WRITE,
						     MAP_SHARED, ro, 0));
		CHILD_ASSERT_EQ(EACCES, errno);
		CHILD_ASSERT_EQ(-1, write(ro, "x", 1));
		CHILD_ASSERT_EQ(EBADF, errno);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_LE(0, ro = fs_open(self, n, O_RDONLY, 0));
	ASSERT_EQ(0, send_fd(sv[0], ro));
	EXPECT_EQ(0, close(ro));
	EXPECT_EQ(0, wait_exit(pid));
	close(sv[0]);
	EXPECT_EQ(0, close(fd));
}

/*
 * link() gives a region a second name: two links, both names in
 * /proc/shmdev, one region; unlink() of either leaves the other.
 */
TEST_F(fs, link_gives_a_second_name)
{
	const char *n = new_name(&self->names, "fs.link");
	const char *m = new_name(&self->names, "fs.link2");
	struct proc_row row;
	struct stat a, b;
	char buf[4] = { 0 };
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(3, write(fd, "one", 3));
	ASSERT_EQ(0, link(at(self, n), at(self, m)));
	ASSERT_EQ(0, fstat(fd, &a));
	EXPECT_EQ(2, a.st_nlink);
	ASSERT_EQ(0, stat(at(self, m), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(2, b.st_nlink);
	EXPECT_EQ(1, proc_find(n, &row, 1));
	EXPECT_EQ(1, proc_find(m, &row, 1));
	ASSERT_EQ(0, unlink(at(self, n)));
	EXPECT_EQ(0, proc_find(n, &row, 1));
	EXPECT_EQ(1, proc_find(m, &row, 1));
	ASSERT_EQ(0, stat(at(self, m), &b));
	EXPECT_EQ(1, b.st_nlink);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(-1, stat(at(self, n), &b));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, close(fd));
	ASSERT_LE(0, fd = fs_open(self, m, O_RDONLY, 0));
	EXPECT_EQ(3, read(fd, buf, 3));
	EXPECT_STREQ("one", buf);
	EXPECT_EQ(0, close(fd));
}

/* link() to a name that exists is EEXIST: both names keep their regions. */
TEST_F(fs, link_to_an_existing_name_eexist)
{
	const char *n = new_name(&self->names, "fs.lex");
	const char *m = new_name(&self->names, "fs.lex2");
	struct stat a, b;
	int fa, fb;

	ASSERT_LE(0, fa = fs_create(self, n, 0600));
	ASSERT_LE(0, fb = fs_create(self, m, 0600));
	EXPECT_EQ(-1, link(at(self, n), at(self, m)));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, fstat(fa, &a));
	ASSERT_EQ(0, stat(at(self, m), &b));
	EXPECT_NE(a.st_ino, b.st_ino);
	EXPECT_EQ(1, a.st_nlink);
	EXPECT_EQ(0, close(fa));
	EXPECT_EQ(0, close(fb));
}

/*
 * The directory holds regions only: mkdir(), symlink() and mknod() of a
 * FIFO are EPERM, and leave no name.
 */
TEST_F(fs, only_regions_in_the_directory)
{
	const char *n = new_name(&self->names, "fs.notreg");
	const char *t = new_name(&self->names, "fs.target");
	struct stat st;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, t, 0600));
	EXPECT_EQ(-1, mkdir(at(self, n), 0700));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, symlink(t, at(self, n)));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(at(self, n), S_IFIFO | 0600, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, lstat(at(self, n), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, close(fd));
}

/*
 * rename() is refused (the directory has no ->rename: EPERM); both names
 * stay as they were.
 */
TEST_F(fs, rename_eperm)
{
	const char *n = new_name(&self->names, "fs.ren");
	const char *m = new_name(&self->names, "fs.ren2");
	struct stat a, b;
	int fd;

	ASSERT_LE(0, fd = fs_create(self, n, 0600));
	ASSERT_EQ(0, fstat(fd, &a));
	EXPECT_EQ(-1, rename(at(self, n), at(self, m)));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, stat(at(self, n), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(-1, stat(at(self, m), &b));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, close(fd));
}

/*
 * A mount made in a new IPC namespace shows that namespace's regions
 * only, and the initial namespace's mount does not show them.
 */
TEST_F(fs, mount_shows_the_mounters_namespace)
{
	const char *p = new_name(&self->names, "fs.nsparent");
	const char *c = new_name(&self->names, "fs.nschild");
	char dir2[80], path[160];
	int go[2], done[2];
	struct stat st;
	pid_t pid;

	snprintf(dir2, sizeof(dir2), "%s.ns", self->dir);
	ASSERT_EQ(0, mkdir(dir2, 0700));
	ASSERT_EQ(0, shmdev_create(p, self->pg, SHMDEV_EXCL, 0600));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC | CLONE_NEWNS));
		CHILD_ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
		CHILD_ASSERT_EQ(0, mount("none", dir2, fs_type(), 0, NULL));
		snprintf(path, sizeof(path), "%s/%s", dir2, c);
		CHILD_ASSERT_LE(0, fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600));
		CHILD_ASSERT_TRUE(dir_has(dir2, c));
		CHILD_ASSERT_TRUE(!dir_has(dir2, p));
		snprintf(path, sizeof(path), "%s/%s", dir2, p);
		CHILD_ASSERT_EQ(-1, stat(path, &st));
		CHILD_ASSERT_EQ(ENOENT, errno);
		CHILD_ASSERT_EQ(0, pipe_post(done[1]));
		CHILD_ASSERT_EQ(0, pipe_wait(go[0]));
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	EXPECT_EQ(0, pipe_wait(done[0]));
	EXPECT_FALSE(dir_has(self->dir, c));
	EXPECT_EQ(-1, stat(at(self, c), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_TRUE(dir_has(self->dir, p));
	pipe_post(go[1]);
	EXPECT_EQ(0, wait_exit(pid));
	close(go[1]);
	close(done[0]);
	rmdir(dir2);
}

/*
 * A mount shows its mounter's namespace to everyone: a process that
 * entered another IPC namespace still finds the initial one's region
 * through the initial one's mount.
 */
TEST_F(fs, mount_keeps_its_namespace_for_others)
{
	const char *p = new_name(&self->names, "fs.nskeep");
	pid_t pid;

	ASSERT_EQ(0, shmdev_create(p, 2 * self->pg, SHMDEV_EXCL, 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct stat st;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		CHILD_ASSERT_EQ(0, stat(at(self, p), &st));
		CHILD_ASSERT_EQ(2 * self->pg, (uint64_t)st.st_size);
		CHILD_ASSERT_TRUE(dir_has(self->dir, p));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/* rmmod while a region file is open, loading it again afterwards. */
FIXTURE(fs_unload) {
	struct test_names names;
	char dir[64];
};

FIXTURE_SETUP(fs_unload)
{
	self->names.nr = 0;
	snprintf(self->dir, sizeof(self->dir), "/tmp/fs_unload.%d", (int)getpid());
	if (getuid() != 0)
		SETUP_SKIP("needs root to load and unload the module");
	if (!getenv("SHMDEV_KO") || access(getenv("SHMDEV_KO"), R_OK))
		SETUP_SKIP("SHMDEV_KO does not name the module to load again");
	if (!module_loaded())
		ASSERT_EQ(0, module_load());
	ASSERT_EQ(0, access(SHMDEV_DEVICE, F_OK));
	ASSERT_EQ(0, mkdir(self->dir, 0700));
}

/* Whatever happened, leave the module loaded for the tests that follow. */
FIXTURE_TEARDOWN(fs_unload)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
	if (module_loaded())
		unlink_names(&self->names);
	else
		EXPECT_EQ(0, module_load());
}

/*
 * A file from SHMDEV_FILE holds the module, with /dev/shmdev closed and
 * no mount: rmmod is refused (EWOULDBLOCK) until it is closed.
 */
TEST_F(fs_unload, refused_while_an_attached_file_is_open)
{
	const char *n = new_name(&self->names, "fs.unl.file");
	struct shmdev_attach a;
	int dev;

	ASSERT_LE(0, dev = dev_open());
	ASSERT_EQ(0, raw_attach(dev, n, page_size(), SHMDEV_CREAT | SHMDEV_FILE,
				0600, &a));
	ASSERT_EQ(0, close(dev));
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(0, close(a.fd));
	EXPECT_EQ(0, module_unload());
	EXPECT_FALSE(module_loaded());
	ASSERT_EQ(0, module_load());
}

/*
 * A file opened through a mount that was detached since holds the module:
 * rmmod is refused (EWOULDBLOCK) until it is closed.
 */
TEST_F(fs_unload, refused_while_a_mount_file_is_open)
{
	const char *n = new_name(&self->names, "fs.unl.mnt");
	char path[160];
	int fd;

	ASSERT_EQ(0, mount("none", self->dir, "shmdev", 0, NULL));
	snprintf(path, sizeof(path), "%s/%s", self->dir, n);
	ASSERT_LE(0, fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	ASSERT_EQ(0, umount2(self->dir, MNT_DETACH));
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, module_unload());
	EXPECT_FALSE(module_loaded());
	ASSERT_EQ(0, module_load());
}

TEST_HARNESS_MAIN
