// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev-bench: shmdev against what people would use instead, every figure
 * next to its baselines measured in the same run, interleaved with them.
 *
 *   shmdev-bench [--quick] [--rounds N] [--only LETTERS] [SECONDS]
 *
 * Each point of a figure runs ROUNDS rounds (default 5); a round runs the
 * shmdev variant and then each baseline, back to back, so that a machine
 * that slows down or speeds up meanwhile touches them alike. A point takes
 * about SECONDS (default 2) over all its rounds and variants. Reported: the
 * median time per operation over the rounds, its spread (min-max), and the
 * speed-up of shmdev (baseline median / shmdev median) with the spread of
 * the per-round ratios. --quick: 3 rounds of 0.3 s per point.
 *
 *   a  wait/wake round trip between 2 processes: shmdev_wait/shmdev_wake vs
 *      FUTEX_WAIT/FUTEX_WAKE on a MAP_SHARED memfd word, a pipe pair and an
 *      eventfd pair
 *   b  message passing between 2 processes, 64 B to 1 MiB per message: the
 *      ring vs a pipe, a unix stream socket and an eventfd pair handing over
 *      slots of a MAP_SHARED memfd buffer. The producer generates every
 *      message where it is sent from and the consumer checksums it where it
 *      reads it, verifying it: no variant skips the work.
 *   c  1, 2 and 4 producer processes into one consumer, 64 B messages: the
 *      ring vs one pipe (writes of at most PIPE_BUF bytes are atomic) and one
 *      unix SOCK_SEQPACKET socket (a message per send) shared by the writers
 *   d  mutex lock+unlock, by 1 process (uncontended), 2 and 4 processes:
 *      shmdev_mutex vs glibc's robust PTHREAD_PROCESS_SHARED mutex in a
 *      MAP_SHARED memfd
 *   e  region create+map+touch+unmap+unlink vs the same with POSIX shm; the
 *      POSIX shm calls on a shmdev mount vs the tmpfs at /dev/shm; create and
 *      open+map+close with 10, 100, 1,000 and 10,000 regions in existence
 *
 * The table is followed by a TARGETS block (one line per goal: measured,
 * goal, met or MISSED) and by machine-readable lines for bench/plot.sh:
 *
 *   @info key=value ...
 *   @data FIGURE SERIES X MEDIAN_NS MIN_NS MAX_NS
 *   @ratio FIGURE SERIES X MEDIAN MIN MAX   (speed-up of shmdev over SERIES)
 *
 * Built with -DSHMDEV_BENCH_NATIVE (make bench-native: the library over a
 * user-space stand-in of the module, on the host) it runs b, c and d only.
 * Figures a and e need the module, root (max_regions for 10,000 regions)
 * and a tmpfs at /dev/shm (mounted if missing). Under emulation (QEMU TCG)
 * absolute numbers mean little: compare the ratios. A message that arrives
 * changed, out of order or of the wrong length is a failure: exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmdev.h>

#define TMPFS_MAGIC	0x01021994
#define MAX_REGIONS_PARAM "/sys/module/shmdev/parameters/max_regions"

#define MAX_ROUNDS	15
#define MAX_VARIANTS	9
#define MAX_CHILDREN	8

static int rounds = 5;
static double seconds = 2.0;	/* per point of a figure, over its rounds and variants */
static double slice;		/* one variant in one round */
static char prefix[64];
static const char *only;	/* figures to run, NULL: all */
static const char *running = "";	/* the variant being measured, for messages */
static pid_t children[MAX_CHILDREN];
static int nchildren;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void kill_children(void)
{
	int i;

	for (i = 0; i < nchildren; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	nchildren = 0;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "shmdev-bench: %s%s%s: %s\n", running, *running ? ": " : "", what,
		strerror(err < 0 ? -err : err));
	kill_children();
	exit(1);
}

static void check(int ret, const char *what)
{
	if (ret < 0)
		die(what, ret == -1 ? errno : -ret);
}

/* Shared anonymous memory for baselines: a memfd mapped MAP_SHARED. */
static void *shared_mem(size_t size)
{
	int fd = memfd_create("shmdev-bench", MFD_CLOEXEC);
	void *p;

	if (fd < 0 || ftruncate(fd, size))
		die("memfd", errno);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd", errno);
	close(fd);
	return p;
}

static pid_t spawn(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	check(pid, "fork");
	if (pid && nchildren < MAX_CHILDREN)
		children[nchildren++] = pid;
	return pid;
}

