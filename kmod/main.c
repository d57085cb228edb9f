// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev: named shared-memory regions and wait queues through /dev/shmdev.
 *
 * This file is the device: module parameters, the misc device, file
 * operations and the ioctl table. Regions live in region.c, wait queues,
 * locks and events in sync.c; include/uapi/linux/shmdev.h is the ABI.
 *
 * One open file is one handle. SHMDEV_IOC_ATTACH binds it to a region, once;
 * mmap of the file then maps that region, and the region's ioctls act on it.
 * An open file of a region in the shmdev filesystem (fs.c) is a handle
 * attached from the start, with the same ioctls; SHMDEV_IOC_ATTACH with
 * SHMDEV_FILE makes one without a mount.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time_namespace.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "shmdev.h"

#ifndef SHMDEV_VERSION
#error "SHMDEV_VERSION comes from the build (kmod/Kbuild)"
#endif

unsigned long shmdev_max_region_size;
module_param_named(max_region_size, shmdev_max_region_size, ulong, 0644);
MODULE_PARM_DESC(max_region_size,
		 "Largest region in bytes, else -EFBIG (0 at load: max_user_bytes)");

unsigned int shmdev_max_regions = 4096;
module_param_named(max_regions, shmdev_max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions,
		 "Most regions per IPC namespace, else -ENOSPC (default 4096)");

