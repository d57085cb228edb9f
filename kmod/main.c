// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev: named shared-memory regions and wait queues through /dev/shmdev.
 *
 * This file is the device: module parameters, the misc device, file
 * operations and the ioctl switch. Regions live in region.c, wait queues,
 * locks and events in sync.c; include/uapi/linux/shmdev.h is the ABI.
 *
 * One open file is one handle. SHMDEV_IOC_ATTACH binds it to a region, once;
 * mmap of the file then maps that region, and the region's ioctls act on it.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
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

static int shmdev_open(struct inode *inode, struct file *file)
{
	struct shmdev_handle *h;
	int id;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	id = shmdev_id_alloc();
	if (id < 0) {
		kfree(h);
		return id == -ENOSPC ? -EMFILE : id;
	}
	h->id = id;
	xa_init(&h->owner_ids);
	mutex_init(&h->attach_lock);
	file->private_data = h;
	atomic_long_inc(&shmdev_nr_handles);
	return nonseekable_open(inode, file);
}

static int shmdev_release(struct inode *inode, struct file *file)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = h->region;
	unsigned long index;
	void *entry;

	if (r) {
		fput(h->file);
		shmdev_sync_release(h);
		/* After its locks and mutexes are repaired, for its successor. */
		shmdev_region_init_abandon(r, h->id);
		atomic_dec(&r->handles);
		shmdev_region_put(r);
	}
	atomic_long_dec(&shmdev_nr_handles);
	/* After the words holding them were released above. */
	xa_for_each(&h->owner_ids, index, entry)
		ida_free(&shmdev_ids, index);
	xa_destroy(&h->owner_ids);
	shmdev_owner_ids_uncharge(h->owner_uid, h->nr_owner_ids);
	ida_free(&shmdev_ids, h->id);
	mutex_destroy(&h->attach_lock);
	kfree(h);
	return 0;
}

static int shmdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);

	if (IS_ERR(r))
		return PTR_ERR(r);
	return shmdev_region_mmap(h->file, vma);
}

static __poll_t shmdev_poll(struct file *file, poll_table *wait)
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
 * bytes, no '/' and no NUL. The caller frees it.
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
	if (memchr(name, '/', len) || memchr(name, '\0', len)) {
		kfree(name);
		return ERR_PTR(-EINVAL);
	}
	return name;
}

static long shmdev_ioctl_api(void __user *argp)
{
	struct shmdev_api api = {
		.abi_version	= SHMDEV_ABI_VERSION,
		.nr_locks	= SHMDEV_NR_LOCKS,
		.features	= SHMDEV_FEAT_REGIONS | SHMDEV_FEAT_WAIT |
				  SHMDEV_FEAT_LOCKS | SHMDEV_FEAT_MUTEX |
				  SHMDEV_FEAT_EVENTS | SHMDEV_FEAT_MUTEX_DESTROY |
				  SHMDEV_FEAT_OWNER_IDS | SHMDEV_FEAT_INIT,
		.name_max	= SHMDEV_NAME_MAX,
		.page_size	= PAGE_SIZE,
	};

	if (copy_to_user(argp, &api, sizeof(api)))
		return -EFAULT;
	return 0;
}

static long shmdev_ioctl_attach(struct file *file, void __user *argp)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_attach arg;
	struct shmdev_region *r;
	bool created;
	char *name;
	long ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	/*
	 * The answer is copied out after the region is made: find an argument
	 * that cannot take it (read-only memory) before making anything.
	 */
	if (copy_to_user(argp, &arg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~SHMDEV_ATTACH_VALID_FLAGS || arg.pad)
		return -EINVAL;
	if (!(arg.flags & SHMDEV_CREAT) &&
	    arg.flags & (SHMDEV_EXCL | SHMDEV_AUTODESTROY | SHMDEV_POPULATE))
		return -EINVAL;
	/*
	 * The device's open mode bounds the handle's: through /dev/shmdev
	 * opened read-only, a region is attached read-only and not created.
	 */
	if (!(file->f_mode & FMODE_WRITE) &&
	    (arg.flags & (SHMDEV_CREAT | SHMDEV_RDONLY)) != SHMDEV_RDONLY)
		return -EACCES;
	name = shmdev_name_get(arg.name, arg.name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);

	/* Interruptible: an attach ahead of us may sleep for initialisation. */
	ret = mutex_lock_interruptible(&h->attach_lock);
	if (ret)
		goto err_name;
	ret = -EBUSY;
	if (h->region)
		goto err_unlock;
again:
	r = shmdev_region_attach(name, arg.name_len, &arg, h->id, &created);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		goto err_unlock;
	}
	arg.region_flags = r->flags;
	if (arg.flags & SHMDEV_INIT) {
		if (created && !(arg.flags & SHMDEV_RDONLY))
			ret = 1;
		else
			ret = shmdev_region_init_wait(r, h->id,
						      arg.flags & SHMDEV_RDONLY);
		if (ret == -ESTALE) {
			atomic_dec(&r->handles);
			shmdev_region_put(r);
			goto again;
		}
		if (ret < 0)
			goto err_region;
		if (ret)
			arg.region_flags |= SHMDEV_REGION_INITIALIZER;
	}

	h->rdonly = arg.flags & SHMDEV_RDONLY;
	h->file = shmdev_region_file(r, h->rdonly);
	if (IS_ERR(h->file)) {
		ret = PTR_ERR(h->file);
		h->file = NULL;
		goto err_region;
	}

	arg.region_size = READ_ONCE(r->size);
	arg.handle_id = h->id;
	ret = -EFAULT;
	if (copy_to_user(argp, &arg, sizeof(arg)))
		goto err_file;

	h->event_seen = atomic64_read(&r->events);
	/* Pairs with smp_load_acquire() in shmdev_handle_region(). */
	smp_store_release(&h->region, r);
	mutex_unlock(&h->attach_lock);
	kfree(name);
	return 0;

