// SPDX-License-Identifier: MIT
/*
 * config-cache: one writer publishes a versioned configuration record;
 * any number of readers (think PHP-FPM workers caching a service address)
 * read a consistent copy without taking a lock, and sleep until it changes.
 *
 *   config-cache set NAME TEXT       publish TEXT as the next version
 *   config-cache get NAME            print the current version and text
 *   config-cache watch NAME [N]      print each new version; stop after N
 *   config-cache demo [READERS] [UPDATES]
 *                                    READERS processes read while UPDATES
 *                                    versions are published; each checks
 *                                    every copy it reads
 *
 * What it shows:
 * - A sequence counter (a "seqlock"): the writer makes `seq` odd, writes,
 *   makes it even again. A reader copies the record between two reads of
 *   `seq` and keeps the copy only if both were the same even value, so it
 *   never uses a half-written record and never blocks the writer. Reading
 *   costs no system call, so a worker can check `version` on every request.
 * - Writers exclude each other with a robust shmdev_mutex_t: if one dies
 *   mid-write (leaving `seq` odd), the next gets -EOWNERDEAD and repairs.
 * - The region's event counter: the writer calls shmdev_notify() after
 *   each version, and readers with nothing new sleep in
 *   shmdev_event_wait() (or poll()/epoll on shmdev_fd()) until it moves.
 *
 * Build: cc -o config-cache config-cache.c $(pkg-config --cflags --libs libshmdev)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmdev.h>

#define TEXT_MAX	1024
#define SEC		1000000000LL

struct config {
	uint32_t seq;		/* even: stable, odd: being written */
	shmdev_mutex_t writer;	/* one writer at a time */
	/* The record, guarded by seq: */
	uint64_t version;
	uint64_t check;		/* hash of version and text: a torn copy shows */
	uint32_t len;
	char text[TEXT_MAX];
};

struct record {
	uint64_t version, check;
	uint32_t len;
	char text[TEXT_MAX + 1];
};

static uint64_t record_hash(uint64_t version, const char *text, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ version;

	while (len--)
		h = (h ^ (uint8_t)*text++) * 0x100000001b3ULL;
	return h;
}

/* Set up a region just created: what shmdev_open_init() runs once. */
static int config_init(struct shmdev_region *r, void *arg)
{
	struct config *c = shmdev_addr(r);

	(void)arg;
	/* Version 0, empty: a consistent record before anyone reads. */
	c->check = record_hash(0, "", 0);
	return shmdev_mutex_init(r, &c->writer);
}

/*
 * Open NAME; with @create, create it if it is missing. Whoever creates it
 * initialises it, once; the others wait in the module until that is done.
 */
static int config_open(const char *name, unsigned int flags, int create,
		       struct shmdev_region **r, struct config **c)
{
	int ret;

	ret = shmdev_open_init(name, sizeof(**c), create ? flags | SHMDEV_CREAT : 0,
			       0644, config_init, NULL, r);
	if (!ret)
		*c = shmdev_addr(*r);
	return ret;
}

/* The writer: publish @text as the next version, wake the readers. */
static int config_publish(struct shmdev_region *r, struct config *c, const char *text)
{
	uint32_t len = strlen(text), seq;
	int ret;

	if (len > TEXT_MAX)
		return -E2BIG;
	ret = shmdev_mutex_lock(r, &c->writer, -1);
	if (ret == -EOWNERDEAD) {
		/* A writer died: if it left seq odd, this write makes it even. */
		ret = shmdev_mutex_consistent(r, &c->writer);
	}
	if (ret)
		return ret;
	seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED) | 1;
	__atomic_store_n(&c->seq, seq, __ATOMIC_RELAXED);	/* odd: writing */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->version++;
	c->len = len;
	memcpy(c->text, text, len);
	c->check = record_hash(c->version, text, len);
	__atomic_store_n(&c->seq, seq + 1, __ATOMIC_RELEASE);	/* even: done */
	shmdev_mutex_unlock(r, &c->writer);
	return shmdev_notify(r);
}

/*
 * A reader: copy the record without a lock. Returns 0, or -EAGAIN when a
 * write was in progress (the caller waits for the writer's notify).
 */
static int config_read(const struct config *c, struct record *out)
{
	uint32_t s1, s2;

	s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
	if (s1 & 1)
		return -EAGAIN;
	out->version = c->version;
	out->check = c->check;
	out->len = c->len;
	if (out->len > TEXT_MAX)
		out->len = TEXT_MAX;	/* torn: the check below catches it */
	memcpy(out->text, c->text, out->len);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
	if (s1 != s2)
		return -EAGAIN;
	out->text[out->len] = '\0';
	return 0;
}

/* Read a consistent copy, sleeping on the event while a write is under way. */
static int config_get(struct shmdev_region *r, const struct config *c,
		      struct record *out, uint64_t *ev, uint64_t *retries)
{
	int ret;

	while ((ret = config_read(c, out)) == -EAGAIN) {
		(*retries)++;
		ret = shmdev_event_wait(r, ev, SEC / 10);
		if (ret && ret != -ETIMEDOUT && ret != -EINTR)
			return ret;
	}
	return ret;
}

static int fail(const char *what, const char *name, int err)
{
	fprintf(stderr, "config-cache: %s '%s': %s\n", what, name, strerror(-err));
	return 1;
}

