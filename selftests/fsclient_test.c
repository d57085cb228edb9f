// SPDX-License-Identifier: GPL-2.0
/*
 * fsclient_test: glibc's POSIX shared memory and named semaphores, unchanged,
 * on the shmdev filesystem mounted over /dev/shm in a private mount
 * namespace: shm_open() and sem_open() make regions, their unlink calls
 * remove them.
 *
 * FS_TEST_TYPE mounts another type there instead (FS_TEST_TYPE=tmpfs), to
 * see the tests that are about shmdev fail on a filesystem that is not.
 */
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "common.h"

FIXTURE(fsclient) {
	char shm[64];		/* "/<name>", as shm_open() and sem_open() take it */
	char region[80];	/* the region's name, as /dev/shm holds the file */
	bool mounted;
	uint64_t ns_regions;
};

static const char *fs_type(void)
{
	const char *t = getenv("FS_TEST_TYPE");

	return t && *t ? t : "shmdev";
}

static uint64_t ns_regions(struct __test_metadata *_metadata)
{
	struct shmdev_status st;

	EXPECT_EQ(0, status_get(&st));
	return st.ns_regions;
}

/* The harness runs each test in a process of its own: the namespace is its. */
FIXTURE_SETUP(fsclient)
{
	self->mounted = false;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root to mount the filesystem");
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("none", "/dev/shm", fs_type(), 0, NULL)) {
		TH_LOG("mount -t %s on /dev/shm: %s", fs_type(), strerror(errno));
	}
	self->mounted = true;
	self->ns_regions = ns_regions(_metadata);
}

FIXTURE_TEARDOWN(fsclient)
{
	if (self->mounted) {
		shm_unlink(self->shm);
		sem_unlink(self->shm);
		EXPECT_EQ(0, umount("/dev/shm"));
	}
}

/*
 * shm_open(O_CREAT), ftruncate() and mmap() make a region that
 * /proc/shmdev lists, of the size truncated to; a second shm_open() maps
 * the same bytes; shm_unlink() removes it.
 */
TEST_F(fsclient, shm_open_makes_a_region)
{
	struct proc_row row;
	struct statfs sf;
	char want[32];
	char *p, *q;
	int fd, fd2;

	snprintf(self->shm, sizeof(self->shm), "/fscl.shm.%d", (int)getpid());
	snprintf(self->region, sizeof(self->region), "%s", self->shm + 1);
	fd = shm_open(self->shm, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstatfs(fd, &sf));
	EXPECT_EQ(SHMDEV_SUPER_MAGIC, (unsigned long)sf.f_type);
	ASSERT_EQ(0, ftruncate(fd, 3 * page_size()));
	p = mmap(NULL, 3 * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + 2 * page_size(), "through shm_open");
	ASSERT_EQ(1, proc_find(self->region, &row, 1));
	snprintf(want, sizeof(want), "%llu", (unsigned long long)(3 * page_size()));
	EXPECT_STREQ(want, proc_col(&row, "size"));
	EXPECT_STREQ("1", proc_col(&row, "mappings"));
	EXPECT_EQ(self->ns_regions + 1, ns_regions(_metadata));

	fd2 = shm_open(self->shm, O_RDWR, 0);
	ASSERT_LE(0, fd2);
	q = mmap(NULL, 3 * page_size(), PROT_READ, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("through shm_open", q + 2 * page_size());

	EXPECT_EQ(0, shm_unlink(self->shm));
	EXPECT_EQ(0, proc_find(self->region, &row, 1));
	EXPECT_EQ(-1, shm_open(self->shm, O_RDWR, 0));
	EXPECT_EQ(ENOENT, errno);
	/* The mappings outlive the name. */
	EXPECT_STREQ("through shm_open", q + 2 * page_size());
	EXPECT_EQ(0, munmap(p, 3 * page_size()));
	EXPECT_EQ(0, munmap(q, 3 * page_size()));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(fd2));
	EXPECT_EQ(self->ns_regions, ns_regions(_metadata));
}

/*
 * sem_open() makes a named semaphore (glibc writes a temporary file and
 * links it into place): a region "sem.<name>". A child that opens it by
 * name sleeps in sem_timedwait() until the parent's sem_post(), then
 * posts back. After sem_unlink() no region is left, the temporary one
 * neither.
 */
TEST_F(fsclient, sem_open_across_fork)
{
	struct proc_row row;
	int ready[2];
	sem_t *s;
	pid_t pid;

	snprintf(self->shm, sizeof(self->shm), "/fscl.sem.%d", (int)getpid());
	snprintf(self->region, sizeof(self->region), "sem.%s", self->shm + 1);
	s = sem_open(self->shm, O_CREAT | O_EXCL, 0600, 0);
	ASSERT_NE(SEM_FAILED, s) {
		TH_LOG("sem_open: %s", strerror(errno));
	}
	ASSERT_EQ(1, proc_find(self->region, &row, 1));
	EXPECT_EQ(self->ns_regions + 1, ns_regions(_metadata));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct timespec ts;
		sem_t *c;

		/* A mapping of its own, not the one inherited. */
		CHILD_ASSERT_EQ(0, sem_close(s));
		c = sem_open(self->shm, 0);
		CHILD_ASSERT_TRUE(c != SEM_FAILED);
		CHILD_ASSERT_EQ(0, pipe_post(ready[1]));
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 30;
		CHILD_ASSERT_EQ(0, sem_timedwait(c, &ts));
		CHILD_ASSERT_EQ(0, sem_post(c));
		CHILD_ASSERT_EQ(0, sem_close(c));
		_exit(0);
	}
	ASSERT_EQ(0, pipe_wait(ready[0]));
	EXPECT_EQ(0, sem_post(s));
	EXPECT_EQ(0, wait_exit(pid));
	/* The child's post, and no more. */
	EXPECT_EQ(0, sem_trywait(s));
	EXPECT_EQ(-1, sem_trywait(s));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, sem_close(s));
	EXPECT_EQ(0, sem_unlink(self->shm));
	EXPECT_EQ(0, proc_find(self->region, &row, 1));
	EXPECT_EQ(self->ns_regions, ns_regions(_metadata));
	close(ready[0]);
	close(ready[1]);
}

TEST_HARNESS_MAIN
