// SPDX-License-Identifier: GPL-2.0
/* race_test: 16 processes x 2,000 create/open/write/read/unlink on 8 shared names with random kill -9: no crash, no leak. */
/*
 * SHMDEV_RACE_ITERS sets the cycles per worker (default 2000) and
 * SHMDEV_RACE_SECONDS a time budget (default 120, 0: none): on a slow kernel
 * under TCG (PREEMPT_RT runs 16 contending processes ten times slower than
 * the stock kernel, POSIX shm just as much; the KASAN debug kernel more so)
 * the workers stop at the budget and the test checks what they did.
 */
#include <sys/mman.h>
#include <time.h>

#include "common.h"

#define WORKERS		16
#define NAMES		8
#define KILLS		32
#define REGION_PAGES	4

/* Shared by the test and its workers (MAP_SHARED | MAP_ANONYMOUS). */
struct race_shared {
	int iters;		/* per worker slot */
	double deadline;	/* CLOCK_MONOTONIC seconds; 0: none */
	int out_of_time;	/* a worker stopped at the deadline */
	int done[WORKERS];	/* iterations finished by each slot */
	int errors;
	int first_line;		/* where the first error was seen */
	int first_ret;		/* and what it was */
	char names[NAMES][TEST_NAME_LEN];
};

static void race_error(struct race_shared *sh, int line, int ret)
{
	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED) == 0) {
		sh->first_line = line;
		sh->first_ret = ret;
	}
}

#define RACE_CHECK(cond, ret)					\
	do {							\
		if (!(cond))					\
			race_error(sh, __LINE__, (ret));	\
	} while (0)

/*
 * One cycle: create or open a name, check and store a word, read it back,
 * maybe unlink the name, close. Every word of every region only ever holds
 * 0 or its own index, so a page of another region or a stale page shows.
 */
