// SPDX-License-Identifier: GPL-2.0
/*
 * standin_test: the library against the user-space stand-in of the module
 * (bench/standin.h), on a machine without the module. make bench-native
 * runs it before the native benchmark, whose figures are only worth
 * something if the stand-in has the module's semantics where the library
 * relies on them: memory shared by name across processes, WAIT comparing
 * the word atomically with going to sleep, WAKE waking, the mutex words
 * registered.
 *
 * Every process has an alarm: a lost wake-up ends the test as a failure
 * instead of hanging it. SHMDEV_STANDIN_BREAK=1 or 2 breaks the stand-in
 * on purpose (bench/standin.h): the test must then fail.
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmdev.h>

#include "standin.h"

#define ALARM_S		60
#define MUTEX_ITERS	200000
#define RING_MSGS	20000
#define RING_OFF	4096
#define RING_MAX_LEN	300
#define MS		1000000LL

#define MAX_NAMES	16

static int passed, failed;
static char prefix[64];

/* The objects of the stand-in behind each region of the test. */
static char objects[MAX_NAMES * 2][192];
static int nr_objects;

/* Whatever a failed test left in /dev/shm: async-signal-safe. */
static void remove_objects(void)
{
	int i;

	for (i = 0; i < nr_objects; i++)
		unlink(objects[i]);
}

static void on_alarm(int sig)
{
	static const char msg[] = "standin_test: timed out (a lost wake-up?)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	remove_objects();
	_exit(1);
}

static void arm(void)
{
	signal(SIGALRM, on_alarm);
	alarm(ALARM_S);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *name_of(const char *what)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s.%s", prefix, what);
	if (nr_objects < MAX_NAMES * 2) {
		snprintf(objects[nr_objects++], sizeof(objects[0]),
			 "/dev/shm/shmdev-standin.%u.m.%s", (unsigned int)getuid(), buf);
		snprintf(objects[nr_objects++], sizeof(objects[0]),
			 "/dev/shm/shmdev-standin.%u.r.%s", (unsigned int)getuid(), buf);
	}
	return buf;
}

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: %s: ", __func__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			return false;					\
		}							\
	} while (0)

/* In a child: exit 0 if @ok. */
static void child_exit(bool ok)
{
	_exit(ok ? 0 : 1);
}

static bool child_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void report(const char *what, bool ok)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

/* Create with SHMDEV_EXCL once; the errnos of the module otherwise. */
static bool test_create_errors(void)
{
	const char *name = name_of("create");
	struct shmdev_region *r, *r2;
	int ret;

	ret = shmdev_open(name, 5000, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	CHECK(shmdev_size(r) == 8192, "size %llu, not rounded to pages",
	      (unsigned long long)shmdev_size(r));
	CHECK(shmdev_handle_id(r) > 0, "handle id %d", shmdev_handle_id(r));
	ret = shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r2);
	CHECK(ret == -EEXIST, "second exclusive create: %d", ret);
	ret = shmdev_open(name, 3 * 4096, 0, 0, &r2);
	CHECK(ret == -EINVAL, "open bigger than the region: %d", ret);
	ret = shmdev_open(name, 0, 0, 0, &r2);
	CHECK(ret == 0, "open: %d", ret);
	CHECK(shmdev_handle_id(r2) != shmdev_handle_id(r), "two handles, one id");
	shmdev_close(r2);
	shmdev_close(r);
	ret = shmdev_unlink(name);
	CHECK(ret == 0, "unlink: %d", ret);
	ret = shmdev_unlink(name);
	CHECK(ret == -ENOENT, "second unlink: %d", ret);
	ret = shmdev_open(name, 0, 0, 0, &r);
	CHECK(ret == -ENOENT, "open after unlink: %d", ret);
	ret = shmdev_open("a/b", 4096, SHMDEV_CREAT, 0600, &r);
	CHECK(ret == -EINVAL, "name with a slash: %d", ret);
	return true;
}

/* A region opened by name in a child is the same memory as the parent's. */
static bool test_shared_by_name(void)
{
	const char *name = name_of("shared");
	struct shmdev_region *r;
	volatile uint32_t *p;
	pid_t pid;
	int ret;

	ret = shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	p = shmdev_addr(r);
	p[0] = 0x5eed;
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct shmdev_region *c;
		volatile uint32_t *q;

		arm();
		if (shmdev_open(name, 0, 0, 0, &c))
			child_exit(false);
		q = shmdev_addr(c);
		q[1] = q[0] + 1;
		shmdev_close(c);
		child_exit(true);
	}
	CHECK(child_ok(pid), "child failed");
	CHECK(p[1] == 0x5eee, "child wrote %#x", p[1]);
	shmdev_close(r);
	shmdev_unlink(name);
	return true;
}

