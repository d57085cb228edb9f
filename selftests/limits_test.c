// SPDX-License-Identifier: GPL-2.0
/* limits_test: each module limit gives its errno, nothing leaks; POPULATE fails with ENOMEM, not later. */
#include <sys/mman.h>
#include <sys/mount.h>

#include "common.h"

static const char *const params[] = {
	"max_region_size", "max_regions", "max_user_bytes", "max_total_bytes",
};

FIXTURE(limits) {
	struct test_names names;
	char saved[4][32];
	struct shmdev_status st0;
	uint64_t pg;
};

FIXTURE_SETUP(limits)
{
	unsigned int i;

	self->names.nr = 0;
	self->pg = page_size();
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, param_get(params[i], self->saved[i], sizeof(self->saved[i])));
	ASSERT_EQ(0, status_get(&self->st0));
}

FIXTURE_TEARDOWN(limits)
{
	struct shmdev_status st;
	unsigned int i;

	unlink_names(&self->names);
	for (i = 0; i < 4; i++)
		param_set(params[i], self->saved[i]);
	EXPECT_EQ(0, status_get(&st));
	EXPECT_EQ(self->st0.regions, st.regions);
	EXPECT_EQ(self->st0.bytes, st.bytes);
	EXPECT_EQ(self->st0.user_bytes, st.user_bytes);
}

/* The limits as module parameters, each readable and writable by root. */
FIXTURE(limit_param) {
	char saved[32];
};

FIXTURE_VARIANT(limit_param) {
	const char *name;
};

FIXTURE_VARIANT_ADD(limit_param, max_region_size) { .name = "max_region_size" };
FIXTURE_VARIANT_ADD(limit_param, max_regions) { .name = "max_regions" };
FIXTURE_VARIANT_ADD(limit_param, max_user_bytes) { .name = "max_user_bytes" };
FIXTURE_VARIANT_ADD(limit_param, max_total_bytes) { .name = "max_total_bytes" };

FIXTURE_SETUP(limit_param)
{
	self->saved[0] = '\0';
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	ASSERT_EQ(0, param_get(variant->name, self->saved, sizeof(self->saved)));
}

FIXTURE_TEARDOWN(limit_param)
{
	if (self->saved[0])
		param_set(variant->name, self->saved);
}

/* The parameter's default is a positive number, and a value written reads back. */
TEST_F(limit_param, readable_and_writable)
{
	char buf[32];

	EXPECT_LT(0, strtoull(self->saved, NULL, 10));
	ASSERT_EQ(0, param_set_u64(variant->name, 12345));
	ASSERT_EQ(0, param_get(variant->name, buf, sizeof(buf)));
	EXPECT_STREQ("12345", buf);
}

/* allow_exec is off by default. */
TEST_F(limits, allow_exec_default_off)
{
	char buf[32];

	ASSERT_EQ(0, param_get("allow_exec", buf, sizeof(buf)));
	EXPECT_STREQ("N", buf);
}

/*
 * The defaults leave room for others: sizes are charged as declared, so
 * with no page touched two users, each creating a region at the per-user
 * limit at the same time, both get it (and then no byte more).
 */
TEST_F(limits, defaults_leave_room_for_others)
{
	/* Sizes are rounded up to pages: the largest one within the limit. */
	uint64_t user_max = strtoull(self->saved[2], NULL, 10) & ~(page_size() - 1);
	const char *n[2] = {
		new_name(&self->names, "lim.room.a"),
		new_name(&self->names, "lim.room.b"),
	};
	int go[2], done[2], release[2];
	pid_t pid[2];
	int i;

	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	EXPECT_LE(user_max, strtoull(self->saved[0], NULL, 10));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(release));
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			struct shmdev_region *r, *more;
			char extra[TEST_NAME_LEN + 8];

			snprintf(extra, sizeof(extra), "%s.more", n[i]);
			CHILD_ASSERT_EQ(0, setgid(2000 + i));
			CHILD_ASSERT_EQ(0, setuid(2000 + i));
			CHILD_ASSERT_EQ(0, pipe_wait(go[0]));
			CHILD_ASSERT_EQ(0, shmdev_open(n[i], user_max, SHMDEV_CREAT |
						       SHMDEV_AUTODESTROY, 0600, &r));
			CHILD_ASSERT_EQ(-ENOSPC, shmdev_open(extra, page_size(), SHMDEV_CREAT |
							     SHMDEV_AUTODESTROY, 0600, &more));
			CHILD_ASSERT_EQ(0, pipe_post(done[1]));
			/* Hold it until both have theirs. */
			CHILD_ASSERT_EQ(0, pipe_wait(release[0]));
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pipe_post(go[1]));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, pipe_wait(done[0]));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pipe_post(release[1]));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, wait_exit(pid[i]));
	for (i = 0; i < 2; i++) {
		close(go[i]);
		close(done[i]);
		close(release[i]);
	}
}

