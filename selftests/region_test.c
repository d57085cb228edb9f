// SPDX-License-Identifier: GPL-2.0
/* region_test: create/open rules, names, mapping, sharing, lifetime and resize of regions. */
#include <setjmp.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "common.h"

FIXTURE(region) {
	struct test_names names;
	uint64_t pg;
	char allow_exec[16];
};

FIXTURE_SETUP(region)
{
	self->names.nr = 0;
	self->pg = page_size();
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	ASSERT_EQ(0, param_get("allow_exec", self->allow_exec, sizeof(self->allow_exec)));
}

FIXTURE_TEARDOWN(region)
{
	unlink_names(&self->names);
	/* A test that failed half way must not leave exec allowed. */
	EXPECT_EQ(0, param_set("allow_exec", self->allow_exec));
}

/* Opening a name that does not exist, without SHMDEV_CREAT, is -ENOENT. */
TEST_F(region, open_missing_enoent)
{
	const char *n = new_name(&self->names, "reg.create");
	struct shmdev_region *a;

	EXPECT_EQ(-ENOENT, shmdev_open(n, 0, 0, 0, &a));
	EXPECT_EQ(-ENOENT, shmdev_open(n, 4096, 0, 0600, &a));
}

/* SHMDEV_CREAT | SHMDEV_EXCL on a name that exists is -EEXIST. */
TEST_F(region, creat_excl_existing_eexist)
{
	const char *n = new_name(&self->names, "reg.create");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(-EEXIST, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* SHMDEV_CREAT on an existing region opens it, through a handle of its own. */
TEST_F(region, creat_existing_opens_it)
{
	const char *n = new_name(&self->names, "reg.create");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &b));
	EXPECT_EQ(shmdev_size(a), shmdev_size(b));
	EXPECT_NE(shmdev_handle_id(a), shmdev_handle_id(b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* An existing region opens without flags, size or mode. */
TEST_F(region, open_existing_without_creat)
{
	const char *n = new_name(&self->names, "reg.create");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A region cannot be created with size 0. */
TEST_F(region, create_size_zero_einval)
{
	const char *n = new_name(&self->names, "reg.size");
	struct shmdev_region *a;

	EXPECT_EQ(-EINVAL, shmdev_open(n, 0, SHMDEV_CREAT, 0600, &a));
}

/* Opening asks for at most the region's size: any size up to it opens all of it. */
TEST_F(region, open_size_up_to_region_size)
{
	const char *n = new_name(&self->names, "reg.size");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, 1, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(0, shmdev_open(n, self->pg, 0, 0, &b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_open(n, 100, 0, 0, &b));
	EXPECT_EQ(self->pg, shmdev_size(b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Opening with a size past the region's end is -EINVAL, with CREAT or not. */
TEST_F(region, open_size_past_region_einval)
{
	const char *n = new_name(&self->names, "reg.size");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, 1, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open(n, self->pg + 1, 0, 0, &b));
	EXPECT_EQ(-EINVAL, shmdev_open(n, self->pg + 1, SHMDEV_CREAT, 0600, &b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* The size a region is created with is rounded up to whole pages. */
FIXTURE(create_size) {
	struct test_names names;
	uint64_t pg;
};

FIXTURE_VARIANT(create_size) {
	uint64_t pages;		/* asked: pages * page size + bytes */
	uint64_t bytes;
	uint64_t got_pages;
};

FIXTURE_VARIANT_ADD(create_size, one_byte) { .pages = 0, .bytes = 1, .got_pages = 1 };
FIXTURE_VARIANT_ADD(create_size, three_pages_and_5) { .pages = 3, .bytes = 5, .got_pages = 4 };

FIXTURE_SETUP(create_size)
{
	self->names.nr = 0;
	self->pg = page_size();
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
}

FIXTURE_TEARDOWN(create_size)
{
	unlink_names(&self->names);
}

/* The region's size is the size asked, rounded up to a page. */
TEST_F(create_size, rounded_up_to_pages)
{
	const char *n = new_name(&self->names, "reg.size");
	struct shmdev_region *a;

	ASSERT_EQ(0, shmdev_open(n, variant->pages * self->pg + variant->bytes,
				 SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(variant->got_pages * self->pg, shmdev_size(a));
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_F(region, new_memory_reads_zero)
{
	const char *n = new_name(&self->names, "reg.zero");
	struct shmdev_region *a;
	unsigned char *p;
	uint64_t i;

	ASSERT_EQ(0, shmdev_open(n, 64 * self->pg, SHMDEV_CREAT, 0600, &a));
	p = shmdev_addr(a);
	for (i = 0; i < shmdev_size(a); i++)
		if (p[i])
			break;
	EXPECT_EQ(shmdev_size(a), i);
	EXPECT_EQ(0, shmdev_close(a));
}

/* A name of SHMDEV_NAME_MAX bytes is a valid name. */
TEST_F(region, longest_name_accepted)
{
	char name[SHMDEV_NAME_MAX + 1];
	struct shmdev_region *a;

	memset(name, 'n', sizeof(name));
	snprintf(name, 16, "reg.%d.", (int)getpid());
	name[strlen(name)] = 'n';
	name[SHMDEV_NAME_MAX] = '\0';
	ASSERT_EQ(0, shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(0, shmdev_close(a));
	EXPECT_EQ(0, shmdev_unlink(name));
}

/* Names the library refuses, for open and for unlink. */
FIXTURE(bad_name) {
	char name[SHMDEV_NAME_MAX + 2];
};

FIXTURE_VARIANT(bad_name) {
	const char *name;	/* NULL: SHMDEV_NAME_MAX + 1 bytes */
	int err;
};

FIXTURE_VARIANT_ADD(bad_name, too_long) { .name = NULL, .err = -ENAMETOOLONG };
FIXTURE_VARIANT_ADD(bad_name, empty) { .name = "", .err = -EINVAL };
FIXTURE_VARIANT_ADD(bad_name, slash_inside) { .name = "a/b", .err = -EINVAL };
FIXTURE_VARIANT_ADD(bad_name, slash_only) { .name = "/", .err = -EINVAL };

FIXTURE_SETUP(bad_name)
{
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	memset(self->name, 'n', SHMDEV_NAME_MAX + 1);
	self->name[SHMDEV_NAME_MAX + 1] = '\0';
	if (variant->name)
		strcpy(self->name, variant->name);
}

FIXTURE_TEARDOWN(bad_name)
{
}

/* shmdev_open(SHMDEV_CREAT) refuses the name with the variant's errno. */
TEST_F(bad_name, open_refused)
{
	struct shmdev_region *a;

	EXPECT_EQ(variant->err, shmdev_open(self->name, 4096, SHMDEV_CREAT, 0600, &a));
}

/* shmdev_unlink() refuses the name with the variant's errno. */
TEST_F(bad_name, unlink_refused)
{
	EXPECT_EQ(variant->err, shmdev_unlink(self->name));
}

/* Names SHMDEV_IOC_ATTACH refuses: the raw ABI's lengths and embedded NUL. */
FIXTURE(raw_bad_name) {
	char name[SHMDEV_NAME_MAX + 2];
	int fd;
};

FIXTURE_VARIANT(raw_bad_name) {
	const char *name;	/* NULL: SHMDEV_NAME_MAX + 1 bytes */
	uint32_t len;
	int err;
};

FIXTURE_VARIANT_ADD(raw_bad_name, too_long) {
	.name = NULL, .len = SHMDEV_NAME_MAX + 1, .err = -ENAMETOOLONG
};
FIXTURE_VARIANT_ADD(raw_bad_name, embedded_nul) { .name = "ab\0cd", .len = 5, .err = -EINVAL };
FIXTURE_VARIANT_ADD(raw_bad_name, zero_length) { .name = "ab", .len = 0, .err = -EINVAL };

FIXTURE_SETUP(raw_bad_name)
{
	self->fd = -1;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	memset(self->name, 'n', SHMDEV_NAME_MAX + 1);
	self->name[SHMDEV_NAME_MAX + 1] = '\0';
	ASSERT_LE(0, self->fd = dev_open());
}

FIXTURE_TEARDOWN(raw_bad_name)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* SHMDEV_IOC_ATTACH refuses the name and length with the variant's errno. */
TEST_F(raw_bad_name, attach_refused)
{
	struct shmdev_attach at;

	EXPECT_EQ(variant->err, raw_attach_len(self->fd, variant->name ?: self->name,
					       variant->len, 4096, SHMDEV_CREAT, 0600, &at));
}

/*
 * Create, through the raw ABI, a region whose name has a control byte, a
 * high byte, a blank and a backslash: "\x01\xff \\<pid>", in @name.
 */
static int create_odd_name(struct test_names *t, char *name, size_t len)
{
	struct shmdev_attach at;
	int fd, ret;

	snprintf(name, len, "\x01\xff \\%d", (int)getpid());
	/* Teardown unlinks it if a check fails. */
	if (t->nr < TEST_NAMES_MAX)
		strcpy(t->name[t->nr++], name);
	fd = dev_open();
	if (fd < 0)
		return fd;
	ret = raw_attach_len(fd, name, strlen(name), 4096, SHMDEV_CREAT | SHMDEV_EXCL,
			     0600, &at);
	close(fd);
	return ret;
}

/* Names are bytes, not NUL terminated: any byte but '/' and NUL. */
TEST_F(region, name_any_byte_but_slash_and_nul)
{
	struct shmdev_stat st;
	char name[64];

	ASSERT_EQ(0, create_odd_name(&self->names, name, sizeof(name)));
	EXPECT_EQ(0, shmdev_stat(name, &st));
	EXPECT_EQ(0, shmdev_unlink(name));
}

/* /proc/shmdev escapes blanks, backslashes and non-printables in octal. */
TEST_F(region, proc_escapes_odd_names)
{
	struct proc_row row;
	char name[64], escaped[64];

	ASSERT_EQ(0, create_odd_name(&self->names, name, sizeof(name)));
	snprintf(escaped, sizeof(escaped), "\\001\\377\\040\\134%d", (int)getpid());
	EXPECT_EQ(1, proc_find(escaped, &row, 1));
	EXPECT_EQ(0, shmdev_unlink(name));
	EXPECT_EQ(0, proc_find(escaped, &row, 1));
}

/* Flags that are refused on a create: they need SHMDEV_CREAT, or are unknown. */
FIXTURE(open_flags) {
	struct test_names names;
};

FIXTURE_VARIANT(open_flags) {
	uint32_t flags;
};

FIXTURE_VARIANT_ADD(open_flags, excl_without_creat) { .flags = SHMDEV_EXCL };
FIXTURE_VARIANT_ADD(open_flags, autodestroy_without_creat) { .flags = SHMDEV_AUTODESTROY };
FIXTURE_VARIANT_ADD(open_flags, populate_without_creat) { .flags = SHMDEV_POPULATE };
FIXTURE_VARIANT_ADD(open_flags, unknown_flag) { .flags = SHMDEV_CREAT | 0x8000 };

FIXTURE_SETUP(open_flags)
{
	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
}

FIXTURE_TEARDOWN(open_flags)
{
	unlink_names(&self->names);
}

/* The open is -EINVAL and creates nothing. */
TEST_F(open_flags, einval_creates_nothing)
{
	const char *n = new_name(&self->names, "reg.flags");
	struct shmdev_region *a;

	EXPECT_EQ(-EINVAL, shmdev_open(n, 4096, variant->flags, 0600, &a));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
}

/* On a region that exists, the create flags and mode change nothing. */
TEST_F(region, create_flags_ignored_on_existing)
{
	const char *n = new_name(&self->names, "reg.flags");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY | SHMDEV_POPULATE,
				 0666, &b));
	ASSERT_EQ(0, shmdev_fstat(b, &st));
	EXPECT_EQ(0, st.region_flags);
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(0, st.resident);
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
	/* Still there: it is not AUTODESTROY. */
	EXPECT_EQ(0, shmdev_stat(n, &st));
}

/* mmap()s of a 4-page region that are refused with EINVAL. */
FIXTURE(bad_mmap) {
	struct test_names names;
	uint64_t pg;
	struct shmdev_region *r;
};

FIXTURE_VARIANT(bad_mmap) {
	uint64_t pages;		/* length, in pages */
	uint64_t offset;	/* in pages */
	int flags;
};

FIXTURE_VARIANT_ADD(bad_mmap, private) { .pages = 1, .offset = 0, .flags = MAP_PRIVATE };
FIXTURE_VARIANT_ADD(bad_mmap, longer_than_region) {
	.pages = 5, .offset = 0, .flags = MAP_SHARED
};
FIXTURE_VARIANT_ADD(bad_mmap, offset_runs_past_end) {
	.pages = 2, .offset = 3, .flags = MAP_SHARED
};
FIXTURE_VARIANT_ADD(bad_mmap, offset_at_end) { .pages = 1, .offset = 4, .flags = MAP_SHARED };

FIXTURE_SETUP(bad_mmap)
{
	self->names.nr = 0;
	self->pg = page_size();
	self->r = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	ASSERT_EQ(0, shmdev_open(new_name(&self->names, "reg.mmap"), 4 * self->pg,
				 SHMDEV_CREAT, 0600, &self->r));
}

FIXTURE_TEARDOWN(bad_mmap)
{
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* The mmap() fails with EINVAL. */
TEST_F(bad_mmap, einval)
{
	void *p = mmap(NULL, variant->pages * self->pg, PROT_READ, variant->flags,
		       shmdev_fd(self->r), variant->offset * self->pg);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

/* A part of the region maps at an offset and shares the region's pages. */
TEST_F(region, mmap_part_at_offset)
{
	const char *n = new_name(&self->names, "reg.mmap");
	struct shmdev_region *a;
	void *p;

	ASSERT_EQ(0, shmdev_open(n, 4 * self->pg, SHMDEV_CREAT, 0600, &a));
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, shmdev_fd(a),
		 3 * self->pg);
	ASSERT_NE(MAP_FAILED, p);
	*(volatile int *)p = 7;
	EXPECT_EQ(7, *(int *)((char *)shmdev_addr(a) + 3 * self->pg));
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * A 4-page AUTODESTROY region @n whose only user is one mapping, moved by
 * mremap() into 8 reserved pages at *@q: the mapping's address, or NULL.
 */
static char *mremap_moved_mapping(struct __test_metadata *_metadata, const char *n,
				  uint64_t pg, char **q)
{
	struct shmdev_attach at;
	char *p;
	int fd;

	ASSERT_LE(0, fd = dev_open()) return NULL;
	ASSERT_EQ(0, raw_attach(fd, n, 4 * pg, SHMDEV_CREAT | SHMDEV_AUTODESTROY,
				0600, &at)) return NULL;
	p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) return NULL;
	close(fd);
	strcpy(p + 3 * pg, "moved");
	*q = mmap(NULL, 8 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, *q) return NULL;
	p = mremap(p, 4 * pg, 4 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, *q);
	ASSERT_EQ(*q, p) return NULL;
	return p;
}

/* Moving the mapping keeps one mapping and its pages. */
TEST_F(region, mremap_move_keeps_mapping)
{
	const char *n = new_name(&self->names, "reg.mremap");
	struct shmdev_stat st;
	char *p, *q;

	p = mremap_moved_mapping(_metadata, n, self->pg, &q);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("moved", p + 3 * self->pg);
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(1, st.mappings);
	EXPECT_EQ(0, st.handles);
	munmap(q, 8 * self->pg);
}

/* Unmapping the middle of a mapping counts two mappings; then one is left. */
TEST_F(region, partial_munmap_splits_mapping)
{
	const char *n = new_name(&self->names, "reg.mremap");
	struct shmdev_stat st;
	char *p, *q;

	p = mremap_moved_mapping(_metadata, n, self->pg, &q);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + self->pg, 2 * self->pg));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(2, st.mappings);
	EXPECT_STREQ("moved", p + 3 * self->pg);
	ASSERT_EQ(0, munmap(p, self->pg));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(1, st.mappings);
	munmap(q, 8 * self->pg);
}

/* When the last piece of a split mapping goes, so does the AUTODESTROY region. */
TEST_F(region, last_piece_frees_autodestroy_region)
{
	const char *n = new_name(&self->names, "reg.mremap");
	struct shmdev_status st0, st1;
	struct shmdev_stat st;
	char *p, *q;

	ASSERT_EQ(0, status_get(&st0));
	p = mremap_moved_mapping(_metadata, n, self->pg, &q);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + self->pg, 2 * self->pg));
	ASSERT_EQ(0, munmap(p, self->pg));
	ASSERT_EQ(0, munmap(p + 3 * self->pg, self->pg));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
	EXPECT_EQ(st0.bytes, st1.bytes);
	munmap(q + 4 * self->pg, 4 * self->pg);
}

/* VmLck of this process, in bytes, or -1. */
static long long vm_locked(void)
{
	char buf[4096], *line;

	if (read_file("/proc/self/status", buf, sizeof(buf)))
		return -1;
	line = strstr(buf, "VmLck:");
	return line ? strtoll(line + 6, NULL, 10) * 1024 : -1;
}

/*
 * mlock(), MAP_LOCKED and mlockall() lock a region's pages, as real-time
 * users expect: the mapping is no special vma.
 */

/* mlock() locks the region's mapping, munlock() unlocks it. */
TEST_F(region, mlock_locks_pages)
{
	const char *n = new_name(&self->names, "reg.mlock");
	uint64_t len = 4 * self->pg;
	struct shmdev_region *r;
	long long base;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, len, SHMDEV_CREAT, 0600, &r));
	p = shmdev_addr(r);
	base = vm_locked();
	ASSERT_LE(0, base);
	ASSERT_EQ(0, mlock(p, len));
	EXPECT_EQ(base + (long long)len, vm_locked());
	ASSERT_EQ(0, munlock(p, len));
	EXPECT_EQ(base, vm_locked());
	EXPECT_EQ(0, shmdev_close(r));
}

/* A MAP_LOCKED mapping of the region is locked until unmapped. */
TEST_F(region, map_locked_locks_pages)
{
	const char *n = new_name(&self->names, "reg.mlock");
	uint64_t len = 4 * self->pg;
	struct shmdev_region *r;
	long long base;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, len, SHMDEV_CREAT, 0600, &r));
	base = vm_locked();
	ASSERT_LE(0, base);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED,
		 shmdev_fd(r), 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(base + (long long)len, vm_locked());
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(base, vm_locked());
	EXPECT_EQ(0, shmdev_close(r));
}

/* mlockall(MCL_CURRENT) locks the region's mapping with the rest. */
TEST_F(region, mlockall_locks_pages)
{
	const char *n = new_name(&self->names, "reg.mlock");
	uint64_t len = 4 * self->pg;
	struct shmdev_region *r;
	long long base;

	ASSERT_EQ(0, shmdev_open(n, len, SHMDEV_CREAT, 0600, &r));
	base = vm_locked();
	ASSERT_LE(0, base);
	ASSERT_EQ(0, mlockall(MCL_CURRENT));
	EXPECT_LE(base + (long long)len, vm_locked());
	EXPECT_EQ(0, munlockall());
	EXPECT_EQ(0, shmdev_close(r));
}

static sigjmp_buf grow_jmp;

static void on_grow_sigbus(int sig)
{
	siglongjmp(grow_jmp, 1);
}

/*
 * mremap() may grow a mapping as it may a file's: inside the region the
 * new pages are the region's; past its end they are SIGBUS, as past a
 * file's end, until the region grows. The grown vma stays counted once.
 * grown_mapping() makes a 2-page region, "second" in its second page, and
 * grows a 1-page mapping of it to 3 pages.
 */
static volatile char *grown_mapping(struct __test_metadata *_metadata, const char *n,
				    uint64_t pg, struct shmdev_region **r)
{
	volatile char *q;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, 2 * pg, SHMDEV_CREAT, 0600, r)) return NULL;
	strcpy((char *)shmdev_addr(*r) + pg, "second");
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, shmdev_fd(*r), 0);
	ASSERT_NE(MAP_FAILED, p) return NULL;
	q = mremap(p, pg, 3 * pg, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q) return NULL;
	return q;
}

/* Inside the region the grown mapping's new pages are the region's, one vma. */
TEST_F(region, mremap_grow_inside_region)
{
	const char *n = new_name(&self->names, "reg.grow");
	struct shmdev_region *r;
	volatile char *q;

	q = grown_mapping(_metadata, n, self->pg, &r);
	ASSERT_NE(NULL, q);
	EXPECT_STREQ("second", (char *)q + self->pg);
	EXPECT_EQ(2, region_stat(r).mappings);
	EXPECT_EQ(0, munmap((void *)q, 3 * self->pg));
	EXPECT_EQ(0, shmdev_close(r));
}

/* Past the region's end the grown mapping is SIGBUS, as past a file's end. */
TEST_F(region, mremap_grow_past_end_sigbus)
{
	const char *n = new_name(&self->names, "reg.grow");
	struct sigaction sa = { .sa_handler = on_grow_sigbus }, old;
	struct shmdev_region *r;
	volatile char *q;

	q = grown_mapping(_metadata, n, self->pg, &r);
	ASSERT_NE(NULL, q);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, &old));
	if (!sigsetjmp(grow_jmp, 1)) {
		q[2 * self->pg] = 1;
		EXPECT_TRUE(false) TH_LOG("no SIGBUS past the region's end");
	}
	sigaction(SIGBUS, &old, NULL);
	EXPECT_EQ(0, munmap((void *)q, 3 * self->pg));
	EXPECT_EQ(0, shmdev_close(r));
}