/* WAIT: -EAGAIN when the word differs, -ETIMEDOUT at the deadline. */
static bool test_wait_errors(void)
{
	const char *name = name_of("wait");
	struct shmdev_region *r;
	uint32_t *w;
	double t;
	int ret;

	ret = shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	w = shmdev_addr(r);
	*w = 5;
	/* A timeout, so that a stand-in that sleeps anyway fails, not hangs. */
	ret = shmdev_wait(r, w, 6, 1000 * MS);
	CHECK(ret == -EAGAIN, "wait for a value the word does not hold: %d", ret);
	t = now();
	ret = shmdev_wait(r, w, 5, 50 * MS);
	t = now() - t;
	CHECK(ret == -ETIMEDOUT, "wait 50 ms: %d", ret);
	CHECK(t >= 0.049, "woke after %.3f s of 0.050", t);
	ret = shmdev_wait(r, w, 5, 0);
	CHECK(ret == -ETIMEDOUT, "wait 0: %d", ret);
	ret = shmdev_wait(r, w + 1024, 5, 0);
	CHECK(ret == -EINVAL, "wait past the region: %d", ret);
	shmdev_close(r);
	shmdev_unlink(name);
	return true;
}

/* WAKE wakes a sleeper of another process, and says it did. */
static bool test_wake_other_process(void)
{
	const char *name = name_of("wake");
	struct shmdev_region *r;
	uint32_t *w;
	int ret, woken = 0;
	double t0;
	pid_t pid;

	ret = shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	w = shmdev_addr(r);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct shmdev_region *c;
		uint32_t *cw;

		arm();
		if (shmdev_open(name, 0, 0, 0, &c))
			child_exit(false);
		cw = shmdev_addr(c);
		__atomic_store_n(&cw[1], 1, __ATOMIC_SEQ_CST);	/* about to sleep */
		/* Woken, or the word already moved: both are a wake-up seen. */
		while (__atomic_load_n(&cw[0], __ATOMIC_SEQ_CST) == 0) {
			ret = shmdev_wait(c, &cw[0], 0, 10000 * MS);
			if (ret && ret != -EAGAIN)
				child_exit(false);
		}
		child_exit(true);
	}
	while (!__atomic_load_n(&w[1], __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(50000);		/* let it reach the sleep */
	t0 = now();
	__atomic_store_n(&w[0], 1, __ATOMIC_SEQ_CST);
	ret = shmdev_wake(r, &w[0], 1);
	CHECK(ret >= 0, "wake: %d", ret);
	woken = ret;
	CHECK(child_ok(pid), "the sleeper was not woken");
	CHECK(now() - t0 < 5, "the sleeper woke at its timeout, not by the wake");
	CHECK(woken == 1, "wake reported %d woken of 1 asleep", woken);
	shmdev_close(r);
	shmdev_unlink(name);
	return true;
}

struct counted {
	shmdev_mutex_t m;
	uint64_t counter;
	uint64_t waits[2];
};

static bool mutex_loop(struct shmdev_region *r, struct counted *c, int me)
{
	struct standin_stats st0, st1;
	int i;

	standin_stats(&st0);
	for (i = 0; i < MUTEX_ITERS; i++) {
		volatile uint64_t *v = &c->counter;
		uint64_t x;

		if (shmdev_mutex_lock(r, &c->m, -1))
			return false;
		x = *v;
		/* Now and then hold it long enough for the other to sleep. */
		if (i % 4096 == 0)
			usleep(200);
		*v = x + 1;
		if (shmdev_mutex_unlock(r, &c->m))
			return false;
	}
	standin_stats(&st1);
	c->waits[me] = st1.waits - st0.waits;
	return true;
}

/* Two processes contending: no increment is lost, and they slept. */
static bool test_mutex_contended(void)
{
	const char *name = name_of("mutex");
	struct shmdev_region *r;
	struct counted *c;
	pid_t pid;
	int ret;

	ret = shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	c = shmdev_addr(r);
	ret = shmdev_mutex_init(r, &c->m);
	CHECK(ret == 0, "mutex init: %d", ret);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct shmdev_region *cr;

		arm();
		if (shmdev_open(name, 0, 0, 0, &cr))
			child_exit(false);
		child_exit(mutex_loop(cr, shmdev_addr(cr), 1));
	}
	ret = mutex_loop(r, c, 0);
	CHECK(child_ok(pid), "child failed");
	CHECK(ret, "lock or unlock failed");
	CHECK(c->counter == 2ULL * MUTEX_ITERS, "counter %llu, not %llu",
	      (unsigned long long)c->counter, 2ULL * MUTEX_ITERS);
	CHECK(c->waits[0] + c->waits[1] > 0, "nobody slept: the test proves nothing");
	ret = shmdev_mutex_destroy(r, &c->m);
	CHECK(ret == 0, "destroy: %d", ret);
	ret = shmdev_mutex_destroy(r, &c->m);
	CHECK(ret == -EINVAL, "second destroy: %d", ret);
	printf("# mutex: %llu + %llu waits in the stand-in\n",
	       (unsigned long long)c->waits[0], (unsigned long long)c->waits[1]);
	shmdev_close(r);
	shmdev_unlink(name);
	return true;
}

static size_t msg_len(uint32_t seq)
{
	return 4 + (seq * 7919u) % (RING_MAX_LEN - 4);
}