unsigned long shmdev_max_user_bytes;
module_param_named(max_user_bytes, shmdev_max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Most bytes of regions one owner uid may hold, else -ENOSPC (0 at load: an eighth of RAM)");

unsigned long shmdev_max_total_bytes;
module_param_named(max_total_bytes, shmdev_max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Most bytes of regions in all, else -ENOSPC (0 at load: half of RAM)");

bool shmdev_allow_exec;
module_param_named(allow_exec, shmdev_allow_exec, bool, 0644);
MODULE_PARM_DESC(allow_exec,
		 "Allow PROT_EXEC mappings of regions (default off, like a noexec /dev/shm)");

static DEFINE_IDA(shmdev_ids);
static DEFINE_MUTEX(shmdev_ids_lock);	/* the next id and its allocation */
static unsigned int shmdev_next_id = 1;
static atomic_long_t shmdev_nr_handles;

/* The region of an attached handle, else -EBADFD. */
static struct shmdev_region *shmdev_attached(struct file *file)
{
	struct shmdev_region *r = shmdev_handle_region(file->private_data);

	return r ? r : ERR_PTR(-EBADFD);
}

/*
 * A handle id is the owner value of the robust mutex words it takes. Ids go
 * round the whole range before one is used again, as pids do: a word that
 * still holds a dead handle's id (a mutex destroyed while held, a copy of
 * one) is then not taken for a new handle's for as long as possible.
 */
static int shmdev_id_alloc(void)
{
	unsigned int next;
	int id;

	mutex_lock(&shmdev_ids_lock);
	next = shmdev_next_id;
	if (next < 1 || next >= SHMDEV_MUTEX_ID_MASK)
		next = 1;
	id = ida_alloc_range(&shmdev_ids, next, SHMDEV_MUTEX_ID_MASK - 1,
			     GFP_KERNEL);
	if (id == -ENOSPC && next > 1)
		id = ida_alloc_range(&shmdev_ids, 1, SHMDEV_MUTEX_ID_MASK - 1,
				     GFP_KERNEL);
	if (id > 0)
		shmdev_next_id = id + 1;
	mutex_unlock(&shmdev_ids_lock);
	return id;
}

/* A handle not attached yet, with an id of its own. */
struct shmdev_handle *shmdev_handle_new(void)
{
	struct shmdev_handle *h;
	int id;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return ERR_PTR(-ENOMEM);
	id = shmdev_id_alloc();
	if (id < 0) {
		kfree(h);
		return ERR_PTR(id == -ENOSPC ? -EMFILE : id);
	}
	h->id = id;
	xa_init(&h->owner_ids);
	mutex_init(&h->attach_lock);
	atomic_long_inc(&shmdev_nr_handles);
	return h;
}

/* Free @h, detached from its region first if it was attached. */
void shmdev_handle_free(struct shmdev_handle *h)
{
	unsigned long index;
	void *entry;

	atomic_long_dec(&shmdev_nr_handles);
	/* After the words holding them were released. */
	xa_for_each(&h->owner_ids, index, entry)
		ida_free(&shmdev_ids, index);
	xa_destroy(&h->owner_ids);
	shmdev_owner_ids_uncharge(h->owner_uid, h->nr_owner_ids);
	ida_free(&shmdev_ids, h->id);
	mutex_destroy(&h->attach_lock);
	kfree(h);
}

/**
 * shmdev_handle_attached - @h is now a handle of @r
 * @h: a handle not attached, not yet reachable by others
 * @r: the region: the caller gives @h its reference and raised its
 *     handle count
 * @rdonly: a read-only handle
 */
void shmdev_handle_attached(struct shmdev_handle *h, struct shmdev_region *r,
			    bool rdonly)
{
	h->rdonly = rdonly;
	h->event_seen = atomic64_read(&r->events);
	shmdev_region_stamp(r, true);
	/* Pairs with smp_load_acquire() in shmdev_handle_region(). */
	smp_store_release(&h->region, r);
}

static int shmdev_open(struct inode *inode, struct file *file)
{
	struct shmdev_handle *h = shmdev_handle_new();

	if (IS_ERR(h))
		return PTR_ERR(h);
	file->private_data = h;
	return nonseekable_open(inode, file);
}

/* ->release of every file that is a handle. */
int shmdev_handle_release(struct inode *inode, struct file *file)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = h->region;

	if (r) {
		if (h->file)
			fput(h->file);
		shmdev_region_stamp(r, false);
		shmdev_sync_release(h);
		/* After its locks and mutexes are repaired, for its successor. */
		shmdev_region_init_abandon(r, h->id);
		atomic_dec(&r->handles);
		shmdev_region_put(r);
	}
	shmdev_handle_free(h);
	return 0;
}

/*
 * The file every mapping of @h gets as its vm_file, made at the first
 * mmap: a file of the shmem inode with the handle's access mode.
 */
static struct file *shmdev_handle_map_file(struct shmdev_handle *h,
					   struct shmdev_region *r)
{
	struct file *file = READ_ONCE(h->file);

	if (file)
		return file;
	file = shmdev_region_file(r, h->rdonly);
	if (IS_ERR(file))
		return file;
	if (cmpxchg(&h->file, NULL, file)) {
		fput(file);
		file = h->file;
	}
	return file;
}

/* ->mmap of every file that is a handle. */
int shmdev_handle_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);
	struct file *mf;

	if (IS_ERR(r))
		return PTR_ERR(r);
	mf = shmdev_handle_map_file(h, r);
	if (IS_ERR(mf))
		return PTR_ERR(mf);
	return shmdev_region_mmap(mf, vma);
}

__poll_t shmdev_handle_poll(struct file *file, poll_table *wait)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_handle_region(h);

	if (!r)
		return EPOLLERR;
	poll_wait(file, &r->event_wq, wait);
	if (atomic64_read(&r->events) != READ_ONCE(h->event_seen))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * Copy a region name from user space and check it: 1..SHMDEV_NAME_MAX
 * bytes, no '/' and no NUL, not "." or "..", which name no file of the
 * shmdev filesystem. The caller frees it.
 */
static char *shmdev_name_get(u64 uname, u32 len)
{
	char *name;

	if (!len)
		return ERR_PTR(-EINVAL);
	if (len > SHMDEV_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	name = memdup_user(u64_to_user_ptr(uname), len);
	if (IS_ERR(name))
		return name;
	if (memchr(name, '/', len) || memchr(name, '\0', len) ||
	    (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))) {
		kfree(name);
		return ERR_PTR(-EINVAL);
	}
	return name;
}

/*
 * One ioctl call, as the dispatcher hands it to a handler: the handle, its
 * region when the call needs one, and the caller's argument at its size.
 */