/* Reap every child spawned since the last call; any failure ends the run. */
static void wait_children(void)
{
	int i, status;
	bool failed = false;

	for (i = 0; i < nchildren; i++) {
		if (waitpid(children[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = true;
		children[i] = 0;
	}
	nchildren = 0;
	if (failed) {
		fprintf(stderr, "shmdev-bench: %s: a child process failed\n", running);
		exit(1);
	}
}

/* A start line for children: each says it is ready, then waits for go. */
struct gate {
	uint32_t ready, go, stop;
};

static void gate_child(struct gate *g)
{
	__atomic_add_fetch(&g->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&g->go, __ATOMIC_ACQUIRE))
		usleep(50);
}

static void gate_open(struct gate *g, uint32_t n)
{
	while (__atomic_load_n(&g->ready, __ATOMIC_ACQUIRE) < n)
		usleep(50);
	__atomic_store_n(&g->go, 1, __ATOMIC_RELEASE);
}

static bool want(char figure)
{
	return !only || strchr(only, figure);
}

/* ---- statistics and output ---- */

struct series {
	double v[MAX_ROUNDS];	/* seconds per operation, one per round */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void range_of(const double *v, int n, double *lo, double *hi)
{
	int i;

	*lo = *hi = v[0];
	for (i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

static double med(const struct series *s)
{
	return median_of(s->v, rounds);
}

/* Per-round ratios num/den: their median and range. */
static double ratio(const struct series *num, const struct series *den, double *lo, double *hi)
{
	double r[MAX_ROUNDS] = { 0 };
	int i;

	for (i = 0; i < rounds; i++)
		r[i] = num->v[i] / den->v[i];
	range_of(r, rounds, lo, hi);
	return med(num) / med(den);
}

static const char *fmt_time(char *buf, double s)
{
	if (s < 1e-6)
		sprintf(buf, "%.1f ns", s * 1e9);
	else if (s < 1e-3)
		sprintf(buf, "%.2f us", s * 1e6);
	else if (s < 1)
		sprintf(buf, "%.2f ms", s * 1e3);
	else
		sprintf(buf, "%.2f s", s);
	return buf;
}

static const char *fmt_size(char *buf, double x)
{
	if (x >= 1 << 20)
		sprintf(buf, "%g MiB", x / (1 << 20));
	else if (x >= 1024)
		sprintf(buf, "%g KiB", x / 1024);
	else
		sprintf(buf, "%g B", x);
	return buf;
}

static void table_header(void)
{
	printf("%-40s %-15s %10s %21s  %s\n", "benchmark", "variant", "median",
	       "spread (min-max)", "speed-up (min-max)");
}

/*
 * Rows of one point of a figure: series 0 is shmdev's, the rest its
 * baselines, each with shmdev's speed-up over it. @rate: also print
 * operations per second of each variant.
 */
static void report(const char *figure, double x, const char *what, int n,
		   const char *const *names, const struct series *s, bool rate)
{
	char a[32], b[32], c[32], sp[48];
	double lo, hi, r;
	int i;

	for (i = 0; i < n; i++) {
		range_of(s[i].v, rounds, &lo, &hi);
		snprintf(sp, sizeof(sp), "%s - %s", fmt_time(b, lo), fmt_time(c, hi));
		printf("%-40s %-15s %10s %21s", i ? "" : what, names[i], fmt_time(a, med(&s[i])), sp);
		if (i) {
			r = ratio(&s[i], &s[0], &lo, &hi);
			printf("  %6.2fx (%.2f-%.2f)", r, lo, hi);
		} else if (rate) {
			printf("  %24s", "");
		}
		if (rate)
			printf("  %.0fk/s", 1e-3 / med(&s[i]));
		printf("\n");
	}
	for (i = 0; i < n; i++) {
		range_of(s[i].v, rounds, &lo, &hi);
		printf("@data %s %s %.0f %.1f %.1f %.1f\n", figure, names[i], x,
		       med(&s[i]) * 1e9, lo * 1e9, hi * 1e9);
		if (i) {
			r = ratio(&s[i], &s[0], &lo, &hi);
			printf("@ratio %s %s %.0f %.3f %.3f %.3f\n", figure, names[i], x, r, lo, hi);
		}
	}
	fflush(stdout);
}

/*
 * Run @nvar variants of a point @rounds times, interleaved: round 1 of each
 * variant, then round 2 of each, ... Each gets @per of the point's time.
 */
typedef double (*bench_fn)(int variant, void *arg);

static void measure(int nvar, int per, bench_fn fn, void *arg, const char *const *names,
		    struct series *s)
{
	int r, v;

	slice = seconds / (rounds * per);
	for (r = 0; r < rounds; r++)
		for (v = 0; v < nvar; v++) {
			running = names[v];
			s[v].v[r] = fn(v, arg);
			running = "";
		}
}

/* ---- targets ---- */

struct target {
	char what[96];
	double value, lo, hi;
	bool at_most;		/* goal is an upper bound */
	double goal;
	const char *skipped;	/* why it was not measured */
};

static struct target targets[16];
static int ntargets;

static void target(const char *what, double value, double lo, double hi, bool at_most,
		   double goal)
{
	struct target *t = &targets[ntargets++];

	snprintf(t->what, sizeof(t->what), "%s", what);
	t->value = value;
	t->lo = lo;
	t->hi = hi;
	t->at_most = at_most;
	t->goal = goal;
}

static void target_skipped(const char *what, const char *why)
{
	struct target *t = &targets[ntargets++];

	snprintf(t->what, sizeof(t->what), "%s", what);
	t->skipped = why;
}

static int print_targets(void)
{
	int i, missed = 0;

	printf("\nTARGETS (ratios of medians; per-round spread in brackets)\n");
	for (i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];
		bool met = t->at_most ? t->value <= t->goal : t->value >= t->goal;
		char v[48];

		if (t->skipped) {
			printf("TARGET %-58s %-22s %-10s skipped (%s)\n", t->what, "-", "-",
			       t->skipped);
			continue;
		}
		snprintf(v, sizeof(v), "%.2f (%.2f-%.2f)", t->value, t->lo, t->hi);
		printf("TARGET %-58s %-22s %s %-7.2f %s\n", t->what, v, t->at_most ? "<=" : ">=",
		       t->goal, met ? "met" : "MISSED");
		missed += !met;
	}
	return missed;
}

/* ---- a: wait/wake round trips ---- */

#ifndef SHMDEV_BENCH_NATIVE
struct pingpong {
	uint32_t turn;		/* whose turn: 0 or 1 */
	uint32_t stop;
};

enum pp_kind { PP_SHMDEV, PP_FUTEX, PP_PIPE, PP_EVENTFD, PP_NKIND };
static const char *const pp_names[] = { "shmdev", "futex", "pipe", "eventfd" };

struct pp_ctx {
	enum pp_kind kind;
	struct pingpong *pp;
	struct shmdev_region *r;
	int fd[2][2];		/* pipe: fd[to][0 read, 1 write]; eventfd: fd[to][0] */
};

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Side @me sleeps until it is its turn. */
static void pp_wait(struct pp_ctx *c, int me)
{
	uint32_t v;
	uint64_t x;
	char b;

	switch (c->kind) {
	case PP_SHMDEV:
		while ((v = __atomic_load_n(&c->pp->turn, __ATOMIC_ACQUIRE)) != (uint32_t)me) {
			int ret = shmdev_wait(c->r, &c->pp->turn, v, -1);

			if (ret && ret != -EAGAIN && ret != -EINTR)
				die("shmdev_wait", ret);
		}
		break;
	case PP_FUTEX:
		while ((v = __atomic_load_n(&c->pp->turn, __ATOMIC_ACQUIRE)) != (uint32_t)me)
			futex(&c->pp->turn, FUTEX_WAIT, v);
		break;
	case PP_PIPE:
		if (read(c->fd[me][0], &b, 1) != 1)
			die("pipe read", errno);
		break;
	default:
		if (read(c->fd[me][0], &x, 8) != 8)
			die("eventfd read", errno);
		break;
	}
}

/* Side @me hands the turn to the other side. */
static void pp_post(struct pp_ctx *c, int me)
{
	uint64_t one = 1;
	char b = 1;

	switch (c->kind) {
	case PP_SHMDEV:
		__atomic_store_n(&c->pp->turn, !me, __ATOMIC_RELEASE);
		check(shmdev_wake(c->r, &c->pp->turn, 1), "shmdev_wake");
		break;
	case PP_FUTEX:
		__atomic_store_n(&c->pp->turn, !me, __ATOMIC_RELEASE);
		futex(&c->pp->turn, FUTEX_WAKE, 1);
		break;
	case PP_PIPE:
		if (write(c->fd[!me][1], &b, 1) != 1)
			die("pipe write", errno);
		break;
	default:
		if (write(c->fd[!me][0], &one, 8) != 8)
			die("eventfd write", errno);
		break;
	}
}

/* Seconds per round trip (A wakes B, B wakes A) between two processes. */
static double pingpong(int kind, void *unused)
{
	struct pp_ctx c = { .kind = kind };
	struct shmdev_region *r = NULL;
	double t0, t;
	uint64_t n = 0;
	char name[96];
	pid_t pid;
	int i;

	if (kind == PP_SHMDEV) {
		snprintf(name, sizeof(name), "%s.pingpong", prefix);
		check(shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_AUTODESTROY,
				  0600, &r), "create region");
		c.pp = shmdev_addr(r);
	} else {
		c.pp = shared_mem(4096);
	}
	for (i = 0; i < 2; i++) {
		if (kind == PP_PIPE)
			check(pipe(c.fd[i]), "pipe");
		if (kind == PP_EVENTFD)
			check(c.fd[i][0] = eventfd(0, 0), "eventfd");
	}
	pid = spawn();
	if (!pid) {
		/* Side 1, with a handle of its own. */
		if (kind == PP_SHMDEV) {
			check(shmdev_open(name, 0, 0, 0, &c.r), "open region");
			c.pp = shmdev_addr(c.r);
		}
		for (;;) {
			pp_wait(&c, 1);
			if (__atomic_load_n(&c.pp->stop, __ATOMIC_ACQUIRE))
				_exit(0);
			pp_post(&c, 1);
		}
	}
	c.r = r;
	/* Warm up: the child is running and both sides have faulted in. */
	for (i = 0; i < 16; i++) {
		pp_post(&c, 0);
		pp_wait(&c, 0);
	}
	t0 = now();
	do {
		for (i = 0; i < 16; i++) {
			pp_post(&c, 0);
			pp_wait(&c, 0);
		}
		n += 16;
		t = now() - t0;
	} while (t < slice);
	__atomic_store_n(&c.pp->stop, 1, __ATOMIC_RELEASE);
	pp_post(&c, 0);
	wait_children();
	for (i = 0; i < 2; i++) {
		if (kind == PP_PIPE)
			close(c.fd[i][0]), close(c.fd[i][1]);
		if (kind == PP_EVENTFD)
			close(c.fd[i][0]);
	}
	if (r)
		shmdev_close(r);
	else
		munmap(c.pp, 4096);
	return t / n;
}

static void figure_wake(void)
{
	struct series s[PP_NKIND];
	double lo, hi, r;

	measure(PP_NKIND, PP_NKIND, pingpong, NULL, pp_names, s);
	report("wake", 0, "wait/wake round trip, 2 processes", PP_NKIND, pp_names, s, false);
	r = ratio(&s[PP_SHMDEV], &s[PP_FUTEX], &lo, &hi);
	target("wait/wake round trip: shmdev time / futex time", r, lo, hi, true, 1.1);
}
#endif /* !SHMDEV_BENCH_NATIVE */

/* ---- b, c: message passing ---- */

/*
 * A message is @nw 64-bit words: word 0 is its tag (producer id << 48 |
 * sequence number), word i the tag times an odd constant plus i. The
 * consumer sums the words where it reads them and compares the sum with the
 * one the tag gives: a changed byte changes the sum.
 */
#define GEN_K		0x9e3779b97f4a7c15ULL
#define TAG_ID(t)	((t) >> 48)
#define TAG_SEQ(t)	((t) & ((1ULL << 48) - 1))
#define TAG_END		0xffffULL	/* id of a producer's last message */

static void gen(uint64_t *w, size_t nw, uint64_t tag)
{
	uint64_t x = tag * GEN_K;
	size_t i;

	w[0] = tag;
	for (i = 1; i < nw; i++)
		w[i] = x + i;
}

static uint64_t sum_words(const uint64_t *w, size_t nw)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < nw; i++)
		s += w[i];
	return s;
}

static uint64_t expected_sum(uint64_t tag, size_t nw)
{
	return tag + (nw - 1) * (tag * GEN_K) + (uint64_t)nw * (nw - 1) / 2;
}

enum mp_kind { MP_RING, MP_PIPE, MP_STREAM, MP_EVENTFD, MP_SEQPACKET };

#define MSG_MAX		(1u << 20)
#define RING_CAPACITY	(4u << 20)	/* the largest message is capacity / 2 - 8 */
#define EFD_BUFFER	(4u << 20)	/* eventfd: slots of a buffer of the same size */
#define EFD_SLOTS_MAX	1024

struct mp {
	enum mp_kind kind;
	size_t size;		/* bytes per message */
	int producers;
	struct gate *gate;
	char name[96];		/* ring: the region */
	int fd[2];		/* pipe, sockets: [0] read, [1] write */
	int efd_full, efd_empty;	/* eventfd: semaphores of filled and free slots */
	char *slots;		/* eventfd: the shared buffer */
	unsigned int nslots;
	uint64_t next[MAX_CHILDREN];	/* consumer: next sequence number per producer */
	uint64_t msgs;		/* consumer: messages verified */
	int ends;		/* consumer: producers that said they are done */
};

static void write_full(int fd, const void *buf, size_t len)
{
	ssize_t k;

	while (len) {
		k = write(fd, buf, len);
		if (k <= 0)
			die("write", k < 0 ? errno : EIO);
		buf = (const char *)buf + k;
		len -= k;
	}
}

static void read_full(int fd, void *buf, size_t len)
{
	ssize_t k;

	while (len) {
		k = read(fd, buf, len);
		if (k <= 0)
			die("read", k < 0 ? errno : EPIPE);
		buf = (char *)buf + k;
		len -= k;
	}
}

static void efd_take(int fd)
{
	uint64_t x;

	if (read(fd, &x, 8) != 8)
		die("eventfd read", errno);
}

static void efd_give(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, 8) != 8)
		die("eventfd write", errno);
}