/* Once the region grows, the page past its old end is the region's. */
TEST_F(region, mremap_grow_then_region_grows)
{
	const char *n = new_name(&self->names, "reg.grow");
	struct shmdev_region *r;
	volatile char *q;

	q = grown_mapping(_metadata, n, self->pg, &r);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(0, shmdev_resize(r, 3 * self->pg));
	q[2 * self->pg] = 7;
	EXPECT_EQ(7, ((char *)shmdev_addr(r))[2 * self->pg]);
	EXPECT_EQ(0, munmap((void *)q, 3 * self->pg));
	EXPECT_EQ(0, shmdev_close(r));
}

/*
 * An attach whose argument is in read-only memory, so that it cannot copy
 * its answer out: the argument (unmapped by the caller) in *@at.
 */
static int attach_ro_arg(struct __test_metadata *_metadata, const char *n, uint64_t pg,
			 struct shmdev_attach **at)
{
	int fd;

	*at = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, *at) return -1;
	(*at)->name = (uintptr_t)n;
	(*at)->name_len = strlen(n);
	(*at)->size = pg;
	(*at)->flags = SHMDEV_CREAT;
	(*at)->mode = 0600;
	ASSERT_EQ(0, mprotect(*at, pg, PROT_READ)) return -1;
	ASSERT_LE(0, fd = dev_open()) return -1;
	EXPECT_EQ(-EFAULT, xioctl(fd, SHMDEV_IOC_ATTACH, *at));
	return fd;
}

