// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: a structured fuzzer of the module, reproducible from a seed.
 *
 * Several worker processes, each with its own stream of a seeded generator,
 * call every ioctl with valid and mutated argument structures (random
 * flags, sizes, offsets, ids and pointers: NULL, unmapped, read-only, into
 * a region), interleaved with open, close, mmap, munmap, mprotect, mremap,
 * remap_file_pages, madvise, stores into mappings (a peer corrupting words),
 * fork, and kill -9 of the children they forked, on a few handles and a
 * few shared names. A worker survives its own faults (SIGSEGV, SIGBUS),
 * and a SIGALRM every 50 ms ends any call that would sleep without a
 * deadline (an SHMDEV_INIT attach of a region held unready).
 *
 * The kernel is the judge: the VM runner fails the run on any WARNING, BUG,
 * KASAN, lockdep or kmemleak report, and the test itself checks that every
 * worker ended normally and that no region, byte or handle is left once all
 * are gone. It prints the seed and the number of operations done.
 *
 *   SHMDEV_FUZZ_SEED=N     replay a run (default: from the clock)
 *   SHMDEV_FUZZ_SECONDS=S  how long (default 10)
 */
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "common.h"

#define WORKERS		4
#define HANDLES		6
#define MAPS		6
#define NAMES		4
#define CHILD_OPS	40

struct fuzz_map {
	void *addr;
	size_t len;
};

struct fuzz {
	uint64_t rng;
	int fd[HANDLES];
	struct fuzz_map map[MAPS];
	char names[NAMES][48];
	void *ro_page;		/* a read-only page: copy-out faults */
	pid_t kids[4];
	bool child;		/* a forked child: forks no further */
	unsigned long ops;
};

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_access;