static void bad_message(const struct mp *m, const char *why, uint64_t tag)
{
	fprintf(stderr, "shmdev-bench: %s, %zu B messages: message %llu (tag %#llx): %s\n",
		running, m->size, (unsigned long long)m->msgs, (unsigned long long)tag, why);
	kill_children();
	exit(1);
}

/* The consumer's check of one message, read in place at @p. */
static void verify(struct mp *m, const void *p, size_t len)
{
	const uint64_t *w = p;
	size_t nw = m->size / 8;
	uint64_t tag;

	if (len != m->size)
		bad_message(m, "wrong length", 0);
	tag = w[0];
	if (TAG_ID(tag) == TAG_END) {
		if (TAG_SEQ(tag) >= (uint64_t)m->producers)
			bad_message(m, "bad producer id", tag);
		m->ends++;
	} else if (TAG_ID(tag) >= (uint64_t)m->producers ||
		   TAG_SEQ(tag) != m->next[TAG_ID(tag)]) {
		bad_message(m, "out of order", tag);
	} else {
		m->next[TAG_ID(tag)]++;
	}
	if (sum_words(w, nw) != expected_sum(tag, nw))
		bad_message(m, "checksum mismatch", tag);
	m->msgs++;
}

/* A producer process: messages until told to stop, then an end message. */
static void mp_producer(struct mp *m, int id)
{
	struct shmdev_region *r = NULL;
	struct shmdev_ring *ring = NULL;
	size_t nw = m->size / 8;
	uint64_t *buf = NULL, seq, tag;
	bool stop;
	void *p;

	if (m->kind == MP_RING) {
		check(shmdev_open(m->name, 0, 0, 0, &r), "open region");
		check(shmdev_ring_attach(r, 0, &ring), "ring attach");
	} else if (m->kind != MP_EVENTFD) {
		close(m->fd[0]);
		buf = aligned_alloc(64, m->size);
		if (!buf)
			die("malloc", ENOMEM);
	}
	gate_child(m->gate);
	for (seq = 0;; seq++) {
		stop = __atomic_load_n(&m->gate->stop, __ATOMIC_RELAXED);
		tag = stop ? TAG_END << 48 | id : (uint64_t)id << 48 | seq;
		switch (m->kind) {
		case MP_RING:
			check(shmdev_ring_reserve(ring, m->size, &p, -1), "ring reserve");
			gen(p, nw, tag);
			check(shmdev_ring_commit(ring, p), "ring commit");
			break;
		case MP_PIPE:
		case MP_STREAM:
			gen(buf, nw, tag);
			write_full(m->fd[1], buf, m->size);
			break;
		case MP_SEQPACKET:
			gen(buf, nw, tag);
			if (send(m->fd[1], buf, m->size, 0) != (ssize_t)m->size)
				die("send", errno);
			break;
		case MP_EVENTFD:
			efd_take(m->efd_empty);
			gen((uint64_t *)(m->slots + (seq % m->nslots) * m->size), nw, tag);
			efd_give(m->efd_full);
			break;
		}
		if (stop)
			break;
	}
	if (ring)
		shmdev_ring_close(ring);
	if (r)
		shmdev_close(r);
	_exit(0);
}

