// SPDX-License-Identifier: GPL-2.0
/* region_test: create/open rules, names, mapping, sharing, lifetime and resize of regions. */
#include <setjmp.h>
#include <sys/mman.h>

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

TEST_F(region, create_open_excl_enoent)
{
	const char *n = new_name(&self->names, "reg.create");
	struct shmdev_region *a, *b;

	EXPECT_EQ(-ENOENT, shmdev_open(n, 0, 0, 0, &a));
	EXPECT_EQ(-ENOENT, shmdev_open(n, 4096, 0, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(-EEXIST, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
	/* CREAT on an existing region opens it. */
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &b));
	EXPECT_EQ(shmdev_size(a), shmdev_size(b));
	EXPECT_NE(shmdev_handle_id(a), shmdev_handle_id(b));
	EXPECT_EQ(0, shmdev_close(b));
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_F(region, size_rules)
{
	const char *n = new_name(&self->names, "reg.size");
	struct shmdev_region *a, *b;

	EXPECT_EQ(-EINVAL, shmdev_open(n, 0, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 1, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(self->pg, shmdev_size(a));
	EXPECT_EQ(0, shmdev_open(n, self->pg, 0, 0, &b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_open(n, 100, 0, 0, &b));
	EXPECT_EQ(self->pg, shmdev_size(b));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(-EINVAL, shmdev_open(n, self->pg + 1, 0, 0, &b));
	EXPECT_EQ(-EINVAL, shmdev_open(n, self->pg + 1, SHMDEV_CREAT, 0600, &b));
	EXPECT_EQ(0, shmdev_close(a));
	n = new_name(&self->names, "reg.size");
	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg + 5, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(4 * self->pg, shmdev_size(a));
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

TEST_F(region, name_rules)
{
	char name[SHMDEV_NAME_MAX + 2], escaped[64];
	struct shmdev_attach at;
	struct shmdev_region *a;
	struct shmdev_stat st;
	struct proc_row row;
	int fd;

	memset(name, 'n', sizeof(name));
	snprintf(name, 16, "reg.%d.", (int)getpid());
	name[strlen(name)] = 'n';
	name[SHMDEV_NAME_MAX] = '\0';
	ASSERT_EQ(0, shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(0, shmdev_close(a));
	EXPECT_EQ(0, shmdev_unlink(name));
	name[SHMDEV_NAME_MAX] = 'n';
	name[SHMDEV_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, shmdev_open(name, 4096, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open("", 4096, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open("a/b", 4096, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open("/", 4096, SHMDEV_CREAT, 0600, &a));
	EXPECT_EQ(-ENAMETOOLONG, shmdev_unlink(name));
	EXPECT_EQ(-EINVAL, shmdev_unlink(""));

	/* The raw ABI: lengths, embedded NUL. */
	ASSERT_LE(0, fd = dev_open());
	EXPECT_EQ(-ENAMETOOLONG, raw_attach_len(fd, name, SHMDEV_NAME_MAX + 1, 4096,
						SHMDEV_CREAT, 0600, &at));
	EXPECT_EQ(-EINVAL, raw_attach_len(fd, "ab\0cd", 5, 4096, SHMDEV_CREAT, 0600, &at));
	EXPECT_EQ(-EINVAL, raw_attach_len(fd, "ab", 0, 4096, SHMDEV_CREAT, 0600, &at));
	/* Names are bytes: not NUL terminated, any byte but '/' and NUL. */
	name[0] = '\x01';
	name[1] = '\xff';
	name[2] = ' ';
	name[3] = '\\';
	snprintf(name + 4, 32, "%d", (int)getpid());
	/* Teardown unlinks it if a check below fails. */
	if (self->names.nr < TEST_NAMES_MAX)
		strcpy(self->names.name[self->names.nr++], name);
	ASSERT_EQ(0, raw_attach_len(fd, name, strlen(name), 4096,
				    SHMDEV_CREAT | SHMDEV_EXCL, 0600, &at));
	close(fd);
	/* /proc/shmdev escapes blanks, backslashes and non-printables in octal. */
	snprintf(escaped, sizeof(escaped), "\\001\\377\\040\\134%d", (int)getpid());
	EXPECT_EQ(1, proc_find(escaped, &row, 1));
	EXPECT_EQ(0, shmdev_stat(name, &st));
	EXPECT_EQ(0, shmdev_unlink(name));
	EXPECT_EQ(0, proc_find(escaped, &row, 1));
}

TEST_F(region, flags_need_creat)
{
	const char *n = new_name(&self->names, "reg.flags");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;

	EXPECT_EQ(-EINVAL, shmdev_open(n, 4096, SHMDEV_EXCL, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open(n, 4096, SHMDEV_AUTODESTROY, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open(n, 4096, SHMDEV_POPULATE, 0600, &a));
	EXPECT_EQ(-EINVAL, shmdev_open(n, 4096, SHMDEV_CREAT | 0x8000, 0600, &a));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));

	/* On a region that exists, the create flags and mode change nothing. */
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY | SHMDEV_POPULATE,
				 0666, &b));
	ASSERT_EQ(0, shmdev_fstat(b, &st));
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(0, st.resident);
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
	/* Still there: it is not AUTODESTROY. */
	EXPECT_EQ(0, shmdev_stat(n, &st));
}

TEST_F(region, mmap_rules)
{
	const char *n = new_name(&self->names, "reg.mmap");
	struct shmdev_region *a;
	int fd;
	void *p;

	ASSERT_EQ(0, shmdev_open(n, 4 * self->pg, SHMDEV_CREAT, 0600, &a));
	fd = shmdev_fd(a);
	p = mmap(NULL, self->pg, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 5 * self->pg, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * self->pg, PROT_READ, MAP_SHARED, fd, 3 * self->pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, fd, 4 * self->pg);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* A part of the region, at an offset. */
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 3 * self->pg);
	ASSERT_NE(MAP_FAILED, p);
	*(volatile int *)p = 7;
	EXPECT_EQ(7, *(int *)((char *)shmdev_addr(a) + 3 * self->pg));
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_F(region, mremap_split_and_partial_unmap)
{
	const char *n = new_name(&self->names, "reg.mremap");
	struct shmdev_status st0, st1;
	struct shmdev_attach at;
	struct shmdev_stat st;
	char *p, *q;
	int fd;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, 4 * self->pg, SHMDEV_CREAT | SHMDEV_AUTODESTROY,
				0600, &at));
	p = mmap(NULL, 4 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	strcpy(p + 3 * self->pg, "moved");
	/* Moving the mapping keeps one mapping and its pages. */
	q = mmap(NULL, 8 * self->pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	p = mremap(p, 4 * self->pg, 4 * self->pg, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	ASSERT_EQ(q, p);
	EXPECT_STREQ("moved", p + 3 * self->pg);
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(1, st.mappings);
	EXPECT_EQ(0, st.handles);
	/* Unmapping the middle splits it in two. */
	ASSERT_EQ(0, munmap(p + self->pg, 2 * self->pg));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(2, st.mappings);
	EXPECT_STREQ("moved", p + 3 * self->pg);
	ASSERT_EQ(0, munmap(p, self->pg));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(1, st.mappings);
	/* The last piece goes: so does the AUTODESTROY region. */
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

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED,
		 shmdev_fd(r), 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(base + (long long)len, vm_locked());
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(base, vm_locked());

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
 */
TEST_F(region, mremap_grow_like_a_file)
{
	const char *n = new_name(&self->names, "reg.grow");
	struct sigaction sa = { .sa_handler = on_grow_sigbus }, old;
	struct shmdev_region *r;
	volatile char *q;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, 2 * self->pg, SHMDEV_CREAT, 0600, &r));
	strcpy((char *)shmdev_addr(r) + self->pg, "second");
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, shmdev_fd(r), 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, self->pg, 3 * self->pg, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("second", (char *)q + self->pg);
	EXPECT_EQ(2, region_stat(r).mappings);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, &old));
	if (!sigsetjmp(grow_jmp, 1)) {
		q[2 * self->pg] = 1;
		EXPECT_TRUE(false) TH_LOG("no SIGBUS past the region's end");
	}
	sigaction(SIGBUS, &old, NULL);
	/* Once the region grows, the same page is the region's. */
	EXPECT_EQ(0, shmdev_resize(r, 3 * self->pg));
	q[2 * self->pg] = 7;
	EXPECT_EQ(7, ((char *)shmdev_addr(r))[2 * self->pg]);
	EXPECT_EQ(0, munmap((void *)q, 3 * self->pg));
	EXPECT_EQ(0, shmdev_close(r));
}

/*
 * An attach that cannot copy its answer out fails with -EFAULT and leaves
 * no region behind: the argument is in read-only memory.
 */
TEST_F(region, create_efault_leaves_nothing)
{
	const char *n = new_name(&self->names, "reg.efault");
	struct shmdev_attach *at;
	int fd;

	at = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, at);
	at->name = (uintptr_t)n;
	at->name_len = strlen(n);
	at->size = self->pg;
	at->flags = SHMDEV_CREAT;
	at->mode = 0600;
	ASSERT_EQ(0, mprotect(at, self->pg, PROT_READ));
	ASSERT_LE(0, fd = dev_open());
	EXPECT_EQ(-EFAULT, xioctl(fd, SHMDEV_IOC_ATTACH, at));
	EXPECT_EQ(-ENOENT, shmdev_stat(n, &(struct shmdev_stat){ 0 }));
	/* The handle is still unattached and can attach. */
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
TEST_F(region, remap_follows_growth_never_resizes)
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
	/* b learned the size 3 pages ago; a grows again; b's remap keeps 5. */
	ASSERT_EQ(0, shmdev_resize(a, 5 * self->pg));
	ASSERT_EQ(0, shmdev_remap(b));
	EXPECT_EQ(5 * self->pg, shmdev_size(b));
	EXPECT_EQ(5 * self->pg, region_stat(a).size);
	EXPECT_EQ(-EINVAL, shmdev_remap(NULL));
	EXPECT_EQ(0, shmdev_close(ro));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_F(region, exec_refused_unless_allowed)
{
	const char *n = new_name(&self->names, "reg.exec");
	static const unsigned char ret_insn[] = { 0xc3 };	/* x86: ret */
	struct shmdev_region *a;
	char val[16];
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

	ASSERT_EQ(0, param_set("allow_exec", "Y"));
	ASSERT_EQ(0, param_get("allow_exec", val, sizeof(val)));
	EXPECT_STREQ("Y", val);
	memcpy(shmdev_addr(a), ret_insn, sizeof(ret_insn));
	p = mmap(NULL, self->pg, PROT_READ | PROT_EXEC, MAP_SHARED, shmdev_fd(a), 0);
	ASSERT_NE(MAP_FAILED, p);
#if defined(__x86_64__) || defined(__i386__)
	/* Code stored through one mapping runs from the other. */
	((void (*)(void))p)();
#endif
	EXPECT_EQ(0, munmap(p, self->pg));
	/* A mapping made while exec is allowed may become executable later. */
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, shmdev_fd(a), 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, mprotect(p, self->pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(0, shmdev_close(a));
}

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

TEST_F(region, unlink_while_mapped)
{
	const char *n = new_name(&self->names, "reg.unlink");
	struct shmdev_status st0, st1, st2;
	struct shmdev_region *a, *b;
	struct shmdev_stat st;
	struct proc_row row;
	char *p;

	ASSERT_EQ(0, status_get(&st0));
	ASSERT_EQ(0, shmdev_open(n, 16 * self->pg, SHMDEV_CREAT, 0600, &a));
	p = shmdev_addr(a);
	strcpy(p, "still here");
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("1", proc_col(&row, "handles"));
	EXPECT_STREQ("1", proc_col(&row, "mappings"));
	ASSERT_EQ(0, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_unlink(n));
	EXPECT_EQ(-ENOENT, shmdev_open(n, 0, 0, 0, &b));
	EXPECT_EQ(0, proc_find(n, &row, 1));
	ASSERT_EQ(0, shmdev_fstat(a, &st));
	EXPECT_EQ(SHMDEV_REGION_UNLINKED, st.flags);
	EXPECT_EQ(16 * self->pg, st.size);
	/* The name is free for a new region at once. */
	ASSERT_EQ(0, shmdev_open(n, self->pg, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
	EXPECT_EQ(0, ((char *)shmdev_addr(b))[0]);
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_unlink(n));
	/* The memory stays until the last user goes. */
	EXPECT_STREQ("still here", p);
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions + 1, st1.regions);
	EXPECT_EQ(st0.bytes + 16 * self->pg, st1.bytes);
	EXPECT_EQ(0, shmdev_close(a));
	ASSERT_EQ(0, status_get(&st2));
	EXPECT_EQ(st0.regions, st2.regions);
	EXPECT_EQ(st0.bytes, st2.bytes);
}

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

TEST_F(region, stat_fields)
{
	const char *n = new_name(&self->names, "reg.stat");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;
	struct proc_row row;

	ASSERT_EQ(0, shmdev_open(n, 3 * self->pg, SHMDEV_CREAT, 0640, &a));
	ASSERT_EQ(0, shmdev_open(n, 0, SHMDEV_RDONLY, 0, &b));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(3 * self->pg, st.size);
	EXPECT_EQ(getuid(), st.uid);
	EXPECT_EQ(getgid(), st.gid);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(2, st.handles);
	EXPECT_EQ(2, st.mappings);
	EXPECT_EQ(0, st.resident);
	((char *)shmdev_addr(a))[0] = 1;
	ASSERT_EQ(0, shmdev_fstat(b, &st));
	EXPECT_EQ(1, st.resident);
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_STREQ("0640", proc_col(&row, "mode"));
	EXPECT_STREQ("2", proc_col(&row, "handles"));
	EXPECT_STREQ("-", proc_col(&row, "region_flags"));
	EXPECT_EQ(3 * self->pg, strtoull(proc_col(&row, "size"), NULL, 10));
	EXPECT_EQ(0, shmdev_close(b));
	EXPECT_EQ(0, shmdev_close(a));
	EXPECT_EQ(-ENOENT, shmdev_stat("no such region here", &st));
}

TEST_F(region, resize_grow_and_shrink)
{
	const char *n = new_name(&self->names, "reg.resize");
	struct shmdev_region *a, *b;
	struct shmdev_stat st;
	char *p;

	ASSERT_EQ(0, shmdev_open(n, 2 * self->pg, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "kept");
	ASSERT_EQ(0, shmdev_resize(a, 8 * self->pg));
	EXPECT_EQ(8 * self->pg, shmdev_size(a));
	p = shmdev_addr(a);
	EXPECT_STREQ("kept", p);
	p[8 * self->pg - 1] = 'e';
	EXPECT_EQ(0, p[5 * self->pg]);

	/* Another handle's mapping keeps its size and blocks shrinking. */
	ASSERT_EQ(0, shmdev_open(n, 0, 0, 0, &b));
	EXPECT_EQ(8 * self->pg, shmdev_size(b));
	EXPECT_EQ(-EBUSY, shmdev_resize(a, self->pg));
	EXPECT_EQ(8 * self->pg, shmdev_size(a));
	EXPECT_STREQ("kept", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(b));
	ASSERT_EQ(0, shmdev_resize(a, self->pg + 1));
	EXPECT_EQ(2 * self->pg, shmdev_size(a));
	ASSERT_EQ(0, shmdev_stat(n, &st));
	EXPECT_EQ(2 * self->pg, st.size);
	/* The page past the new end was freed. */
	EXPECT_EQ(1, st.resident);
	/* Shrunk pages are gone; growing again reads zeros. */
	ASSERT_EQ(0, shmdev_resize(a, 8 * self->pg));
	EXPECT_EQ(0, ((char *)shmdev_addr(a))[8 * self->pg - 1]);
	EXPECT_STREQ("kept", shmdev_addr(a));
	EXPECT_EQ(-EINVAL, shmdev_resize(a, 0));
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_F(region, resize_raw_rules)
{
	const char *n = new_name(&self->names, "reg.rsraw");
	struct shmdev_resize rs = { .size = self->pg };
	struct shmdev_attach at;
	int fd, rfd;
	void *p;

	ASSERT_LE(0, fd = dev_open());
	ASSERT_EQ(0, raw_attach(fd, n, 4 * self->pg, SHMDEV_CREAT, 0644, &at));
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EBUSY, xioctl(fd, SHMDEV_IOC_RESIZE, &rs));
	munmap(p, self->pg);
	ASSERT_LE(0, rfd = dev_open());
	ASSERT_EQ(0, raw_attach(rfd, n, 0, SHMDEV_RDONLY, 0, &at));
	EXPECT_EQ(-EACCES, xioctl(rfd, SHMDEV_IOC_RESIZE, &rs));
	close(rfd);
	EXPECT_EQ(0, xioctl(fd, SHMDEV_IOC_RESIZE, &rs));
	/* Mapping past the new end is refused. */
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

TEST_HARNESS_MAIN