static void on_fault(int sig)
{
	if (in_access)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* xorshift64*: small, and the same sequence for the same seed everywhere. */
static uint64_t rnd(struct fuzz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(struct fuzz *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

/* A size: mostly a few pages, sometimes 0, odd, huge or all ones. */
static uint64_t any_size(struct fuzz *f)
{
	switch (below(f, 8)) {
	case 0: return 0;
	case 1: return below(f, 3 * 4096);
	case 2: return ~0ULL - below(f, 4096);
	case 3: return 1ULL << below(f, 64);
	default: return (1 + below(f, 8)) * page_size();
	}
}

/* An offset into a region: aligned words mostly, anything sometimes. */
static uint64_t any_offset(struct fuzz *f)
{
	switch (below(f, 4)) {
	case 0: return rnd(f);
	case 1: return below(f, 9 * 4096);
	default: return below(f, 8 * 1024) * 4;
	}
}

static uint32_t any_flags(struct fuzz *f, uint32_t valid)
{
	return below(f, 4) ? (uint32_t)rnd(f) & valid : (uint32_t)rnd(f);
}

static int *any_fd(struct fuzz *f)
{
	return &f->fd[below(f, HANDLES)];
}

static struct fuzz_map *any_map(struct fuzz *f)
{
	return &f->map[below(f, MAPS)];
}

/* A pointer for an ioctl argument or a name: good, NULL, unmapped, read-only. */
static void *any_ptr(struct fuzz *f, void *good)
{
	switch (below(f, 10)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)rnd(f);
	case 2: return f->ro_page;
	case 3: {
		struct fuzz_map *m = any_map(f);

		return m->addr ? (char *)m->addr + below(f, m->len) : good;
	}
	default: return good;
	}
}

static void fill(struct fuzz *f, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len--)
		*p++ = rnd(f);
}

static void op_attach(struct fuzz *f, int fd)
{
	const char *name = f->names[below(f, NAMES)];
	struct shmdev_attach at = {
		.name = (uintptr_t)any_ptr(f, (void *)name),
		.name_len = below(f, 8) ? strlen(name) : (uint32_t)rnd(f),
		.size = any_size(f),
		.flags = any_flags(f, SHMDEV_ATTACH_VALID_FLAGS),
		.mode = below(f, 4) ? 0600 | (uint32_t)below(f, 0100) : (uint32_t)rnd(f),
	};

	if (below(f, 8))
		at.pad = 0;
	else
		at.pad = rnd(f);
	ioctl(fd, SHMDEV_IOC_ATTACH, any_ptr(f, &at));
}

static void op_ioctl(struct fuzz *f, int fd)
{
	union {
		struct shmdev_api api;
		struct shmdev_name un;
		struct shmdev_region_info info;
		struct shmdev_resize rs;
		struct shmdev_status st;
		struct shmdev_wait wa;
		struct shmdev_wake wk;
		struct shmdev_lock lk;
		struct shmdev_unlock ul;
		struct shmdev_mutex_init mi;
		struct shmdev_mutex_destroy md;
		struct shmdev_owner_id oi;
		struct shmdev_event ev;
		char raw[256];
	} u;
	const char *name = f->names[below(f, NAMES)];
	struct timespec now;
	unsigned long cmd;

	memset(&u, 0, sizeof(u));
	clock_gettime(CLOCK_MONOTONIC, &now);
	switch (below(f, 17)) {
	case 0:
		cmd = SHMDEV_IOC_UNLINK;
		u.un.name = (uintptr_t)any_ptr(f, (void *)name);
		u.un.name_len = below(f, 8) ? strlen(name) : (uint32_t)rnd(f);
		u.un.ns_id = below(f, 4) ? 0 : rnd(f);
		break;
	case 1:
		cmd = SHMDEV_IOC_STAT;
		if (below(f, 2)) {
			u.info.name = (uintptr_t)any_ptr(f, (void *)name);
			u.info.name_len = strlen(name);
		}
		u.info.ns_id = below(f, 4) ? 0 : rnd(f);
		break;
	case 2:
		cmd = SHMDEV_IOC_RESIZE;
		u.rs.size = any_size(f);
		u.rs.flags = below(f, 8) ? 0 : rnd(f);
		break;
	case 3:
		cmd = SHMDEV_IOC_WAIT;
		u.wa.offset = any_offset(f);
		u.wa.expected = below(f, 2) ? 0 : rnd(f);
		/* At most a millisecond from now: the fuzzer must not sleep. */
		u.wa.timeout = below(f, 2) ? 0 : (uint64_t)now.tv_sec * 1000000000ULL +
			       now.tv_nsec + below(f, 1000000);
		break;
	case 4:
		cmd = SHMDEV_IOC_WAKE;
		u.wk.offset = any_offset(f);
		u.wk.nr = below(f, 4) ? 1 + below(f, 3) : rnd(f);
		break;
	case 5:
		cmd = SHMDEV_IOC_LOCK;
		u.lk.id = below(f, 4) ? below(f, SHMDEV_NR_LOCKS) : rnd(f);
		u.lk.mode = any_flags(f, SHMDEV_LOCK_VALID_FLAGS);
		u.lk.timeout = below(f, 2) ? 0 : (uint64_t)now.tv_sec * 1000000000ULL +
			       now.tv_nsec + below(f, 1000000);
		break;
	case 6:
		cmd = SHMDEV_IOC_UNLOCK;
		u.ul.id = below(f, 4) ? below(f, SHMDEV_NR_LOCKS) : rnd(f);
		break;
	case 7:
		cmd = SHMDEV_IOC_MUTEX_INIT;
		u.mi.offset = any_offset(f);
		break;
	case 8:
		cmd = SHMDEV_IOC_NOTIFY;
		break;
	case 9:
		cmd = SHMDEV_IOC_EVENT_WAIT;
		u.ev.seq = below(f, 2) ? 0 : rnd(f);
		u.ev.timeout = 0;
		break;
	case 10:
		cmd = SHMDEV_IOC_STATUS;
		break;
	case 11:
		cmd = SHMDEV_IOC_API;
		break;
	case 14:
		cmd = SHMDEV_IOC_MUTEX_DESTROY;
		u.md.offset = below(f, 2) ? any_offset(f) & ~3ULL : any_offset(f);
		u.md.len = below(f, 4) ? 4 * below(f, 64) : rnd(f);
		u.md.flags = below(f, 8) ? 0 : rnd(f);
		break;
	case 15:
		cmd = SHMDEV_IOC_OWNER_ID;
		u.oi.flags = below(f, 8) ? 0 : rnd(f);
		break;
	case 16:
		cmd = SHMDEV_IOC_READY;
		break;
	case 12:
		/* Any command number of shmdev's magic, any bytes. */
		cmd = _IOC(below(f, 4), SHMDEV_IOC_MAGIC, below(f, 0x20), below(f, 256));
		fill(f, &u, sizeof(u));
		/*
		 * Half the time zero the bytes past the smallest layout, so
		 * that a size longer than the module's gets past the zero
		 * check of its tail (copy_struct_from_user()).
		 */
		if (below(f, 2))
			memset(u.raw + 16, 0, sizeof(u.raw) - 16);
		goto no_sleep;
	default:
		/* Mutated bytes behind a real command. */
		cmd = (unsigned long[]){ SHMDEV_IOC_ATTACH, SHMDEV_IOC_STAT, SHMDEV_IOC_LOCK,
					 SHMDEV_IOC_WAIT, SHMDEV_IOC_MUTEX_INIT,
					 SHMDEV_IOC_EVENT_WAIT, SHMDEV_IOC_MUTEX_DESTROY,
					 SHMDEV_IOC_OWNER_ID }[below(f, 8)];
		fill(f, &u, sizeof(u));
no_sleep:
		/*
		 * A random deadline could sleep for ever: the sleeping calls
		 * get none, at whatever size they are called.
		 */
		if (_IOC_NR(cmd) == _IOC_NR(SHMDEV_IOC_WAIT))
			u.wa.timeout = 0;
		if (_IOC_NR(cmd) == _IOC_NR(SHMDEV_IOC_LOCK))
			u.lk.timeout = 0, u.lk.mode |= SHMDEV_LOCK_NB;
		if (_IOC_NR(cmd) == _IOC_NR(SHMDEV_IOC_EVENT_WAIT))
			u.ev.timeout = 0;
		break;
	}
	ioctl(fd, cmd, any_ptr(f, &u));
}

static void op_map(struct fuzz *f, int fd)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_EXEC, PROT_WRITE };
	struct fuzz_map *m = any_map(f);
	size_t len = (1 + below(f, 8)) * page_size();
	void *p;

	if (m->addr)
		munmap(m->addr, m->len), m->addr = NULL;
	p = mmap(NULL, len, prots[below(f, 5)], below(f, 8) ? MAP_SHARED : MAP_PRIVATE,
		 fd, below(f, 4) * page_size());
	if (p != MAP_FAILED)
		m->addr = p, m->len = len;
}