/* The consumer: receive and verify one message. */
static void mp_consume(struct mp *m, struct shmdev_ring *ring, void *buf)
{
	size_t len;
	void *p;

	switch (m->kind) {
	case MP_RING:
		check(shmdev_ring_peek(ring, &p, &len, -1), "ring peek");
		verify(m, p, len);
		check(shmdev_ring_release(ring), "ring release");
		break;
	case MP_PIPE:
	case MP_STREAM:
		read_full(m->fd[0], buf, m->size);
		verify(m, buf, m->size);
		break;
	case MP_SEQPACKET: {
		ssize_t k = recv(m->fd[0], buf, m->size, 0);

		if (k < 0)
			die("recv", errno);
		verify(m, buf, k);
		break;
	}
	case MP_EVENTFD:
		efd_take(m->efd_full);
		verify(m, m->slots + (m->msgs % m->nslots) * m->size, m->size);
		efd_give(m->efd_empty);
		break;
	}
}

/* Seconds per message of @size bytes from @producers processes to this one. */
static double mp_run(enum mp_kind kind, size_t size, int producers)
{
	struct mp m = { .kind = kind, .size = size, .producers = producers };
	struct shmdev_region *r = NULL;
	struct shmdev_ring *ring = NULL;
	uint64_t n0 = 0, every, n;
	double t0 = 0, t = 0;
	void *buf = NULL;
	int i;

	m.gate = shared_mem(4096);
	switch (kind) {
	case MP_RING: {
		uint64_t sz = SHMDEV_RING_HEADER + RING_CAPACITY;

		snprintf(m.name, sizeof(m.name), "%s.ring", prefix);
		check(shmdev_open(m.name, sz, SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_AUTODESTROY,
				  0600, &r), "create region");
		check(shmdev_ring_init(r, 0, sz), "ring init");	/* clears, so touches, it all */
		check(shmdev_ring_attach(r, 0, &ring), "ring attach");
		break;
	}
	case MP_PIPE:
		check(pipe(m.fd), "pipe");
		break;
	case MP_STREAM:
		check(socketpair(AF_UNIX, SOCK_STREAM, 0, m.fd), "socketpair");
		break;
	case MP_SEQPACKET:
		check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, m.fd), "socketpair");
		break;
	case MP_EVENTFD:
		m.nslots = EFD_BUFFER / size;
		if (m.nslots > EFD_SLOTS_MAX)
			m.nslots = EFD_SLOTS_MAX;
		m.slots = shared_mem(m.nslots * size);
		memset(m.slots, 0, m.nslots * size);
		check(m.efd_full = eventfd(0, EFD_SEMAPHORE), "eventfd");
		check(m.efd_empty = eventfd(m.nslots, EFD_SEMAPHORE), "eventfd");
		break;
	}
	if (kind != MP_RING && kind != MP_EVENTFD) {
		buf = aligned_alloc(64, size);
		if (!buf)
			die("malloc", ENOMEM);
	}
	for (i = 0; i < producers; i++)
		if (!spawn())
			mp_producer(&m, i);
	if (kind != MP_RING && kind != MP_EVENTFD)
		close(m.fd[1]);
	gate_open(m.gate, producers);

	/* Time from the first message on; look at the clock every ~64 KiB. */
	every = size >= 65536 ? 1 : 65536 / size;
	mp_consume(&m, ring, buf);
	t0 = now();
	n0 = m.msgs;
	for (n = 1;; n++) {
		mp_consume(&m, ring, buf);
		if (n % every == 0 && (t = now() - t0) >= slice)
			break;
	}
	n = m.msgs - n0;
	__atomic_store_n(&m.gate->stop, 1, __ATOMIC_RELAXED);
	while (m.ends < producers)
		mp_consume(&m, ring, buf);
	wait_children();

	if (ring)
		shmdev_ring_close(ring);
	if (r)
		shmdev_close(r);
	if (kind != MP_RING && kind != MP_EVENTFD)
		close(m.fd[0]);
	if (kind == MP_EVENTFD) {
		close(m.efd_full);
		close(m.efd_empty);
		munmap(m.slots, m.nslots * size);
	}
	free(buf);
	munmap(m.gate, 4096);
	return t / n;
}

