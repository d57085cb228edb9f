// SPDX-License-Identifier: GPL-2.0
/* perm_test: owner, group, mode, read-only attach, unlink rights and CAP_IPC_OWNER. */
#include <grp.h>
#include <sys/fsuid.h>
#include <linux/capability.h>
#include <sys/mman.h>

#include "common.h"

#define USER	1000
#define GROUP	1000

/* In a child: become uid/gid 1000, in group @extra too when @in_extra. */
static int become_user_in(bool in_extra, gid_t extra)
{
	gid_t groups[1] = { extra };

	if (setgroups(in_extra ? 1 : 0, groups) || setgid(GROUP) || setuid(USER))
		return -errno;
	return 0;
}

static int become_user(void)
{
	return become_user_in(false, 0);
}

/* In a child: drop one capability from the effective set. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

FIXTURE(perm) {
	struct test_names names;
};

FIXTURE_SETUP(perm)
{
	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to switch users");
}

FIXTURE_TEARDOWN(perm)
{
	unlink_names(&self->names);
}

/* Another user may not open, create over or unlink a root region of mode 0600. */
TEST_F(perm, root_0600_refused_to_user)
{
	const char *n = new_name(&self->names, "perm.0600");
	struct shmdev_region *a;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, become_user());
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, 0, 0, &b));
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 4096, SHMDEV_CREAT, 0666, &b));
		CHILD_ASSERT_EQ(-EPERM, shmdev_unlink(n));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * A user with read permission only: -EACCES for a writable handle, a
 * read-only one that reads the region, through the library and the raw
 * ABI alike.
 */
TEST_F(perm, reader_gets_read_only_handle)
{
	const char *n = new_name(&self->names, "perm.ro");
	struct shmdev_region *a, *b;
	struct shmdev_attach at;
	int fd;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0644, &a));
	strcpy(shmdev_addr(a), "readable");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, become_user());
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, 0, 0, &b));
		CHILD_ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		CHILD_ASSERT_EQ(0, strcmp("readable", shmdev_addr(b)));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		/* Raw: read-only attach of a region we could write changes nothing. */
		fd = dev_open();
		CHILD_ASSERT_LE(0, fd);
		CHILD_ASSERT_EQ(-EACCES, raw_attach(fd, n, 0, 0, 0, &at));
		CHILD_ASSERT_EQ(0, raw_attach(fd, n, 0, SHMDEV_RDONLY, 0, &at));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * A reader's read-only mapping cannot be written: a store faults, and
 * neither mprotect(), a writable mmap() nor a resize makes it writable.
 */