/* Read or write a mapping, as a peer that corrupts words would. */
static void op_touch(struct fuzz *f, struct fuzz_map *m)
{
	volatile uint32_t *volatile w;

	if (!m->addr)
		return;
	w = (volatile uint32_t *)((char *)m->addr + below(f, m->len / 4) * 4);
	in_access = 1;
	if (!sigsetjmp(fault_jmp, 1)) {
		if (below(f, 2))
			*w = below(f, 2) ? (uint32_t)rnd(f) : 0;
		else
			(void)*w;
	}
	in_access = 0;
}

static void op_vm(struct fuzz *f, struct fuzz_map *m)
{
	static const int advice[] = { MADV_REMOVE, MADV_DONTNEED, MADV_POPULATE_READ,
				      MADV_POPULATE_WRITE, MADV_DONTFORK, MADV_DOFORK,
				      MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT };
	void *p;

	if (!m->addr)
		return;
	switch (below(f, 5)) {
	case 0:
		mprotect(m->addr, m->len, below(f, 8));
		break;
	case 1: {
		size_t len = (1 + below(f, 8)) * page_size();

		p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
		if (p != MAP_FAILED)
			m->addr = p, m->len = len;
		break;
	}
	case 2:
		remap_file_pages(m->addr, m->len, 0, below(f, 4), 0);
		break;
	case 3:
		madvise(m->addr, m->len, advice[below(f, 9)]);
		break;
	default:
		munmap(m->addr, m->len);
		m->addr = NULL;
		break;
	}
}

static void fuzz_one(struct fuzz *f);

/* A child that does a few operations on inherited handles and maps, maybe killed. */
static void on_tick(int sig)
{
	(void)sig;
}

/*
 * A SIGALRM every 50 ms, without SA_RESTART: a call that sleeps with no
 * deadline (an SHMDEV_INIT attach of a region another worker is holding
 * unready) ends with EINTR, so a worker never sleeps past its budget.
 */