static const enum mp_kind msg_kinds[] = { MP_RING, MP_PIPE, MP_STREAM, MP_EVENTFD };
static const char *const msg_names[] = { "ring", "pipe", "unix", "eventfd" };

static double msg_variant(int v, void *arg)
{
	return mp_run(msg_kinds[v], *(size_t *)arg, 1);
}

static void figure_msg(void)
{
	struct series s[4];
	char what[64], sz[32];
	double r, lo, hi;
	size_t size;

	printf("(b: one producer, one consumer; the producer generates each message in "
	       "place, the consumer verifies its checksum in place)\n");
	for (size = 64; size <= MSG_MAX; size *= 4) {
		measure(4, 4, msg_variant, &size, msg_names, s);
		snprintf(what, sizeof(what), "message passing, %s", fmt_size(sz, size));
		report("msg", size, what, 4, msg_names, s, false);
		if (size == 64) {
			r = ratio(&s[1], &s[0], &lo, &hi);
			target("ring 64 B messages: speed-up over a pipe", r, lo, hi, false, 10);
		}
		if (size == MSG_MAX) {
			r = ratio(&s[2], &s[0], &lo, &hi);
			target("ring 1 MiB messages: speed-up over a unix socket", r, lo, hi,
			       false, 3);
		}
	}
}

static const enum mp_kind prod_kinds[] = { MP_RING, MP_PIPE, MP_SEQPACKET };
static const char *const prod_names[] = {
	"ring", "pipe", "unix-seqpacket",
	"ring", "pipe", "unix-seqpacket",
	"ring", "pipe", "unix-seqpacket",
};
static const int prod_counts[] = { 1, 2, 4 };

static double prod_variant(int v, void *unused)
{
	return mp_run(prod_kinds[v % 3], 64, prod_counts[v / 3]);
}

static void figure_producers(void)
{
	struct series s[9];
	double r, lo, hi;
	char what[64], t[64];
	int i;

	printf("(c: 64 B messages into one consumer; the baselines are one pipe and one "
	       "unix SOCK_SEQPACKET socketpair shared by the producers)\n");
	measure(9, 3, prod_variant, NULL, prod_names, s);
	for (i = 0; i < 3; i++) {
		snprintf(what, sizeof(what), "%d producer%s, 1 consumer, 64 B", prod_counts[i],
			 i ? "s" : "");
		report("producers", prod_counts[i], what, 3, prod_names + 3 * i, s + 3 * i, true);
	}
	/* Aggregate rate at N producers / at 1 = time per message at 1 / at N. */
	for (i = 1; i < 3; i++) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		int useful = prod_counts[i] < cpus - 1 ? prod_counts[i] : cpus - 1;

		r = ratio(&s[0], &s[3 * i], &lo, &hi);
		printf("%-40s %-15s %10.2fx (%.2f-%.2f)\n",
		       i == 1 ? "ring messages/s at N / at 1 producer" : "", prod_counts[i] == 2 ?
		       "2 producers" : "4 producers", r, lo, hi);
		printf("@ratio producers ring-scaling %d %.3f %.3f %.3f\n", prod_counts[i], r, lo, hi);
		if (useful < 1)
			useful = 1;
		/*
		 * One consumer and N producers: at best min(N, CPUs - 1) times the
		 * rate of one producer; the goal is 0.9 of that.
		 */
		snprintf(t, sizeof(t), "ring %d producers: messages/s vs 1 producer",
			 prod_counts[i]);
		target(t, r, lo, hi, false, 0.9 * useful);
	}
}

/* ---- d: mutexes ---- */

struct mutexes {
	shmdev_mutex_t m;
	pthread_mutex_t pm;
	uint64_t counter;
	struct gate gate;
	uint64_t ops[MAX_CHILDREN];
};

struct mutex_arg {
	struct shmdev_region *r;
	struct mutexes *mx, *pmx;
	char name[96];
};

static int pm_lock(pthread_mutex_t *pm)
{
	int ret = pthread_mutex_lock(pm);

	if (ret == EOWNERDEAD)
		ret = pthread_mutex_consistent(pm);
	return ret;
}

static void pthread_robust_init(pthread_mutex_t *pm)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pthread_mutex_init(pm, &a))
		die("pthread_mutex_init", EINVAL);
	pthread_mutexattr_destroy(&a);
}