TEST_F(perm, reader_mapping_never_writable)
{
	const char *n = new_name(&self->names, "perm.ro");
	struct shmdev_region *a, *b;
	pid_t pid;
	void *p;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0644, &a));
	strcpy(shmdev_addr(a), "readable");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, become_user());
		CHILD_ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		/* The library mapped it PROT_READ: a store faults. */
		pid = fork();
		CHILD_ASSERT_LE(0, pid);
		if (!pid) {
			*(volatile char *)shmdev_addr(b) = 'X';
			_exit(0);
		}
		CHILD_ASSERT_EQ(128 + SIGSEGV, wait_exit(pid));
		CHILD_ASSERT_EQ(0, strcmp("readable", shmdev_addr(b)));
		/* The mapping can never become writable. */
		CHILD_ASSERT_EQ(-1, mprotect(shmdev_addr(b), 4096, PROT_READ | PROT_WRITE));
		CHILD_ASSERT_EQ(EACCES, errno);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, shmdev_fd(b), 0);
		CHILD_ASSERT_TRUE(p == MAP_FAILED);
		CHILD_ASSERT_EQ(EACCES, errno);
		CHILD_ASSERT_EQ(-EACCES, shmdev_resize(b, 8192));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_STREQ("readable", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * Root too gets a read-only mapping from a read-only handle, that not even
 * a forced write through /proc/self/mem gets through.
 */
TEST_F(perm, root_read_only_handle_not_writable)
{
	const char *n = new_name(&self->names, "perm.ro");
	struct shmdev_region *a, *b;
	int mem;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0644, &a));
	strcpy(shmdev_addr(a), "readable");
	ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
	EXPECT_EQ(-1, mprotect(shmdev_addr(b), 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	ASSERT_LE(0, mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC));
	EXPECT_EQ(-1, pwrite(mem, "X", 1, (off_t)(uintptr_t)shmdev_addr(b)));
	EXPECT_EQ(EIO, errno);
	close(mem);
	EXPECT_STREQ("readable", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * The device opened O_RDONLY maps MAP_SHARED, for reading only: no
 * mprotect() to writable, no MAP_PRIVATE, no forced write.
 */
TEST_F(perm, device_read_only_maps_for_reading)
{
	const char *n = new_name(&self->names, "perm.ro");
	struct shmdev_region *a;
	struct shmdev_attach at;
	int mem, fd;
	void *p;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0644, &a));
	strcpy(shmdev_addr(a), "readable");
	ASSERT_LE(0, fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(0, raw_attach(fd, n, 0, SHMDEV_RDONLY, 0, &at));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("readable", p);
	EXPECT_EQ(-1, mprotect(p, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_LE(0, mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC));
	EXPECT_EQ(-1, pwrite(mem, "X", 1, (off_t)(uintptr_t)p));
	EXPECT_EQ(EIO, errno);
	close(mem);
	EXPECT_EQ(0, munmap(p, 4096));
	close(fd);
	EXPECT_STREQ("readable", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * The device's open mode bounds the handle's: through /dev/shmdev opened
 * O_RDONLY nothing is created, written, resized, registered or unlinked.
 */

/* Through the device opened O_RDONLY, a create is -EACCES and creates nothing. */
TEST_F(perm, device_read_only_creates_nothing)
{
	const char *n = new_name(&self->names, "perm.devro");
	struct shmdev_attach at;
	int fd;

	ASSERT_LE(0, fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(-EACCES, raw_attach(fd, n, 4096, SHMDEV_CREAT, 0600, &at));
	EXPECT_EQ(-EACCES, raw_attach(fd, n, 4096, SHMDEV_CREAT | SHMDEV_RDONLY, 0600, &at));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	close(fd);
}

/* Through the device opened O_RDONLY, a writable attach and an unlink are -EACCES. */
TEST_F(perm, device_read_only_no_write_attach_or_unlink)
{
	const char *n = new_name(&self->names, "perm.devro");
	struct shmdev_name un = { .name = (uintptr_t)n, .name_len = strlen(n) };
	struct shmdev_region *a;
	struct shmdev_attach at;
	int fd;

	ASSERT_LE(0, fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EACCES, raw_attach(fd, n, 0, 0, 0, &at));
	EXPECT_EQ(-EACCES, xioctl(fd, SHMDEV_IOC_UNLINK, &un));
	EXPECT_EQ(0, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	close(fd);
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * A read-only attach through the device opened O_RDONLY may stat, but not
 * resize or register a mutex: -EACCES.
 */
TEST_F(perm, device_read_only_handle_no_resize_or_mutex)
{
	const char *n = new_name(&self->names, "perm.devro");
	struct shmdev_mutex_init mi = { .offset = 0 };
	struct shmdev_resize rs = { .size = 8192 };
	struct shmdev_region_info info = { 0 };
	struct shmdev_region *a;
	struct shmdev_attach at;
	int fd;

	ASSERT_LE(0, fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, raw_attach(fd, n, 0, SHMDEV_RDONLY, 0, &at));
	EXPECT_EQ(-EACCES, xioctl(fd, SHMDEV_IOC_RESIZE, &rs));
	EXPECT_EQ(-EACCES, xioctl(fd, SHMDEV_IOC_MUTEX_INIT, &mi));
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_STAT, &info));
	EXPECT_EQ(4096, info.size);
	close(fd);
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * An administrator who makes the node 0644 gets read-only users: they
 * read regions through the library and change nothing.
 */
TEST_F(perm, node_0644_makes_readers)
{
	const char *n = new_name(&self->names, "perm.node");
	struct shmdev_region *a;
	struct stat node;
	pid_t pid;

	ASSERT_EQ(0, stat(SHMDEV_DEVICE, &node));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0666, &a));
	strcpy(shmdev_addr(a), "for readers");
	ASSERT_EQ(0, chmod(SHMDEV_DEVICE, 0644));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_status st;
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, become_user());
		CHILD_ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		CHILD_ASSERT_EQ(0, strcmp("for readers", shmdev_addr(b)));
		CHILD_ASSERT_EQ(-EACCES, shmdev_resize(b, 8192));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		CHILD_ASSERT_EQ(0, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
		CHILD_ASSERT_EQ(0, shmdev_query_status(&st));
		/* Mode 0666 would let it write; the node does not. */
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, 0, 0, &b));
		CHILD_ASSERT_EQ(-EACCES, shmdev_unlink(n));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, chmod(SHMDEV_DEVICE, node.st_mode & 07777));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A member of the region's group gets the group's bits: read yes, write no. */
TEST_F(perm, group_bits)
{
	const char *n = new_name(&self->names, "perm.group");
	struct shmdev_region *a;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0640, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		/* In the region's group (gid 0): read yes, write no. */
		CHILD_ASSERT_EQ(0, become_user_in(true, getgid()));
		CHILD_ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, 0, 0, &b));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * Create @n with @mode as if by uid @uid and gid @gid: the owner is the
 * creator's fs ids, so switching those (and back) is enough, and cheaper
 * than a forked child.
 */
static int create_as(uid_t uid, gid_t gid, const char *n, uint32_t mode)
{
	struct shmdev_region *b;
	int ret;

	setfsgid(gid);
	setfsuid(uid);
	ret = shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, mode, &b);
	setfsuid(0);
	setfsgid(0);
	if (!ret)
		ret = shmdev_close(b);
	return ret;
}