struct shmdev_ioc {
	struct file *file;
	struct shmdev_handle *h;
	struct shmdev_region *r;
	void __user *uarg;
	unsigned int usize;	/* the caller's size of the argument */
	unsigned int ksize;	/* the module's */
	bool copied_out;	/* the handler copied the answer out itself */
};

/*
 * Copy the answer out at the caller's size: truncated to it, or with the
 * bytes past the module's layout cleared, so that a caller built against
 * a newer layout reads 0 in the fields this module does not know.
 */
static int shmdev_ioc_copy_out(struct shmdev_ioc *ioc, const void *karg)
{
	unsigned int n = min(ioc->usize, ioc->ksize);

	if (copy_to_user(ioc->uarg, karg, n))
		return -EFAULT;
	if (ioc->usize > n && clear_user(ioc->uarg + n, ioc->usize - n))
		return -EFAULT;
	ioc->copied_out = true;
	return 0;
}

static long shmdev_ioctl_api(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_api *api = karg;

	api->abi_version = SHMDEV_ABI_VERSION;
	api->nr_locks = SHMDEV_NR_LOCKS;
	api->features = SHMDEV_FEAT_REGIONS | SHMDEV_FEAT_WAIT |
			SHMDEV_FEAT_LOCKS | SHMDEV_FEAT_MUTEX |
			SHMDEV_FEAT_EVENTS | SHMDEV_FEAT_MUTEX_DESTROY |
			SHMDEV_FEAT_OWNER_IDS | SHMDEV_FEAT_INIT |
			SHMDEV_FEAT_SIZED_ARGS | SHMDEV_FEAT_FILES;
	api->name_max = SHMDEV_NAME_MAX;
	api->page_size = PAGE_SIZE;
	return 0;
}

/* Undo shmdev_attach_region(): a region this attach created goes with it. */
static void shmdev_attach_undo(struct shmdev_handle *h,
			       struct shmdev_region *r, bool created)
{
	if (created)
		shmdev_region_uncreate(r);
	shmdev_region_init_abandon(r, h->id);
	atomic_dec(&r->handles);
	shmdev_region_put(r);
}

/*
 * Find or create the region of @arg for the handle @h, under its attach
 * lock: the region with a reference and its handle count raised, waited
 * for when SHMDEV_INIT says so; arg->region_flags is filled.
 */
static struct shmdev_region *shmdev_attach_region(struct shmdev_handle *h,
						  struct shmdev_attach *arg,
						  const char *name,
						  bool *created)
{
	struct shmdev_region *r;
	long ret;

again:
	r = shmdev_region_attach(name, arg->name_len, arg, h->id, created);
	if (IS_ERR(r))
		return r;
	arg->region_flags = r->flags;
	if (!(arg->flags & SHMDEV_INIT))
		return r;
	if (*created && !(arg->flags & SHMDEV_RDONLY))
		ret = 1;
	else
		ret = shmdev_region_init_wait(r, h->id,
					      arg->flags & SHMDEV_RDONLY);
	if (ret == -ESTALE) {
		atomic_dec(&r->handles);
		shmdev_region_put(r);
		goto again;
	}
	if (ret < 0) {
		shmdev_attach_undo(h, r, *created);
		return ERR_PTR(ret);
	}
	if (ret)
		arg->region_flags |= SHMDEV_REGION_INITIALIZER;
	return r;
}

/* SHMDEV_IOC_ATTACH: bind this file's handle. */
static long shmdev_attach_this(struct shmdev_ioc *ioc,
			       struct shmdev_attach *arg, const char *name)
{
	struct shmdev_handle *h = ioc->h;
	struct shmdev_region *r;
	bool created;
	long ret;