/* Seconds per lock+unlock pair, nobody else around. */
static double mutex_uncontended(bool shm, struct shmdev_region *r, struct mutexes *mx)
{
	uint64_t n = 0, c0 = mx->counter;
	double t0 = now(), t;
	int i;

	do {
		for (i = 0; i < 1000; i++) {
			if (shm) {
				if (shmdev_mutex_lock(r, &mx->m, -1))
					die("shmdev_mutex_lock", EINVAL);
				mx->counter++;
				shmdev_mutex_unlock(r, &mx->m);
			} else {
				if (pm_lock(&mx->pm))
					die("pthread_mutex_lock", EINVAL);
				mx->counter++;
				pthread_mutex_unlock(&mx->pm);
			}
		}
		n += 1000;
		t = now() - t0;
	} while (t < slice);
	if (mx->counter - c0 != n)
		die("the counter under the mutex is wrong", EIO);
	return t / n;
}

/* Seconds per lock+unlock pair, over @procs processes hammering one mutex. */
static double mutex_contended(bool shm, const char *name, struct mutexes *mx, int procs)
{
	uint64_t total = 0;
	double t0, t;
	int i;

	memset(&mx->gate, 0, sizeof(mx->gate));
	mx->counter = 0;
	for (i = 0; i < procs; i++) {
		if (!spawn()) {
			struct shmdev_region *r = NULL;
			struct mutexes *m = mx;
			uint64_t n = 0;

			if (shm) {
				check(shmdev_open(name, 0, 0, 0, &r), "open region");
				m = shmdev_addr(r);
			}
			gate_child(&m->gate);
			while (!__atomic_load_n(&m->gate.stop, __ATOMIC_RELAXED)) {
				if (shm) {
					if (shmdev_mutex_lock(r, &m->m, -1))
						_exit(1);
					m->counter++;
					shmdev_mutex_unlock(r, &m->m);
				} else {
					if (pm_lock(&m->pm))
						_exit(1);
					m->counter++;
					pthread_mutex_unlock(&m->pm);
				}
				n++;
			}
			m->ops[i] = n;
			if (r)
				shmdev_close(r);
			_exit(0);
		}
	}
	gate_open(&mx->gate, procs);
	t0 = now();
	usleep(slice * 1e6);
	__atomic_store_n(&mx->gate.stop, 1, __ATOMIC_RELAXED);
	t = now() - t0;
	wait_children();
	for (i = 0; i < procs; i++)
		total += mx->ops[i];
	if (mx->counter != total)
		die("the counter under the mutex is wrong", EIO);
	return t / total;
}

static const char *const mutex_names[] = {
	"shmdev", "glibc-robust", "shmdev", "glibc-robust", "shmdev", "glibc-robust",
};
static const int mutex_procs[] = { 1, 2, 4 };

static double mutex_variant(int v, void *arg)
{
	struct mutex_arg *a = arg;
	bool shm = !(v % 2);
	int procs = mutex_procs[v / 2];

	if (procs == 1)
		return mutex_uncontended(shm, a->r, shm ? a->mx : a->pmx);
	return mutex_contended(shm, a->name, shm ? a->mx : a->pmx, procs);
}

static void figure_mutex(void)
{
	struct mutex_arg a;
	struct series s[6];
	double r, lo, hi;
	char what[64], t[80];
	int i;

	snprintf(a.name, sizeof(a.name), "%s.mutex", prefix);
	check(shmdev_open(a.name, 4096, SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_AUTODESTROY, 0600,
			  &a.r), "create region");
	a.mx = shmdev_addr(a.r);
	check(shmdev_mutex_init(a.r, &a.mx->m), "mutex init");
	a.pmx = shared_mem(4096);
	pthread_robust_init(&a.pmx->pm);

	measure(6, 2, mutex_variant, &a, mutex_names, s);
	for (i = 0; i < 3; i++) {
		if (i)
			snprintf(what, sizeof(what), "mutex lock+unlock, %d processes contend",
				 mutex_procs[i]);
		else
			snprintf(what, sizeof(what), "mutex lock+unlock, uncontended");
		report("mutex", mutex_procs[i], what, 2, mutex_names + 2 * i, s + 2 * i, false);
	}
	r = ratio(&s[0], &s[1], &lo, &hi);
	target("mutex uncontended: shmdev time / glibc robust time", r, lo, hi, true, 0.8);
	for (i = 1; i < 3; i++) {
		r = ratio(&s[2 * i + 1], &s[2 * i], &lo, &hi);
		snprintf(t, sizeof(t), "mutex %d processes: speed-up over glibc robust",
			 mutex_procs[i]);
		target(t, r, lo, hi, false, 1.0);
	}
	shmdev_close(a.r);
	munmap(a.pmx, 4096);
}

/* ---- e: regions ---- */

#ifndef SHMDEV_BENCH_NATIVE
static bool posix_shm_ready(void)
{
	struct statfs sf;

	if (!statfs("/dev/shm", &sf) && sf.f_type == TMPFS_MAGIC)
		return true;
	mkdir("/dev/shm", 01777);
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"))
		return false;
	printf("(mounted a tmpfs on /dev/shm for POSIX shm)\n");
	return true;
}

/* Seconds per create + map + touch + unmap + unlink. */
static double region_cycle(bool shm)
{
	char name[96];
	uint64_t n = 0;
	double t0 = now(), t;

	do {
		snprintf(name, sizeof(name), "%s.cycle.%llu", prefix, (unsigned long long)n);
		if (shm) {
			struct shmdev_region *r;

			check(shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r),
			      "create region");
			*(volatile char *)shmdev_addr(r) = 1;
			shmdev_close(r);
			check(shmdev_unlink(name), "unlink region");
		} else {
			char path[100];
			void *p;
			int fd;

			snprintf(path, sizeof(path), "/%s", name);
			fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
			check(fd, "shm_open");
			check(ftruncate(fd, 4096), "ftruncate");
			p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				die("mmap", errno);
			*(volatile char *)p = 1;
			munmap(p, 4096);
			close(fd);
			check(shm_unlink(path), "shm_unlink");
		}
		n++;
		t = now() - t0;
	} while (t < slice);
	return t / n;
}

