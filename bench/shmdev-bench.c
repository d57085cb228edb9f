// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev-bench: shmdev against what people would use instead, each figure
 * next to its baseline measured in the same run, on the same machine.
 *
 *   shmdev-bench [SECONDS]   (each figure takes about SECONDS, default 1:
 *                            the best of 3 rounds interleaved with its baselines)
 *
 *   - wait/wake round trip between 2 processes: shmdev_wait/shmdev_wake vs
 *     FUTEX_WAIT/FUTEX_WAKE on a MAP_SHARED memfd word, a pipe pair and an
 *     eventfd pair
 *   - shmdev_mutex lock+unlock, uncontended and with 2 processes contending,
 *     vs a robust PTHREAD_PROCESS_SHARED pthread mutex in shared memory
 *   - region create+map+unlink vs shm_open+ftruncate+mmap+shm_unlink, and
 *     create and open with 10 and with 10,000 regions in existence
 *   - the calls of shm_open+ftruncate+mmap+touch+munmap+shm_unlink on a
 *     shmdev filesystem vs on the tmpfs at /dev/shm
 *   - message ring throughput, 64 B and 4 KiB messages, vs a pipe
 *
 * Needs the module loaded, root (to raise max_regions for 10,000 regions)
 * and a tmpfs at /dev/shm (mounted if missing). Under emulation (QEMU TCG)
 * absolute numbers mean little: compare the ratios.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmdev.h>

#define TMPFS_MAGIC	0x01021994
#define RING_OFF	4096
#define MAX_REGIONS_PARAM "/sys/module/shmdev/parameters/max_regions"

#define ROUNDS	3	/* each figure: the best of 3 rounds, interleaved with its baselines */

static double seconds = 1.0;	/* per figure, over all its rounds */
static double slice;		/* one round */
static char prefix[64];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "shmdev-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
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

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "shmdev-bench: a child process failed\n");
		exit(1);
	}
}

/* ---- output ---- */

static void row(const char *what, const char *mine, const char *base, double speedup)
{
	if (speedup > 0)
		printf("%-40s %-16s %-28s %6.2fx\n", what, mine, base, speedup);
	else
		printf("%-40s %-16s %-28s\n", what, mine, base);
	fflush(stdout);
}

static const char *fmt_time(char *buf, double s)
{
	if (s < 1e-6)
		sprintf(buf, "%.0f ns", s * 1e9);
	else if (s < 1e-3)
		sprintf(buf, "%.2f us", s * 1e6);
	else
		sprintf(buf, "%.2f ms", s * 1e3);
	return buf;
}

static const char *fmt_rate(char *buf, double msgs, double bytes)
{
	sprintf(buf, "%.0fk/s %.0f MB/s", msgs / 1e3, bytes / 1e6);
	return buf;
}

/* ---- wait/wake round trips ---- */

struct pingpong {
	uint32_t turn;		/* whose turn: 0 or 1 */
	uint32_t stop;
	uint64_t rounds;
};

enum pp_kind { PP_SHMDEV, PP_FUTEX, PP_PIPE, PP_EVENTFD };

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
	case PP_EVENTFD:
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
	case PP_EVENTFD:
		if (write(c->fd[!me][0], &one, 8) != 8)
			die("eventfd write", errno);
		break;
	}
}

/* Seconds per round trip (A wakes B, B wakes A) between two processes. */
static double pingpong(enum pp_kind kind)
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
	pid = fork();
	check(pid, "fork");
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
	wait_child(pid);
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

/* ---- mutexes ---- */

struct mutexes {
	shmdev_mutex_t m;
	pthread_mutex_t pm;
	uint64_t counter;
	uint32_t stop;
	uint64_t ops[2];
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
	uint64_t n = 0;
	double t0 = now(), t;
	int i;