	/* Interruptible: an attach ahead of us may sleep for initialisation. */
	ret = mutex_lock_interruptible(&h->attach_lock);
	if (ret)
		return ret;
	ret = -EBUSY;
	if (h->region)
		goto out_unlock;
	r = shmdev_attach_region(h, arg, name, &created);
	ret = PTR_ERR(r);
	if (IS_ERR(r))
		goto out_unlock;
	arg->region_size = READ_ONCE(r->size);
	arg->handle_id = h->id;
	ret = shmdev_ioc_copy_out(ioc, arg);
	if (ret) {
		shmdev_attach_undo(h, r, created);
		goto out_unlock;
	}
	shmdev_handle_attached(h, r, arg->flags & SHMDEV_RDONLY);
out_unlock:
	mutex_unlock(&h->attach_lock);
	return ret;
}

/*
 * SHMDEV_IOC_ATTACH with SHMDEV_FILE: a new handle, in a new file of the
 * region, returned as a new file descriptor; this file is left alone.
 */
static long shmdev_attach_file(struct shmdev_ioc *ioc,
			       struct shmdev_attach *arg, const char *name)
{
	struct shmdev_region *r;
	struct shmdev_handle *h;
	struct file *file;
	bool created;
	long ret;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	h = shmdev_handle_new();
	ret = PTR_ERR(h);
	if (IS_ERR(h))
		goto err_fd;
	/* Nobody else can reach @h yet: its attach lock is only for form. */
	mutex_lock(&h->attach_lock);
	r = shmdev_attach_region(h, arg, name, &created);
	mutex_unlock(&h->attach_lock);
	ret = PTR_ERR(r);
	if (IS_ERR(r))
		goto err_handle;
	shmdev_handle_attached(h, r, arg->flags & SHMDEV_RDONLY);
	file = shmdev_fs_open(r, h);
	ret = PTR_ERR(file);
	if (IS_ERR(file)) {
		h->region = NULL;
		shmdev_attach_undo(h, r, created);
		goto err_handle;
	}
	/* From here the file owns the handle: its release undoes the attach. */
	arg->region_size = READ_ONCE(r->size);
	arg->handle_id = h->id;
	arg->fd = fd;
	ret = shmdev_ioc_copy_out(ioc, arg);
	if (ret) {
		if (created)
			shmdev_region_uncreate(r);
		fput(file);
		goto err_fd;
	}
	fd_install(fd, file);
	return 0;

err_handle:
	shmdev_handle_free(h);
err_fd:
	put_unused_fd(fd);
	return ret;
}