/*
 * Seconds per POSIX shm cycle in directory @dir: the calls glibc's
 * shm_open() and shm_unlink() make (open with O_CREAT | O_EXCL |
 * O_NOFOLLOW | O_CLOEXEC, unlink), with ftruncate, mmap, a touch, munmap
 * and close between them.
 */
static double path_cycle(const char *dir)
{
	char path[160];
	uint64_t n = 0;
	double t0 = now(), t;

	do {
		void *p;
		int fd;

		snprintf(path, sizeof(path), "%s/%s.pcycle.%llu", dir, prefix,
			 (unsigned long long)n);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		check(fd, "open");
		check(ftruncate(fd, 4096), "ftruncate");
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap", errno);
		*(volatile char *)p = 1;
		munmap(p, 4096);
		close(fd);
		check(unlink(path), "unlink");
		n++;
		t = now() - t0;
	} while (t < slice);
	return t / n;
}

/* A shmdev filesystem mounted on a directory of our own, or NULL. */
static const char *shmdev_fs_mount(void)
{
	static char dir[96];

	snprintf(dir, sizeof(dir), "/tmp/%s.fs", prefix);
	if (mkdir(dir, 0700))
		return NULL;
	if (mount("none", dir, "shmdev", MS_NOSUID | MS_NODEV, NULL)) {
		rmdir(dir);
		return NULL;
	}
	return dir;
}

/* Make regions (or POSIX shm objects) fill.@from .. fill.@to-1 exist. */
static void fill(bool shm, unsigned int from, unsigned int to)
{
	char name[96], path[100];
	unsigned int i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "%s.fill.%u", prefix, i);
		if (shm) {
			/* A raw attach: no mapping, the fastest way to make many. */
			struct shmdev_attach a = { .name = (uintptr_t)name, .name_len = strlen(name),
						   .size = 4096, .flags = SHMDEV_CREAT | SHMDEV_EXCL,
						   .mode = 0600 };
			int fd = open(SHMDEV_DEVICE, O_RDWR | O_CLOEXEC);

			check(fd, "open " SHMDEV_DEVICE);
			check(ioctl(fd, SHMDEV_IOC_ATTACH, &a), "create region");
			close(fd);
		} else {
			int fd;

			snprintf(path, sizeof(path), "/%s", name);
			check(fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600), "shm_open");
			check(ftruncate(fd, 4096), "ftruncate");
			close(fd);
		}
	}
}

static void unfill(bool shm, unsigned int from, unsigned int to)
{
	char name[96], path[100];
	unsigned int i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "%s.fill.%u", prefix, i);
		if (shm) {
			shmdev_unlink(name);
		} else {
			snprintf(path, sizeof(path), "/%s", name);
			shm_unlink(path);
		}
	}
}

/* Seconds per open (attach + map) + close of an existing region, @n existing. */
static double region_open(bool shm, unsigned int n)
{
	char name[96], path[100];
	uint64_t k = 0;
	double t0 = now(), t;

	do {
		snprintf(name, sizeof(name), "%s.fill.%llu", prefix,
			 (unsigned long long)((k * 7919) % n));
		if (shm) {
			struct shmdev_region *r;

			check(shmdev_open(name, 0, 0, 0, &r), "open region");
			shmdev_close(r);
		} else {
			void *p;
			int fd;

			snprintf(path, sizeof(path), "/%s", name);
			check(fd = shm_open(path, O_RDWR, 0), "shm_open");
			p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				die("mmap", errno);
			munmap(p, 4096);
			close(fd);
		}
		k++;
		t = now() - t0;
	} while (t < slice);
	return t / k;
}

