// SPDX-License-Identifier: GPL-2.0
/*
 * compat_test: the structures libshmdev fills grow at their end, and a
 * program built with an older, smaller one keeps working: the library
 * writes no byte past the size the program has. Checked through the size
 * taking calls (in libshmdev.a) and through the 1.0 symbols of the shared
 * library, which programs linked against libshmdev 1.0 call.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>

#include "common.h"

#define GUARD		0xa5
#define GUARD_LEN	64

/* struct shmdev_stat as libshmdev 1.0's header declared it. */
struct shmdev_stat_1_0 {
	uint64_t size;
	uint32_t uid, gid, mode, flags, handles, mappings;
	uint32_t reserved;
	uint64_t resident, ns_inum;
	uint64_t waits, wakes, lock_acquired, lock_contended, owner_deaths;
	uint64_t events;
};

/* struct shmdev_status before SHMDEV_FEAT_SIZED_ARGS, libshmdev 1.0's. */
struct shmdev_status_1_0 {
	uint64_t ns_regions, ns_bytes, regions, bytes, user_bytes, handles;
};

/* What a program built with an old header has, and the memory after it. */
struct old_stat {
	struct shmdev_stat_1_0 st;
	unsigned char after[GUARD_LEN];
};

struct old_api {
	struct shmdev_api api;
	unsigned char after[GUARD_LEN];
};

struct old_status {
	struct shmdev_status_1_0 st;
	unsigned char after[GUARD_LEN];
};

static bool guard_intact(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != GUARD)
			return false;
	return true;
}

FIXTURE(compat) {
	struct test_names names;
	const char *name;
	uint64_t pg;
	void *so;
};

