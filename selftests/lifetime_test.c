// SPDX-License-Identifier: GPL-2.0
/* lifetime_test: AUTODESTROY, persistence and POPULATE. */
#include <sys/mman.h>
#include <sys/prctl.h>

#include "common.h"

FIXTURE(life) {
	struct test_names names;
};

FIXTURE_SETUP(life)
{
	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
}

FIXTURE_TEARDOWN(life)
{
	unlink_names(&self->names);
}

/* Killing the only user of an AUTODESTROY region with SIGKILL leaves no region and no byte. */
TEST_F(life, autodestroy_kill9_leaves_nothing)
{
	const char *n = new_name(&self->names, "life.kill");
	struct shmdev_status st0, st1;
	struct shmdev_stat st;
	int ready[2];
	pid_t pid;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *a;

		CHILD_ASSERT_EQ(0, shmdev_open(n, 1 << 20, SHMDEV_CREAT | SHMDEV_AUTODESTROY,
					       0600, &a));
		memset(shmdev_addr(a), 1, 1 << 20);
		CHILD_ASSERT_EQ(0, pipe_post(ready[1]));
		pause();
		_exit(1);
	}
	close(ready[1]);
	ASSERT_EQ(0, pipe_wait(ready[0]));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(SHMDEV_AUTODESTROY, st.region_flags);
	EXPECT_EQ(256, st.resident);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
	EXPECT_EQ(st0.bytes, st1.bytes);
	EXPECT_EQ(st0.user_bytes, st1.user_bytes);
}

/* An AUTODESTROY region lives while a handle to it remains. */
TEST_F(life, autodestroy_lives_while_a_handle_remains)
{
	const char *n = new_name(&self->names, "life.used");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_fstat(b, &st));
	EXPECT_EQ(SHMDEV_AUTODESTROY, st.region_flags);
	EXPECT_EQ(2, st.handles);
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(1, st.handles);
	EXPECT_EQ(0, shmdev_close(b));
}

/*
 * A mapping alone keeps an AUTODESTROY region, still usable; it goes with
 * the last munmap().
 */
TEST_F(life, autodestroy_lives_while_a_mapping_remains)
{
	const char *n = new_name(&self->names, "life.used");
	struct shmdev_region *b;
	struct shmdev_stat st;
	uint32_t *p;
	int fd;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &b));
	fd = dup(shmdev_fd(b));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	EXPECT_EQ(0, shmdev_close(b));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(1, st.mappings);
	p[0] = 5;
	EXPECT_EQ(0, munmap(p, 4096));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
}

/* After an AUTODESTROY region went, a create of its name gets a fresh region. */
TEST_F(life, autodestroy_name_then_fresh_region)
{
	const char *n = new_name(&self->names, "life.used");
	struct shmdev_region *a;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &a));
	((uint32_t *)shmdev_addr(a))[0] = 5;
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(0, ((uint32_t *)shmdev_addr(a))[0]);
	EXPECT_EQ(0, shmdev_close(a));
}

/* An AUTODESTROY region can be unlinked like any other, and is freed on close. */
TEST_F(life, autodestroy_unlinked_explicitly)
{
	const char *n = new_name(&self->names, "life.unl");
	struct shmdev_region *a;
	struct shmdev_status st0, st1;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &a));
	EXPECT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_unlink(n));
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
}

/*
 * A creator maps a region, forks, and is killed; the region is unlinked
 * while only the dead creator's child still maps it: the memory stays until
 * the child goes, then the region and its bytes are gone.
 */