static void arm_ticks(void)
{
	struct sigaction sa = { .sa_handler = on_tick };
	struct itimerval it = { { 0, 50000 }, { 0, 50000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void op_fork(struct fuzz *f)
{
	int slot = below(f, 4);
	pid_t pid;

	if (f->child)
		return;
	if (f->kids[slot] > 0) {
		kill(f->kids[slot], SIGKILL);
		waitpid(f->kids[slot], NULL, 0);
		f->kids[slot] = 0;
	}
	pid = fork();
	if (!pid) {
		int i;

		memset(f->kids, 0, sizeof(f->kids));
		f->child = true;
		f->rng ^= (uint64_t)getpid() << 17;
		arm_ticks();	/* timers are not inherited */
		for (i = 0; i < CHILD_OPS; i++)
			fuzz_one(f);
		_exit(0);
	}
	if (pid > 0)
		f->kids[slot] = pid;
}

static void fuzz_one(struct fuzz *f)
{
	int *fd = any_fd(f);

	f->ops++;
	switch (below(f, 16)) {
	case 0:
		if (*fd >= 0)
			close(*fd);
		*fd = open(SHMDEV_DEVICE, (below(f, 4) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		break;
	case 1:
	case 2:
		if (*fd >= 0)
			op_attach(f, *fd);
		break;
	case 3:
		if (*fd >= 0)
			close(*fd), *fd = -1;
		break;
	case 4:
	case 5:
		if (*fd >= 0)
			op_map(f, *fd);
		break;
	case 6:
	case 7:
		op_touch(f, any_map(f));
		break;
	case 8:
		op_vm(f, any_map(f));
		break;
	case 9:
		if (!below(f, 8))
			op_fork(f);
		break;
	default:
		op_ioctl(f, *fd >= 0 ? *fd : f->fd[0]);
		break;
	}
}

static void fuzz_worker(uint64_t seed, int w, int64_t end, unsigned long *ops)
{
	struct fuzz f = { .rng = seed * 0x9e3779b97f4a7c15ULL + w + 1 };
	int i;

	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	for (i = 0; i < HANDLES; i++)
		f.fd[i] = -1;
	for (i = 0; i < NAMES; i++)
		snprintf(f.names[i], sizeof(f.names[i]), "fuzz.%d.%d", (int)getppid(), i);
	f.ro_page = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arm_ticks();
	while (now_ns() < end) {
		fuzz_one(&f);
		ops[w] = f.ops;
	}
	for (i = 0; i < 4; i++)
		if (f.kids[i] > 0)
			kill(f.kids[i], SIGKILL), waitpid(f.kids[i], NULL, 0);
	_exit(0);
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/*
 * Every ioctl, mapping call and process event in random order from several
 * processes for the time budget: every worker ends normally, and nothing is
 * left in the module once all are gone. The harness's timeout is only a
 * backstop: the budget is SHMDEV_FUZZ_SECONDS.
 */
TEST_F_TIMEOUT(fuzz, ioctls_mappings_and_deaths, 7200)
{
	const char *s = getenv("SHMDEV_FUZZ_SEED"), *t = getenv("SHMDEV_FUZZ_SECONDS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)now_ns();
	int64_t seconds = t ? strtoll(t, NULL, 10) : 10, end, settle;
	struct shmdev_status st0, st;
	unsigned long *ops, total = 0;
	pid_t pid[WORKERS];
	char name[48];
	int w, i;

	if (access(SHMDEV_DEVICE, F_OK))
		SKIP(return, "no /dev/shmdev: module not loaded");
	ASSERT_EQ(0, status_get(&st0));
	ops = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ops);
	TH_LOG("seed %llu, %lld s (SHMDEV_FUZZ_SEED, SHMDEV_FUZZ_SECONDS)",
	       (unsigned long long)seed, (long long)seconds);
	end = now_ns() + seconds * 1000000000LL;
	for (w = 0; w < WORKERS; w++) {
		pid[w] = fork();
		ASSERT_LE(0, pid[w]);
		if (!pid[w])
			fuzz_worker(seed, w, end, ops);
	}
	for (w = 0; w < WORKERS; w++) {
		EXPECT_EQ(0, wait_exit(pid[w]));
		total += ops[w];
	}
	TH_LOG("%lu operations in %d workers", total, WORKERS);
	EXPECT_LT(0, total);
	/* Persistent names the workers made go now; then nothing is left. */
	for (i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "fuzz.%d.%d", (int)getpid(), i);
		shmdev_unlink(name);
	}
	/*
	 * What the workers' exits release may still be on its way: a file
	 * whose last reference a kernel thread dropped is put by a worker
	 * (delayed_fput), as is a region whose inode reclaim evicted. A leak
	 * stays; those go within moments.
	 */
	settle = now_ns();
	do {
		ASSERT_EQ(0, status_get(&st));
		if (st.regions == st0.regions && st.bytes == st0.bytes &&
		    st.handles == st0.handles)
			break;
		usleep(20000);
	} while (now_ns() - settle < 10 * 1000000000LL);
	if (now_ns() - settle > 20000000)
		TH_LOG("the module's counts settled after %lld ms",
		       (long long)(now_ns() - settle) / 1000000);
	EXPECT_EQ(st0.regions, st.regions);
	EXPECT_EQ(st0.bytes, st.bytes);
	/* Our own status handle only. */
	EXPECT_EQ(st0.handles, st.handles);
	munmap(ops, page_size());
}

TEST_HARNESS_MAIN
