// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space stand-in for the shmdev module: see bench/standin.h for what
 * it emulates and what it does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <shmdev.h>

#include "standin.h"

#define STANDIN_MAX_FD		65536
#define STANDIN_META_HDR	64	/* bytes before the registry bitmap */
#define STANDIN_READY_MS	2000	/* how long an attach waits for a creator */
#define STANDIN_NAME_LEN	(NAME_MAX + 2)

/*
 * The companion object of a region: written by its creator before `ready`
 * is set, then only the registry changes, by atomic operations.
 */
struct standin_meta {
	uint32_t ready;
	uint32_t flags;		/* SHMDEV_AUTODESTROY, SHMDEV_POPULATE */
	uint64_t size;		/* the region's, in bytes */
	uint64_t pad[6];
	uint64_t reg[];		/* a bit per 32-bit word: registered mutex */
};

_Static_assert(sizeof(struct standin_meta) == STANDIN_META_HDR, "meta header");

enum standin_kind { STANDIN_DEV, STANDIN_REGION };

/* One descriptor the library got from the stand-in. */
struct standin_fd {
	enum standin_kind kind;
	bool dev_writable;	/* the device was opened for writing */
	bool rdonly;		/* the handle was attached read-only */
	uint32_t handle_id;
	unsigned int owner_ids;
	uint64_t size;
	void *map;		/* the stand-in's own mapping of the region */
	struct standin_meta *meta;
	size_t meta_len;
	int meta_fd;		/* holds the handle's lease */
	char mname[STANDIN_NAME_LEN];
	char rname[STANDIN_NAME_LEN];
};

static struct standin_fd *fds[STANDIN_MAX_FD];
static pthread_mutex_t fds_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t *id_counter;
static pthread_once_t id_once = PTHREAD_ONCE_INIT;

static int break_how = -1;

static struct standin_stats stats;

void standin_break(int how)
{
	__atomic_store_n(&break_how, how, __ATOMIC_RELAXED);
}

static int broken(void)
{
	int how = __atomic_load_n(&break_how, __ATOMIC_RELAXED);

	if (how < 0) {
		const char *env = getenv("SHMDEV_STANDIN_BREAK");

		how = env ? atoi(env) : 0;
		__atomic_store_n(&break_how, how, __ATOMIC_RELAXED);
	}
	return how;
}

void standin_stats(struct standin_stats *st)
{
	st->waits = __atomic_load_n(&stats.waits, __ATOMIC_RELAXED);
	st->waits_slept = __atomic_load_n(&stats.waits_slept, __ATOMIC_RELAXED);
	st->wakes = __atomic_load_n(&stats.wakes, __ATOMIC_RELAXED);
	st->woken = __atomic_load_n(&stats.woken, __ATOMIC_RELAXED);
}

static void count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static struct standin_fd *lookup(int fd)
{
	if (fd < 0 || fd >= STANDIN_MAX_FD)
		return NULL;
	return __atomic_load_n(&fds[fd], __ATOMIC_ACQUIRE);
}

static void publish(int fd, struct standin_fd *e)
{
	pthread_mutex_lock(&fds_lock);
	__atomic_store_n(&fds[fd], e, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&fds_lock);
}

static struct standin_fd *unpublish(int fd)
{
	struct standin_fd *e;

	if (fd < 0 || fd >= STANDIN_MAX_FD)
		return NULL;
	pthread_mutex_lock(&fds_lock);
	e = fds[fd];
	__atomic_store_n(&fds[fd], NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&fds_lock);
	return e;
}

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts,
		  uint32_t bitset)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, bitset);
}

/* ---- handle ids: a counter all of this user's processes share ---- */