/* A create past max_region_size is -EFBIG and creates nothing. */
TEST_F(limits, max_region_size_create_efbig)
{
	const char *n = new_name(&self->names, "lim.size");
	struct shmdev_region *a;

	ASSERT_EQ(0, param_set_u64("max_region_size", 2 * self->pg));
	EXPECT_EQ(-EFBIG, shmdev_open(n, 2 * self->pg + 1, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	n = new_name(&self->names, "lim.size");
	EXPECT_EQ(-EFBIG, shmdev_open(n, UINT64_MAX, SHMDEV_CREAT, 0600, &a));
}

/* A resize past max_region_size is -EFBIG and leaves the size alone. */
TEST_F(limits, max_region_size_resize_efbig)
{
	const char *n = new_name(&self->names, "lim.size");
	struct shmdev_region *a;

	ASSERT_EQ(0, param_set_u64("max_region_size", 2 * self->pg));
	ASSERT_EQ(0, shmdev_open(n, 2 * self->pg, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EFBIG, shmdev_resize(a, 3 * self->pg));
	EXPECT_EQ(2 * self->pg, shmdev_size(a));
	EXPECT_EQ(-EFBIG, shmdev_resize(a, UINT64_MAX));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Fill the namespace up to max_regions with 3 regions of our own. */
static void fill_max_regions(struct __test_metadata *_metadata,
			     FIXTURE_DATA(limits) *self)
{
	struct shmdev_region *a;
	int i;

	ASSERT_EQ(0, param_set_u64("max_regions", self->st0.ns_regions + 3));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, shmdev_open(new_name(&self->names, "lim.nr"), self->pg,
					 SHMDEV_CREAT, 0600, &a));
		shmdev_close(a);
	}
}

/* A create past max_regions is -ENOSPC. */
TEST_F(limits, max_regions_enospc)
{
	struct shmdev_region *a;

	fill_max_regions(_metadata, self);
	EXPECT_EQ(-ENOSPC, shmdev_open(new_name(&self->names, "lim.nr"), self->pg,
				       SHMDEV_CREAT, 0600, &a));
}

/* At max_regions, opening existing regions still works. */
TEST_F(limits, max_regions_open_existing)
{
	struct shmdev_region *a;

	fill_max_regions(_metadata, self);
	ASSERT_EQ(0, shmdev_open(self->names.name[0], 0, 0, 0, &a));
	shmdev_close(a);
}

/* At max_regions, unlinking a region makes room for a new one. */
TEST_F(limits, max_regions_unlink_makes_room)
{
	struct shmdev_region *a;

	fill_max_regions(_metadata, self);
	ASSERT_EQ(0, shmdev_unlink(self->names.name[0]));
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "lim.nr"), self->pg,
				 SHMDEV_CREAT, 0600, &a));
	shmdev_close(a);
}