err_file:
	fput(h->file);
	h->file = NULL;
err_region:
	/* A region this call created goes with its failure. */
	if (created)
		shmdev_region_uncreate(r);
	shmdev_region_init_abandon(r, h->id);
	atomic_dec(&r->handles);
	shmdev_region_put(r);
err_unlock:
	mutex_unlock(&h->attach_lock);
err_name:
	kfree(name);
	return ret;
}

static long shmdev_ioctl_unlink(struct file *file, void __user *argp)
{
	struct shmdev_name arg;
	char *name;
	long ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EACCES;
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	name = shmdev_name_get(arg.name, arg.name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = shmdev_region_unlink(name, arg.name_len, arg.ns_id);
	kfree(name);
	return ret;
}

static long shmdev_ioctl_stat(struct file *file, void __user *argp)
{
	struct shmdev_region *r = shmdev_handle_region(file->private_data);
	struct shmdev_region_info info;
	char *name = NULL;
	long ret;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (info.flags)
		return -EINVAL;
	if (info.name || info.name_len) {
		name = shmdev_name_get(info.name, info.name_len);
		if (IS_ERR(name))
			return PTR_ERR(name);
	} else if (!r) {
		return -EBADFD;
	} else if (info.ns_id) {
		return -EINVAL;
	}
	ret = shmdev_region_stat(r, name, info.name_len, info.ns_id, &info);
	kfree(name);
	if (ret)
		return ret;
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long shmdev_ioctl_resize(struct file *file, void __user *argp)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_resize arg;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	if (h->rdonly)
		return -EACCES;
	return shmdev_region_resize(r, arg.size);
}

static long shmdev_ioctl_status(void __user *argp)
{
	struct shmdev_status st = {};

	shmdev_region_status(&st);
	st.handles = atomic_long_read(&shmdev_nr_handles);
	if (copy_to_user(argp, &st, sizeof(st)))
		return -EFAULT;
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

static long shmdev_ioctl_wait(struct file *file, void __user *argp)
{
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_wait arg;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	return shmdev_wait(r, arg.offset, arg.expected,
			   shmdev_host_deadline(arg.timeout));
}

static long shmdev_ioctl_wake(struct file *file, void __user *argp)
{
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_wake arg;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || !arg.nr)
		return -EINVAL;
	return shmdev_wake(r, arg.offset, arg.nr);
}

static long shmdev_ioctl_lock(struct file *file, void __user *argp)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_lock arg;
	unsigned int kind;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	kind = arg.mode & (SHMDEV_LOCK_SH | SHMDEV_LOCK_EX);
	if (arg.mode & ~SHMDEV_LOCK_VALID_FLAGS ||
	    (kind != SHMDEV_LOCK_SH && kind != SHMDEV_LOCK_EX) ||
	    arg.id >= SHMDEV_NR_LOCKS)
		return -EINVAL;
	/*
	 * As semop() needs alter permission: a handle that may not write takes
	 * a lock shared only (which still makes writers wait while it holds
	 * it, as flock(LOCK_SH) does).
	 */
	if (kind == SHMDEV_LOCK_EX && h->rdonly)
		return -EACCES;
	return shmdev_lock(h, arg.id, arg.mode,
			   shmdev_host_deadline(arg.timeout));
}

static long shmdev_ioctl_unlock(struct file *file, void __user *argp)
{
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_unlock arg;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.id >= SHMDEV_NR_LOCKS)
		return -EINVAL;
	return shmdev_unlock(file->private_data, arg.id);
}

static long shmdev_ioctl_mutex_init(struct file *file, void __user *argp)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_mutex_init arg;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	if (h->rdonly)
		return -EACCES;
	return shmdev_mutex_register(r, arg.offset);
}