/* An attach that cannot copy its answer out is -EFAULT and leaves no region. */
TEST_F(region, create_efault_leaves_nothing)
{
	const char *n = new_name(&self->names, "reg.efault");
	struct shmdev_attach *at;
	int fd;

	ASSERT_LE(0, fd = attach_ro_arg(_metadata, n, self->pg, &at));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	close(fd);
	munmap(at, self->pg);
}

/* After an attach that failed with -EFAULT the handle can still attach. */
TEST_F(region, handle_attaches_after_efault)
{
	const char *n = new_name(&self->names, "reg.efault");
	struct shmdev_attach *at;
	int fd;

	ASSERT_LE(0, fd = attach_ro_arg(_metadata, n, self->pg, &at));
	ASSERT_EQ(0, mprotect(at, self->pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_ATTACH, at));
	EXPECT_EQ(self->pg, at->region_size);
	close(fd);
	munmap(at, self->pg);
}

/*
 * Resize races mmap, munmap and faults: resize holds the region's lock
 * across shmem's truncate, mmap takes it under mmap_lock. Run for 2 s so
 * that lockdep and KASAN on the debug kernels see every order; each call
 * gives one of its documented answers.
 */
TEST_F(region, resize_races_mmap_and_fault)
{
	const char *n = new_name(&self->names, "reg.race");
	struct shmdev_region *r;
	int64_t end;
	pid_t pid;
	long rounds = 0;

	ASSERT_EQ(0, shmdev_open(n, 4 * self->pg, SHMDEV_CREAT, 0600, &r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *c;

		CHILD_ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &c));
		end = now_ns() + 2000000000LL;
		while (now_ns() < end) {
			volatile char *p = mmap(NULL, 4 * self->pg, PROT_READ | PROT_WRITE,
						MAP_SHARED, shmdev_fd(c), 0);

			CHILD_ASSERT_TRUE(p != MAP_FAILED);
			p[0] = 1;
			p[3 * self->pg] = 1;
			CHILD_ASSERT_EQ(0, munmap((void *)p, 4 * self->pg));
		}
		_exit(0);
	}
	end = now_ns() + 2000000000LL;
	while (now_ns() < end) {
		int ret = shmdev_resize(r, (rounds & 1 ? 4 : 8) * self->pg);

		/* Growing always works; shrinking is -EBUSY while mapped. */
		if (ret)
			EXPECT_EQ(-EBUSY, ret);
		if (!(rounds & 1))
			EXPECT_EQ(0, ret);
		((volatile char *)shmdev_addr(r))[0]++;
		rounds++;
	}
	TH_LOG("%ld resizes", rounds);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(r));
}