static long shmdev_ioctl_attach(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_attach *arg = karg;
	char *name;
	long ret;

	/*
	 * The answer is copied out after the region is made: find an argument
	 * that cannot take it (read-only memory) before making anything.
	 */
	ret = shmdev_ioc_copy_out(ioc, arg);
	if (ret)
		return ret;
	if (arg->flags & ~SHMDEV_ATTACH_VALID_FLAGS || arg->pad || arg->pad2)
		return -EINVAL;
	if (!(arg->flags & SHMDEV_CREAT) &&
	    arg->flags & (SHMDEV_EXCL | SHMDEV_AUTODESTROY | SHMDEV_POPULATE))
		return -EINVAL;
	/* A caller of the first layout has nowhere to get the descriptor. */
	if (arg->flags & SHMDEV_FILE &&
	    ioc->usize < offsetofend(struct shmdev_attach, fd))
		return -EINVAL;
	/*
	 * The device's open mode bounds the handle's: through /dev/shmdev
	 * opened read-only, a region is attached read-only and not created.
	 */
	if (!(ioc->file->f_mode & FMODE_WRITE) &&
	    (arg->flags & (SHMDEV_CREAT | SHMDEV_RDONLY)) != SHMDEV_RDONLY)
		return -EACCES;
	name = shmdev_name_get(arg->name, arg->name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (arg->flags & SHMDEV_FILE)
		ret = shmdev_attach_file(ioc, arg, name);
	else
		ret = shmdev_attach_this(ioc, arg, name);
	kfree(name);
	return ret;
}

static long shmdev_ioctl_unlink(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_name *arg = karg;
	char *name;
	long ret;

	if (arg->flags)
		return -EINVAL;
	name = shmdev_name_get(arg->name, arg->name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = shmdev_region_unlink(name, arg->name_len, arg->ns_id);
	kfree(name);
	return ret;
}

static long shmdev_ioctl_stat(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_region *r = shmdev_handle_region(ioc->h);
	struct shmdev_region_info *info = karg;
	char *name = NULL;
	long ret;

	if (info->flags)
		return -EINVAL;
	if (info->name || info->name_len) {
		name = shmdev_name_get(info->name, info->name_len);
		if (IS_ERR(name))
			return PTR_ERR(name);
	} else if (!r) {
		return -EBADFD;
	} else if (info->ns_id) {
		return -EINVAL;
	}
	ret = shmdev_region_stat(r, name, info->name_len, info->ns_id, info);
	kfree(name);
	return ret;
}

static long shmdev_ioctl_resize(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_resize *arg = karg;

	if (arg->flags || arg->pad)
		return -EINVAL;
	if (ioc->h->rdonly)
		return -EACCES;
	return shmdev_region_resize(ioc->r, arg->size);
}

static long shmdev_ioctl_status(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_status *st = karg;

	shmdev_region_status(st);
	st->handles = atomic_long_read(&shmdev_nr_handles);
	st->max_region_size = READ_ONCE(shmdev_max_region_size);
	st->max_regions = READ_ONCE(shmdev_max_regions);
	st->max_user_bytes = READ_ONCE(shmdev_max_user_bytes);
	st->max_total_bytes = READ_ONCE(shmdev_max_total_bytes);
	return 0;
}

/*
 * A deadline read from the caller's CLOCK_MONOTONIC, which a time namespace
 * shifts from the host's, as the host's clock: what futex does with
 * timens_ktime_to_host(), which is not exported to modules. A deadline
 * before the host's clock began is already past.
 */
static u64 shmdev_host_deadline(u64 timeout)
{
#ifdef CONFIG_TIME_NS
	ktime_t off = timespec64_to_ktime(current->nsproxy->time_ns->offsets.monotonic);

	if (timeout == SHMDEV_TIMEOUT_INFINITE || timeout > KTIME_MAX || !off)
		return timeout;
	if (off > 0)
		return (ktime_t)timeout > off ? timeout - off : 0;
	return (ktime_t)timeout > KTIME_MAX + off ? KTIME_MAX : timeout - off;
#else
	return timeout;
#endif
}

static long shmdev_ioctl_wait(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_wait *arg = karg;

	if (arg->flags)
		return -EINVAL;
	return shmdev_wait(ioc->r, arg->offset, arg->expected,
			   shmdev_host_deadline(arg->timeout));
}

static long shmdev_ioctl_wake(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_wake *arg = karg;

	if (arg->flags || !arg->nr)
		return -EINVAL;
	return shmdev_wake(ioc->r, arg->offset, arg->nr);
}

static long shmdev_ioctl_lock(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_lock *arg = karg;
	unsigned int kind = arg->mode & (SHMDEV_LOCK_SH | SHMDEV_LOCK_EX);

	if (arg->mode & ~SHMDEV_LOCK_VALID_FLAGS ||
	    (kind != SHMDEV_LOCK_SH && kind != SHMDEV_LOCK_EX) ||
	    arg->id >= SHMDEV_NR_LOCKS)
		return -EINVAL;
	/*
	 * As semop() needs alter permission: a handle that may not write takes
	 * a lock shared only (which still makes writers wait while it holds
	 * it, as flock(LOCK_SH) does).
	 */
	if (kind == SHMDEV_LOCK_EX && ioc->h->rdonly)
		return -EACCES;
	return shmdev_lock(ioc->h, arg->id, arg->mode,
			   shmdev_host_deadline(arg->timeout));
}

static long shmdev_ioctl_unlock(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_unlock *arg = karg;

	if (arg->flags || arg->id >= SHMDEV_NR_LOCKS)
		return -EINVAL;
	return shmdev_unlock(ioc->h, arg->id);
}

static long shmdev_ioctl_mutex_init(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_mutex_init *arg = karg;

	if (arg->flags || arg->pad)
		return -EINVAL;
	if (ioc->h->rdonly)
		return -EACCES;
	return shmdev_mutex_register(ioc->r, arg->offset);
}

static long shmdev_ioctl_mutex_destroy(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_mutex_destroy *arg = karg;

	if (arg->flags || arg->pad || !arg->len || (arg->offset | arg->len) % 4 ||
	    arg->offset + arg->len < arg->offset)
		return -EINVAL;
	if (ioc->h->rdonly)
		return -EACCES;
	return shmdev_mutex_unregister(ioc->r, arg->offset, arg->len);
}

/*
 * Another owner id for this handle, for a thread of its own. The id is
 * the handle's until it is released: ids are not given back one by one, so
 * no word can hold an id that a release would no longer repair.
 */
static long shmdev_ioctl_owner_id(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_handle *h = ioc->h;
	struct shmdev_owner_id *arg = karg;
	int id, ret;

	if (arg->flags)
		return -EINVAL;
	/* Only a writer can take a mutex. */
	if (h->rdonly)
		return -EACCES;
	mutex_lock(&h->attach_lock);
	ret = -ENOSPC;
	if (h->nr_owner_ids >= SHMDEV_MAX_OWNER_IDS)
		goto out_unlock;
	if (!h->nr_owner_ids)
		h->owner_uid = ioc->file->f_cred->fsuid;	/* the opener's */
	ret = shmdev_owner_ids_charge(h->owner_uid);
	if (ret)
		goto out_unlock;
	id = shmdev_id_alloc();
	ret = id;
	if (id < 0)
		goto out_uncharge;
	ret = xa_insert(&h->owner_ids, id, xa_mk_value(1), GFP_KERNEL_ACCOUNT);
	if (ret) {
		ida_free(&shmdev_ids, id);
		goto out_uncharge;
	}
	WRITE_ONCE(h->nr_owner_ids, h->nr_owner_ids + 1);
	/* A bad pointer leaves the id with the handle, freed at release. */
	arg->id = id;
	ret = 0;
	goto out_unlock;
out_uncharge:
	shmdev_owner_ids_uncharge(h->owner_uid, 1);
out_unlock:
	mutex_unlock(&h->attach_lock);
	return ret;
}

static long shmdev_ioctl_ready(struct shmdev_ioc *ioc, void *karg)
{
	return shmdev_region_ready(ioc->r, ioc->h->id);
}

static long shmdev_ioctl_notify(struct shmdev_ioc *ioc, void *karg)
{
	shmdev_notify(ioc->r);
	return 0;
}

static long shmdev_ioctl_event_wait(struct shmdev_ioc *ioc, void *karg)
{
	struct shmdev_event *arg = karg;
	long ret;

	if (arg->flags || arg->pad)
		return -EINVAL;
	ret = shmdev_event_wait(ioc->h, arg->seq,
				shmdev_host_deadline(arg->timeout), &arg->counter);
	if (ret && ret != -ETIMEDOUT)
		return ret;
	/*
	 * Only the counter goes out, on a timeout too: the caller's other
	 * fields are its own (another thread may be writing @seq).
	 */
	ioc->copied_out = true;
	if (put_user(arg->counter,
		     &((struct shmdev_event __user *)ioc->uarg)->counter))
		return -EFAULT;
	return ret;
}

/* Every argument, for the dispatcher's copy of it. */
union shmdev_ioc_arg {
	struct shmdev_api api;
	struct shmdev_attach attach;
	struct shmdev_name name;
	struct shmdev_region_info info;
	struct shmdev_status status;
	struct shmdev_resize resize;
	struct shmdev_wait wait;
	struct shmdev_wake wake;
	struct shmdev_lock lock;
	struct shmdev_unlock unlock;
	struct shmdev_mutex_init mutex_init;
	struct shmdev_mutex_destroy mutex_destroy;
	struct shmdev_owner_id owner_id;
	struct shmdev_event event;
};

#define SHMDEV_IOC_ATTACHED	0x1	/* needs an attached handle, else -EBADFD */
#define SHMDEV_IOC_WRITER	0x2	/* needs /dev/shmdev open for writing, else -EACCES */

/**
 * struct shmdev_ioctl_desc - one ioctl of the table
 * @cmd:	its number at the module's argument size: direction and size
 * @size_ver0:	the argument's first, smallest layout
 * @flags:	SHMDEV_IOC_ATTACHED, SHMDEV_IOC_WRITER
 * @fn:		the handler, given the argument copied in and zero-extended;
 *		the dispatcher copies it out when the handler returns >= 0
 *		and @cmd reads, unless the handler did
 */
struct shmdev_ioctl_desc {
	unsigned int cmd;
	unsigned short size_ver0;
	unsigned short flags;
	long (*fn)(struct shmdev_ioc *ioc, void *karg);
};

#define SHMDEV_IOCTL(_cmd, _ver0, _flags, _fn)				\
	[_IOC_NR(_cmd)] = {						\
		.cmd = (_cmd),						\
		.size_ver0 = (_ver0) +					\
			BUILD_BUG_ON_ZERO(_IOC_SIZE(_cmd) >		\
					  sizeof(union shmdev_ioc_arg) || \
					  (_ver0) > _IOC_SIZE(_cmd)),	\
		.flags = (_flags),					\
		.fn = (_fn),						\
	}

static const struct shmdev_ioctl_desc shmdev_ioctls[] = {
	SHMDEV_IOCTL(SHMDEV_IOC_API, sizeof(struct shmdev_api), 0,
		     shmdev_ioctl_api),
	SHMDEV_IOCTL(SHMDEV_IOC_ATTACH, SHMDEV_ATTACH_SIZE_VER0, 0,
		     shmdev_ioctl_attach),
	SHMDEV_IOCTL(SHMDEV_IOC_UNLINK, sizeof(struct shmdev_name),
		     SHMDEV_IOC_WRITER, shmdev_ioctl_unlink),
	SHMDEV_IOCTL(SHMDEV_IOC_STAT, SHMDEV_REGION_INFO_SIZE_VER0, 0,
		     shmdev_ioctl_stat),
	SHMDEV_IOCTL(SHMDEV_IOC_RESIZE, sizeof(struct shmdev_resize),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_resize),
	SHMDEV_IOCTL(SHMDEV_IOC_STATUS, SHMDEV_STATUS_SIZE_VER0, 0,
		     shmdev_ioctl_status),
	SHMDEV_IOCTL(SHMDEV_IOC_WAIT, sizeof(struct shmdev_wait),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_wait),
	SHMDEV_IOCTL(SHMDEV_IOC_WAKE, sizeof(struct shmdev_wake),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_wake),
	SHMDEV_IOCTL(SHMDEV_IOC_LOCK, sizeof(struct shmdev_lock),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_lock),
	SHMDEV_IOCTL(SHMDEV_IOC_UNLOCK, sizeof(struct shmdev_unlock),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_unlock),
	SHMDEV_IOCTL(SHMDEV_IOC_MUTEX_INIT, sizeof(struct shmdev_mutex_init),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_mutex_init),
	SHMDEV_IOCTL(SHMDEV_IOC_NOTIFY, 0, SHMDEV_IOC_ATTACHED,
		     shmdev_ioctl_notify),
	SHMDEV_IOCTL(SHMDEV_IOC_EVENT_WAIT, sizeof(struct shmdev_event),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_event_wait),
	SHMDEV_IOCTL(SHMDEV_IOC_MUTEX_DESTROY, sizeof(struct shmdev_mutex_destroy),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_mutex_destroy),
	SHMDEV_IOCTL(SHMDEV_IOC_OWNER_ID, sizeof(struct shmdev_owner_id),
		     SHMDEV_IOC_ATTACHED, shmdev_ioctl_owner_id),
	SHMDEV_IOCTL(SHMDEV_IOC_READY, 0, SHMDEV_IOC_ATTACHED,
		     shmdev_ioctl_ready),
};

/*
 * The ioctl entry: look the call up by its number alone, check its
 * direction and the caller's size, copy the argument in once (zero-extended
 * to the module's layout; a longer one only with zeros past it), call the
 * handler, copy the answer out at the caller's size.
 */
long shmdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct shmdev_ioc ioc = {
		.file	= file,
		.h	= file->private_data,
		.uarg	= (void __user *)arg,
		.usize	= _IOC_SIZE(cmd),
	};
	const struct shmdev_ioctl_desc *d;
	union shmdev_ioc_arg karg;
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != SHMDEV_IOC_MAGIC || nr >= ARRAY_SIZE(shmdev_ioctls))
		return -ENOTTY;
	d = &shmdev_ioctls[array_index_nospec(nr, ARRAY_SIZE(shmdev_ioctls))];
	if (!d->fn || _IOC_DIR(cmd) != _IOC_DIR(d->cmd))
		return -ENOTTY;
	ioc.ksize = _IOC_SIZE(d->cmd);
	if (!ioc.ksize && ioc.usize)
		return -ENOTTY;
	if (ioc.usize < d->size_ver0)
		return -EINVAL;

	if (d->flags & SHMDEV_IOC_ATTACHED) {
		ioc.r = shmdev_handle_region(ioc.h);
		if (!ioc.r)
			return -EBADFD;
		/* A region file opened write-only may not read the region's words. */
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
	}
	if (d->flags & SHMDEV_IOC_WRITER && !(file->f_mode & FMODE_WRITE))
		return -EACCES;

	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(&karg, ioc.ksize, ioc.uarg, ioc.usize);
		if (ret)
			return ret;
	} else {
		memset(&karg, 0, ioc.ksize);
	}
	ret = d->fn(&ioc, &karg);
	if (ret < 0 || !(_IOC_DIR(cmd) & _IOC_READ) || ioc.copied_out)
		return ret;
	if (shmdev_ioc_copy_out(&ioc, &karg))
		return -EFAULT;
	return ret;
}