static long shmdev_ioctl_mutex_destroy(struct file *file, void __user *argp)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_mutex_destroy arg;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad || !arg.len || (arg.offset | arg.len) % 4 ||
	    arg.offset + arg.len < arg.offset)
		return -EINVAL;
	if (h->rdonly)
		return -EACCES;
	return shmdev_mutex_unregister(r, arg.offset, arg.len);
}

/*
 * Another owner id for this handle, for a thread of its own. The id is
 * the handle's until it is released: ids are not given back one by one, so
 * no word can hold an id that a release would no longer repair.
 */
static long shmdev_ioctl_owner_id(struct file *file, void __user *argp)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_owner_id arg;
	int id, ret;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;
	/* Only a writer can take a mutex. */
	if (h->rdonly)
		return -EACCES;
	mutex_lock(&h->attach_lock);
	ret = -ENOSPC;
	if (h->nr_owner_ids >= SHMDEV_MAX_OWNER_IDS)
		goto out_unlock;
	if (!h->nr_owner_ids)
		h->owner_uid = file->f_cred->fsuid;	/* the opener's */
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
	arg.id = id;
	ret = 0;
	goto out_unlock;
out_uncharge:
	shmdev_owner_ids_uncharge(h->owner_uid, 1);
out_unlock:
	mutex_unlock(&h->attach_lock);
	if (ret)
		return ret;
	/* A bad pointer leaves the id with the handle, freed at release. */
	if (copy_to_user(argp, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long shmdev_ioctl_ready(struct file *file)
{
	struct shmdev_handle *h = file->private_data;
	struct shmdev_region *r = shmdev_attached(file);

	if (IS_ERR(r))
		return PTR_ERR(r);
	return shmdev_region_ready(r, h->id);
}

static long shmdev_ioctl_notify(struct file *file)
{
	struct shmdev_region *r = shmdev_attached(file);

	if (IS_ERR(r))
		return PTR_ERR(r);
	shmdev_notify(r);
	return 0;
}

static long shmdev_ioctl_event_wait(struct file *file, void __user *argp)
{
	struct shmdev_region *r = shmdev_attached(file);
	struct shmdev_event arg;
	long ret;

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	ret = shmdev_event_wait(file->private_data, arg.seq,
				shmdev_host_deadline(arg.timeout), &arg.counter);
	if (ret && ret != -ETIMEDOUT)
		return ret;
	if (put_user(arg.counter, &((struct shmdev_event __user *)argp)->counter))
		return -EFAULT;
	return ret;
}

static long shmdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SHMDEV_IOC_API:
		return shmdev_ioctl_api(argp);
	case SHMDEV_IOC_ATTACH:
		return shmdev_ioctl_attach(file, argp);
	case SHMDEV_IOC_UNLINK:
		return shmdev_ioctl_unlink(file, argp);
	case SHMDEV_IOC_STAT:
		return shmdev_ioctl_stat(file, argp);
	case SHMDEV_IOC_RESIZE:
		return shmdev_ioctl_resize(file, argp);
	case SHMDEV_IOC_STATUS:
		return shmdev_ioctl_status(argp);
	case SHMDEV_IOC_WAIT:
		return shmdev_ioctl_wait(file, argp);
	case SHMDEV_IOC_WAKE:
		return shmdev_ioctl_wake(file, argp);
	case SHMDEV_IOC_LOCK:
		return shmdev_ioctl_lock(file, argp);
	case SHMDEV_IOC_UNLOCK:
		return shmdev_ioctl_unlock(file, argp);
	case SHMDEV_IOC_MUTEX_INIT:
		return shmdev_ioctl_mutex_init(file, argp);
	case SHMDEV_IOC_NOTIFY:
		return shmdev_ioctl_notify(file);
	case SHMDEV_IOC_EVENT_WAIT:
		return shmdev_ioctl_event_wait(file, argp);
	case SHMDEV_IOC_MUTEX_DESTROY:
		return shmdev_ioctl_mutex_destroy(file, argp);
	case SHMDEV_IOC_OWNER_ID:
		return shmdev_ioctl_owner_id(file, argp);
	case SHMDEV_IOC_READY:
		return shmdev_ioctl_ready(file);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations shmdev_fops = {
	.owner		= THIS_MODULE,
	.open		= shmdev_open,
	.release	= shmdev_release,
	.mmap		= shmdev_mmap,
	.poll		= shmdev_poll,
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
	ret = misc_register(&shmdev_misc);
	if (ret)
		goto err_regions;
	return 0;

err_regions:
	shmdev_regions_exit();
err_sync:
	shmdev_sync_exit();
	return ret;
}

static void __exit shmdev_exit(void)
{
	misc_deregister(&shmdev_misc);
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