/*
 * shmdev_remap() follows a region that another handle grew, on read-only
 * handles too, and never resizes: a remap with a stale idea of the size
 * cannot shrink a region that grew again.
 */

/* shmdev_remap() of a read-only handle follows a region another handle grew. */
TEST_F(region, remap_follows_growth)
{
	const char *n = new_name(&self->names, "reg.remap");
	struct shmdev_region *a, *b, *ro;

	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &ro));
	EXPECT_EQ(0, shmdev_remap(b));
	EXPECT_EQ(self->pg, shmdev_size(b));
	ASSERT_EQ(0, shmdev_resize(a, 3 * self->pg));
	strcpy((char *)shmdev_addr(a) + 2 * self->pg, "grown");
	EXPECT_EQ(self->pg, shmdev_size(ro));
	ASSERT_EQ(0, shmdev_remap(ro));
	EXPECT_EQ(3 * self->pg, shmdev_size(ro));
	EXPECT_STREQ("grown", (char *)shmdev_addr(ro) + 2 * self->pg);
	EXPECT_EQ(0, shmdev_close(ro));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A remap with a stale idea of the size does not shrink a region that grew. */
TEST_F(region, remap_never_resizes)
{
	const char *n = new_name(&self->names, "reg.remap");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_resize(a, 3 * self->pg));
	ASSERT_EQ(0, shmdev_remap(b));
	/* b learned the size 3 pages ago; a grows again; b's remap keeps 5. */
	ASSERT_EQ(0, shmdev_resize(a, 5 * self->pg));
	ASSERT_EQ(0, shmdev_remap(b));
	EXPECT_EQ(5 * self->pg, shmdev_size(b));
	EXPECT_EQ(5 * self->pg, region_stat(a).size);
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* shmdev_remap(NULL) is -EINVAL. */
TEST(remap_null_einval)
{
	EXPECT_EQ(-EINVAL, shmdev_remap(NULL));
}

