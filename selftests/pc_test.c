// SPDX-License-Identifier: GPL-2.0
/* pc_test: the two-JVM demo: 64 KiB and its hash, no mismatch under a lock, mismatches without. */
/*
 * A producer fills 64 KiB with random bytes and writes their hash at the
 * end; a consumer hashes them again. Under a shmdev lock (EX to write, SH
 * to read) there is no mismatch; without it there are, which shows the test
 * can fail. SHMDEV_PC_SECONDS (default 5) is the length of each run.
 */
#include <sys/mman.h>

#include "common.h"

#define BUF	(64 * 1024)

struct pc {
	uint8_t data[BUF];
	uint64_t hash;
	uint64_t produced, checked, mismatches;
	uint32_t stop;
};

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static int seconds(void)
{
	const char *s = getenv("SHMDEV_PC_SECONDS");
	int n = s ? atoi(s) : 0;

	/* Each run must fit the harness's 120 s. */
	return n > 0 && n <= 100 ? n : 5;
}

/* Producer or consumer, with its own handle; @locked: take lock 0 around each step. */
static void run(const char *name, int producer, int locked)
{
	struct shmdev_region *r;
	uint64_t x = getpid();
	struct pc *pc;
	size_t i;

	if (shmdev_open(name, 0, 0, 0, &r))
		_exit(1);
	pc = shmdev_addr(r);
	while (!__atomic_load_n(&pc->stop, __ATOMIC_RELAXED)) {
		if (locked && shmdev_lock(r, 0, producer ? SHMDEV_LOCK_EX : SHMDEV_LOCK_SH, -1))
			_exit(2);
		if (producer) {
			for (i = 0; i < BUF; i += 8) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				memcpy((uint8_t *)pc->data + i, &x, 8);
			}
			pc->hash = fnv1a(pc->data, BUF);
			pc->produced++;
		} else if (pc->produced) {
			if (fnv1a(pc->data, BUF) != pc->hash)
				pc->mismatches++;
			pc->checked++;
		}
		if (locked && shmdev_unlock(r, 0))
			_exit(3);
	}
	_exit(0);
}

static void pc_run(struct __test_metadata *_metadata, int locked, struct pc **out,
		   char *name)
{
	struct shmdev_region *r;
	pid_t p, c;

	snprintf(name, 64, "pc.%d.%d", (int)getpid(), locked);
	ASSERT_EQ(0, shmdev_open(name, sizeof(struct pc), SHMDEV_CREAT, 0600, &r));
	p = fork();
	ASSERT_LE(0, p);
	if (!p)
		run(name, 1, locked);
	c = fork();
	ASSERT_LE(0, c);
	if (!c)
		run(name, 0, locked);
	sleep(seconds());
	__atomic_store_n(&((struct pc *)shmdev_addr(r))->stop, 1, __ATOMIC_RELAXED);
	EXPECT_EQ(0, wait_exit(p));
	EXPECT_EQ(0, wait_exit(c));
	*out = shmdev_addr(r);
}

FIXTURE(pc) {
	char name[64];
	struct pc *pc;
};

FIXTURE_SETUP(pc)
{
	self->name[0] = '\0';
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no %s: module not loaded", SHMDEV_DEVICE);
}

FIXTURE_TEARDOWN(pc)
{
	if (self->name[0])
		shmdev_unlink(self->name);
}

TEST_F_TIMEOUT(pc, with_lock_no_mismatch, 120)
{
	pc_run(_metadata, 1, &self->pc, self->name);
	TH_LOG("locked: %llu produced, %llu checked, %llu mismatches",
	       (unsigned long long)self->pc->produced, (unsigned long long)self->pc->checked,
	       (unsigned long long)self->pc->mismatches);
	EXPECT_LT(0, self->pc->produced);
	EXPECT_LT(0, self->pc->checked);
	EXPECT_EQ(0, self->pc->mismatches);
}

TEST_F_TIMEOUT(pc, without_lock_mismatches, 120)
{
	pc_run(_metadata, 0, &self->pc, self->name);
	TH_LOG("unlocked: %llu produced, %llu checked, %llu mismatches",
	       (unsigned long long)self->pc->produced, (unsigned long long)self->pc->checked,
	       (unsigned long long)self->pc->mismatches);
	EXPECT_LT(0, self->pc->produced);
	EXPECT_LT(0, self->pc->checked);
	if (!self->pc->mismatches)
		TH_LOG("no mismatch without the lock in %d s: this machine cannot show %s",
		       seconds(), "that the lock matters, so the locked run proves nothing");
	EXPECT_LT(0, self->pc->mismatches);
}

TEST_HARNESS_MAIN