	do {
		for (i = 0; i < 1000; i++) {
			if (shm) {
				shmdev_mutex_lock(r, &mx->m, -1);
				mx->counter++;
				shmdev_mutex_unlock(r, &mx->m);
			} else {
				pm_lock(&mx->pm);
				mx->counter++;
				pthread_mutex_unlock(&mx->pm);
			}
		}
		n += 1000;
		t = now() - t0;
	} while (t < slice);
	return t / n;
}

/* Seconds per lock+unlock pair, summed over 2 processes hammering one mutex. */
static double mutex_contended(bool shm, const char *name, struct mutexes *mx)
{
	pid_t pid[2];
	int i;

	mx->stop = 0;
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		check(pid[i], "fork");
		if (!pid[i]) {
			struct shmdev_region *r = NULL;
			struct mutexes *m = mx;
			uint64_t n = 0;

			if (shm) {
				check(shmdev_open(name, 0, 0, 0, &r), "open region");
				m = shmdev_addr(r);
			}
			while (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED)) {
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
			_exit(0);
		}
	}
	usleep(slice * 1e6);
	__atomic_store_n(&mx->stop, 1, __ATOMIC_RELAXED);
	wait_child(pid[0]);
	wait_child(pid[1]);
	return slice / (double)(mx->ops[0] + mx->ops[1]);
}

/* ---- regions ---- */

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

/* Make regions (or POSIX shm objects) fill.0 .. fill.@to-1 exist, from @from. */
static void fill(bool shm, unsigned int from, unsigned int to)
{
	char name[96], path[100];
	unsigned int i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "%s.fill.%u", prefix, i);
		if (shm) {
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

/* ---- ring vs pipe ---- */

struct stopper {
	uint32_t stop;
	uint64_t msgs;
};

/* Messages per second of @size bytes from one process to another. */
static double ring_rate(size_t size, bool ring_not_pipe)
{
	struct stopper *st = shared_mem(4096);
	char *buf = calloc(1, size);
	uint64_t n = 0;
	char name[96];
	double t0, t;
	int pfd[2];
	pid_t pid;

	snprintf(name, sizeof(name), "%s.ring", prefix);
	if (ring_not_pipe) {
		struct shmdev_region *r;
		uint64_t sz = RING_OFF + SHMDEV_RING_HEADER + (1 << 20);

		check(shmdev_open(name, sz, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r), "create region");
		check(shmdev_ring_init(r, RING_OFF, sz - RING_OFF), "ring init");
		shmdev_close(r);
	} else {
		check(pipe(pfd), "pipe");
	}
	pid = fork();
	check(pid, "fork");
	if (!pid) {
		/* The producer: until told to stop, then an empty message. */
		struct shmdev_region *r;
		struct shmdev_ring *ring = NULL;

		if (ring_not_pipe) {
			check(shmdev_open(name, 0, 0, 0, &r), "open region");
			check(shmdev_ring_attach(r, RING_OFF, &ring), "ring attach");
		} else {
			close(pfd[0]);
		}
		while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
			if (ring_not_pipe) {
				if (shmdev_ring_send(ring, buf, size, -1))
					_exit(1);
			} else if (write(pfd[1], buf, size) != (ssize_t)size) {
				_exit(1);
			}
		}
		if (ring_not_pipe && shmdev_ring_send(ring, buf, 0, -1))
			_exit(1);
		_exit(0);
	}

	t0 = now();
	if (ring_not_pipe) {
		struct shmdev_region *r;
		struct shmdev_ring *ring;
		size_t len;
		void *p;

		check(shmdev_open(name, 0, 0, 0, &r), "open region");
		check(shmdev_ring_attach(r, RING_OFF, &ring), "ring attach");
		for (;;) {
			check(shmdev_ring_peek(ring, &p, &len, -1), "ring peek");
			if (!len)
				break;
			memcpy(buf, p, len);	/* what recv does; keeps pipe's copy fair */
			shmdev_ring_release(ring);
			if (++n % 1024 == 0 && now() - t0 >= slice)
				__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
		}
		t = now() - t0;
		shmdev_ring_release(ring);
		shmdev_ring_close(ring);
		shmdev_unlink(name);
		shmdev_close(r);
	} else {
		close(pfd[1]);
		for (;;) {
			size_t got = 0;
			ssize_t k = 1;

			while (got < size && (k = read(pfd[0], buf + got, size - got)) > 0)
				got += k;
			if (got < size)
				break;
			if (++n % 1024 == 0 && now() - t0 >= slice)
				__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
		}
		t = now() - t0;
		close(pfd[0]);
	}
	wait_child(pid);
	free(buf);
	munmap(st, 4096);
	return n / t;
}

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