/* With allow_exec=N, PROT_EXEC is refused: mmap() EPERM, mprotect() EACCES. */
TEST_F(region, exec_refused_unless_allowed)
{
	const char *n = new_name(&self->names, "reg.exec");
	struct shmdev_region *a;
	void *p;

	ASSERT_EQ(0, param_set("allow_exec", "N"));
	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0700, &a));
	p = mmap(NULL, self->pg, PROT_READ | PROT_EXEC, MAP_SHARED, shmdev_fd(a), 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, self->pg, PROT_EXEC, MAP_SHARED, shmdev_fd(a), 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mprotect(shmdev_addr(a), self->pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, shmdev_close(a));
}

/* With allow_exec=Y, code stored through one mapping runs from another. */
TEST_F(region, exec_allowed_runs_code)
{
	const char *n = new_name(&self->names, "reg.exec");
	static const unsigned char ret_insn[] = { 0xc3 };	/* x86: ret */
	struct shmdev_region *a;
	char val[16];
	void *p;

	ASSERT_EQ(0, param_set("allow_exec", "Y"));
	ASSERT_EQ(0, param_get("allow_exec", val, sizeof(val)));
	EXPECT_STREQ("Y", val);
	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0700, &a));
	memcpy(shmdev_addr(a), ret_insn, sizeof(ret_insn));
	p = mmap(NULL, self->pg, PROT_READ | PROT_EXEC, MAP_SHARED, shmdev_fd(a), 0);
	ASSERT_NE(MAP_FAILED, p);
#if defined(__x86_64__) || defined(__i386__)
	((void (*)(void))p)();
#endif
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A mapping made while exec is allowed may become executable later. */
TEST_F(region, exec_allowed_mprotect_later)
{
	const char *n = new_name(&self->names, "reg.exec");
	struct shmdev_region *a;
	void *p;

	ASSERT_EQ(0, param_set("allow_exec", "Y"));
	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0700, &a));
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, shmdev_fd(a), 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, mprotect(p, self->pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * Stores are shared with a forked child through the inherited mapping and
 * through the child's own attach; the child shares its parent's handle, not
 * its mapping. (One fork for the three: forks are slow under TCG.)
 */
TEST_F(region, processes_and_fork_share_stores)
{
	const char *n = new_name(&self->names, "reg.share");
	struct shmdev_region *a;
	volatile uint32_t *p;
	int to_child[2], to_parent[2];
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0600, &a));
	p = shmdev_addr(a);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;
		struct shmdev_stat st;
		volatile uint32_t *q;

		/* The inherited mapping is shared... */
		CHILD_ASSERT_EQ(0, pipe_wait(to_child[0]));
		CHILD_ASSERT_EQ(1, p[0]);
		p[1] = 2;
		/* ...and so is a new attach in this process. */
		CHILD_ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
		q = shmdev_addr(b);
		CHILD_ASSERT_EQ(1, q[0]);
		q[2] = 3;
		/* The forked child shares its parent's handle, not its mapping. */
		CHILD_ASSERT_EQ(0, shmdev_fstat(b, &st));
		CHILD_ASSERT_EQ(2, st.handles);
		CHILD_ASSERT_EQ(3, st.mappings);
		CHILD_ASSERT_EQ(0, pipe_post(to_parent[1]));
		_exit(0);
	}
	/* A child that fails closes its end: no read below blocks forever. */
	close(to_parent[1]);
	p[0] = 1;
	ASSERT_EQ(0, pipe_post(to_child[1]));
	ASSERT_EQ(0, pipe_wait(to_parent[0]));
	EXPECT_EQ(2, p[1]);
	EXPECT_EQ(3, p[2]);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A region outlives the process that created it, with its contents. */