static void id_setup(void)
{
	char name[64];
	struct stat st;
	void *p;
	int fd;

	snprintf(name, sizeof(name), "/shmdev-standin.%u.ids", (unsigned int)getuid());
	fd = shm_open(name, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return;
	/* Every process sizes it the same: a racing ftruncate is harmless. */
	if (fstat(fd, &st) || (st.st_size < 4096 && ftruncate(fd, 4096))) {
		close(fd);
		return;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		id_counter = p;
}

/* A new id, 1..SHMDEV_MUTEX_ID_MASK - 1, or 0 with errno set. */
static uint32_t new_id(void)
{
	uint32_t n;

	pthread_once(&id_once, id_setup);
	if (!id_counter) {
		errno = ENOMEM;
		return 0;
	}
	n = __atomic_fetch_add(id_counter, 1, __ATOMIC_RELAXED);
	return n % (SHMDEV_MUTEX_ID_MASK - 1) + 1;
}

/* ---- names ---- */

/*
 * The object names of region @name (@len bytes): 0, or -1 with errno as
 * the module's name check (EINVAL, ENAMETOOLONG) says, or ENAMETOOLONG when
 * the prefix leaves no room.
 */
static int object_names(uint64_t uname, uint32_t len, char *mname, char *rname)
{
	const char *name = (const char *)(uintptr_t)uname;
	unsigned int uid = getuid();
	int n;

	if (!name || !len) {
		errno = EINVAL;
		return -1;
	}
	if (len > SHMDEV_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (memchr(name, '/', len) || memchr(name, '\0', len) ||
	    (len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2))) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(mname, STANDIN_NAME_LEN, "/shmdev-standin.%u.m.%.*s", uid, (int)len, name);
	if (n < 0 || n > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = snprintf(rname, STANDIN_NAME_LEN, "/shmdev-standin.%u.r.%.*s", uid, (int)len, name);
	if (n < 0 || n > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static size_t meta_len(uint64_t size)
{
	return STANDIN_META_HDR + (size / 4 + 63) / 64 * 8;
}

/* Read and write for every class of users @mode gives any access. */
static mode_t meta_mode(mode_t mode)
{
	mode_t m = 0;

	if (mode & 0700)
		m |= 0600;
	if (mode & 0070)
		m |= 0060;
	if (mode & 0007)
		m |= 0006;
	return m;
}

static void close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* ---- attach ---- */

/* Map the companion of @mfd once its creator has made it ready. */
static struct standin_meta *meta_map(int mfd, size_t *len)
{
	struct standin_meta *m;
	struct timespec ms = { 0, 1000000 };
	struct stat st;
	int i;

	for (i = 0;; i++) {
		if (fstat(mfd, &st))
			return NULL;
		if (st.st_size >= STANDIN_META_HDR) {
			m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
			if (m == MAP_FAILED)
				return NULL;
			while (!__atomic_load_n(&m->ready, __ATOMIC_ACQUIRE) &&
			       i++ < STANDIN_READY_MS)
				nanosleep(&ms, NULL);
			if (m->ready) {
				*len = st.st_size;
				return m;
			}
			munmap(m, st.st_size);
			break;
		}
		if (i >= STANDIN_READY_MS)
			break;
		nanosleep(&ms, NULL);
	}
	/* A creator that died half-way: the module would have no such region. */
	errno = ENOENT;
	return NULL;
}

/*
 * Create the region's two objects: the companion first, with O_EXCL, so
 * that exactly one attach creates. Return: the region's descriptor (read
 * and write), or -1 with errno (EEXIST: someone else has it).
 */
static int region_create(struct standin_fd *e, const struct shmdev_attach *a)
{
	uint64_t size = (a->size + 4095) & ~4095ULL;
	struct standin_meta *m;
	int mfd, rfd;

	if (!a->size) {
		errno = EINVAL;
		return -1;
	}
	if (a->size > (uint64_t)INT64_MAX - 4096) {
		errno = EFBIG;
		return -1;
	}
	mfd = shm_open(e->mname, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (mfd < 0)
		return -1;
	e->meta_len = meta_len(size);
	rfd = shm_open(e->rname, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (rfd < 0)
		goto err_meta;
	if (fchmod(rfd, a->mode & 0777) || fchmod(mfd, meta_mode(a->mode & 0777)) ||
	    ftruncate(rfd, size) || ftruncate(mfd, e->meta_len))
		goto err_region;
	m = mmap(NULL, e->meta_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (m == MAP_FAILED)
		goto err_region;
	m->flags = a->flags & (SHMDEV_AUTODESTROY | SHMDEV_POPULATE);
	m->size = size;
	__atomic_store_n(&m->ready, 1, __ATOMIC_RELEASE);
	e->meta = m;
	e->meta_fd = mfd;
	return rfd;

err_region:
	close_keep_errno(rfd);
	shm_unlink(e->rname);
err_meta:
	close_keep_errno(mfd);
	shm_unlink(e->mname);
	return -1;
}

/* Open the existing region: its descriptor, or -1 with errno. */
static int region_open(struct standin_fd *e, const struct shmdev_attach *a)
{
	int mfd, rfd;

	mfd = shm_open(e->mname, O_RDWR, 0);
	if (mfd < 0)
		return -1;
	e->meta = meta_map(mfd, &e->meta_len);
	if (!e->meta) {
		close_keep_errno(mfd);
		return -1;
	}
	e->meta_fd = mfd;
	rfd = shm_open(e->rname, (a->flags & SHMDEV_RDONLY) ? O_RDONLY : O_RDWR, 0);
	if (rfd < 0) {
		munmap(e->meta, e->meta_len);
		close_keep_errno(mfd);
	}
	return rfd;
}

/* SHMDEV_IOC_ATTACH through the device descriptor @fd. */
static int do_attach(int fd, struct standin_fd *dev, struct shmdev_attach *a, bool ver0)
{
	struct flock lease = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1 };
	struct standin_fd *e;
	struct stat st;
	int rfd = -1, tries;
	bool rdonly = a->flags & SHMDEV_RDONLY;

	if (dev->kind != STANDIN_DEV) {
		errno = EBUSY;
		return -1;
	}
	if (a->flags & ~SHMDEV_ATTACH_VALID_FLAGS || a->pad || (!ver0 && a->pad2) ||
	    (!(a->flags & SHMDEV_CREAT) &&
	     a->flags & (SHMDEV_EXCL | SHMDEV_AUTODESTROY | SHMDEV_POPULATE)) ||
	    (ver0 && a->flags & SHMDEV_FILE)) {
		errno = EINVAL;
		return -1;
	}
	if (!dev->dev_writable && (a->flags & (SHMDEV_CREAT | SHMDEV_RDONLY)) != SHMDEV_RDONLY) {
		errno = EACCES;
		return -1;
	}
	if (a->flags & SHMDEV_INIT) {
		errno = EOPNOTSUPP;
		return -1;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	e->kind = STANDIN_REGION;
	e->rdonly = rdonly;
	e->meta_fd = -1;
	if (object_names(a->name, a->name_len, e->mname, e->rname))
		goto err;

	/* Create, or open; a region removed or made meanwhile: again. */
	for (tries = 0; tries < 100; tries++) {
		if (a->flags & SHMDEV_CREAT) {
			rfd = region_create(e, a);
			if (rfd >= 0 || errno != EEXIST)
				break;
			if (a->flags & SHMDEV_EXCL)
				goto err;
		}
		rfd = region_open(e, a);
		if (rfd >= 0 || errno != ENOENT || !(a->flags & SHMDEV_CREAT))
			break;
	}
	if (rfd < 0)
		goto err;
	if (rdonly && (fcntl(rfd, F_GETFL) & O_ACCMODE) != O_RDONLY) {
		/* Created read-write: the handle is read-only all the same. */
		int ro = shm_open(e->rname, O_RDONLY, 0);

		if (ro < 0)
			goto err_rfd;
		close(rfd);
		rfd = ro;
	}
	if (fstat(rfd, &st))
		goto err_rfd;
	e->size = st.st_size;
	if (a->size > e->size) {
		errno = EINVAL;
		goto err_rfd;
	}
	e->map = mmap(NULL, e->size, rdonly ? PROT_READ : PROT_READ | PROT_WRITE,
		      MAP_SHARED | (e->meta->flags & SHMDEV_POPULATE ? MAP_POPULATE : 0),
		      rfd, 0);
	if (e->map == MAP_FAILED)
		goto err_rfd;
	if (fcntl(e->meta_fd, F_OFD_SETLK, &lease))
		goto err_map;
	e->handle_id = new_id();
	if (!e->handle_id)
		goto err_map;

	if ((a->flags & SHMDEV_FILE) && rfd >= STANDIN_MAX_FD) {
		errno = EMFILE;
		goto err_map;
	}
	a->region_size = e->size;
	a->handle_id = e->handle_id;
	a->region_flags = e->meta->flags;
	if (a->flags & SHMDEV_FILE) {
		a->fd = rfd;
	} else {
		/* The device descriptor becomes the handle, as the module's. */
		if (dup3(rfd, fd, O_CLOEXEC) < 0)
			goto err_map;
		close(rfd);
		rfd = fd;
		free(unpublish(fd));
	}
	publish(rfd, e);
	return 0;

err_map:
	munmap(e->map, e->size);
err_rfd:
	close_keep_errno(rfd);
err:
	if (e->meta)
		munmap(e->meta, e->meta_len);
	if (e->meta_fd >= 0)
		close_keep_errno(e->meta_fd);
	free(e);
	return -1;
}

/* ---- the calls on an attached handle ---- */

/* The word at @offset of @e's region: NULL (EINVAL) unless inside and aligned. */
static uint32_t *word_at(struct standin_fd *e, uint64_t offset)
{
	if (offset % 4 || e->size < 4 || offset > e->size - 4) {
		errno = EINVAL;
		return NULL;
	}
	return (uint32_t *)((char *)e->map + offset);
}

static int do_wait(struct standin_fd *e, const struct shmdev_wait *a)
{
	struct timespec ts, *tp = NULL;
	uint32_t *w, expected = a->expected;
	long ret;

	if (a->flags) {
		errno = EINVAL;
		return -1;
	}
	w = word_at(e, a->offset);
	if (!w)
		return -1;
	if (a->timeout != SHMDEV_TIMEOUT_INFINITE) {
		ts.tv_sec = a->timeout / 1000000000ULL;
		ts.tv_nsec = a->timeout % 1000000000ULL;
		tp = &ts;
	}
	if (broken() == 2)
		expected = __atomic_load_n(w, __ATOMIC_RELAXED);
	count(&stats.waits, 1);
	/* The kernel compares the word and queues the sleeper under one lock. */
	ret = futex(w, FUTEX_WAIT_BITSET, expected, tp, FUTEX_BITSET_MATCH_ANY);
	if (!ret || errno == ETIMEDOUT)
		count(&stats.waits_slept, 1);
	return ret ? -1 : 0;
}

static int do_wake(struct standin_fd *e, const struct shmdev_wake *a)
{
	uint32_t *w;
	long ret;

	if (a->flags || !a->nr) {
		errno = EINVAL;
		return -1;
	}
	w = word_at(e, a->offset);
	if (!w)
		return -1;
	count(&stats.wakes, 1);
	if (broken() == 1)
		return 0;
	ret = futex(w, FUTEX_WAKE, a->nr > INT_MAX ? INT_MAX : a->nr, NULL, 0);
	if (ret > 0)
		count(&stats.woken, ret);
	return ret < 0 ? -1 : (int)ret;
}

static int do_mutex_init(struct standin_fd *e, const struct shmdev_mutex_init *a)
{
	uint32_t *w;
	uint64_t bit;

	if (a->flags || a->pad) {
		errno = EINVAL;
		return -1;
	}
	w = word_at(e, a->offset);
	if (!w)
		return -1;
	if (e->rdonly) {
		errno = EACCES;
		return -1;
	}
	__atomic_store_n(w, 0, __ATOMIC_RELEASE);
	bit = a->offset / 4;
	__atomic_fetch_or(&e->meta->reg[bit / 64], 1ULL << (bit % 64), __ATOMIC_SEQ_CST);
	return 0;
}

static int do_mutex_destroy(struct standin_fd *e, const struct shmdev_mutex_destroy *a)
{
	uint64_t first, last, i;
	int n = 0;

	if (a->flags || a->pad || a->offset % 4 || !a->len || a->len % 4 ||
	    a->offset > e->size || a->len > e->size - a->offset) {
		errno = EINVAL;
		return -1;
	}
	if (e->rdonly) {
		errno = EACCES;
		return -1;
	}
	first = a->offset / 4;
	last = first + a->len / 4;	/* exclusive */
	for (i = first; i < last; i = (i / 64 + 1) * 64) {
		uint64_t lo = i % 64, hi = last - i / 64 * 64;
		uint64_t mask = ~0ULL << lo, old;

		if (hi < 64)
			mask &= (1ULL << hi) - 1;
		if (!(__atomic_load_n(&e->meta->reg[i / 64], __ATOMIC_RELAXED) & mask))
			continue;
		old = __atomic_fetch_and(&e->meta->reg[i / 64], ~mask, __ATOMIC_SEQ_CST) & mask;
		while (old) {
			uint64_t b = i / 64 * 64 + __builtin_ctzll(old);

			old &= old - 1;
			n++;
			futex((uint32_t *)e->map + b, FUTEX_WAKE, INT_MAX, NULL, 0);
		}
	}
	return n;
}

static int do_owner_id(struct standin_fd *e, struct shmdev_owner_id *a)
{
	uint32_t id;

	if (a->flags) {
		errno = EINVAL;
		return -1;
	}
	if (e->rdonly) {
		errno = EACCES;
		return -1;
	}
	/* Threads sharing the handle may ask at once. */
	if (__atomic_add_fetch(&e->owner_ids, 1, __ATOMIC_RELAXED) > SHMDEV_MAX_OWNER_IDS) {
		__atomic_sub_fetch(&e->owner_ids, 1, __ATOMIC_RELAXED);
		errno = ENOSPC;
		return -1;
	}
	id = new_id();
	if (!id) {
		__atomic_sub_fetch(&e->owner_ids, 1, __ATOMIC_RELAXED);
		return -1;
	}
	a->id = id;
	return 0;
}

/* ---- calls by name ---- */

static int do_unlink(const struct shmdev_name *a)
{
	char mname[STANDIN_NAME_LEN], rname[STANDIN_NAME_LEN];

	if (a->flags || a->ns_id) {
		errno = a->flags ? EINVAL : EPERM;
		return -1;
	}
	if (object_names(a->name, a->name_len, mname, rname))
		return -1;
	if (shm_unlink(mname))
		return -1;
	shm_unlink(rname);
	return 0;
}

static int do_stat(int fd, struct standin_fd *e, void *arg, size_t size)
{
	char mname[STANDIN_NAME_LEN], rname[STANDIN_NAME_LEN];
	struct shmdev_region_info info = { 0 };
	struct standin_meta *m;
	struct stat st;
	size_t mlen;
	int mfd, rfd;

	memcpy(&info, arg, size);
	if (info.flags || info.ns_id) {
		errno = EINVAL;
		return -1;
	}
	if (info.name || info.name_len) {
		if (object_names(info.name, info.name_len, mname, rname))
			return -1;
		mfd = shm_open(mname, O_RDWR, 0);
		if (mfd < 0)
			return -1;
		m = meta_map(mfd, &mlen);
		close_keep_errno(mfd);
		if (!m)
			return -1;
		info.region_flags = m->flags;
		munmap(m, mlen);
		rfd = shm_open(rname, O_RDONLY, 0);
		if (rfd < 0)
			return -1;
		if (fstat(rfd, &st)) {
			close_keep_errno(rfd);
			return -1;
		}
		close(rfd);
	} else if (e->kind != STANDIN_REGION) {
		errno = EBADFD;
		return -1;
	} else {
		/* The handle's descriptor is the region's object. */
		if (fstat(fd, &st))
			return -1;
		info.region_flags = e->meta->flags;
	}
	info.size = st.st_size;
	info.uid = st.st_uid;
	info.gid = st.st_gid;
	info.mode = st.st_mode & 0777;
	memcpy(arg, &info, size);
	return 0;
}

static int do_api(struct shmdev_api *a)
{
	memset(a, 0, sizeof(*a));
	a->abi_version = SHMDEV_ABI_VERSION;
	a->nr_locks = SHMDEV_NR_LOCKS;
	a->features = SHMDEV_FEAT_REGIONS | SHMDEV_FEAT_WAIT | SHMDEV_FEAT_MUTEX |
		      SHMDEV_FEAT_MUTEX_DESTROY | SHMDEV_FEAT_OWNER_IDS;
	a->name_max = SHMDEV_NAME_MAX;
	a->page_size = sysconf(_SC_PAGESIZE);
	return 0;
}

/* ---- what the library calls ---- */

int standin_open(const char *path, int flags, ...)
{
	struct standin_fd *e;
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!path || strcmp(path, SHMDEV_DEVICE))
		return open(path, flags, mode);
	e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	fd = open("/dev/null", (flags & (O_ACCMODE | O_CLOEXEC)));
	if (fd < 0) {
		free(e);
		return -1;
	}
	if (fd >= STANDIN_MAX_FD) {
		close(fd);
		free(e);
		errno = EMFILE;
		return -1;
	}
	e->kind = STANDIN_DEV;
	e->dev_writable = (flags & O_ACCMODE) != O_RDONLY;
	e->meta_fd = -1;
	publish(fd, e);
	return fd;
}

int standin___open_2(const char *path, int flags)
{
	return standin_open(path, flags);
}

int standin_ioctl(int fd, unsigned long cmd, ...)
{
	struct standin_fd *e = lookup(fd);
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!e)
		return ioctl(fd, cmd, arg);

	switch (cmd) {
	case SHMDEV_IOC_API:
		return do_api(arg);
	case SHMDEV_IOC_ATTACH:
		return do_attach(fd, e, arg, false);
	case SHMDEV_IOC_ATTACH_VER0:
		return do_attach(fd, e, arg, true);
	case SHMDEV_IOC_UNLINK:
		return do_unlink(arg);
	case SHMDEV_IOC_STAT:
		return do_stat(fd, e, arg, sizeof(struct shmdev_region_info));
	case SHMDEV_IOC_STAT_VER0:
		return do_stat(fd, e, arg, SHMDEV_REGION_INFO_SIZE_VER0);
	case SHMDEV_IOC_WAIT:
	case SHMDEV_IOC_WAKE:
	case SHMDEV_IOC_MUTEX_INIT:
	case SHMDEV_IOC_MUTEX_DESTROY:
	case SHMDEV_IOC_OWNER_ID:
		break;
	default:
		errno = ENOTTY;
		return -1;
	}
	if (e->kind != STANDIN_REGION) {
		errno = EBADFD;
		return -1;
	}
	switch (cmd) {
	case SHMDEV_IOC_WAIT:
		return do_wait(e, arg);
	case SHMDEV_IOC_WAKE:
		return do_wake(e, arg);
	case SHMDEV_IOC_MUTEX_INIT:
		return do_mutex_init(e, arg);
	case SHMDEV_IOC_MUTEX_DESTROY:
		return do_mutex_destroy(e, arg);
	default:
		return do_owner_id(e, arg);
	}
}

/*
 * The handle's last close anywhere frees an SHMDEV_AUTODESTROY region: once
 * this handle's lease is given up, a write lock through a new open file
 * description of the companion is granted only if no handle holds one.
 */
static void autodestroy(struct standin_fd *e)
{
	struct flock all = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1 };
	struct stat mine, now;
	int fd;

	if (fstat(e->meta_fd, &mine)) {
		close(e->meta_fd);
		return;
	}
	close(e->meta_fd);
	fd = shm_open(e->mname, O_RDWR, 0);
	if (fd < 0)
		return;
	if (!fstat(fd, &now) && now.st_ino == mine.st_ino && now.st_dev == mine.st_dev &&
	    !fcntl(fd, F_OFD_SETLK, &all)) {
		shm_unlink(e->rname);
		shm_unlink(e->mname);
	}
	close(fd);
}

int standin_close(int fd)
{
	struct standin_fd *e = unpublish(fd);
	int saved = errno;

	if (e && e->kind == STANDIN_REGION) {
		munmap(e->map, e->size);
		if (e->meta->flags & SHMDEV_AUTODESTROY) {
			munmap(e->meta, e->meta_len);
			autodestroy(e);
		} else {
			munmap(e->meta, e->meta_len);
			close(e->meta_fd);
		}
	}
	free(e);
	errno = saved;
	return close(fd);
}