TEST_F(life, unlinked_region_lives_in_dead_creators_child)
{
	const char *n = new_name(&self->names, "life.orphan");
	struct shmdev_status st0, st1;
	struct shmdev_stat st;
	int ready[2], go[2], done[2];
	pid_t creator, child;

	/* Orphans come to this process, so it can wait for them. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, status_get(&st0));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	creator = fork();
	ASSERT_LE(0, creator);
	if (!creator) {
		struct shmdev_region *a;
		volatile uint32_t *p;

		close(go[1]);
		CHILD_ASSERT_EQ(0, shmdev_open(n, 8 * page_size(), SHMDEV_CREAT, 0600, &a));
		p = shmdev_addr(a);
		p[0] = 0xfeed;
		child = fork();
		CHILD_ASSERT_LE(0, child);
		if (!child) {
			/* Only the inherited mapping: no handle of our own. */
			close(shmdev_fd(a));
			child = getpid();
			CHILD_ASSERT_EQ(sizeof(child), write(ready[1], &child, sizeof(child)));
			CHILD_ASSERT_EQ(0, pipe_wait(go[0]));
			CHILD_ASSERT_EQ(0xfeed, p[0]);
			p[1] = 0xbeef;
			CHILD_ASSERT_EQ(0xbeef, p[1]);
			CHILD_ASSERT_EQ(0, pipe_post(done[1]));
			/* Leave when the test closes the pipe. */
			pipe_wait(go[0]);
			_exit(0);
		}
		/* Only the orphan writes to these: its death must be seen. */
		close(ready[1]);
		close(done[1]);
		pause();
		_exit(1);
	}
	close(go[0]);
	close(ready[1]);
	close(done[1]);
	ASSERT_EQ(sizeof(child), read(ready[0], &child, sizeof(child)));
	ASSERT_EQ(0, kill(creator, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(creator));

	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(1, st.mappings);
	ASSERT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions + 1, st1.regions);
	EXPECT_EQ(st0.bytes + 8 * page_size(), st1.bytes);

	/* The orphan still reads and writes it. */
	ASSERT_EQ(0, pipe_post(go[1]));
	ASSERT_EQ(0, pipe_wait(done[0]));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions + 1, st1.regions);

	/* The orphan was handed to us (subreaper): its mm is gone once reaped. */
	close(go[1]);
	EXPECT_EQ(0, wait_exit(child));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
	EXPECT_EQ(st0.bytes, st1.bytes);
	EXPECT_EQ(st0.user_bytes, st1.user_bytes);
}

/* AUTODESTROY: the region keeps its name while a dead creator's child maps it. */
TEST_F(life, autodestroy_waits_for_last_mapping)
{
	const char *n = new_name(&self->names, "life.admap");
	struct shmdev_status st0, st1;
	struct shmdev_stat st;
	int ready[2], go[2];
	pid_t creator, child;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, status_get(&st0));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	creator = fork();
	ASSERT_LE(0, creator);
	if (!creator) {
		struct shmdev_region *a;

		close(go[1]);
		CHILD_ASSERT_EQ(0, shmdev_open(n, page_size(),
					       SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &a));
		child = fork();
		CHILD_ASSERT_LE(0, child);
		if (!child) {
			close(shmdev_fd(a));
			child = getpid();
			CHILD_ASSERT_EQ(sizeof(child), write(ready[1], &child, sizeof(child)));
			pipe_wait(go[0]);
			_exit(0);
		}
		close(ready[1]);
		pause();
		_exit(1);
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ(sizeof(child), read(ready[0], &child, sizeof(child)));
	ASSERT_EQ(0, kill(creator, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(creator));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(1, st.mappings);
	EXPECT_EQ(SHMDEV_AUTODESTROY, st.region_flags);

	/* The orphan dies too: the last mapping takes the region with it. */
	ASSERT_EQ(0, kill(child, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, wait_exit(child));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
	EXPECT_EQ(st0.bytes, st1.bytes);
	close(go[1]);
}

/* A region without AUTODESTROY outlives every process that used it, until unlinked. */
TEST_F(life, persistent_until_unlinked)
{
	const char *n = new_name(&self->names, "life.persist");
	struct shmdev_region *a;
	struct shmdev_stat st;
	int i;

	for (i = 0; i < 3; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			CHILD_ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
			((uint32_t *)shmdev_addr(a))[0]++;
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(pid));
	}
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(0, st.handles);
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &a));
	EXPECT_EQ(3, ((uint32_t *)shmdev_addr(a))[0]);
	EXPECT_EQ(0, shmdev_close(a));
	EXPECT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
}

/* SHMDEV_POPULATE allocates every page at create. */
TEST_F(life, populate_allocates_up_front)
{
	const char *n = new_name(&self->names, "life.pop");
	struct shmdev_region *a;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 64 * page_size(), SHMDEV_CREAT | SHMDEV_POPULATE,
				 0600, &a));
	ASSERT_EQ(0, shmdev_fstat(a, &st));
	EXPECT_EQ(64, st.resident);
	EXPECT_EQ(SHMDEV_POPULATE, st.region_flags);
	EXPECT_EQ(0, shmdev_close(a));
}

/* Growing a populated region populates the new part. */
TEST_F(life, populate_grow_populates)
{
	const char *n = new_name(&self->names, "life.pop");
	struct shmdev_region *a;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 64 * page_size(), SHMDEV_CREAT | SHMDEV_POPULATE,
				 0600, &a));
	ASSERT_EQ(0, shmdev_resize(a, 128 * page_size()));
	ASSERT_EQ(0, shmdev_fstat(a, &st));
	EXPECT_EQ(128, st.resident);
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_HARNESS_MAIN