TEST_F(region, outlives_creator)
{
	const char *n = new_name(&self->names, "reg.persist");
	struct shmdev_region *a;
	struct shmdev_stat st;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		CHILD_ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0640, &a));
		strcpy(shmdev_addr(a), "left behind");
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(0, st.mappings);
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &a));
	EXPECT_STREQ("left behind", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Unlinking a mapped region removes its name: unlink, open, /proc no longer find it. */
TEST_F(region, unlink_removes_name)
{
	const char *n = new_name(&self->names, "reg.unlink");
	struct shmdev_region *a, *b;
	struct proc_row row;

	ASSERT_EQ(0, shmdev_open(n, 16 * self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("1", proc_col(&row, "handles"));
	EXPECT_STREQ("1", proc_col(&row, "mappings"));
	ASSERT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_open(n, 0, 0, 0, &b));
	EXPECT_EQ(0, proc_find(n, &row, 1));
	EXPECT_EQ(0, shmdev_close(a));
}

/* An unlinked region's handle reports SHMDEV_REGION_UNLINKED and its size. */
TEST_F(region, unlinked_fstat_flags)
{
	const char *n = new_name(&self->names, "reg.unlink");
	struct shmdev_region *a;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 16 * self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_unlink(n));
	ASSERT_EQ(0, shmdev_fstat(a, &st));
	EXPECT_EQ(SHMDEV_REGION_UNLINKED, st.region_flags);
	EXPECT_EQ(16 * self->pg, st.size);
	EXPECT_EQ(0, shmdev_close(a));
}

/* An unlinked region's name is free for a new region at once. */
TEST_F(region, unlinked_name_reusable)
{
	const char *n = new_name(&self->names, "reg.unlink");
	struct shmdev_region *a, *b;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, 16 * self->pg, SHMDEV_CREAT, 0600, &a));
	p = shmdev_addr(a);
	strcpy(p, "still here");
	ASSERT_EQ(0, shmdev_unlink(n));
	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
	EXPECT_EQ(0, ((char *)shmdev_addr(b))[0]);
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(0, shmdev_close(a));
}

/* An unlinked region's memory stays until its last user goes. */
TEST_F(region, unlinked_memory_stays_until_last_user)
{
	const char *n = new_name(&self->names, "reg.unlink");
	struct shmdev_status st0, st1, st2;
	struct shmdev_region *a;
	char *p;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_EQ(0, shmdev_open(n, 16 * self->pg, SHMDEV_CREAT, 0600, &a));
	p = shmdev_addr(a);
	strcpy(p, "still here");
	ASSERT_EQ(0, shmdev_unlink(n));
	EXPECT_STREQ("still here", p);
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions + 1, st1.regions);
	EXPECT_EQ(st0.bytes + 16 * self->pg, st1.bytes);
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, status_get(&st2));
	EXPECT_EQ(st0.regions, st2.regions);
	EXPECT_EQ(st0.bytes, st2.bytes);
}

/* A mapping alone, without a handle, keeps an unlinked region alive. */
TEST_F(region, mapping_alone_keeps_unlinked_region)
{
	const char *n = new_name(&self->names, "reg.maponly");
	struct shmdev_status st0, st1;
	struct shmdev_region *a;
	struct shmdev_attach at;
	uint32_t *p;
	int fd;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, self->pg, SHMDEV_CREAT, 0600, &at));
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	ASSERT_EQ(0, shmdev_unlink(n));
	p[0] = 42;
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions + 1, st1.regions);
	EXPECT_EQ(42, p[0]);
	EXPECT_EQ(0, munmap(p, self->pg));
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
	EXPECT_EQ(-ENOENT, shmdev_open(n, 0, 0, 0, &a));
}

/* shmdev_stat() reports the size, owner, mode and flags the region was made with. */
TEST_F(region, stat_attributes)
{
	const char *n = new_name(&self->names, "reg.stat");
	struct shmdev_region *a;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg, SHMDEV_CREAT, 0640, &a));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(3 * self->pg, st.size);
	EXPECT_EQ(getuid(), st.uid);
	EXPECT_EQ(getgid(), st.gid);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, st.region_flags);
	EXPECT_EQ(0, shmdev_close(a));
}

/* shmdev_stat() counts handles and mappings; resident counts touched pages. */
TEST_F(region, stat_counters)
{
	const char *n = new_name(&self->names, "reg.stat");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg, SHMDEV_CREAT, 0640, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(2, st.handles);
	EXPECT_EQ(2, st.mappings);
	EXPECT_EQ(0, st.resident);
	((char *)shmdev_addr(a))[0] = 1;
	ASSERT_EQ(0, shmdev_fstat(b, &st));
	EXPECT_EQ(1, st.resident);
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* shmdev_fstat() passes on the creator, the last attacher and the times. */
TEST_F(region, stat_pids_and_times)
{
	const char *n = new_name(&self->names, "reg.stat");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;
	struct timespec ts;
	uint64_t before;

	clock_gettime(CLOCK_REALTIME, &ts);
	before = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_close(b));
	ASSERT_EQ(0, shmdev_fstat(a, &st));
	EXPECT_EQ(getpid(), st.creator_pid);
	EXPECT_EQ(getpid(), st.last_pid);
	EXPECT_LE(before, st.ctime);
	EXPECT_LE(st.ctime, st.atime);
	EXPECT_LE(st.atime, st.dtime);
	EXPECT_EQ(0, shmdev_close(a));
}