static const struct file_operations shmdev_fops = {
	.owner		= THIS_MODULE,
	.open		= shmdev_open,
	.release	= shmdev_handle_release,
	.mmap		= shmdev_handle_mmap,
	.poll		= shmdev_handle_poll,
	.unlocked_ioctl	= shmdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice shmdev_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "shmdev",
	.fops		= &shmdev_fops,
	.mode		= 0666,
};

static int __init shmdev_init(void)
{
	unsigned long ram = totalram_pages() << PAGE_SHIFT;
	int ret;

	/*
	 * Sizes are charged as declared, touched or not, so no one user may
	 * take what all share: half of RAM in all, as tmpfs on /dev/shm, and
	 * a quarter of that for each owner, so four users at their limit fit.
	 */
	if (!shmdev_max_total_bytes)
		shmdev_max_total_bytes = ram / 2 & PAGE_MASK;
	if (!shmdev_max_user_bytes)
		shmdev_max_user_bytes = ram / 8 & PAGE_MASK;
	if (!shmdev_max_region_size)
		shmdev_max_region_size = shmdev_max_user_bytes;

	ret = shmdev_sync_init();
	if (ret)
		return ret;
	ret = shmdev_regions_init();
	if (ret)
		goto err_sync;
	ret = shmdev_fs_init();
	if (ret)
		goto err_regions;
	ret = misc_register(&shmdev_misc);
	if (ret)
		goto err_fs;
	return 0;

err_fs:
	shmdev_fs_exit();
err_regions:
	shmdev_regions_exit();
err_sync:
	shmdev_sync_exit();
	return ret;
}

static void __exit shmdev_exit(void)
{
	misc_deregister(&shmdev_misc);
	shmdev_fs_exit();
	shmdev_regions_exit();
	shmdev_sync_exit();
	ida_destroy(&shmdev_ids);
}

module_init(shmdev_init);
module_exit(shmdev_exit);

MODULE_DESCRIPTION("Named shared-memory regions with kernel wait queues and robust locks");
MODULE_AUTHOR("The shmdev developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SHMDEV_VERSION);