FIXTURE_SETUP(compat)
{
	char exe[PATH_MAX], so[PATH_MAX + 32];
	ssize_t n;

	self->names.nr = 0;
	self->pg = page_size();
	self->so = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	self->name = new_name(&self->names, "compat");
	ASSERT_EQ(0, shmdev_create(self->name, 2 * self->pg, 0, 0600));
	/* The shared library built beside this program: build/lib. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(so, sizeof(so), "%s/../lib/libshmdev.so.1", dirname(exe));
	self->so = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!self->so)
		TH_LOG("dlopen %s: %s", so, dlerror());
}

FIXTURE_TEARDOWN(compat)
{
	if (self->so)
		dlclose(self->so);
	unlink_names(&self->names);
}

/* shmdev_stat_ns writes the size given, and no byte after it. */
TEST_F(compat, stat_old_size)
{
	struct old_stat o;

	memset(&o, GUARD, sizeof(o));
	ASSERT_EQ(0, shmdev_stat_ns(self->name, 0, (struct shmdev_stat *)&o.st,
				    sizeof(o.st)));
	EXPECT_EQ(2 * self->pg, o.st.size);
	EXPECT_EQ(0600, o.st.mode);
	EXPECT_EQ(0, o.st.handles);
	EXPECT_EQ(0, o.st.reserved);
	EXPECT_TRUE(guard_intact(o.after, sizeof(o.after)));
	/* Smaller than the first version: nothing written. */
	memset(&o, GUARD, sizeof(o));
	EXPECT_EQ(-EINVAL, shmdev_stat_ns(self->name, 0, (struct shmdev_stat *)&o.st,
					  SHMDEV_STAT_SIZE_VER0 - 1));
	EXPECT_TRUE(guard_intact((unsigned char *)&o, sizeof(o)));
}

/*
 * A program built with a larger struct than the library knows: the fields
 * the library lacks read 0, and nothing past the size is written.
 */
TEST_F(compat, stat_newer_size)
{
	unsigned char buf[sizeof(struct shmdev_stat) + 2 * GUARD_LEN]
		__attribute__((aligned(8)));
	struct shmdev_region *r;
	size_t size = sizeof(struct shmdev_stat) + GUARD_LEN;

	memset(buf, GUARD, sizeof(buf));
	ASSERT_EQ(0, shmdev_stat_ns(self->name, 0, (struct shmdev_stat *)buf, size));
	EXPECT_EQ(2 * self->pg, ((struct shmdev_stat *)buf)->size);
	EXPECT_EQ(0, buf[sizeof(struct shmdev_stat)]);
	EXPECT_EQ(0, buf[size - 1]);
	EXPECT_TRUE(guard_intact(buf + size, GUARD_LEN));

	ASSERT_EQ(0, shmdev_open(self->name, 0, SHMDEV_RDONLY, 0, &r));
	memset(buf, GUARD, sizeof(buf));
	ASSERT_EQ(0, shmdev_fstat_sized(r, (struct shmdev_stat *)buf, size));
	EXPECT_EQ(1, ((struct shmdev_stat *)buf)->handles);
	EXPECT_EQ(0, buf[size - 1]);
	EXPECT_TRUE(guard_intact(buf + size, GUARD_LEN));
	EXPECT_EQ(-EINVAL, shmdev_fstat_sized(r, (struct shmdev_stat *)buf,
					      SHMDEV_STAT_SIZE_VER0 - 1));
	EXPECT_EQ(-EINVAL, shmdev_fstat_sized(NULL, (struct shmdev_stat *)buf, size));
	EXPECT_EQ(0, shmdev_close(r));
}

/* The module queries write the size given, and no byte after it. */
TEST_F(compat, queries_old_size)
{
	struct old_status s;
	struct old_api a;

	memset(&a, GUARD, sizeof(a));
	ASSERT_EQ(0, shmdev_query_api_sized(&a.api, sizeof(a.api)));
	EXPECT_EQ(SHMDEV_ABI_VERSION, a.api.abi_version);
	EXPECT_TRUE(guard_intact(a.after, sizeof(a.after)));
	EXPECT_EQ(-EINVAL, shmdev_query_api_sized(&a.api, SHMDEV_API_SIZE_VER0 - 1));
	EXPECT_EQ(-EINVAL, shmdev_query_api_sized(NULL, sizeof(a.api)));

	memset(&s, GUARD, sizeof(s));
	ASSERT_EQ(0, shmdev_query_status_sized((struct shmdev_status *)&s.st,
					       sizeof(s.st)));
	EXPECT_LE(1, s.st.regions);
	EXPECT_LE(1, s.st.handles);
	EXPECT_TRUE(guard_intact(s.after, sizeof(s.after)));
	EXPECT_EQ(-EINVAL, shmdev_query_status_sized((struct shmdev_status *)&s.st,
						     SHMDEV_STATUS_SIZE_VER0 - 1));
	EXPECT_EQ(-EINVAL, shmdev_query_status_sized(NULL, sizeof(s.st)));
}

/*
 * A binary linked against libshmdev 1.0 calls shmdev_stat@LIBSHMDEV_1.0
 * and the like: they still exist, and write exactly the 1.0 sizes.
 */
TEST_F(compat, symbols_of_1_0)
{
	int (*stat_1_0)(const char *, struct shmdev_stat_1_0 *);
	int (*fstat_1_0)(void *, struct shmdev_stat_1_0 *);
	int (*open_1_0)(const char *, uint64_t, unsigned int, unsigned int, void **);
	int (*close_1_0)(void *);
	int (*api_1_0)(struct shmdev_api *);
	int (*status_1_0)(struct shmdev_status_1_0 *);
	struct old_status s;
	struct old_stat o;
	struct old_api a;
	void *r;

	ASSERT_NE(NULL, self->so);
	stat_1_0 = dlvsym(self->so, "shmdev_stat", "LIBSHMDEV_1.0");
	fstat_1_0 = dlvsym(self->so, "shmdev_fstat", "LIBSHMDEV_1.0");
	open_1_0 = dlvsym(self->so, "shmdev_open", "LIBSHMDEV_1.0");
	close_1_0 = dlvsym(self->so, "shmdev_close", "LIBSHMDEV_1.0");
	api_1_0 = dlvsym(self->so, "shmdev_query_api", "LIBSHMDEV_1.0");
	status_1_0 = dlvsym(self->so, "shmdev_query_status", "LIBSHMDEV_1.0");
	ASSERT_NE(NULL, stat_1_0);
	ASSERT_NE(NULL, fstat_1_0);
	ASSERT_NE(NULL, open_1_0);
	ASSERT_NE(NULL, close_1_0);
	ASSERT_NE(NULL, api_1_0);
	ASSERT_NE(NULL, status_1_0);

	memset(&o, GUARD, sizeof(o));
	ASSERT_EQ(0, stat_1_0(self->name, &o.st));
	EXPECT_EQ(2 * self->pg, o.st.size);
	EXPECT_EQ(0600, o.st.mode);
	EXPECT_TRUE(guard_intact(o.after, sizeof(o.after)));

	ASSERT_EQ(0, open_1_0(self->name, 0, SHMDEV_RDONLY, 0, &r));
	memset(&o, GUARD, sizeof(o));
	ASSERT_EQ(0, fstat_1_0(r, &o.st));
	EXPECT_EQ(1, o.st.handles);
	EXPECT_EQ(1, o.st.mappings);
	EXPECT_TRUE(guard_intact(o.after, sizeof(o.after)));
	EXPECT_EQ(0, close_1_0(r));

	memset(&a, GUARD, sizeof(a));
	ASSERT_EQ(0, api_1_0(&a.api));
	EXPECT_EQ(SHMDEV_ABI_VERSION, a.api.abi_version);
	EXPECT_TRUE(guard_intact(a.after, sizeof(a.after)));

	memset(&s, GUARD, sizeof(s));
	ASSERT_EQ(0, status_1_0(&s.st));
	EXPECT_LE(1, s.st.regions);
	EXPECT_TRUE(guard_intact(s.after, sizeof(s.after)));
	/* As in 1.0: NULL is refused. */
	EXPECT_EQ(-EINVAL, stat_1_0(self->name, NULL));
	EXPECT_EQ(-EINVAL, api_1_0(NULL));
}

/*
 * A binding that looks the old names up without a version (dlsym(),
 * Python's ctypes, PHP's FFI) finds them, and they write the 1.0 sizes.
 */
TEST_F(compat, old_names_found_without_a_version)
{
	int (*stat_any)(const char *, struct shmdev_stat_1_0 *);
	int (*status_any)(struct shmdev_status_1_0 *);
	struct old_status s;
	struct old_stat o;

	ASSERT_NE(NULL, self->so);
	stat_any = dlsym(self->so, "shmdev_stat");
	status_any = dlsym(self->so, "shmdev_query_status");
	ASSERT_NE(NULL, stat_any);
	ASSERT_NE(NULL, status_any);
	EXPECT_NE(NULL, dlsym(self->so, "shmdev_fstat"));
	EXPECT_NE(NULL, dlsym(self->so, "shmdev_query_api"));
	memset(&o, GUARD, sizeof(o));
	ASSERT_EQ(0, stat_any(self->name, &o.st));
	EXPECT_EQ(2 * self->pg, o.st.size);
	EXPECT_TRUE(guard_intact(o.after, sizeof(o.after)));
	memset(&s, GUARD, sizeof(s));
	ASSERT_EQ(0, status_any(&s.st));
	EXPECT_LE(1, s.st.regions);
	EXPECT_TRUE(guard_intact(s.after, sizeof(s.after)));
}

TEST_HARNESS_MAIN