/* A user's region is the user's, with the mode asked: the umask does not apply. */
TEST_F(perm, creator_owns_mode_without_umask)
{
	const char *n = new_name(&self->names, "perm.owner");
	struct shmdev_stat st;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, become_user());
		umask(077);
		CHILD_ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0666, &b));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(USER, st.uid);
	EXPECT_EQ(GROUP, st.gid);
	EXPECT_EQ(0666, st.mode);
}

/* Another user may not unlink a user's region, mode 0666 or not: -EPERM. */
TEST_F(perm, unlink_by_other_user_eperm)
{
	const char *n = new_name(&self->names, "perm.owner");
	pid_t pid;

	ASSERT_EQ(0, create_as(USER, GROUP, n, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setgid(1001));
		CHILD_ASSERT_EQ(0, setuid(1001));
		CHILD_ASSERT_EQ(-EPERM, shmdev_unlink(n));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
}

/* The owner may unlink its region. */
TEST_F(perm, unlink_by_owner)
{
	const char *n = new_name(&self->names, "perm.owner");
	struct shmdev_stat st;
	pid_t pid;

	ASSERT_EQ(0, create_as(USER, GROUP, n, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, become_user());
		CHILD_ASSERT_EQ(0, shmdev_unlink(n));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
}

/* The owner of a new region is the creator's fs uid and gid, not its real or effective ids. */
TEST_F(perm, owner_is_fsuid_and_fsgid)
{
	const char *n = new_name(&self->names, "perm.fsuid");
	struct shmdev_stat st;
	struct proc_row row;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		/* Real and effective ids stay 0: only the fs ids count. */
		setfsgid(2345);
		setfsuid(1234);
		CHILD_ASSERT_EQ(1234, setfsuid(-1));
		CHILD_ASSERT_EQ(2345, setfsgid(-1));
		CHILD_ASSERT_EQ(0, geteuid());
		CHILD_ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0604, &b));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(1234, st.uid);
	EXPECT_EQ(2345, st.gid);
	EXPECT_EQ(0604, st.mode);
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("1234", proc_col(&row, "uid"));
	EXPECT_STREQ("2345", proc_col(&row, "gid"));
	EXPECT_STREQ("0604", proc_col(&row, "mode"));
}

/*
 * Permission checks use the fs ids too. A region made by fs ids 1234:2345
 * with mode 0604: the owner's bits apply to the owner (not the group's, 0),
 * the group's bits (0) to its group, the other bits (read) to the rest.
 */
FIXTURE(fsid_access) {
	struct test_names names;
};

FIXTURE_VARIANT(fsid_access) {
	uid_t uid;
	gid_t gid;
	uint32_t flags;
	int err;
};