static int read_param(unsigned long *v)
{
	FILE *f = fopen(MAX_REGIONS_PARAM, "re");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int write_param(unsigned long v)
{
	FILE *f = fopen(MAX_REGIONS_PARAM, "we");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%lu\n", v) > 0;
	return fclose(f) || !ok ? -1 : 0;
}

static const char *const cycle_names[] = { "shmdev", "posix-shm" };

static double cycle_variant(int v, void *unused)
{
	return region_cycle(!v);
}

static const char *fsdir;
static const char *const fs_names[] = { "shmdev-fs", "tmpfs" };

static double fs_variant(int v, void *unused)
{
	return path_cycle(v ? "/dev/shm" : fsdir);
}

/* At n regions: create cycle and open, each shmdev then POSIX shm. */
static const char *const scale_names[] = { "shmdev", "posix-shm", "shmdev", "posix-shm" };

static double scale_variant(int v, void *arg)
{
	unsigned int n = *(unsigned int *)arg;

	return v < 2 ? region_cycle(!v) : region_open(!(v % 2), n);
}

static void figure_regions(void)
{
	static const unsigned int points[] = { 10, 100, 1000, 10000 };
	struct series s[2], sc[5][4];
	unsigned long saved_max = 0;
	char what[64], lbl[16];
	double q, lo, hi;
	bool posix;
	int i, j, r;

	posix = posix_shm_ready();
	if (!posix) {
		printf("%-40s skipped (no tmpfs at /dev/shm)\n", "regions vs POSIX shm");
		target_skipped("region create+map+unlink: speed-up over POSIX shm",
			       "no tmpfs at /dev/shm");
		target_skipped("region open at 10,000 regions / at 10", "no tmpfs at /dev/shm");
		return;
	}
	measure(2, 2, cycle_variant, NULL, cycle_names, s);
	report("cycle", 0, "region create+map+touch+unmap+unlink", 2, cycle_names, s, false);
	q = ratio(&s[1], &s[0], &lo, &hi);
	target("region create+map+unlink: speed-up over POSIX shm", q, lo, hi, false, 1.0);

	/* The same POSIX shm calls on a shmdev mount and on the tmpfs. */
	fsdir = shmdev_fs_mount();
	if (fsdir) {
		measure(2, 2, fs_variant, NULL, fs_names, s);
		umount(fsdir);
		rmdir(fsdir);
		report("fscycle", 0, "shm_open cycle: shmdev mount vs tmpfs", 2, fs_names, s,
		       false);
	} else {
		printf("%-40s skipped (needs root and the filesystem)\n",
		       "shm_open cycle: shmdev mount vs tmpfs");
	}

	if (read_param(&saved_max) || (saved_max < 10100 && write_param(20000))) {
		printf("%-40s skipped (needs root: max_regions)\n", "create/open at N regions");
		target_skipped("region open at 10,000 regions / at 10", "needs root");
		return;
	}
	/*
	 * Each round climbs from 10 regions to 10,000 and comes back to 10, so
	 * that every count's rounds are spread over the whole figure and a
	 * machine that drifts meanwhile touches them alike.
	 */
	printf("(each round: 10, 100, 1,000, 10,000 regions existing, then back at 10; "
	       "at each, the create cycle, then open+map+close)\n");
	fflush(stdout);
	fill(true, 0, 10);
	fill(false, 0, 10);
	slice = seconds / (rounds * 4);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i <= 4; i++) {
			unsigned int n = i < 4 ? points[i] : 10;

			if (i && i < 4) {
				fill(true, points[i - 1], n);
				fill(false, points[i - 1], n);
			} else if (i == 4) {
				unfill(true, 10, 10000);
				unfill(false, 10, 10000);
			}
			for (j = 0; j < 4; j++) {
				running = scale_names[j];
				sc[i][j].v[r] = scale_variant(j, &n);
				running = "";
			}
		}
	}
	for (i = 0; i <= 4; i++) {
		unsigned int n = i < 4 ? points[i] : 10;

		snprintf(what, sizeof(what), "create+map+unlink, %u%s exist", n,
			 i == 4 ? " (back)" : "");
		report(i == 4 ? "create-back" : "create", n, what, 2, scale_names, sc[i], false);
		snprintf(what, sizeof(what), "open+map+close, %u%s exist", n,
			 i == 4 ? " (back)" : "");
		report(i == 4 ? "open-back" : "open", n, what, 2, scale_names + 2, sc[i] + 2,
		       false);
	}
	unfill(true, 0, 10);
	unfill(false, 0, 10);
	if (saved_max < 10100)
		write_param(saved_max);

	/*
	 * Growth: time at 10,000 over time at 10, per round, where "at 10" is
	 * the mean of that round's runs before the climb and after it.
	 */
	for (j = 0; j < 4; j++) {
		struct series base;
		const char *what_j[] = { "region create", "POSIX shm create", "region open",
					 "POSIX shm open" };

		for (i = 0; i < rounds; i++)
			base.v[i] = (sc[0][j].v[i] + sc[4][j].v[i]) / 2;
		q = ratio(&sc[3][j], &base, &lo, &hi);
		snprintf(what, sizeof(what), "%s: at 10,000 / at 10", what_j[j]);
		snprintf(lbl, sizeof(lbl), "%s", j % 2 ? "posix-shm" : "shmdev");
		printf("%-40s %-15s %10.2fx (%.2f-%.2f)\n", what, lbl, q, lo, hi);
		printf("@ratio growth %s-%s 10000 %.3f %.3f %.3f\n", lbl,
		       j < 2 ? "create" : "open", q, lo, hi);
		if (j == 2)
			target("region open at 10,000 regions / at 10 (flat)", q, lo, hi, true,
			       1.2);
	}
}
#endif /* !SHMDEV_BENCH_NATIVE */

/* ---- main ---- */

static bool under_tcg(void)
{
	char line[256];
	bool tcg = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			tcg = strstr(line, "QEMU") || strstr(line, "TCG");
			break;
		}
	fclose(f);
	return tcg;
}

static void usage(void)
{
	fprintf(stderr, "usage: shmdev-bench [--quick] [--rounds N] [--only LETTERS] [SECONDS]\n"
		"  a wait/wake  b message size  c producers  d mutex  e regions\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char date[32];
	struct utsname u;
	time_t tt = time(NULL);
	bool tcg = under_tcg();
	const char *mode;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			rounds = 3;
			seconds = 0.3;
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				usage();
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (argv[i][0] != '-' && i == argc - 1) {
			seconds = atof(argv[i]);
			if (seconds <= 0)
				usage();
		} else {
			usage();
		}
	}
#ifdef SHMDEV_BENCH_NATIVE
	mode = "native";
#else
	mode = "module";
	if (access(SHMDEV_DEVICE, F_OK)) {
		fprintf(stderr, "shmdev-bench: no %s: load the module first\n", SHMDEV_DEVICE);
		return 1;
	}
#endif
	signal(SIGPIPE, SIG_IGN);
	snprintf(prefix, sizeof(prefix), "bench.%d", (int)getpid());
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&tt));
	printf("shmdev-bench: %s, %ld CPUs, Linux %s, %s; %d rounds, %.2g s per point\n",
	       mode, sysconf(_SC_NPROCESSORS_ONLN), u.release, date, rounds, seconds);
	if (tcg)
		printf("TCG guest (emulated CPU): absolute numbers mean little, compare ratios\n");
	printf("median and spread: time per operation over the rounds; speed-up = baseline "
	       "median / shmdev median,\nin brackets the range of the per-round ratios "
	       "(above 1: shmdev is faster)\n");
	printf("@info mode=%s kernel=%s cpus=%ld tcg=%d date=%s rounds=%d seconds=%g\n\n",
	       mode, u.release, sysconf(_SC_NPROCESSORS_ONLN), tcg, date, rounds, seconds);
	table_header();

#ifdef SHMDEV_BENCH_NATIVE
	if (want('a')) {
		printf("%-40s skipped (needs the module)\n", "wait/wake round trip");
		target_skipped("wait/wake round trip: shmdev time / futex time",
			       "needs the module");
	}
#else
	if (want('a'))
		figure_wake();
#endif
	if (want('b'))
		figure_msg();
	if (want('c'))
		figure_producers();
	if (want('d'))
		figure_mutex();
#ifdef SHMDEV_BENCH_NATIVE
	if (want('e')) {
		printf("%-40s skipped (needs the module)\n", "regions: create, open");
		target_skipped("region create+map+unlink: speed-up over POSIX shm",
			       "needs the module");
		target_skipped("region open at 10,000 regions / at 10", "needs the module");
	}
#else
	if (want('e'))
		figure_regions();
#endif
	i = print_targets();
	printf("%d target%s missed\n", i, i == 1 ? "" : "s");
	return 0;
}