static void msg_fill(unsigned char *p, uint32_t seq)
{
	size_t i, len = msg_len(seq);

	memcpy(p, &seq, 4);
	for (i = 4; i < len; i++)
		p[i] = (unsigned char)(seq * 31u + i);
}

/*
 * Messages through a ring of the smallest capacity between two processes
 * arrive whole and in order; both sides had to sleep (full and empty).
 */
static bool test_ring(void)
{
	const char *name = name_of("ring");
	unsigned char buf[RING_MAX_LEN], want[RING_MAX_LEN];
	struct standin_stats st0, st1;
	struct shmdev_ring *ring;
	struct shmdev_region *r;
	uint32_t seq;
	pid_t pid;
	int ret;

	ret = shmdev_open(name, RING_OFF + SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY,
			  SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	ret = shmdev_ring_init(r, RING_OFF, SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY);
	CHECK(ret == 0, "ring init: %d", ret);
	ret = shmdev_ring_attach(r, RING_OFF, &ring);
	CHECK(ret == 0, "ring attach: %d", ret);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct shmdev_region *c;
		struct shmdev_ring *pr;

		arm();
		if (shmdev_open(name, 0, 0, 0, &c) || shmdev_ring_attach(c, RING_OFF, &pr))
			child_exit(false);
		for (seq = 0; seq < RING_MSGS; seq++) {
			msg_fill(buf, seq);
			if (shmdev_ring_send(pr, buf, msg_len(seq), 10000 * MS))
				child_exit(false);
		}
		shmdev_ring_close(pr);
		shmdev_close(c);
		child_exit(true);
	}
	standin_stats(&st0);
	for (seq = 0; seq < RING_MSGS; seq++) {
		ret = shmdev_ring_recv(ring, buf, sizeof(buf), 10000 * MS);
		if (ret < 0)
			kill(pid, SIGKILL);
		CHECK(ret >= 0, "recv of message %u: %d", seq, ret);
		msg_fill(want, seq);
		if ((size_t)ret != msg_len(seq) || memcmp(buf, want, ret))
			kill(pid, SIGKILL);
		CHECK((size_t)ret == msg_len(seq), "message %u: %d bytes, not %zu",
		      seq, ret, msg_len(seq));
		CHECK(!memcmp(buf, want, ret), "message %u: wrong contents", seq);
	}
	standin_stats(&st1);
	CHECK(child_ok(pid), "producer failed");
	printf("# ring: the consumer waited %llu times, woke %llu\n",
	       (unsigned long long)(st1.waits - st0.waits),
	       (unsigned long long)(st1.woken - st0.woken));
	shmdev_ring_close(ring);
	shmdev_close(r);
	shmdev_unlink(name);
	return true;
}

/* SHMDEV_AUTODESTROY: the region goes with its last handle, a child's too. */
static bool test_autodestroy(void)
{
	const char *name = name_of("auto");
	struct shmdev_region *r, *r2;
	pid_t pid;
	int ret;

	ret = shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_AUTODESTROY,
			  0600, &r);
	CHECK(ret == 0, "create: %d", ret);
	ret = shmdev_open(name, 0, 0, 0, &r2);
	CHECK(ret == 0, "open: %d", ret);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		shmdev_close(r);	/* shared with the parent: not the last */
		shmdev_close(r2);
		child_exit(true);
	}
	CHECK(child_ok(pid), "child failed");
	shmdev_close(r);
	ret = shmdev_open(name, 0, 0, 0, &r);
	CHECK(ret == 0, "open while a handle remains: %d", ret);
	shmdev_close(r);
	shmdev_close(r2);
	ret = shmdev_open(name, 0, 0, 0, &r);
	CHECK(ret == -ENOENT, "open after the last close: %d", ret);
	return true;
}

/* Nothing of this run is left in /dev/shm. */
static bool test_nothing_left(void)
{
	char pattern[160];
	glob_t g;
	int ret;

	snprintf(pattern, sizeof(pattern), "/dev/shm/shmdev-standin.%u.?.%s.*",
		 (unsigned int)getuid(), prefix);
	ret = glob(pattern, 0, NULL, &g);
	if (!ret)
		fprintf(stderr, "  left: %s\n", g.gl_pathv[0]);
	CHECK(ret == GLOB_NOMATCH, "%zu objects left", ret ? 0 : g.gl_pathc);
	return true;
}

int main(void)
{
	arm();
	snprintf(prefix, sizeof(prefix), "standin_test.%d", (int)getpid());
	report("create, exclusive create, open, unlink", test_create_errors());
	report("a region opened by name is shared memory", test_shared_by_name());
	report("wait: -EAGAIN, -ETIMEDOUT", test_wait_errors());
	report("wake wakes a sleeper of another process", test_wake_other_process());
	report("mutex contended by 2 processes loses no increment", test_mutex_contended());
	report("ring carries messages between processes", test_ring());
	report("autodestroy frees with the last handle", test_autodestroy());
	report("no object left behind", test_nothing_left());
	remove_objects();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