/* Creates and resizes past the user's max_user_bytes are -ENOSPC; up to it they work. */
TEST_F(limits, max_user_bytes_enospc)
{
	const char *n = new_name(&self->names, "lim.user");
	struct shmdev_region *a;

	ASSERT_EQ(0, param_set_u64("max_user_bytes", self->st0.user_bytes + 4 * self->pg));
	EXPECT_EQ(-ENOSPC, shmdev_open(n, 5 * self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-ENOSPC, shmdev_resize(a, 5 * self->pg));
	EXPECT_EQ(0, shmdev_resize(a, 4 * self->pg));
	EXPECT_EQ(-ENOSPC, shmdev_open(new_name(&self->names, "lim.user"), self->pg,
				       SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Another user has a max_user_bytes budget of its own. */
TEST_F(limits, max_user_bytes_per_user)
{
	const char *n = new_name(&self->names, "lim.user");
	struct shmdev_region *a;
	pid_t pid;

	ASSERT_EQ(0, param_set_u64("max_user_bytes", self->st0.user_bytes + 4 * self->pg));
	ASSERT_EQ(0, shmdev_open(n, 4 * self->pg, SHMDEV_CREAT, 0600, &a));
	n = new_name(&self->names, "lim.user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, setgid(1000));
		CHILD_ASSERT_EQ(0, setuid(1000));
		CHILD_ASSERT_EQ(0, shmdev_open(n, self->pg,
					       SHMDEV_CREAT | SHMDEV_AUTODESTROY, 0600, &b));
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Creates and resizes past max_total_bytes are -ENOSPC and change nothing. */
TEST_F(limits, max_total_bytes_enospc)
{
	const char *n = new_name(&self->names, "lim.total");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, param_set_u64("max_total_bytes", self->st0.bytes + 4 * self->pg));
	EXPECT_EQ(-ENOSPC, shmdev_open(n, 5 * self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 4 * self->pg, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-ENOSPC, shmdev_open(new_name(&self->names, "lim.total"), self->pg,
				       SHMDEV_CREAT, 0600, &b));
	EXPECT_EQ(-ENOSPC, shmdev_resize(a, 5 * self->pg));
	EXPECT_EQ(4 * self->pg, shmdev_size(a));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Shrinking a region gives its bytes back to max_total_bytes. */
TEST_F(limits, max_total_bytes_shrink_gives_back)
{
	const char *n = new_name(&self->names, "lim.total");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, param_set_u64("max_total_bytes", self->st0.bytes + 4 * self->pg));
	ASSERT_EQ(0, shmdev_open(n, 4 * self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_resize(a, 2 * self->pg));
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "lim.total"), 2 * self->pg,
				 SHMDEV_CREAT, 0600, &b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A memory cgroup of @limit bytes for the caller, or -errno. */
static int enter_memcg(const char *dir, uint64_t limit)
{
	char path[256], val[32];
	int ret;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		return -errno;
	ret = write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (ret)
		return ret;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)limit);
	ret = write_file(path, val);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(val, sizeof(val), "%d", (int)getpid());
	return write_file(path, val);
}

/*
 * A POPULATE create that does not fit the memory cgroup fails at once with
 * -ENOMEM and leaves nothing; one that fits has every page at once.
 */
TEST_F(limits, populate_enomem_at_create)
{
	const char *dir = "/sys/fs/cgroup/shmdev-limits-test";
	const char *n = new_name(&self->names, "lim.pop");
	struct shmdev_status st;
	int res[2], ret;
	pid_t pid;

	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *a;
		struct shmdev_stat pst;

		ret = enter_memcg(dir, 16 << 20);
		if (ret) {
			write(res[1], &ret, sizeof(ret));
			_exit(4);
		}
		ret = shmdev_open(n, 64 << 20, SHMDEV_CREAT | SHMDEV_POPULATE, 0600, &a);
		write(res[1], &ret, sizeof(ret));
		/* Within the limit, it works, and every page is there at once. */
		CHILD_ASSERT_EQ(0, shmdev_open(n, 4 << 20, SHMDEV_CREAT | SHMDEV_POPULATE |
					       SHMDEV_AUTODESTROY, 0600, &a));
		CHILD_ASSERT_EQ(0, shmdev_fstat(a, &pst));
		CHILD_ASSERT_EQ((4 << 20) / page_size(), pst.resident);
		_exit(0);
	}
	close(res[1]);
	ASSERT_EQ(sizeof(ret), read(res[0], &ret, sizeof(ret)));
	if (wait_exit(pid) == 4) {
		rmdir(dir);
		SKIP(return, "no memory cgroup (%s)", strerror(-ret));
	}
	rmdir(dir);
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(self->st0.regions, st.regions);
	EXPECT_EQ(self->st0.bytes, st.bytes);
}

TEST_HARNESS_MAIN
