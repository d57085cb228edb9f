// SPDX-License-Identifier: MIT
/*
 * producer-consumer: the "two JVMs and a 64 KiB buffer" demo.
 *
 *   producer-consumer [--nolock] [--seconds N]
 *
 * A producer process fills a 64 KiB buffer in a region with random bytes
 * and stores their hash after it; a consumer process hashes the buffer
 * again and compares. Each takes kernel lock 0 of the region around its
 * step (exclusive for the producer, shared for the consumer), so the
 * consumer never sees a half-written buffer: zero mismatches. With
 * --nolock they race and the consumer sees mismatches.
 *
 * Kernel locks (shmdev_lock) belong to the handle that took them: if a
 * holder dies, the module releases the lock and the next exclusive taker
 * gets -EOWNERDEAD, so a crashed producer never leaves the lock stuck. Each
 * process opens the region itself, so each has a handle of its own.
 *
 * Exit status: 0 when the run showed what it should (no mismatch with the
 * lock), 1 otherwise.
 *
 * Build: cc -o producer-consumer producer-consumer.c $(pkg-config --cflags --libs libshmdev)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmdev.h>

#define BUF	(64 * 1024)

struct shared {
	uint8_t data[BUF];
	uint64_t hash;
	uint64_t produced, checked, mismatches;
	uint32_t stop;
};

/* FNV-1a, 64 bits. */
static uint64_t hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static void run(const char *name, int producer, int locked)
{
	unsigned int mode = producer ? SHMDEV_LOCK_EX : SHMDEV_LOCK_SH;
	struct shmdev_region *r;
	uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL | 1;
	struct shared *s;
	size_t i;
	int ret;

	ret = shmdev_open(name, 0, 0, 0, &r);
	if (ret) {
		fprintf(stderr, "producer-consumer: open '%s': %s\n", name, strerror(-ret));
		_exit(1);
	}
	s = shmdev_addr(r);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		if (locked) {
			ret = shmdev_lock(r, 0, mode, -1);
			if (ret == -EOWNERDEAD)
				ret = 0;	/* the last writer died: its buffer is rewritten next */
			if (ret) {
				fprintf(stderr, "producer-consumer: lock: %s\n", strerror(-ret));
				_exit(1);
			}
		}
		if (producer) {
			for (i = 0; i < BUF; i += 8) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				memcpy(s->data + i, &x, 8);
			}
			s->hash = hash(s->data, BUF);
			s->produced++;
		} else if (s->produced) {
			if (hash(s->data, BUF) != s->hash)
				s->mismatches++;
			s->checked++;
		}
		if (locked)
			shmdev_unlock(r, 0);
	}
	shmdev_close(r);
	_exit(0);
}

int main(int argc, char **argv)
{
	struct shmdev_region *r;
	struct shared *s;
	int locked = 1, seconds = 3, i, ret, status, bad = 0;
	char name[64];
	pid_t pid[2];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--nolock"))
			locked = 0;
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: producer-consumer [--nolock] [--seconds N]\n");
			return 2;
		}
	}
	snprintf(name, sizeof(name), "producer-consumer.%d", (int)getpid());
	ret = shmdev_open(name, sizeof(*s), SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_AUTODESTROY,
			  0600, &r);
	if (ret) {
		fprintf(stderr, "producer-consumer: create '%s': %s\n", name, strerror(-ret));
		return 1;
	}
	s = shmdev_addr(r);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			perror("producer-consumer: fork");
			return 1;
		}
		if (!pid[i])
			run(name, i == 0, locked);
	}
	sleep(seconds);
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;

	printf("%s: %d s, %llu buffers written, %llu checked, %llu mismatches\n",
	       locked ? "with a shmdev lock" : "without a lock", seconds,
	       (unsigned long long)s->produced, (unsigned long long)s->checked,
	       (unsigned long long)s->mismatches);
	if (!s->produced || !s->checked)
		bad = 1;
	if (locked && s->mismatches)
		bad = 1;
	shmdev_close(r);
	return bad;
}
