// SPDX-License-Identifier: GPL-2.0
/*
 * ro_test: a read-only attach stays read-only, whatever the mm core is asked
 * to make of its mapping afterwards.
 *
 * Each test maps a 0644 region through a handle attached SHMDEV_RDONLY on a
 * /dev/shmdev opened O_RDWR (the door an attacker picks), then tries one way
 * to write, execute or re-create the mapping. The region's own writer checks
 * at teardown that its bytes are as it wrote them.
 */
#include <grp.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "common.h"

#define PAGES		4
#define PATTERN		"written by the owner only"

FIXTURE(ro) {
	struct test_names names;
	struct shmdev_region *w;	/* the owner's, read-write */
	int fd;				/* the read-only handle */
	size_t len;
	char *p;			/* its PROT_READ mapping */
};

FIXTURE_SETUP(ro)
{
	const char *n = new_name(&self->names, "ro");
	struct shmdev_attach at;

	self->names.nr = 1;
	self->fd = -1;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	self->len = PAGES * page_size();
	ASSERT_EQ(0, shmdev_open(n, self->len, SHMDEV_CREAT | SHMDEV_EXCL, 0644,
				 &self->w));
	strcpy(shmdev_addr(self->w), PATTERN);
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, raw_attach(self->fd, n, 0, SHMDEV_RDONLY, 0, &at));
	self->p = mmap(NULL, self->len, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	ASSERT_STREQ(PATTERN, self->p);
}

FIXTURE_TEARDOWN(ro)
{
	if (self->w) {
		EXPECT_STREQ(PATTERN, (char *)shmdev_addr(self->w));
		shmdev_close(self->w);
	}
	if (self->fd >= 0)
		close(self->fd);
	unlink_names(&self->names);
}