/* /proc/shmdev's row of a region shows its mode, handles, flags and size. */
TEST_F(region, proc_row)
{
	const char *n = new_name(&self->names, "reg.stat");
	struct shmdev_region *a, *b;
	struct proc_row row;

	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg, SHMDEV_CREAT, 0640, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("0640", proc_col(&row, "mode"));
	EXPECT_STREQ("2", proc_col(&row, "handles"));
	EXPECT_STREQ("-", proc_col(&row, "region_flags"));
	EXPECT_EQ(3 * self->pg, strtoull(proc_col(&row, "size"), NULL, 10));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* shmdev_stat() of a name that does not exist is -ENOENT. */
TEST_F(region, stat_missing_enoent)
{
	struct shmdev_stat st;

	EXPECT_EQ(-ENOENT, shmdev_stat("no such region here", &st));
}

/* Growing keeps the contents; the new pages read zero and can be written. */
TEST_F(region, resize_grow_keeps_contents)
{
	const char *n = new_name(&self->names, "reg.resize");
	struct shmdev_region *a;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, 2 * self->pg, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "kept");
	ASSERT_EQ(0, shmdev_resize(a, 8 * self->pg));
	EXPECT_EQ(8 * self->pg, shmdev_size(a));
	p = shmdev_addr(a);
	EXPECT_STREQ("kept", p);
	p[8 * self->pg - 1] = 'e';
	EXPECT_EQ(0, p[5 * self->pg]);
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * Another handle's mapping keeps its size and blocks shrinking: -EBUSY,
 * and the region is as it was.
 */
TEST_F(region, resize_shrink_busy_while_mapped)
{
	const char *n = new_name(&self->names, "reg.resize");
	struct shmdev_region *a, *b;

	ASSERT_EQ(0, shmdev_open(n, 2 * self->pg, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "kept");
	ASSERT_EQ(0, shmdev_resize(a, 8 * self->pg));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	EXPECT_EQ(8 * self->pg, shmdev_size(b));
	EXPECT_EQ(-EBUSY, shmdev_resize(a, self->pg));
	EXPECT_EQ(8 * self->pg, shmdev_size(a));
	EXPECT_STREQ("kept", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Shrinking rounds up to a page and frees the pages past the new end. */
TEST_F(region, resize_shrink_frees_pages)
{
	const char *n = new_name(&self->names, "reg.resize");
	struct shmdev_region *a;
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_open(n, 8 * self->pg, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "kept");
	((char *)shmdev_addr(a))[8 * self->pg - 1] = 'e';
	ASSERT_EQ(0, shmdev_resize(a, self->pg + 1));
	EXPECT_EQ(2 * self->pg, shmdev_size(a));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(2 * self->pg, st.size);
	/* The page past the new end was freed. */
	EXPECT_EQ(1, st.resident);
	EXPECT_EQ(0, shmdev_close(a));
}

/* Shrunk pages are gone: growing again reads zeros past the kept part. */
TEST_F(region, resize_regrow_reads_zero)
{
	const char *n = new_name(&self->names, "reg.resize");
	struct shmdev_region *a;

	ASSERT_EQ(0, shmdev_open(n, 8 * self->pg, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "kept");
	((char *)shmdev_addr(a))[8 * self->pg - 1] = 'e';
	ASSERT_EQ(0, shmdev_resize(a, 2 * self->pg));
	ASSERT_EQ(0, shmdev_resize(a, 8 * self->pg));
	EXPECT_EQ(0, ((char *)shmdev_addr(a))[8 * self->pg - 1]);
	EXPECT_STREQ("kept", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(a));
}

/* Resizing to 0 is -EINVAL. */
TEST_F(region, resize_zero_einval)
{
	const char *n = new_name(&self->names, "reg.resize");
	struct shmdev_region *a;

	ASSERT_EQ(0, shmdev_open(n, 2 * self->pg, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_resize(a, 0));
	EXPECT_EQ(0, shmdev_close(a));
}

/* SHMDEV_IOC_RESIZE shrinking past a mapping of the same handle is -EBUSY. */
TEST_F(region, resize_raw_busy_while_mapped)
{
	const char *n = new_name(&self->names, "reg.rsraw");
	struct shmdev_resize rs = { .size = self->pg };
	struct shmdev_attach at;
	int fd;
	void *p;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, 4 * self->pg, SHMDEV_CREAT, 0644, &at));
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EBUSY, xioctl(fd, SHMDEV_IOC_RESIZE, &rs));
	munmap(p, self->pg);
	close(fd);
}

/* SHMDEV_IOC_RESIZE through a read-only handle is -EACCES. */
TEST_F(region, resize_raw_read_only_eacces)
{
	const char *n = new_name(&self->names, "reg.rsraw");
	struct shmdev_resize rs = { .size = self->pg };
	struct shmdev_attach at;
	int fd, rfd;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, 4 * self->pg, SHMDEV_CREAT, 0644, &at));
	ASSERT_LE(0, rfd = dev_open());
	ASSERT_EQ(0, raw_attach(rfd, n, 0, SHMDEV_RDONLY, 0, &at));
	EXPECT_EQ(-EACCES, xioctl(rfd, SHMDEV_IOC_RESIZE, &rs));
	close(rfd);
	close(fd);
}

/* After SHMDEV_IOC_RESIZE shrinks a region, mapping past the new end is EINVAL. */
TEST_F(region, resize_raw_then_mmap_past_end_einval)
{
	const char *n = new_name(&self->names, "reg.rsraw");
	struct shmdev_resize rs = { .size = self->pg };
	struct shmdev_attach at;
	int fd;
	void *p;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, 4 * self->pg, SHMDEV_CREAT, 0644, &at));
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_RESIZE, &rs));
	p = mmap(NULL, 2 * self->pg, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/* Every page inside a region can be written and read back without SIGBUS. */
TEST_F(region, no_sigbus_inside_region)
{
	const char *n = new_name(&self->names, "reg.bus");
	struct shmdev_region *a;
	volatile char *p;
	uint64_t i;
	int bus = 0;

	signal(SIGBUS, on_sigbus);
	ASSERT_EQ(0, shmdev_open(n, 32 * self->pg, SHMDEV_CREAT, 0600, &a));
	p = shmdev_addr(a);
	if (sigsetjmp(bus_jmp, 1)) {
		bus = 1;
	} else {
		for (i = 0; i < shmdev_size(a); i += self->pg)
			p[i] = (char)i;
		for (i = 0; i < shmdev_size(a); i += self->pg)
			if (p[i] != (char)i)
				break;
		EXPECT_EQ(shmdev_size(a), i);
	}
	EXPECT_EQ(0, bus);
	signal(SIGBUS, SIG_DFL);
	EXPECT_EQ(0, shmdev_close(a));
}

/* Our IPC namespace's inode number, from /proc/self/ns/ipc. */
static uint64_t own_ipc_ns(void)
{
	char buf[64];
	ssize_t n = readlink("/proc/self/ns/ipc", buf, sizeof(buf) - 1);
	unsigned long long v = 0;

	if (n > 0) {
		buf[n] = '\0';
		sscanf(buf, "ipc:[%llu]", &v);
	}
	return v;
}

/*
 * shmdev_create makes the region and keeps no handle and no mapping;
 * without SHMDEV_EXCL an existing region big enough is success.
 */
TEST_F(region, create_without_mapping)
{
	const char *n = new_name(&self->names, "reg.mk");
	struct shmdev_stat st;

	ASSERT_EQ(0, shmdev_create(n, self->pg + 1, 0, 0640));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(2 * self->pg, st.size);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, st.handles);
	EXPECT_EQ(0, st.mappings);
	EXPECT_EQ(0, st.region_flags);
	EXPECT_EQ(0, shmdev_create(n, 2 * self->pg, SHMDEV_CREAT, 0600));
	EXPECT_EQ(0, shmdev_create(n, 0, 0, 0600));
	/* An existing region smaller than asked for is not enough. */
	EXPECT_EQ(-EINVAL, shmdev_create(n, 3 * self->pg, 0, 0600));
	EXPECT_EQ(-EEXIST, shmdev_create(n, self->pg, SHMDEV_EXCL, 0600));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, st.handles);
}

