// SPDX-License-Identifier: GPL-2.0
/* unload_test: rmmod is refused while a handle or a mapping exists, and frees every persistent region. */
#include <sched.h>
#include <sys/mman.h>

#include "common.h"

FIXTURE(unload) {
	struct test_names names;
};

FIXTURE_SETUP(unload)
{
	self->names.nr = 0;
	if (getuid() != 0)
		SETUP_SKIP("needs root to load and unload the module");
	if (!getenv("SHMDEV_KO") || access(getenv("SHMDEV_KO"), R_OK))
		SETUP_SKIP("SHMDEV_KO does not name the module to load again");
	if (!module_loaded())
		ASSERT_EQ(0, module_load());
	ASSERT_EQ(0, access(SHMDEV_DEVICE, F_OK));
}

/* Whatever happened, leave the module loaded for the tests that follow. */
FIXTURE_TEARDOWN(unload)
{
	if (module_loaded())
		unlink_names(&self->names);
	else
		EXPECT_EQ(0, module_load());
}

TEST_F(unload, refused_while_handle_open)
{
	const char *n = new_name(&self->names, "unl.handle");
	struct shmdev_attach at;
	int fd, fd2;

	/* A handle that was never attached. */
	ASSERT_LE(0, fd = dev_open());
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	EXPECT_TRUE(module_loaded());
	/* An attached handle, its region unlinked: only the handle holds it. */
	ASSERT_LE(0, fd2 = dev_open());
	ASSERT_EQ(0, raw_attach(fd2, n, page_size(), SHMDEV_CREAT, 0600, &at));
	ASSERT_EQ(0, shmdev_unlink(n));
	close(fd);
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(0, access(SHMDEV_DEVICE, F_OK));
	close(fd2);
	ASSERT_EQ(0, module_unload());
	EXPECT_FALSE(module_loaded());
	ASSERT_EQ(0, module_load());
}

TEST_F(unload, refused_while_only_a_mapping_exists)
{
	const char *n = new_name(&self->names, "unl.map");
	struct shmdev_status st0, st;
	struct shmdev_attach at;
	volatile uint32_t *p;
	int fd;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, 4 * page_size(), SHMDEV_CREAT | SHMDEV_AUTODESTROY,
				0600, &at));
	p = mmap(NULL, 4 * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	p[0] = 0x5eed;
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	EXPECT_TRUE(module_loaded());
	/* The module and the mapping still work. */
	EXPECT_EQ(0x5eed, p[0]);
	p[page_size()] = 1;
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(st0.regions + 1, st.regions);

	/* Part of the mapping still pins it. */
	ASSERT_EQ(0, munmap((void *)p, 2 * page_size()));
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	ASSERT_EQ(0, munmap((char *)p + 2 * page_size(), 2 * page_size()));
	ASSERT_EQ(0, module_unload());
	ASSERT_EQ(0, module_load());
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(0, st.regions);
}

TEST_F(unload, refused_while_a_forked_child_maps)
{
	const char *n = new_name(&self->names, "unl.fork");
	struct shmdev_region *a;
	int go[2], ready[2];
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, page_size(), SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &a));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		volatile uint32_t *q = shmdev_addr(a);

		/* Keep only the inherited mapping. */
		close(shmdev_fd(a));
		CHILD_ASSERT_EQ(0, pipe_post(ready[1]));
		CHILD_ASSERT_EQ(0, pipe_wait(go[0]));
		CHILD_ASSERT_EQ(7, q[0]);
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ(0, pipe_wait(ready[0]));
	((volatile uint32_t *)shmdev_addr(a))[0] = 7;
	EXPECT_EQ(0, shmdev_close(a));
	EXPECT_EQ(-EWOULDBLOCK, module_unload());
	ASSERT_EQ(0, pipe_post(go[1]));
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, module_unload());
	ASSERT_EQ(0, module_load());
}

static uint64_t shmem_bytes(void)
{
	long long b = meminfo_bytes("Shmem");

	return b < 0 ? 0 : (uint64_t)b;
}

TEST_F_TIMEOUT(unload, frees_persistent_regions, 120)
{
	const uint64_t big = 16 << 20;
	struct shmdev_status st0, st;
	struct shmdev_region *a;
	uint64_t shmem0, shmem1;
	shmdev_mutex_t *m;
	int ready[2];
	pid_t pid;

	/* Whatever regions there are before, unloading frees them too. */
	ASSERT_EQ(0, status_get(&st0));
	shmem0 = shmem_bytes();

	/* A populated region, a region with data, one with a robust mutex. */
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "unl.pop"), big,
				 SHMDEV_CREAT | SHMDEV_POPULATE, 0600, &a));
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "unl.data"), 64 * page_size(),
				 SHMDEV_CREAT, 0644, &a));
	memset(shmdev_addr(a), 0xa5, 64 * page_size());
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "unl.mutex"), page_size(),
				 SHMDEV_CREAT, 0600, &a));
	m = shmdev_addr(a);
	ASSERT_EQ(0, shmdev_mutex_init(a, m));
	ASSERT_EQ(0, shmdev_mutex_lock(a, m, -1));
	EXPECT_EQ(0, shmdev_close(a));

	/*
	 * A region of another IPC namespace, which a process keeps alive
	 * (with no handle open) until after the unload: a dead namespace's
	 * regions would already be gone (ns_test dead_namespaces_are_freed).
	 */
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		CHILD_ASSERT_EQ(0, shmdev_open("unl.ns", 8 * page_size(), SHMDEV_CREAT,
					       0600, &b));
		memset(shmdev_addr(b), 1, 8 * page_size());
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		CHILD_ASSERT_EQ(0, pipe_post(ready[1]));
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, pipe_wait(ready[0]));

	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(st0.regions + 4, st.regions);
	EXPECT_EQ(st0.bytes + big + 73 * page_size(), st.bytes);
	shmem1 = shmem_bytes();
	EXPECT_LE(shmem0 + big, shmem1);

	ASSERT_EQ(0, module_unload());
	EXPECT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
	EXPECT_FALSE(module_loaded());
	EXPECT_NE(0, access(SHMDEV_DEVICE, F_OK));
	EXPECT_NE(0, access(SHMDEV_PROC, F_OK));
	/* The pages went with the regions (4 MiB of slack for the rest of the system). */
	EXPECT_GE(shmem0 + (4 << 20), shmem_bytes());

	ASSERT_EQ(0, module_load());
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(0, st.regions);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, st.user_bytes);
	EXPECT_EQ(1, st.handles);
	EXPECT_EQ(-ENOENT, shmdev_stat(self->names.name[0], &(struct shmdev_stat){ 0 }));
	EXPECT_EQ(-ENOENT, shmdev_stat(self->names.name[1], &(struct shmdev_stat){ 0 }));
	/* A new region of an old name starts from zeros. */
	ASSERT_EQ(0, shmdev_open(self->names.name[1], 64 * page_size(),
				 SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(0, ((unsigned char *)shmdev_addr(a))[0]);
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_F(unload, load_unload_with_regions_repeatedly)
{
	struct shmdev_status st;
	struct shmdev_region *a;
	int i;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, shmdev_open(new_name(&self->names, "unl.rep"), page_size(),
					 SHMDEV_CREAT, 0600, &a));
		((char *)shmdev_addr(a))[0] = 1;
		EXPECT_EQ(0, shmdev_close(a));
		ASSERT_EQ(0, module_unload());
		ASSERT_EQ(0, module_load());
		ASSERT_EQ(0, status_get(&st));
		ASSERT_EQ(0, st.regions);
	}
}

TEST_HARNESS_MAIN
