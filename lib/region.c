// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmdev regions: open (attach and map), close, unlink, resize, stat.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/*
 * open(/dev/shmdev) returning the fd or -errno, errno untouched; @oflag
 * O_RDONLY for calls that change nothing, which a node the administrator
 * made 0644 still allows every user.
 */
static int shmdev_dev_open(int oflag)
{
	int saved = errno, fd;

	fd = open(SHMDEV_DEVICE, oflag | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	errno = saved;
	return fd;
}

static void shmdev_dev_close(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* mmap of the whole region through @fd, or -errno. */
static int shmdev_map(int fd, uint64_t size, int rdonly, void **addr)
{
	int prot = rdonly ? PROT_READ : PROT_READ | PROT_WRITE;
	int saved = errno, ret = 0;
	void *p;

	if (size > SIZE_MAX)
		return -ENOMEM;
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		ret = -errno;
	else
		*addr = p;
	errno = saved;
	return ret;
}

static int shmdev_check_name(const char *name, uint32_t *len)
{
	size_t n;

	if (!name)
		return -EINVAL;
	n = strnlen(name, SHMDEV_NAME_MAX + 1);
	if (n > SHMDEV_NAME_MAX)
		return -ENAMETOOLONG;
	*len = (uint32_t)n;
	return 0;
}

/*
 * shmdev_ioctl() for the calls whose argument has grown. A module before
 * SHMDEV_FEAT_SIZED_ARGS knows only the structure's first layout, and
 * refuses the size of any other in the ioctl number with -ENOTTY: ask it
 * again at that size. The fields it does not know stay as the caller
 * zeroed them.
 */
static int shmdev_ioctl_grown(int fd, unsigned long cmd, void *arg)
{
	int ret;

	ret = shmdev_ioctl(fd, cmd, arg);
	if (ret != -ENOTTY)
		return ret;
	if (cmd == SHMDEV_IOC_STAT)
		return shmdev_ioctl(fd, SHMDEV_IOC_STAT_VER0, arg);
	if (cmd == SHMDEV_IOC_STATUS)
		return shmdev_ioctl(fd, SHMDEV_IOC_STATUS_VER0, arg);
	return ret;
}

/*
 * @cmd with @arg, naming the region @name through @arg_name and @arg_len,
 * on a handle of its own opened with @oflag: 0 or -errno.
 */
static int shmdev_name_ioctl(const char *name, __u64 *arg_name, __u32 *arg_len,
			     int oflag, unsigned long cmd, void *arg)
{
	uint32_t len;
	int fd, ret;

	ret = shmdev_check_name(name, &len);
	if (ret)
		return ret;
	*arg_name = (uintptr_t)name;
	*arg_len = len;
	fd = shmdev_dev_open(oflag);
	if (fd < 0)
		return fd;
	ret = shmdev_ioctl_grown(fd, cmd, arg);
	shmdev_dev_close(fd);
	return ret;
}

/*
 * Attach @arg through the device file @dev. With a module that has
 * SHMDEV_FEAT_FILES the handle is a new file of the region (SHMDEV_FILE),
 * which fstat(), flock() and the rest see as the region, and @dev is
 * closed; with an older one, which refuses SHMDEV_FILE (-EINVAL) or the
 * grown argument (-ENOTTY), @dev itself becomes the handle. The handle's
 * descriptor, or -errno.
 */
static int shmdev_attach_fd(int dev, struct shmdev_attach *arg)
{
	struct shmdev_attach first = *arg;
	int ret;

	arg->flags |= SHMDEV_FILE;
	ret = shmdev_ioctl(dev, SHMDEV_IOC_ATTACH, arg);
	if (!ret) {
		shmdev_dev_close(dev);
		return arg->fd;
	}
	if (ret != -EINVAL && ret != -ENOTTY)
		return ret;
	*arg = first;
	ret = shmdev_ioctl(dev, SHMDEV_IOC_ATTACH_VER0, arg);
	return ret ? ret : dev;
}

/* shmdev_open(), and the region flags the attach reported in *@rflags. */
static int shmdev_attach_map(const char *name, uint64_t size, unsigned int flags,
			     unsigned int mode, struct shmdev_region **out,
			     uint32_t *rflags)
{
	struct shmdev_attach arg = { 0 };
	struct shmdev_region *r;
	uint32_t len;
	int ret, saved;

	if (!out)
		return -EINVAL;
	ret = shmdev_check_name(name, &len);
	if (ret)
		return ret;
	saved = errno;
	r = calloc(1, sizeof(*r));
	errno = saved;
	if (!r)
		return -ENOMEM;

	ret = shmdev_dev_open((flags & (SHMDEV_RDONLY | SHMDEV_CREAT)) ==
			      SHMDEV_RDONLY ? O_RDONLY : O_RDWR);
	if (ret < 0)
		goto err_region;

	arg.name = (uintptr_t)name;
	arg.name_len = len;
	arg.size = size;
	arg.flags = flags & ~SHMDEV_FILE;
	arg.mode = mode;
	r->fd = shmdev_attach_fd(ret, &arg);
	if (r->fd < 0) {
		shmdev_dev_close(ret);
		ret = r->fd;
		goto err_region;
	}
	r->size = arg.region_size;
	r->handle_id = arg.handle_id;
	r->rdonly = !!(flags & SHMDEV_RDONLY);

	ret = shmdev_map(r->fd, r->size, r->rdonly, &r->addr);
	if (ret)
		goto err_fd;
	ret = shmdev_owner_open(r);
	if (ret) {
		munmap(r->addr, r->size);
		goto err_fd;
	}
	*rflags = arg.region_flags;
	*out = r;
	return 0;

err_fd:
	shmdev_dev_close(r->fd);
err_region:
	free(r);
	return ret;
}

SHMDEV_PUBLIC
int shmdev_open(const char *name, uint64_t size, unsigned int flags,
		unsigned int mode, struct shmdev_region **out)
{
	uint32_t rflags;

	/* SHMDEV_INIT makes the caller an initialiser: shmdev_open_init(). */
	if (flags & SHMDEV_INIT)
		return -EINVAL;
	return shmdev_attach_map(name, size, flags, mode, out, &rflags);
}

/*
 * The module makes one SHMDEV_INIT attach at a time the initialiser and
 * holds the others until it says the region is ready; when the
 * initialiser's handle goes first (init failed, the process died), the
 * next waiting attach becomes the initialiser.
 */
SHMDEV_PUBLIC
int shmdev_open_init(const char *name, uint64_t size, unsigned int flags,
		     unsigned int mode,
		     int (*init)(struct shmdev_region *r, void *arg), void *arg,
		     struct shmdev_region **out)
{
	struct shmdev_region *r;
	uint32_t rflags;
	int ret;

	if (!init || !out || (flags & SHMDEV_INIT))
		return -EINVAL;
	/* -EINTR too: a signal (an alarm(), say) ends the wait. */
	ret = shmdev_attach_map(name, size, flags | SHMDEV_INIT, mode, &r, &rflags);
	if (ret)
		return ret;
	if (rflags & SHMDEV_REGION_INITIALIZER) {
		ret = init(r, arg);
		if (ret > 0)
			ret = -EINVAL;	/* not a -errno: as the man page says */
		if (!ret)
			ret = shmdev_ioctl(r->fd, SHMDEV_IOC_READY, NULL);
		if (ret) {
			/* Our handle's release hands the job to the next opener. */
			shmdev_close(r);
			return ret;
		}
	}
	*out = r;
	return 0;
}

SHMDEV_PUBLIC
int shmdev_close(struct shmdev_region *r)
{
	int saved = errno;

	if (!r)
		return -EINVAL;
	shmdev_owner_close(r);
	if (r->addr)
		munmap(r->addr, r->size);
	close(r->fd);
	free(r);
	errno = saved;
	return 0;
}

/*
 * Create region @name without attaching to it for long: SHMDEV_IOC_ATTACH
 * with SHMDEV_CREAT through a handle of its own, closed at once. Nothing is
 * mapped, so a region too big to map in this process is made all the same.
 * Read-only, so that without SHMDEV_EXCL an existing region the caller may
 * read but not write is found as well.
 */
SHMDEV_PUBLIC
int shmdev_create(const char *name, uint64_t size, unsigned int flags,
		  unsigned int mode)
{
	struct shmdev_attach arg = { 0 };

	/* A region freed with its last user would be gone on return. */
	if (flags & ~(SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_POPULATE))
		return -EINVAL;
	arg.size = size;
	arg.flags = flags | SHMDEV_CREAT | SHMDEV_RDONLY;
	arg.mode = mode;
	return shmdev_name_ioctl(name, &arg.name, &arg.name_len, O_RDWR,
				 SHMDEV_IOC_ATTACH_VER0, &arg);
}

SHMDEV_PUBLIC
int shmdev_unlink_ns(const char *name, uint64_t ns_id)
{
	struct shmdev_name arg = { .ns_id = ns_id };

	return shmdev_name_ioctl(name, &arg.name, &arg.name_len, O_RDWR,
				 SHMDEV_IOC_UNLINK, &arg);
}

SHMDEV_PUBLIC
int shmdev_unlink(const char *name)
{
	return shmdev_unlink_ns(name, 0);
}

SHMDEV_PUBLIC
void *shmdev_addr(const struct shmdev_region *r)
{
	return r ? r->addr : NULL;
}

SHMDEV_PUBLIC
uint64_t shmdev_size(const struct shmdev_region *r)
{
	return r ? r->size : 0;
}

SHMDEV_PUBLIC
int shmdev_fd(const struct shmdev_region *r)
{
	return r ? r->fd : -EINVAL;
}

SHMDEV_PUBLIC
int shmdev_handle_id(const struct shmdev_region *r)
{
	return r ? (int)r->handle_id : -EINVAL;
}

/* Drop the library's mapping of @r, if it has one. */
static void shmdev_unmap(struct shmdev_region *r)
{
	int saved = errno;

	if (r->addr)
		munmap(r->addr, r->size);
	errno = saved;
	r->addr = NULL;
	r->size = 0;
}

/*
 * Map the whole region as big as it is now, replacing the old mapping only
 * once the new one exists: on failure @r keeps what it had. Never resizes,
 * so following a region that others grow cannot shrink it.
 */
SHMDEV_PUBLIC
int shmdev_remap(struct shmdev_region *r)
{
	struct shmdev_region_info info = { 0 };
	void *addr = NULL;
	int ret;

	if (!r)
		return -EINVAL;
	ret = shmdev_ioctl_grown(r->fd, SHMDEV_IOC_STAT, &info);
	if (ret)
		return ret;
	if (r->addr && info.size == r->size)
		return 0;
	ret = shmdev_map(r->fd, info.size, r->rdonly, &addr);
	if (ret)
		return ret;
	shmdev_unmap(r);
	r->addr = addr;
	r->size = info.size;
	return 0;
}

/*
 * Resize the region, then map it anew at its new size: the address may
 * change. Growing maps the larger region before dropping the old mapping.
 * The kernel refuses to shrink while any mapping lives, this handle's too,
 * so on -EBUSY the library drops its own mapping and asks again; if others
 * still map the region that is -EBUSY, and the region is mapped again at
 * its size. Should that mapping fail, the region keeps its new size, the
 * handle keeps its old mapping (or none, after a shrink: shmdev_addr is
 * then NULL and shmdev_size 0) and the mmap error is returned.
 */
SHMDEV_PUBLIC
int shmdev_resize(struct shmdev_region *r, uint64_t size)
{
	struct shmdev_resize arg = { .size = size };
	bool unmapped = false;
	int ret, err;

	if (!r)
		return -EINVAL;
	if (r->rdonly)
		return -EACCES;
	ret = shmdev_ioctl(r->fd, SHMDEV_IOC_RESIZE, &arg);
	if (ret == -EBUSY && r->addr) {
		shmdev_unmap(r);
		unmapped = true;
		ret = shmdev_ioctl(r->fd, SHMDEV_IOC_RESIZE, &arg);
	}
	/* Refused with the old mapping intact: nothing to redo. */
	if (ret && r->addr)
		return ret;
	err = shmdev_remap(r);
	/* The mapping given up for a shrink not regained: the mmap error. */
	if (err && unmapped)
		return err;
	return ret ? ret : err;
}

/*
 * Give the caller @size bytes of the @have bytes at @src: the fields of a
 * larger struct than the library knows read 0; a smaller one is not
 * written past its end.
 */
static void shmdev_copy_out(void *dst, size_t size, const void *src,
			    size_t have)
{
	if (size <= have) {
		memcpy(dst, src, size);
	} else {
		memcpy(dst, src, have);
		memset((char *)dst + have, 0, size - have);
	}
}

/* The first versions' sizes are what old programs pass: fixed for good. */
#if defined(__x86_64__) || defined(__aarch64__)
_Static_assert(SHMDEV_STAT_SIZE_VER0 == 104, "struct shmdev_stat of libshmdev 1.0 changed");
#endif
_Static_assert(offsetof(struct shmdev_api, page_size) + 4 == SHMDEV_API_SIZE_VER0,
	       "struct shmdev_api of ABI version 1 changed");
_Static_assert(offsetof(struct shmdev_status, handles) + 8 == SHMDEV_STATUS_SIZE_VER0,
	       "struct shmdev_status of ABI version 1 changed");

/* The region's attributes as struct shmdev_stat, in @size bytes at @st. */
static void shmdev_stat_fill(struct shmdev_stat *st, size_t size,
			     const struct shmdev_region_info *info)
{
	struct shmdev_stat full;

	memset(&full, 0, sizeof(full));
	full.size = info->size;
	full.uid = info->uid;
	full.gid = info->gid;
	full.mode = info->mode;
	full.region_flags = info->region_flags;
	full.handles = info->handles;
	full.mappings = info->mappings;
	full.resident = info->resident;
	full.ns_inum = info->ns_inum;
	full.waits = info->waits;
	full.wakes = info->wakes;
	full.lock_acquired = info->lock_acquired;
	full.lock_contended = info->lock_contended;
	full.owner_deaths = info->owner_deaths;
	full.events = info->events;
	full.creator_pid = info->creator_pid;
	full.last_pid = info->last_pid;
	full.ctime = info->ctime;
	full.atime = info->atime;
	full.dtime = info->dtime;
	shmdev_copy_out(st, size, &full, sizeof(full));
}

SHMDEV_PUBLIC
int shmdev_stat_ns(const char *name, uint64_t ns_id, struct shmdev_stat *st,
		   size_t size)
{
	struct shmdev_region_info info = { .ns_id = ns_id };
	int ret;

	if (!st || size < SHMDEV_STAT_SIZE_VER0)
		return -EINVAL;
	ret = shmdev_name_ioctl(name, &info.name, &info.name_len, O_RDONLY,
				SHMDEV_IOC_STAT, &info);
	if (!ret)
		shmdev_stat_fill(st, size, &info);
	return ret;
}

SHMDEV_PUBLIC
int shmdev_fstat_sized(const struct shmdev_region *r, struct shmdev_stat *st,
		       size_t size)
{
	struct shmdev_region_info info = { 0 };
	int ret;

	if (!r || !st || size < SHMDEV_STAT_SIZE_VER0)
		return -EINVAL;
	ret = shmdev_ioctl_grown(r->fd, SHMDEV_IOC_STAT, &info);
	if (!ret)
		shmdev_stat_fill(st, size, &info);
	return ret;
}

/*
 * One query through a handle of its own, for calls that need no region:
 * the module's @have bytes, given to the caller as @size bytes at @out.
 */
static int shmdev_dev_query(unsigned long cmd, void *buf, size_t have,
			    void *out, size_t size, size_t ver0)
{
	int fd, ret;

	if (!out || size < ver0)
		return -EINVAL;
	fd = shmdev_dev_open(O_RDONLY);
	if (fd < 0)
		return fd;
	ret = shmdev_ioctl_grown(fd, cmd, buf);
	shmdev_dev_close(fd);
	if (!ret)
		shmdev_copy_out(out, size, buf, have);
	return ret;
}

SHMDEV_PUBLIC
int shmdev_query_api_sized(struct shmdev_api *api, size_t size)
{
	struct shmdev_api buf = { 0 };

	return shmdev_dev_query(SHMDEV_IOC_API, &buf, sizeof(buf), api, size,
				SHMDEV_API_SIZE_VER0);
}

SHMDEV_PUBLIC
int shmdev_query_status_sized(struct shmdev_status *st, size_t size)
{
	struct shmdev_status buf = { 0 };

	return shmdev_dev_query(SHMDEV_IOC_STATUS, &buf, sizeof(buf), st, size,
				SHMDEV_STATUS_SIZE_VER0);
}

/*
 * libshmdev 1.0 exported shmdev_stat, shmdev_fstat, shmdev_query_api and
 * shmdev_query_status, which wrote the structures as that version knew
 * them. They are inline wrappers now; programs linked against 1.0 still
 * call these, which write exactly the 1.0 sizes however the structures
 * grow. They stay the default version of their names, so that a binding
 * that looks a name up without a version (dlsym(), ctypes, FFI) finds it.
 */
#define SHMDEV_COMPAT_1_0(sym)	\
	SHMDEV_PUBLIC __attribute__((symver(#sym "@@LIBSHMDEV_1.0")))

SHMDEV_COMPAT_1_0(shmdev_stat)
int shmdev_stat_v1_0(const char *name, struct shmdev_stat *st);
int shmdev_stat_v1_0(const char *name, struct shmdev_stat *st)
{
	return shmdev_stat_ns(name, 0, st, SHMDEV_STAT_SIZE_VER0);
}

SHMDEV_COMPAT_1_0(shmdev_fstat)
int shmdev_fstat_v1_0(const struct shmdev_region *r, struct shmdev_stat *st);
int shmdev_fstat_v1_0(const struct shmdev_region *r, struct shmdev_stat *st)
{
	return shmdev_fstat_sized(r, st, SHMDEV_STAT_SIZE_VER0);
}

SHMDEV_COMPAT_1_0(shmdev_query_api)
int shmdev_query_api_v1_0(struct shmdev_api *api);
int shmdev_query_api_v1_0(struct shmdev_api *api)
{
	return shmdev_query_api_sized(api, SHMDEV_API_SIZE_VER0);
}

SHMDEV_COMPAT_1_0(shmdev_query_status)
int shmdev_query_status_v1_0(struct shmdev_status *st);
int shmdev_query_status_v1_0(struct shmdev_status *st)
{
	return shmdev_query_status_sized(st, SHMDEV_STATUS_SIZE_VER0);
}
