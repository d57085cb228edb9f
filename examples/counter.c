// SPDX-License-Identifier: MIT
/*
 * counter: a number in a named region, incremented by many short-lived
 * processes under a robust shmdev mutex.
 *
 *   counter inc NAME     add 1 (creating the region), print the new value
 *   counter get NAME     print the value
 *   counter hold NAME    take the mutex and keep it until killed
 *   counter run N        start N processes of 'counter inc' at once on a
 *                        fresh region; succeed if the counter reads N
 *
 * What it shows:
 * - Creating and initialising a region once, however many processes race
 *   to do it: shmdev_open_init() runs the initialiser in the one that
 *   creates it, and the others wait in the module until it is done; if
 *   that process dies first, the next one initialises instead.
 * - A shmdev_mutex_t inside the region: lock and unlock are a single
 *   compare-and-swap unless someone waits, and if a holder dies (try
 *   'counter hold' and kill -9 it) the next locker gets -EOWNERDEAD,
 *   repairs what it protects and calls shmdev_mutex_consistent().
 *
 * Build: cc -o counter counter.c $(pkg-config --cflags --libs libshmdev)
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmdev.h>

struct counter {
	shmdev_mutex_t lock;
	uint64_t value;		/* under lock */
};

static int fail(const char *what, const char *name, int err)
{
	fprintf(stderr, "counter: %s '%s': %s\n", what, name, strerror(-err));
	return 1;
}

/* The region's first user sets it up: the value is 0 already. */
static int counter_init(struct shmdev_region *r, void *arg)
{
	struct counter *c = shmdev_addr(r);

	(void)arg;
	return shmdev_mutex_init(r, &c->lock);
}

/* Open NAME, creating and initialising it if nobody has. */
static int counter_open(const char *name, unsigned int flags,
			struct shmdev_region **r, struct counter **c)
{
	int ret;

	ret = shmdev_open_init(name, sizeof(**c), flags | SHMDEV_CREAT, 0666,
			       counter_init, NULL, r);
	if (!ret)
		*c = shmdev_addr(*r);
	return ret;
}

/* Lock, repairing the mutex if its last holder died with it. */
static int counter_lock(struct shmdev_region *r, struct counter *c)
{
	int ret = shmdev_mutex_lock(r, &c->lock, -1);

	if (ret == -EOWNERDEAD) {
		/* value is a single aligned store: nothing was half done. */
		fprintf(stderr, "counter: the last holder died holding the lock; "
			"the counter is consistent, carrying on\n");
		ret = shmdev_mutex_consistent(r, &c->lock);
	}
	return ret;
}

static int cmd_inc(const char *name, int quiet)
{
	struct shmdev_region *r;
	struct counter *c;
	uint64_t v;
	int ret;

	ret = counter_open(name, 0, &r, &c);
	if (ret)
		return fail("cannot open", name, ret);
	ret = counter_lock(r, c);
	if (ret)
		return fail("cannot lock", name, ret);
	v = ++c->value;
	shmdev_mutex_unlock(r, &c->lock);
	if (!quiet)
		printf("%llu\n", (unsigned long long)v);
	shmdev_close(r);
	return 0;
}

static int cmd_get(const char *name)
{
	struct shmdev_region *r;
	struct counter *c;
	int ret;

	ret = shmdev_open(name, sizeof(*c), SHMDEV_RDONLY, 0, &r);
	if (ret)
		return fail("cannot open", name, ret);
	c = shmdev_addr(r);
	/* One aligned 64-bit load: no lock needed to read it whole. */
	printf("%llu\n", (unsigned long long)__atomic_load_n(&c->value, __ATOMIC_ACQUIRE));
	shmdev_close(r);
	return 0;
}

static int cmd_hold(const char *name)
{
	struct shmdev_region *r;
	struct counter *c;
	int ret;

	ret = counter_open(name, 0, &r, &c);
	if (ret)
		return fail("cannot open", name, ret);
	ret = counter_lock(r, c);
	if (ret)
		return fail("cannot lock", name, ret);
	printf("holding the lock of '%s' as pid %d\n", name, (int)getpid());
	fflush(stdout);
	pause();
	return 0;
}

static int cmd_run(int n)
{
	struct shmdev_region *r;
	struct counter *c;
	char name[64];
	int i, ret, failed = 0;

	snprintf(name, sizeof(name), "counter.%d", (int)getpid());
	/* AUTODESTROY: gone once we and every child have let go of it. */
	ret = counter_open(name, SHMDEV_AUTODESTROY, &r, &c);
	if (ret)
		return fail("cannot create", name, ret);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("counter: fork");
			return 1;
		}
		if (!pid) {
			execl("/proc/self/exe", "counter", "inc", "-q", name, (char *)NULL);
			_exit(127);
		}
	}
	for (i = 0; i < n; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	printf("%d processes incremented '%s': it reads %llu\n", n, name,
	       (unsigned long long)c->value);
	ret = failed || c->value != (uint64_t)n;
	shmdev_close(r);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: counter inc [-q] NAME | get NAME | hold NAME | run N\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "inc"))
		return cmd_inc(argv[2], 0);
	if (argc == 4 && !strcmp(argv[1], "inc") && !strcmp(argv[2], "-q"))
		return cmd_inc(argv[3], 1);
	if (argc == 3 && !strcmp(argv[1], "get"))
		return cmd_get(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "run") && atoi(argv[2]) > 0)
		return cmd_run(atoi(argv[2]));
	return usage();
}