static double min(double a, double b)
{
	return a < b ? a : b;
}

static double max(double a, double b)
{
	return a > b ? a : b;
}

/* Best time per operation of create+unlink and of open+close, @n regions existing. */
static void scaling(unsigned int n, double *create, double *open_shm, double *open_posix,
		    bool posix)
{
	int i;

	*create = *open_shm = *open_posix = 1e9;
	for (i = 0; i < ROUNDS; i++) {
		*create = min(*create, region_cycle(true));
		*open_shm = min(*open_shm, region_open(true, n));
		if (posix)
			*open_posix = min(*open_posix, region_open(false, n));
	}
}

static void growth_row(const char *what, double at10, double at10k, double back)
{
	char a[32], b[64], c[32];

	snprintf(b, sizeof(b), "%s, back at 10: %s", fmt_time(c, at10k), fmt_time(a, back));
	row(what, fmt_time(a, at10), b, 0);
	printf("%-40s %-16s %-28s %6.2fx\n", "  time at 10,000 / time at 10", "", "",
	       at10k / min(at10, back));
}

int main(int argc, char **argv)
{
	double s = 1e9, f = 1e9, p = 1e9, e = 1e9;
	char a[64], b[64], c[96], name[96];
	struct shmdev_region *r;
	struct mutexes *mx, *pmx;
	struct utsname u;
	unsigned long saved_max = 0;
	const char *fsdir;
	bool posix;
	int i;

	if (argc > 1)
		seconds = atof(argv[1]);
	if (seconds <= 0 || argc > 2) {
		fprintf(stderr, "usage: shmdev-bench [SECONDS]\n");
		return 2;
	}
	slice = seconds / ROUNDS;
	if (access(SHMDEV_DEVICE, F_OK)) {
		fprintf(stderr, "shmdev-bench: no %s: load the module first\n", SHMDEV_DEVICE);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(prefix, sizeof(prefix), "bench.%d", (int)getpid());
	uname(&u);
	printf("shmdev-bench: %ld CPUs, Linux %s, %.1f s per figure (best of %d rounds)%s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), u.release, seconds, ROUNDS,
	       under_tcg() ? "\nTCG guest (emulated CPU): absolute numbers mean little, "
			     "compare ratios only" : "");
	printf("speed-up = baseline time / shmdev time (above 1: shmdev is faster)\n\n");
	printf("%-40s %-16s %-28s %7s\n", "benchmark", "shmdev", "baseline", "speed-up");

	/* Wait/wake round trips. */
	for (i = 0; i < ROUNDS; i++) {
		s = min(s, pingpong(PP_SHMDEV));
		f = min(f, pingpong(PP_FUTEX));
		p = min(p, pingpong(PP_PIPE));
		e = min(e, pingpong(PP_EVENTFD));
	}
	fmt_time(a, s);
	snprintf(c, sizeof(c), "futex   %s", fmt_time(b, f));
	row("wait/wake round trip, 2 processes", a, c, f / s);
	snprintf(c, sizeof(c), "pipe    %s", fmt_time(b, p));
	row("", "", c, p / s);
	snprintf(c, sizeof(c), "eventfd %s", fmt_time(b, e));
	row("", "", c, e / s);

	/* Mutexes. */
	snprintf(name, sizeof(name), "%s.mutex", prefix);
	check(shmdev_open(name, 4096, SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_AUTODESTROY, 0600, &r),
	      "create region");
	mx = shmdev_addr(r);
	check(shmdev_mutex_init(r, &mx->m), "mutex init");
	pmx = shared_mem(4096);
	pthread_robust_init(&pmx->pm);
	s = f = 1e9;
	for (i = 0; i < ROUNDS; i++) {
		s = min(s, mutex_uncontended(true, r, mx));
		f = min(f, mutex_uncontended(false, NULL, pmx));
	}
	snprintf(c, sizeof(c), "pthread robust %s", fmt_time(b, f));
	row("mutex lock+unlock, uncontended", fmt_time(a, s), c, f / s);
	s = f = 1e9;
	for (i = 0; i < ROUNDS; i++) {
		s = min(s, mutex_contended(true, name, mx));
		f = min(f, mutex_contended(false, NULL, pmx));
	}
	snprintf(c, sizeof(c), "pthread robust %s", fmt_time(b, f));
	row("mutex lock+unlock, 2 processes contend", fmt_time(a, s), c, f / s);
	shmdev_close(r);

	/* Regions. */
	posix = posix_shm_ready();
	s = f = 1e9;
	for (i = 0; i < ROUNDS; i++) {
		s = min(s, region_cycle(true));
		if (posix)
			f = min(f, region_cycle(false));
	}
	snprintf(c, sizeof(c), posix ? "POSIX shm %s" : "no /dev/shm", fmt_time(b, f));
	row("region create+map+unlink", fmt_time(a, s), c, posix ? f / s : 0);

	/* The same POSIX shm calls on a shmdev mount and on the tmpfs. */
	fsdir = posix ? shmdev_fs_mount() : NULL;
	if (fsdir) {
		s = f = 1e9;
		for (i = 0; i < ROUNDS; i++) {
			s = min(s, path_cycle(fsdir));
			f = min(f, path_cycle("/dev/shm"));
		}
		umount(fsdir);
		rmdir(fsdir);
		snprintf(c, sizeof(c), "tmpfs %s", fmt_time(b, f));
		row("shm_open cycle on a shmdev mount", fmt_time(a, s), c, f / s);
	} else {
		row("shm_open cycle on a shmdev mount", "skipped",
		    "(needs root and the filesystem)", 0);
	}

	if (read_param(&saved_max) || (saved_max < 10100 && write_param(20000))) {
		row("create/open at 10,000 regions", "skipped", "(needs root: max_regions)", 0);
	} else {
		double c10, o10, q10, c10k, o10k, q10k, cb, ob, qb;

		fill(true, 0, 10);
		if (posix)
			fill(false, 0, 10);
		scaling(10, &c10, &o10, &q10, posix);
		fill(true, 10, 10000);
		if (posix)
			fill(false, 10, 10000);
		scaling(10000, &c10k, &o10k, &q10k, posix);
		/* Back to 10: tells growth from drift of the machine. */
		unfill(true, 10, 10000);
		if (posix)
			unfill(false, 10, 10000);
		scaling(10, &cb, &ob, &qb, posix);
		unfill(true, 0, 10);
		if (posix)
			unfill(false, 0, 10);
		if (saved_max < 10100)
			write_param(saved_max);
		growth_row("region create+map+unlink, 10 exist", c10, c10k, cb);
		growth_row("region open+map+close, 10 exist", o10, o10k, ob);
		if (posix)
			growth_row("POSIX shm open+map+close, 10 exist", q10, q10k, qb);
	}

	/* Ring vs pipe: messages per second, the best round. */
	for (size_t size = 64; size <= 4096; size *= 64) {
		s = f = 0;
		for (i = 0; i < ROUNDS; i++) {
			s = max(s, ring_rate(size, true));
			f = max(f, ring_rate(size, false));
		}
		snprintf(name, sizeof(name), "ring, %s messages, 2 processes",
			 size == 64 ? "64 B" : "4 KiB");
		snprintf(c, sizeof(c), "pipe %s", fmt_rate(b, f, f * size));
		row(name, fmt_rate(a, s, s * size), c, s / f);
	}
	return 0;
}
