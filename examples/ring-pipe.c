// SPDX-License-Identifier: MIT
/*
 * ring-pipe: move a byte stream between processes through a shmdev message
 * ring, like a named pipe.
 *
 *   ring-pipe send NAME [--size BYTES] [-v] < file
 *   ring-pipe recv NAME [-v] > file
 *
 * Start the two in any order. Whichever comes first creates region NAME
 * (a page left free, then a ring of BYTES, 1 MiB by default) and formats
 * the ring, through shmdev_open_init(); the other waits in the module until
 * it is ready. The sender cuts its input into messages of up to 64 KiB and
 * ends with an empty message; the receiver writes each message to its output straight from the ring (no
 * copy: shmdev_ring_peek() points into the region), then unlinks NAME.
 * Either side sleeps in the kernel while the ring is empty or full.
 *
 * Build: cc -o ring-pipe ring-pipe.c $(pkg-config --cflags --libs libshmdev)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shmdev.h>

#define RING_OFF	4096
#define CHUNK		(64 * 1024)

static int verbose;

static int fail(const char *what, const char *name, int err)
{
	fprintf(stderr, "ring-pipe: %s '%s': %s\n", what, name, strerror(-err));
	return 1;
}

/*
 * Format the ring of a region just created, in the @arg bytes asked for
 * (else in the whole region): what shmdev_open_init() runs once.
 */
static int pipe_init(struct shmdev_region *r, void *arg)
{
	uint64_t size = arg ? *(uint64_t *)arg : shmdev_size(r);

	return shmdev_ring_init(r, RING_OFF, size - RING_OFF);
}

/* Open NAME, creating it with a ring of @ring_size bytes if it is missing. */
static int pipe_open(const char *name, uint64_t ring_size, struct shmdev_region **r,
		     struct shmdev_ring **ring)
{
	uint64_t size = RING_OFF + SHMDEV_RING_HEADER + ring_size;
	int ret;

	/* An existing ring of any size; else a new one of ours. */
	ret = shmdev_open_init(name, 0, 0, 0, pipe_init, NULL, r);
	if (ret == -ENOENT)
		ret = shmdev_open_init(name, size, SHMDEV_CREAT, 0600, pipe_init, &size, r);
	if (ret)
		return ret;
	return shmdev_ring_attach(*r, RING_OFF, ring);
}

static int cmd_send(const char *name, uint64_t ring_size)
{
	struct shmdev_ring_stat st;
	struct shmdev_region *r;
	struct shmdev_ring *ring;
	uint64_t bytes = 0, msgs = 0;
	size_t chunk;
	ssize_t n;
	char *buf;
	int ret;

	ret = pipe_open(name, ring_size, &r, &ring);
	if (ret)
		return fail("cannot open", name, ret);
	shmdev_ring_stat(ring, &st);
	chunk = st.max_msg < CHUNK ? st.max_msg : CHUNK;
	buf = malloc(chunk);
	if (!buf)
		return 1;
	for (;;) {
		n = read(STDIN_FILENO, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("ring-pipe: read");
			return 1;
		}
		/* The last message is empty: end of stream. */
		ret = shmdev_ring_send(ring, buf, n, -1);
		if (ret)
			return fail("cannot send to", name, ret);
		if (!n)
			break;
		bytes += n;
		msgs++;
	}
	if (verbose)
		fprintf(stderr, "ring-pipe: sent %llu bytes in %llu messages\n",
			(unsigned long long)bytes, (unsigned long long)msgs);
	free(buf);
	shmdev_ring_close(ring);
	shmdev_close(r);
	return 0;
}

static int write_all(const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static int cmd_recv(const char *name)
{
	struct shmdev_ring_stat st;
	struct shmdev_region *r;
	struct shmdev_ring *ring;
	uint64_t bytes = 0, msgs = 0;
	size_t len;
	void *p;
	int ret;

	ret = pipe_open(name, 1 << 20, &r, &ring);
	if (ret)
		return fail("cannot open", name, ret);
	for (;;) {
		ret = shmdev_ring_peek(ring, &p, &len, -1);
		if (ret)
			return fail("cannot receive from", name, ret);
		if (!len)
			break;
		ret = write_all(p, len);
		if (ret) {
			fprintf(stderr, "ring-pipe: write: %s\n", strerror(-ret));
			return 1;
		}
		shmdev_ring_release(ring);
		bytes += len;
		msgs++;
	}
	shmdev_ring_release(ring);
	shmdev_ring_stat(ring, &st);
	if (verbose)
		fprintf(stderr, "ring-pipe: received %llu bytes in %llu messages\n",
			(unsigned long long)bytes, (unsigned long long)msgs);
	if (st.dropped)
		fprintf(stderr, "ring-pipe: %llu messages lost to a sender that died\n",
			(unsigned long long)st.dropped);
	shmdev_ring_close(ring);
	shmdev_unlink(name);
	shmdev_close(r);
	return st.dropped ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: ring-pipe send NAME [--size BYTES] [-v] < file\n"
			"       ring-pipe recv NAME [-v] > file\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t size = 1 << 20;
	int i;

	if (argc < 3)
		return usage();
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--size") && i + 1 < argc &&
			 !strcmp(argv[1], "send"))
			size = strtoull(argv[++i], NULL, 0);
		else
			return usage();
	}
	if (!strcmp(argv[1], "send"))
		return cmd_send(argv[2], size);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argv[2]);
	return usage();
}