FIXTURE_VARIANT_ADD(fsid_access, owner_writes) { .uid = 1234, .gid = 2345, .flags = 0, .err = 0 };
FIXTURE_VARIANT_ADD(fsid_access, group_cannot_read) {
	.uid = USER, .gid = 2345, .flags = SHMDEV_RDONLY, .err = -EACCES
};
FIXTURE_VARIANT_ADD(fsid_access, other_reads) {
	.uid = USER, .gid = GROUP, .flags = SHMDEV_RDONLY, .err = 0
};
FIXTURE_VARIANT_ADD(fsid_access, other_cannot_write) {
	.uid = USER, .gid = GROUP, .flags = 0, .err = -EACCES
};

FIXTURE_SETUP(fsid_access)
{
	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to switch users");
}

FIXTURE_TEARDOWN(fsid_access)
{
	unlink_names(&self->names);
}

/* Opening the region as the variant's user gives the variant's answer. */
TEST_F(fsid_access, open)
{
	const char *n = new_name(&self->names, "perm.fsuid");
	pid_t pid;

	ASSERT_EQ(0, create_as(1234, 2345, n, 0604));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setgid(variant->gid));
		CHILD_ASSERT_EQ(0, setuid(variant->uid));
		CHILD_ASSERT_EQ(variant->err, shmdev_open(n, 0, variant->flags, 0, &b));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * Root of a user namespace of its own holds every capability there, none
 * over the initial namespace's regions: modes, unlink and ns_id still apply.
 */
TEST_F(perm, user_namespace_root_is_not_root)
{
	const char *n = new_name(&self->names, "perm.userns");
	struct shmdev_region *a;
	int res[2], ret;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_name un = { .name = (uintptr_t)n, .name_len = strlen(n) };
		struct stat nsst;
		struct shmdev_region *b;
		int fd;

		CHILD_ASSERT_EQ(0, become_user());
		ret = enter_userns(0);
		CHILD_ASSERT_EQ(sizeof(ret), write(res[1], &ret, sizeof(ret)));
		if (ret)
			_exit(4);
		CHILD_ASSERT_EQ(0, getuid());
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, 0, 0, &b));
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		CHILD_ASSERT_EQ(-EPERM, shmdev_unlink(n));
		/* By namespace id: its own (the initial one), or any other. */
		CHILD_ASSERT_EQ(0, stat("/proc/self/ns/ipc", &nsst));
		fd = dev_open();
		CHILD_ASSERT_LE(0, fd);
		un.ns_id = nsst.st_ino;
		CHILD_ASSERT_EQ(-EPERM, xioctl(fd, SHMDEV_IOC_UNLINK, &un));
		un.ns_id = nsst.st_ino + 1;
		CHILD_ASSERT_EQ(-EPERM, xioctl(fd, SHMDEV_IOC_UNLINK, &un));
		_exit(0);
	}
	close(res[1]);
	ASSERT_EQ(sizeof(ret), read(res[0], &ret, sizeof(ret)));
	if (ret) {
		wait_exit(pid);
		EXPECT_EQ(0, shmdev_close(a));
		SKIP(return, "no user namespace (%s)", strerror(-ret));
	}
	EXPECT_EQ(0, wait_exit(pid));
	/* Nothing happened to it. */
	EXPECT_EQ(0, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Root (CAP_IPC_OWNER) may use a user's region, mode 0000 or not. */
TEST_F(perm, cap_ipc_owner_bypasses)
{
	const char *n = new_name(&self->names, "perm.cap");
	struct shmdev_region *a;

	ASSERT_EQ(0, create_as(USER, GROUP, n, 0000));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &a));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Without CAP_IPC_OWNER, root is refused a mode 0000 region: -EACCES. */
TEST_F(perm, without_cap_ipc_owner_eacces)
{
	const char *n = new_name(&self->names, "perm.cap");
	pid_t pid;

	ASSERT_EQ(0, create_as(USER, GROUP, n, 0000));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, drop_cap(CAP_IPC_OWNER));
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, 0, 0, &b));
		CHILD_ASSERT_EQ(-EACCES, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/* Without CAP_IPC_OWNER, CAP_SYS_ADMIN may still unlink another user's region. */
TEST_F(perm, cap_sys_admin_unlinks)
{
	const char *n = new_name(&self->names, "perm.cap");
	pid_t pid;

	ASSERT_EQ(0, create_as(USER, GROUP, n, 0000));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, drop_cap(CAP_IPC_OWNER));
		CHILD_ASSERT_EQ(0, shmdev_unlink(n));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
}

TEST_HARNESS_MAIN