static void race_cycle(struct race_shared *sh, unsigned int *seed)
{
	const char *n = sh->names[rand_r(seed) % NAMES];
	unsigned int flags = SHMDEV_CREAT;
	struct shmdev_region *r;
	volatile uint64_t *p;
	uint64_t off, v;
	int ret;

	if (rand_r(seed) % 4 == 0)
		flags |= SHMDEV_AUTODESTROY;
	ret = shmdev_open(n, REGION_PAGES * page_size(), flags, 0600, &r);
	if (ret) {
		race_error(sh, __LINE__, ret);
		return;
	}
	RACE_CHECK(shmdev_size(r) == REGION_PAGES * page_size(), (int)shmdev_size(r));
	p = shmdev_addr(r);
	off = rand_r(seed) % (shmdev_size(r) / sizeof(*p));
	v = p[off];
	RACE_CHECK(v == 0 || v == off, (int)v);
	p[off] = off;
	RACE_CHECK(p[off] == off, (int)p[off]);
	if (rand_r(seed) % 2) {
		ret = shmdev_unlink(n);
		RACE_CHECK(ret == 0 || ret == -ENOENT, ret);
	}
	if (rand_r(seed) % 8 == 0) {
		struct shmdev_stat st;

		ret = shmdev_stat(n, &st);
		RACE_CHECK(ret == -ENOENT ||
			   (ret == 0 && st.size == REGION_PAGES * page_size()), ret);
	}
	ret = shmdev_close(r);
	RACE_CHECK(ret == 0, ret);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void worker(struct race_shared *sh, int slot)
{
	unsigned int seed = getpid() * 2654435761U ^ (unsigned int)time(NULL);

	while (__atomic_load_n(&sh->done[slot], __ATOMIC_RELAXED) < sh->iters) {
		if (sh->deadline && now_s() >= sh->deadline) {
			sh->out_of_time = 1;
			break;
		}
		race_cycle(sh, &seed);
		__atomic_fetch_add(&sh->done[slot], 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

static pid_t spawn(struct race_shared *sh, int slot)
{
	pid_t pid = fork();

	if (!pid)
		worker(sh, slot);
	return pid;
}

static long total_done(struct race_shared *sh)
{
	long sum = 0;
	int i;

	for (i = 0; i < WORKERS; i++)
		sum += __atomic_load_n(&sh->done[i], __ATOMIC_RELAXED);
	return sum;
}

FIXTURE(race) {
	struct test_names names;
	struct race_shared *sh;
};

FIXTURE_SETUP(race)
{
	const char *iters = getenv("SHMDEV_RACE_ITERS");
	const char *secs = getenv("SHMDEV_RACE_SECONDS");
	int i;

	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	self->sh->iters = iters && atoi(iters) > 0 ? atoi(iters) : 2000;
	self->sh->deadline = secs ? atof(secs) : 120;
	for (i = 0; i < NAMES; i++)
		strcpy(self->sh->names[i], new_name(&self->names, "race"));
}

FIXTURE_TEARDOWN(race)
{
	unlink_names(&self->names);
}

TEST_F_TIMEOUT(race, create_open_unlink_kill9, 900)
{
	struct race_shared *sh = self->sh;
	long target = (long)sh->iters * WORKERS;
	struct shmdev_status st0, st1;
	struct timespec pace = { 0, 5 * 1000 * 1000 };
	unsigned int seed = getpid();
	pid_t pids[WORKERS];
	int i, kills = 0, alive, status, least;
	struct proc_row row;
	double t0, budget;

	ASSERT_EQ(0, status_get(&st0));
	t0 = now_s();
	budget = sh->deadline;
	if (budget)
		sh->deadline = t0 + budget;
	for (i = 0; i < WORKERS; i++)
		ASSERT_LT(0, pids[i] = spawn(sh, i));

	/*
	 * Reap workers, start killed ones again, and kill a random one each time
	 * the work done, or the time spent, passes the next of KILLS evenly
	 * spaced marks.
	 */
	do {
		double part = (double)total_done(sh) / target;

		if (budget && (now_s() - t0) / budget > part)
			part = (now_s() - t0) / budget;
		nanosleep(&pace, NULL);
		alive = 0;
		for (i = 0; i < WORKERS; i++) {
			if (!pids[i])
				continue;
			if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
				if (WIFEXITED(status)) {
					EXPECT_EQ(0, WEXITSTATUS(status));
					pids[i] = 0;
					continue;
				}
				/* Only our SIGKILL may end a worker. */
				ASSERT_EQ(SIGKILL, WTERMSIG(status));
				ASSERT_LT(0, pids[i] = spawn(sh, i));
			}
			alive++;
		}
		if (alive && kills < KILLS && part * (KILLS + 1) >= kills + 1) {
			i = rand_r(&seed) % WORKERS;
			if (pids[i] && !kill(pids[i], SIGKILL))
				kills++;
		}
	} while (alive);

	TH_LOG("%d workers x %d cycles on %d names, %d killed, %.1f s%s",
	       WORKERS, sh->iters, NAMES, kills, now_s() - t0,
	       sh->out_of_time ? "" : " (all cycles done)");
	if (sh->out_of_time)
		TH_LOG("time budget of %.0f s reached after %ld cycles in all", budget,
		       total_done(sh));
	if (sh->errors)
		TH_LOG("first error at line %d: %d", sh->first_line, sh->first_ret);
	EXPECT_EQ(0, sh->errors);
	EXPECT_LE(KILLS / 2, kills);
	/*
	 * Out of time (the debug kernel does about 2,700 cycles in 120 s, the
	 * stock one 32,000 in 30 s), each worker must still have got on.
	 */
	least = sh->out_of_time ? (sh->iters < 10 ? sh->iters : 10) : sh->iters;
	for (i = 0; i < WORKERS; i++)
		EXPECT_LE(least, sh->done[i]);

	/* Whatever is left is persistent and unused: unlinking frees it all. */
	for (i = 0; i < NAMES; i++) {
		int ret = shmdev_unlink(sh->names[i]);

		EXPECT_TRUE(ret == 0 || ret == -ENOENT);
		EXPECT_EQ(-ENOENT, shmdev_stat(sh->names[i], &(struct shmdev_stat){ 0 }));
		EXPECT_EQ(0, proc_find(sh->names[i], &row, 1));
	}
	ASSERT_EQ(0, status_get(&st1));
	EXPECT_EQ(st0.regions, st1.regions);
	EXPECT_EQ(st0.ns_regions, st1.ns_regions);
	EXPECT_EQ(st0.bytes, st1.bytes);
	EXPECT_EQ(st0.user_bytes, st1.user_bytes);
	EXPECT_EQ(st0.handles, st1.handles);
}

TEST_HARNESS_MAIN