/* The mapping refuses write and exec, and stays counted once. */
static void assert_still_read_only(struct __test_metadata *_metadata,
				   FIXTURE_DATA(ro) *self, char *p, size_t len)
{
	EXPECT_EQ(-1, mprotect(p, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p, len, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_STREQ(PATTERN, (char *)self->p);
}

static uint32_t mappings(FIXTURE_DATA(ro) *self)
{
	return region_stat(self->w).mappings;
}

/*
 * msync() works on mappings of both kinds, as on shmem's: the region file
 * syncs nothing, as there is nothing to write back.
 */
TEST_F(ro, msync_works)
{
	EXPECT_EQ(0, msync(self->p, self->len, MS_SYNC));
	EXPECT_EQ(0, msync(self->p, self->len, MS_ASYNC | MS_INVALIDATE));
	EXPECT_EQ(0, msync(shmdev_addr(self->w), self->len, MS_SYNC));
}

/* mprotect() can add neither write nor exec (allow_exec=0). */
TEST_F(ro, mprotect_refused)
{
	assert_still_read_only(_metadata, self, self->p, self->len);
	EXPECT_EQ(2, mappings(self));
}

/*
 * remap_file_pages() re-creates the mapping from its vm_file: that must be
 * shmdev's read-only region file, not the read-write shmem file behind it.
 * The new vma is counted, so the owner still cannot shrink the region.
 */
TEST_F(ro, remap_file_pages_stays_read_only)
{
	ASSERT_EQ(0, remap_file_pages(self->p, self->len, 0, 0, 0));
	assert_still_read_only(_metadata, self, self->p, self->len);
	EXPECT_EQ(2, mappings(self));
	EXPECT_EQ(-EBUSY, shmdev_resize(self->w, page_size()));
	EXPECT_EQ(0, munmap(self->p, self->len));
	EXPECT_EQ(1, mappings(self));
}

/* Moving the mapping keeps its flags and its count. */
TEST_F(ro, mremap_move_stays_read_only)
{
	char *dst = mmap(NULL, self->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	ASSERT_NE(MAP_FAILED, dst);
	q = mremap(self->p, self->len, self->len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ(dst, q);
	self->p = q;
	assert_still_read_only(_metadata, self, q, self->len);
	EXPECT_EQ(2, mappings(self));
}

/* A mapping grown by mremap() is still read-only. */
TEST_F(ro, mremap_grow_stays_read_only)
{
	char *q;

	EXPECT_EQ(0, munmap(self->p + page_size(), self->len - page_size()));
	q = mremap(self->p, page_size(), self->len, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	self->p = q;
	assert_still_read_only(_metadata, self, q, self->len);
	EXPECT_EQ(2, mappings(self));
}

/* madvise() cannot punch holes or populate for writing through it. */
TEST_F(ro, madvise_write_refused)
{
	EXPECT_EQ(-1, madvise(self->p, self->len, MADV_REMOVE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, madvise(self->p, self->len, MADV_POPULATE_WRITE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, madvise(self->p, self->len, MADV_POPULATE_READ));
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/* MADV_DONTFORK keeps it from the child; MADV_DOFORK gives it read-only. */
/* MADV_DONTFORK keeps the read-only mapping from a forked child. */
TEST_F(ro, madvise_dontfork)
{
	pid_t pid;

	ASSERT_EQ(0, madvise(self->p, self->len, MADV_DONTFORK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Not mapped in the child. */
		CHILD_ASSERT_EQ(-1, msync(self->p, self->len, MS_ASYNC));
		CHILD_ASSERT_EQ(ENOMEM, errno);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/* MADV_DOFORK after MADV_DONTFORK gives the child the mapping, read-only. */
TEST_F(ro, madvise_dofork)
{
	pid_t pid;

	ASSERT_EQ(0, madvise(self->p, self->len, MADV_DONTFORK));
	ASSERT_EQ(0, madvise(self->p, self->len, MADV_DOFORK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(4, mappings(self));
		CHILD_ASSERT_EQ(0, remap_file_pages(self->p, self->len, 0, 0, 0));
		CHILD_ASSERT_EQ(-1, mprotect(self->p, self->len, PROT_READ | PROT_WRITE));
		CHILD_ASSERT_EQ(EACCES, errno);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	assert_still_read_only(_metadata, self, self->p, self->len);
	EXPECT_EQ(2, mappings(self));
}

/* Forced writes through /proc/self/mem, process_vm_writev() and ptrace. */
/* A forced write through /proc/self/mem is refused: EIO. */
TEST_F(ro, proc_mem_write_refused)
{
	int mem;

	ASSERT_EQ(0, remap_file_pages(self->p, self->len, 0, 0, 0));
	ASSERT_LE(0, mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC));
	EXPECT_EQ(-1, pwrite(mem, "X", 1, (off_t)(uintptr_t)self->p));
	EXPECT_EQ(EIO, errno);
	close(mem);
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/* process_vm_writev() into the mapping is refused: EFAULT. */
TEST_F(ro, process_vm_writev_refused)
{
	struct iovec local = { .iov_base = "X", .iov_len = 1 };
	struct iovec remote = { .iov_len = 1 };

	ASSERT_EQ(0, remap_file_pages(self->p, self->len, 0, 0, 0));
	remote.iov_base = self->p;
	if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == -1 && errno == ENOSYS)
		SKIP(return, "no process_vm_writev (CONFIG_CROSS_MEMORY_ATTACH)");
	EXPECT_EQ(-1, process_vm_writev(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/* A tracer cannot poke the traced child's mapping: EIO. */
TEST_F(ro, ptrace_poke_refused)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, remap_file_pages(self->p, self->len, 0, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		raise(SIGSTOP);
		_exit(0);
	}
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, WSTOPPED));
	errno = 0;
	EXPECT_EQ(-1, ptrace(PTRACE_POKEDATA, pid, self->p, 0x585858585858UL));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/* userfaultfd cannot take the mapping's faults over. */
TEST_F(ro, userfaultfd_register_refused)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)self->p, .len = self->len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC);

	if (uffd < 0)
		SKIP(return, "no userfaultfd (%s)", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	EXPECT_EQ(-1, ioctl(uffd, UFFDIO_REGISTER, &reg));
	EXPECT_EQ(EINVAL, errno);
	close(uffd);
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/* io_uring cannot pin its pages as a (writable) fixed buffer. */
TEST_F(ro, io_uring_fixed_buffer_refused)
{
	struct io_uring_params params = { 0 };
	struct iovec iov = { .iov_base = self->p, .iov_len = self->len };
	int ring = syscall(__NR_io_uring_setup, 1, &params);

	if (ring < 0)
		SKIP(return, "no io_uring (%s)", strerror(errno));
	EXPECT_EQ(-1, syscall(__NR_io_uring_register, ring,
			      IORING_REGISTER_BUFFERS, &iov, 1));
	EXPECT_EQ(EFAULT, errno);
	close(ring);
	assert_still_read_only(_metadata, self, self->p, self->len);
}

/*
 * The finding as reported: a user who may only read root's 0644 region
 * remaps its read-only mapping and tries to make it writable.
 */
TEST_F(ro, unprivileged_reader_cannot_write)
{
	const char *n = self->names.name[0];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_attach at;
		int fd;
		char *p;

		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setgid(1000));
		CHILD_ASSERT_EQ(0, setuid(1000));
		fd = dev_open();
		CHILD_ASSERT_LE(0, fd);
		CHILD_ASSERT_EQ(-EACCES, raw_attach(fd, n, 0, 0, 0, &at));
		CHILD_ASSERT_EQ(0, raw_attach(fd, n, 0, SHMDEV_RDONLY, 0, &at));
		p = mmap(NULL, self->len, PROT_READ, MAP_SHARED, fd, 0);
		CHILD_ASSERT_TRUE(p != MAP_FAILED);
		CHILD_ASSERT_EQ(0, remap_file_pages(p, self->len, 0, 0, 0));
		CHILD_ASSERT_EQ(-1, mprotect(p, self->len, PROT_READ | PROT_WRITE));
		CHILD_ASSERT_EQ(EACCES, errno);
		CHILD_ASSERT_EQ(-1, mprotect(p, self->len, PROT_READ | PROT_EXEC));
		CHILD_ASSERT_EQ(EACCES, errno);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

TEST_HARNESS_MAIN