static int cmd_set(const char *name, const char *text)
{
	struct shmdev_region *r;
	struct config *c;
	int ret;

	ret = config_open(name, 0, 1, &r, &c);
	if (!ret)
		ret = config_publish(r, c, text);
	if (ret)
		return fail("cannot publish to", name, ret);
	printf("version %llu: %s\n", (unsigned long long)c->version, text);
	shmdev_close(r);
	return 0;
}

static int cmd_watch(const char *name, long count, int get)
{
	uint64_t ev = 0, seen = 0, retries = 0;
	struct shmdev_region *r;
	struct config *c;
	struct record rec;
	long n = 0;
	int ret;

	ret = config_open(name, 0, 0, &r, &c);
	if (ret)
		return fail("cannot open", name, ret);
	/* The event counter now: changes after this moment wake us. */
	shmdev_event_wait(r, &ev, 0);
	for (;;) {
		ret = config_get(r, c, &rec, &ev, &retries);
		if (ret)
			return fail("cannot read", name, ret);
		if (get || rec.version != seen) {
			if (rec.check != record_hash(rec.version, rec.text, rec.len))
				return fail("inconsistent copy of", name, -EIO);
			printf("version %llu: %s\n", (unsigned long long)rec.version, rec.text);
			fflush(stdout);
			seen = rec.version;
			if (get || (count && ++n >= count))
				break;
		}
		ret = shmdev_event_wait(r, &ev, -1);
		if (ret && ret != -EINTR)
			return fail("cannot wait on", name, ret);
	}
	shmdev_close(r);
	return 0;
}

/* A worker of the demo: read until the last version, check every copy. */
static void demo_reader(const char *name, uint64_t last)
{
	uint64_t ev = 0, reads = 0, versions = 0, retries = 0, sleeps = 0, seen = 0;
	struct shmdev_region *r;
	struct config *c;
	struct record rec;
	int ret;

	ret = config_open(name, 0, 0, &r, &c);
	if (ret)
		_exit(fail("reader cannot open", name, ret));
	shmdev_event_wait(r, &ev, 0);
	while (seen < last) {
		ret = config_get(r, c, &rec, &ev, &retries);
		if (ret)
			_exit(fail("reader cannot read", name, ret));
		reads++;
		if (rec.check != record_hash(rec.version, rec.text, rec.len)) {
			printf("  reader %d: inconsistent copy of version %llu\n",
			       (int)getpid(), (unsigned long long)rec.version);
			_exit(1);
		}
		if (rec.version < seen) {
			printf("  reader %d: went back from version %llu to %llu\n",
			       (int)getpid(), (unsigned long long)seen,
			       (unsigned long long)rec.version);
			_exit(1);
		}
		if (rec.version != seen) {
			versions++;
			seen = rec.version;
			continue;	/* a "request" served from the fresh copy */
		}
		/* Nothing new: sleep until the writer notifies. */
		sleeps++;
		ret = shmdev_event_wait(r, &ev, 10 * SEC);
		if (ret && ret != -EINTR)
			_exit(fail("reader cannot wait on", name, ret));
	}
	printf("  reader %d: %llu copies read, all consistent; %llu versions seen, "
	       "last %llu; %llu retries during writes, %llu sleeps\n", (int)getpid(),
	       (unsigned long long)reads, (unsigned long long)versions,
	       (unsigned long long)seen, (unsigned long long)retries,
	       (unsigned long long)sleeps);
	fflush(stdout);
	_exit(0);
}

static int cmd_demo(int readers, int updates)
{
	struct shmdev_region *r;
	struct config *c;
	char name[64], text[TEXT_MAX];
	int i, ret, status, bad = 0;
	pid_t *pids;

	snprintf(name, sizeof(name), "config-cache.%d", (int)getpid());
	ret = config_open(name, SHMDEV_AUTODESTROY, 1, &r, &c);
	if (ret)
		return fail("cannot create", name, ret);
	pids = calloc(readers, sizeof(*pids));
	if (!pids)
		return 1;
	printf("%d readers, %d versions published to '%s'\n", readers, updates, name);
	fflush(stdout);
	for (i = 0; i < readers; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("config-cache: fork");
			return 1;
		}
		if (!pids[i])
			demo_reader(name, updates);
	}
	for (i = 1; i <= updates; i++) {
		/* Texts of different lengths, so a torn copy could not pass. */
		snprintf(text, sizeof(text), "backend=10.0.%d.%d:%d weight=%d %.*s", i / 250,
			 i % 250, 8000 + i, i % 7, i % 300,
			 "................................................................"
			 "................................................................"
			 "................................................................"
			 "................................................................"
			 "................................................................");
		ret = config_publish(r, c, text);
		if (ret)
			return fail("cannot publish to", name, ret);
		if (i % 50 == 0)
			usleep(20000);	/* let the readers catch up and sleep */
	}
	for (i = 0; i < readers; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	printf("%s: every reader saw version %d and no inconsistent copy\n",
	       bad ? "FAILED" : "ok", updates);
	free(pids);
	shmdev_close(r);
	return bad;
}

static int usage(void)
{
	fprintf(stderr, "usage: config-cache set NAME TEXT | get NAME | watch NAME [N] | "
		"demo [READERS] [UPDATES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "set"))
		return cmd_set(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "get"))
		return cmd_watch(argv[2], 1, 1);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "watch"))
		return cmd_watch(argv[2], argc == 4 ? atol(argv[3]) : 0, 0);
	if (argc >= 2 && argc <= 4 && !strcmp(argv[1], "demo"))
		return cmd_demo(argc > 2 ? atoi(argv[2]) : 4, argc > 3 ? atoi(argv[3]) : 1000);
	return usage();
}