/* shmdev_create refuses what cannot make a lasting region, and bad names. */
TEST_F(region, create_bad_input)
{
	const char *n = new_name(&self->names, "reg.mkbad");
	char longname[SHMDEV_NAME_MAX + 2];
	struct shmdev_stat st;

	EXPECT_EQ(-EINVAL, shmdev_create(n, self->pg, SHMDEV_AUTODESTROY, 0600));
	EXPECT_EQ(-EINVAL, shmdev_create(n, self->pg, SHMDEV_INIT, 0600));
	EXPECT_EQ(-EINVAL, shmdev_create(n, self->pg, SHMDEV_RDONLY, 0600));
	EXPECT_EQ(-EINVAL, shmdev_create(n, self->pg, 0x8000, 0600));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
	/* Size 0 sizes nothing to create. */
	EXPECT_EQ(-EINVAL, shmdev_create(n, 0, 0, 0600));
	EXPECT_EQ(-EINVAL, shmdev_create(NULL, self->pg, 0, 0600));
	EXPECT_EQ(-EINVAL, shmdev_create("", self->pg, 0, 0600));
	EXPECT_EQ(-EINVAL, shmdev_create("a/b", self->pg, 0, 0600));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, shmdev_create(longname, self->pg, 0, 0600));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &st));
}

/*
 * shmdev_stat_ns and shmdev_unlink_ns take 0 or the caller's own namespace's
 * inode number as the caller's namespace; another number needs
 * CAP_SYS_ADMIN (-EPERM), and one that holds no region is -ENOENT.
 */
TEST_F(region, ns_id_stat_and_unlink)
{
	const char *n = new_name(&self->names, "reg.nsid");
	uint64_t own = own_ipc_ns(), other = own + 0x10000;
	struct shmdev_stat st;
	pid_t pid;

	ASSERT_NE(0, own);
	ASSERT_EQ(0, shmdev_create(n, self->pg, 0, 0644));
	ASSERT_EQ(0, shmdev_stat_ns(n, 0, &st, sizeof(st)));
	EXPECT_EQ(own, st.ns_inum);
	ASSERT_EQ(0, shmdev_stat_ns(n, own, &st, sizeof(st)));
	EXPECT_EQ(own, st.ns_inum);
	EXPECT_EQ(self->pg, st.size);
	EXPECT_EQ(-EINVAL, shmdev_stat_ns(n, own, NULL, sizeof(st)));
	EXPECT_EQ(-EINVAL, shmdev_stat_ns(n, own, &st, SHMDEV_STAT_SIZE_VER0 - 1));
	EXPECT_EQ(-EINVAL, shmdev_stat_ns(NULL, own, &st, sizeof(st)));
	EXPECT_EQ(-EINVAL, shmdev_unlink_ns(NULL, own));
	EXPECT_EQ(-EINVAL, shmdev_unlink_ns("", own));

	/* Without CAP_SYS_ADMIN: another namespace is refused, ours is not. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_ASSERT_EQ(0, setresgid(65534, 65534, 65534));
		CHILD_ASSERT_EQ(0, setresuid(65534, 65534, 65534));
		CHILD_ASSERT_EQ(-EPERM, shmdev_stat_ns(n, other, &st, sizeof(st)));
		CHILD_ASSERT_EQ(-EPERM, shmdev_unlink_ns(n, other));
		CHILD_ASSERT_EQ(0, shmdev_stat_ns(n, own, &st, sizeof(st)));
		/* Not the owner. */
		CHILD_ASSERT_EQ(-EPERM, shmdev_unlink_ns(n, own));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));

	/* Root of the initial namespace: a namespace without regions. */
	EXPECT_EQ(-ENOENT, shmdev_stat_ns(n, other, &st, sizeof(st)));
	EXPECT_EQ(-ENOENT, shmdev_unlink_ns(n, other));
	ASSERT_EQ(0, shmdev_unlink_ns(n, own));
	EXPECT_EQ(-ENOENT, shmdev_stat_ns(n, own, &st, sizeof(st)));
	EXPECT_EQ(-ENOENT, shmdev_unlink_ns(n, 0));
}

/*
 * The library's descriptor of a handle is a file of its region: fstat()
 * reports a regular file of the region's size and mode, the same inode
 * for every handle of the region and another for another region.
 */
TEST_F(region, handle_fd_is_region_file)
{
	const char *n = new_name(&self->names, "reg.file");
	const char *m = new_name(&self->names, "reg.file2");
	struct shmdev_region *a, *b, *c;
	struct stat sa, sb, sc;

	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg, SHMDEV_CREAT, 0640, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_open(m, self->pg, SHMDEV_CREAT, 0600, &c));
	ASSERT_EQ(0, fstat(shmdev_fd(a), &sa));
	ASSERT_EQ(0, fstat(shmdev_fd(b), &sb));
	ASSERT_EQ(0, fstat(shmdev_fd(c), &sc));
	EXPECT_TRUE(S_ISREG(sa.st_mode));
	EXPECT_EQ(0640, sa.st_mode & 07777);
	EXPECT_EQ(3 * self->pg, (uint64_t)sa.st_size);
	EXPECT_EQ(getuid(), sa.st_uid);
	EXPECT_EQ(sa.st_dev, sb.st_dev);
	EXPECT_EQ(sa.st_ino, sb.st_ino);
	EXPECT_NE(sa.st_ino, sc.st_ino);
	/* A resize is the file's size. */
	ASSERT_EQ(0, shmdev_resize(a, 5 * self->pg));
	ASSERT_EQ(0, fstat(shmdev_fd(b), &sb));
	EXPECT_EQ(5 * self->pg, (uint64_t)sb.st_size);
	EXPECT_EQ(0, shmdev_close(a));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(c));
}

/* flock() on a handle locks its region only: not every region, as the device did. */
TEST_F(region, flock_is_per_region)
{
	const char *n = new_name(&self->names, "reg.flock");
	const char *m = new_name(&self->names, "reg.flock2");
	struct shmdev_region *a, *b, *c;

	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	ASSERT_EQ(0, shmdev_open(m, self->pg, SHMDEV_CREAT, 0600, &c));
	ASSERT_EQ(0, flock(shmdev_fd(a), LOCK_EX | LOCK_NB));
	EXPECT_EQ(-1, flock(shmdev_fd(b), LOCK_EX | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, flock(shmdev_fd(c), LOCK_EX | LOCK_NB));
	EXPECT_EQ(0, shmdev_close(a));
	/* Closing the holder's file released its lock. */
	EXPECT_EQ(0, flock(shmdev_fd(b), LOCK_EX | LOCK_NB));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(c));
}

TEST_HARNESS_MAIN
