// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev regions: names per IPC namespace, lifetime, shmem backing,
 * mapping, resizing, limits and the /proc/shmdev listing.
 *
 * A region is referenced by its name link (unless SHMDEV_AUTODESTROY), by
 * every attached handle and by every vma. The last reference is dropped with
 * kref_put_mutex() under shmdev_table_lock, so a lookup under that lock never
 * sees a region whose count already reached zero.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "shmdev.h"

static DEFINE_MUTEX(shmdev_table_lock);
static LIST_HEAD(shmdev_namespaces);
static u64 shmdev_nr_regions;
static u64 shmdev_nr_bytes;
/* Inode numbers of regions; 1 is the root directory's (fs.c). */
static atomic64_t shmdev_last_ino = ATOMIC64_INIT(1);

/**
 * struct shmdev_user - what is charged to one user, in all namespaces
 * @node:	in shmdev_users
 * @uid:	the owner
 * @bytes:	sizes of the regions it owns
 * @owner_ids:	SHMDEV_IOC_OWNER_ID ids its handles hold
 *
 * Protected by shmdev_table_lock; freed when both drop to zero.
 */
struct shmdev_user {
	struct hlist_node node;
	kuid_t uid;
	u64 bytes;
	unsigned int owner_ids;
};

/* All SHMDEV_IOC_OWNER_ID ids held (shmdev_table_lock). */
static unsigned int shmdev_nr_owner_ids;

static DEFINE_HASHTABLE(shmdev_users, 6);

/* Dead namespaces are looked for this often while there may be some. */
#define SHMDEV_REAP_INTERVAL	(5 * HZ)

static void shmdev_reap_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(shmdev_reap_work, shmdev_reap_work_fn);

static bool shmdev_ns_initial(struct ipc_namespace *ipc_ns)
{
	return ipc_ns->ns.inum == PROC_IPC_INIT_INO;
}

/* Caller must hold shmdev_table_lock. */
static struct shmdev_user *shmdev_user_find(kuid_t uid)
{
	struct shmdev_user *u;

	hash_for_each_possible(shmdev_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Caller must hold shmdev_table_lock. */
static struct shmdev_ns *shmdev_ns_find(struct ipc_namespace *ipc_ns)
{
	struct shmdev_ns *ns;

	list_for_each_entry(ns, &shmdev_namespaces, node)
		if (ns->ipc_ns == ipc_ns)
			return ns;
	return NULL;
}

/* Caller must hold shmdev_table_lock. */
static struct shmdev_ns *shmdev_ns_find_inum(u64 inum)
{
	struct shmdev_ns *ns;

	list_for_each_entry(ns, &shmdev_namespaces, node)
		if (ns->ipc_ns->ns.inum == inum)
			return ns;
	return NULL;
}

/*
 * The namespace a request by name addresses: the caller's, or with @ns_id
 * another one, which only an administrator of the initial namespace may name.
 * Caller must hold shmdev_table_lock. NULL when that namespace has no regions.
 */
static struct shmdev_ns *shmdev_ns_lookup(u64 ns_id, int *err)
{
	struct ipc_namespace *ipc_ns = current->nsproxy->ipc_ns;

	*err = 0;
	if (!ns_id || ns_id == ipc_ns->ns.inum)
		return shmdev_ns_find(ipc_ns);
	if (ipc_ns->ns.inum != PROC_IPC_INIT_INO || !capable(CAP_SYS_ADMIN)) {
		*err = -EPERM;
		return NULL;
	}
	return shmdev_ns_find_inum(ns_id);
}

/* Caller must hold shmdev_table_lock. */
static struct shmdev_link *shmdev_link_find(struct shmdev_ns *ns,
					    const char *name, unsigned int len)
{
	struct rb_node *n = ns ? ns->names.rb_node : NULL;

	while (n) {
		struct shmdev_link *l = rb_entry(n, struct shmdev_link, node);
		int cmp = memcmp(name, l->name, min(len, l->len));

		if (!cmp)
			cmp = (int)len - (int)l->len;
		if (cmp < 0)
			n = n->rb_left;
		else if (cmp > 0)
			n = n->rb_right;
		else
			return l;
	}
	return NULL;
}

/* Caller must hold shmdev_table_lock. */
static struct shmdev_region *shmdev_name_find(struct shmdev_ns *ns,
					      const char *name, unsigned int len)
{
	struct shmdev_link *l = shmdev_link_find(ns, name, len);

	return l ? l->region : NULL;
}

static struct shmdev_link *shmdev_link_alloc(const char *name, unsigned int len)
{
	struct shmdev_link *l;

	l = kmalloc(struct_size(l, name, len + 1), GFP_KERNEL_ACCOUNT);
	if (!l)
		return NULL;
	l->len = len;
	memcpy(l->name, name, len);
	l->name[len] = '\0';
	return l;
}

/*
 * Give @r the name @l, which must be free in its namespace. The caller
 * takes the name's reference unless @r is AUTODESTROY. Caller must hold
 * shmdev_table_lock.
 */
static void shmdev_link_add(struct shmdev_region *r, struct shmdev_link *l)
{
	struct rb_node **p = &r->ns->names.rb_node, *parent = NULL;

	while (*p) {
		struct shmdev_link *o = rb_entry(*p, struct shmdev_link, node);
		int cmp = memcmp(l->name, o->name, min(l->len, o->len));

		if (!cmp)
			cmp = (int)l->len - (int)o->len;
		parent = *p;
		p = cmp < 0 ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&l->node, parent, p);
	rb_insert_color(&l->node, &r->ns->names);
	l->region = r;
	list_add_tail(&l->region_node, &r->links);
	r->nlink++;
	r->ns->nr_names++;
	WRITE_ONCE(r->linked, true);
}

/*
 * Remove the name @l and free it. Return whether it held a reference to
 * its region, for the caller to drop once it has let go of the lock.
 * Caller must hold shmdev_table_lock.
 */
static bool shmdev_link_del(struct shmdev_link *l)
{
	struct shmdev_region *r = l->region;

	rb_erase(&l->node, &r->ns->names);
	list_del(&l->region_node);
	kfree(l);
	r->ns->nr_names--;
	if (!--r->nlink) {
		WRITE_ONCE(r->linked, false);
		/* SHMDEV_INIT waiters look the name up again (shmdev_region_init_wait()). */
		if (READ_ONCE(r->unready))
			wake_up_all(&r->init_wq);
	}
	return !(r->flags & SHMDEV_AUTODESTROY);
}

/*
 * Remove every name of @r: return how many references they held. Caller
 * must hold shmdev_table_lock.
 */
static unsigned int shmdev_links_del_all(struct shmdev_region *r)
{
	struct shmdev_link *l, *tmp;
	unsigned int refs = 0;

	list_for_each_entry_safe(l, tmp, &r->links, region_node)
		refs += shmdev_link_del(l);
	return refs;
}

static void shmdev_region_put_many(struct shmdev_region *r, unsigned int n)
{
	while (n--)
		shmdev_region_put(r);
}

/*
 * A namespace's table, for the caller's IPC namespace or the namespace of
 * a superblock. Caller must hold shmdev_table_lock.
 */
static struct shmdev_ns *shmdev_ns_new(struct ipc_namespace *ipc_ns)
{
	struct shmdev_ns *ns = kzalloc(sizeof(*ns), GFP_KERNEL);

	if (!ns)
		return NULL;
	ns->ipc_ns = get_ipc_ns(ipc_ns);
	ns->names = RB_ROOT;
	list_add(&ns->node, &shmdev_namespaces);
	if (!shmdev_ns_initial(ns->ipc_ns))
		schedule_delayed_work(&shmdev_reap_work, SHMDEV_REAP_INTERVAL);
	return ns;
}

/* Free @ns once neither a region nor a superblock needs it (shmdev_table_lock). */
static void shmdev_ns_maybe_free(struct shmdev_ns *ns)
{
	if (ns->nr_regions || ns->sb_refs)
		return;
	list_del(&ns->node);
	shmdev_put_ipc_ns(ns->ipc_ns);
	kfree(ns);
}

/**
 * shmdev_ns_get - the table of @ipc_ns, for a superblock showing it
 * @ipc_ns: the namespace
 *
 * Return: the table, referenced until shmdev_ns_put(), or NULL (-ENOMEM).
 */
struct shmdev_ns *shmdev_ns_get(struct ipc_namespace *ipc_ns)
{
	struct shmdev_ns *ns;

	mutex_lock(&shmdev_table_lock);
	ns = shmdev_ns_find(ipc_ns);
	if (!ns)
		ns = shmdev_ns_new(ipc_ns);
	if (ns)
		ns->sb_refs++;
	mutex_unlock(&shmdev_table_lock);
	return ns;
}

void shmdev_ns_put(struct shmdev_ns *ns)
{
	mutex_lock(&shmdev_table_lock);
	ns->sb_refs--;
	shmdev_ns_maybe_free(ns);
	mutex_unlock(&shmdev_table_lock);
}

/*
 * Check the limits and charge @bytes more to @uid, and with @ns_new one more
 * region to the namespace @*nsp (created for the caller's namespace when
 * NULL). Caller must hold shmdev_table_lock.
 */
static int shmdev_charge(struct shmdev_ns **nsp, kuid_t uid, u64 old_size,
			 u64 new_size, bool ns_new)
{
	struct shmdev_ns *ns = *nsp;
	struct shmdev_user *u = shmdev_user_find(uid);
	u64 delta = new_size - old_size;

	if (new_size > READ_ONCE(shmdev_max_region_size))
		return -EFBIG;
	if (ns_new && ns && (ns->nr_regions >= READ_ONCE(shmdev_max_regions) ||
			     ns->nr_names >= READ_ONCE(shmdev_max_regions)))
		return -ENOSPC;
	if (ns_new && !ns && !READ_ONCE(shmdev_max_regions))
		return -ENOSPC;
	if ((u ? u->bytes : 0) + delta > READ_ONCE(shmdev_max_user_bytes))
		return -ENOSPC;
	if (shmdev_nr_bytes + delta > READ_ONCE(shmdev_max_total_bytes))
		return -ENOSPC;

	/* A region of 0 bytes charges its owner nothing: no entry for it. */
	if (!u && delta) {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		u->uid = uid;
		hash_add(shmdev_users, &u->node, __kuid_val(uid));
	}
	if (!ns) {
		ns = shmdev_ns_new(current->nsproxy->ipc_ns);
		if (!ns) {
			if (u && !u->bytes && !u->owner_ids) {
				hash_del(&u->node);
				kfree(u);
			}
			return -ENOMEM;
		}
		*nsp = ns;
	}
	if (ns_new) {
		ns->nr_regions++;
		shmdev_nr_regions++;
	}
	ns->bytes += delta;
	if (u)
		u->bytes += delta;
	shmdev_nr_bytes += delta;
	return 0;
}

/*
 * Undo shmdev_charge(); with @ns_gone the region leaves its namespace, which
 * is freed with its last region. Caller must hold shmdev_table_lock.
 */
static void shmdev_uncharge(struct shmdev_ns *ns, kuid_t uid, u64 bytes,
			    bool ns_gone)
{
	struct shmdev_user *u = shmdev_user_find(uid);

	/* An owner charged nothing has no entry (shmdev_charge()). */
	if (!u) {
		WARN_ON_ONCE(bytes);
	} else {
		u->bytes -= bytes;
		if (!u->bytes && !u->owner_ids) {
			hash_del(&u->node);
			kfree(u);
		}
	}
	shmdev_nr_bytes -= bytes;
	ns->bytes -= bytes;
	if (!ns_gone)
		return;
	shmdev_nr_regions--;
	ns->nr_regions--;
	shmdev_ns_maybe_free(ns);
}

/*
 * Charge @r's owner for @size bytes, past the limits: what writes racing
 * with a truncate already wrote. Caller must hold shmdev_table_lock.
 * Return: 0, -ENOMEM.
 */
static int shmdev_charge_over(struct shmdev_region *r, u64 size)
{
	struct shmdev_user *u = shmdev_user_find(r->cuid);
	u64 delta = size - r->size;

	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		u->uid = r->cuid;
		hash_add(shmdev_users, &u->node, __kuid_val(r->cuid));
	}
	u->bytes += delta;
	r->ns->bytes += delta;
	shmdev_nr_bytes += delta;
	return 0;
}

/**
 * shmdev_owner_ids_charge - count one more owner id for @uid
 * @uid: the user whose handle takes it (the opener's fsuid)
 *
 * Owner ids come from the handle ids' space: bounded per user and in all,
 * SHMDEV_IOC_OWNER_ID can neither use that space up for other users' opens
 * nor take every id other users' threads could have.
 *
 * Return: 0, -ENOSPC (a limit), -ENOMEM.
 */
int shmdev_owner_ids_charge(kuid_t uid)
{
	struct shmdev_user *u;
	int ret = -ENOSPC;

	mutex_lock(&shmdev_table_lock);
	u = shmdev_user_find(uid);
	if (shmdev_nr_owner_ids >= SHMDEV_MAX_TOTAL_OWNER_IDS ||
	    (u && u->owner_ids >= SHMDEV_MAX_USER_OWNER_IDS))
		goto out_unlock;
	if (!u) {
		ret = -ENOMEM;
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			goto out_unlock;
		u->uid = uid;
		hash_add(shmdev_users, &u->node, __kuid_val(uid));
	}
	u->owner_ids++;
	shmdev_nr_owner_ids++;
	ret = 0;
out_unlock:
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/* Undo shmdev_owner_ids_charge() @n times. */
void shmdev_owner_ids_uncharge(kuid_t uid, unsigned int n)
{
	struct shmdev_user *u;

	if (!n)
		return;
	mutex_lock(&shmdev_table_lock);
	u = shmdev_user_find(uid);
	if (!WARN_ON_ONCE(!u || u->owner_ids < n)) {
		u->owner_ids -= n;
		shmdev_nr_owner_ids -= n;
		if (!u->bytes && !u->owner_ids) {
			hash_del(&u->node);
			kfree(u);
		}
	}
	mutex_unlock(&shmdev_table_lock);
}

static void shmdev_region_release(struct kref *ref)
	__releases(&shmdev_table_lock)
{
	struct shmdev_region *r = container_of(ref, struct shmdev_region, ref);

	/* Only an AUTODESTROY region's names hold no reference to it. */
	WARN_ON_ONCE(shmdev_links_del_all(r));
	shmdev_uncharge(r->ns, r->cuid, r->size, true);
	mutex_unlock(&shmdev_table_lock);

	shmdev_sync_region_free(r);
	if (r->file)
		fput(r->file);
	put_pid(r->creator_pid);
	put_pid(r->last_pid);
	mutex_destroy(&r->lock);
	kfree(r);
}

/**
 * shmdev_region_put - drop a reference to a region
 * @r: the region
 *
 * Frees the region, and unlinks its name if it is still linked (an
 * AUTODESTROY region), when this was the last reference. May sleep.
 */
void shmdev_region_put(struct shmdev_region *r)
{
	kref_put_mutex(&r->ref, shmdev_region_release, &shmdev_table_lock);
}

/* Regions whose last reference an evicted inode held, put by a worker. */
static LLIST_HEAD(shmdev_put_list);

static void shmdev_put_work_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&shmdev_put_list);
	struct shmdev_region *r, *tmp;

	llist_for_each_entry_safe(r, tmp, list, put_node)
		shmdev_region_put(r);
}

static DECLARE_WORK(shmdev_put_work, shmdev_put_work_fn);

/**
 * shmdev_region_put_async - drop an inode's reference
 * @r: the region
 *
 * For ->evict_inode(). Memory reclaim (PF_MEMALLOC) runs it under whatever
 * locks its allocation held, and freeing a region takes shmdev_table_lock:
 * there the last reference is dropped by a worker. Elsewhere, at once, so
 * that a region unlinked by unlink(2) is gone when it returns.
 */
void shmdev_region_put_async(struct shmdev_region *r)
{
	if (!(current->flags & PF_MEMALLOC)) {
		shmdev_region_put(r);
		return;
	}
	if (refcount_dec_not_one(&r->ref.refcount))
		return;
	if (llist_add(&r->put_node, &shmdev_put_list))
		schedule_work(&shmdev_put_work);
}

/**
 * shmdev_region_stamp - record an attach or a detach, as SysV's shm_lprid
 * @r: the region
 * @attach: an attach (atime), else a detach (dtime)
 */
void shmdev_region_stamp(struct shmdev_region *r, bool attach)
{
	struct pid *pid = NULL;
	u64 now = ktime_get_real_ns();

	/* A last fput() in a kworker (delayed_fput) is nobody's detach. */
	if (!(current->flags & PF_KTHREAD))
		pid = get_pid(task_tgid(current));
	spin_lock(&r->stamp_lock);
	if (pid)
		swap(r->last_pid, pid);
	if (attach)
		r->atime = now;
	else
		r->dtime = now;
	spin_unlock(&r->stamp_lock);
	put_pid(pid);
}

/*
 * A namespace is dead when the only reference to it left is ours: no task,
 * mount or open file holds it, and none can take a new one, since a new
 * reference is always taken from an existing one. Our /proc/shmdev files
 * hold one too, and keep it alive while open.
 */
bool shmdev_ns_dead(struct shmdev_ns *ns)
{
	return !shmdev_ns_initial(ns->ipc_ns) &&
	       shmdev_ipc_ns_refs(ns->ipc_ns) == 1;
}

/*
 * Unlink one name of a dead namespace: the region, or NULL when none is
 * left. The caller drops the name's reference (an AUTODESTROY region has
 * none: NULL stands for it and the caller looks again).
 */
static struct shmdev_region *shmdev_reap_one(bool *found)
{
	struct shmdev_region *r;
	struct shmdev_link *l;
	struct shmdev_ns *ns;
	struct rb_node *n;

	*found = false;
	list_for_each_entry(ns, &shmdev_namespaces, node) {
		if (!shmdev_ns_dead(ns))
			continue;
		n = rb_first(&ns->names);
		if (!n)
			continue;
		l = rb_entry(n, struct shmdev_link, node);
		r = l->region;
		*found = true;
		return shmdev_link_del(l) ? r : NULL;
	}
	return NULL;
}

/*
 * Free the regions of dead IPC namespaces, as SysV frees a namespace's
 * segments in shm_exit_ns(): their names go, and each region with them
 * unless a handle or a mapping (from a process that left the namespace, or
 * a passed file descriptor) still uses it; its pages stay until then. The
 * namespace itself is released with its last region. So no limit is held
 * by namespaces nobody can reach, and a user cannot multiply max_regions by
 * creating and abandoning namespaces.
 */
static void shmdev_reap_dead_namespaces(void)
{
	struct shmdev_region *r;
	bool found;

	for (;;) {
		mutex_lock(&shmdev_table_lock);
		r = shmdev_reap_one(&found);
		mutex_unlock(&shmdev_table_lock);
		if (!found)
			return;
		if (r) {
			shmdev_fs_prune(r);
			shmdev_region_put(r);
		}
		cond_resched();
	}
}

/* Every few seconds while a namespace other than the initial one has regions. */
static void shmdev_reap_work_fn(struct work_struct *work)
{
	struct shmdev_ns *ns;
	bool others = false;

	shmdev_reap_dead_namespaces();
	mutex_lock(&shmdev_table_lock);
	list_for_each_entry(ns, &shmdev_namespaces, node)
		others |= !shmdev_ns_initial(ns->ipc_ns);
	if (others)
		schedule_delayed_work(&shmdev_reap_work, SHMDEV_REAP_INTERVAL);
	mutex_unlock(&shmdev_table_lock);
}

/* Allocate pages [@from, @to) now, charged to the caller; -ENOMEM, no OOM kill. */
static int shmdev_populate(struct shmdev_region *r, u64 from, u64 to)
{
	struct address_space *mapping = r->file->f_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping) | __GFP_NORETRY | __GFP_NOWARN;
	pgoff_t index;

	for (index = from >> PAGE_SHIFT; index < to >> PAGE_SHIFT; index++) {
		struct folio *folio = shmdev_read_folio(mapping, index, gfp);

		if (IS_ERR(folio))
			return PTR_ERR(folio) == -EINTR ? -EINTR : -ENOMEM;
		index = folio->index + folio_nr_pages(folio) - 1;
		folio_put(folio);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * A new region, not linked, holding the charge taken for it: freeing it
 * through shmdev_region_put() uncharges. If there is no region to hold
 * it, the charge is undone here.
 */
static struct shmdev_region *shmdev_region_new(struct shmdev_ns *ns,
					       const char *name,
					       unsigned int len, u64 size,
					       u32 flags, umode_t mode)
{
	struct shmdev_region *r;
	struct file *file;
	int ret;

	r = kzalloc(struct_size(r, name, len + 1), GFP_KERNEL_ACCOUNT);
	if (!r) {
		mutex_lock(&shmdev_table_lock);
		shmdev_uncharge(ns, current_fsuid(), size, true);
		mutex_unlock(&shmdev_table_lock);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&r->ref);
	INIT_LIST_HEAD(&r->links);
	r->ns = ns;
	r->ino = atomic64_inc_return(&shmdev_last_ino);
	r->cuid = current_fsuid();
	r->uid = current_fsuid();
	r->gid = current_fsgid();
	r->mode = mode;
	r->flags = flags & (SHMDEV_AUTODESTROY | SHMDEV_POPULATE);
	r->size = size;
	r->creator_pid = get_pid(task_tgid(current));
	r->ctime = ktime_get_real_ns();
	mutex_init(&r->lock);
	spin_lock_init(&r->locks_lock);
	spin_lock_init(&r->stamp_lock);
	spin_lock_init(&r->inode_lock);
	xa_init(&r->mutexes);
	init_waitqueue_head(&r->event_wq);
	init_waitqueue_head(&r->init_wq);
	r->name_len = len;
	memcpy(r->name, name, len);

	file = shmdev_shmem_setup(r->name, size);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_region;
	}
	/* Written through by region files (fs.c): past 2 GiB too. */
	file->f_flags |= O_LARGEFILE;
	r->file = file;

	if (flags & SHMDEV_POPULATE) {
		ret = shmdev_populate(r, 0, size);
		if (ret)
			goto err_region;
	}
	return r;

err_region:
	/* The charge goes with the region. */
	shmdev_region_put(r);
	return ERR_PTR(ret);
}

/*
 * May the caller use @r for @want (MAY_READ, MAY_WRITE)? As SysV ipcperms(),
 * with the caller's fsuid and fsgid. The owner, group and mode may change
 * (shmdev_region_chattr()): read once each, as the VFS reads an inode's.
 */
static int shmdev_perm(struct shmdev_region *r, int want)
{
	umode_t granted = READ_ONCE(r->mode);

	if (uid_eq(current_fsuid(), READ_ONCE(r->uid)))
		granted >>= 6;
	else if (in_group_p(READ_ONCE(r->gid)))
		granted >>= 3;
	if ((want & ~granted & 0007) &&
	    !ns_capable(r->ns->ipc_ns->user_ns, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int shmdev_region_perm(struct shmdev_region *r, int want)
{
	return shmdev_perm(r, want);
}

/* As shmdev_perm(r, MAY_READ), for what only informs: not audited. */
static bool shmdev_may_read(struct shmdev_region *r)
{
	umode_t granted = READ_ONCE(r->mode);

	if (uid_eq(current_fsuid(), READ_ONCE(r->uid)))
		granted >>= 6;
	else if (in_group_p(READ_ONCE(r->gid)))
		granted >>= 3;
	return (granted & 0004) ||
	       ns_capable_noaudit(r->ns->ipc_ns->user_ns, CAP_IPC_OWNER);
}

/**
 * shmdev_region_attach - find or create a region for a new handle
 * @name: validated name
 * @len: its length
 * @arg: the attach request (flags validated)
 * @id: the attaching handle's id: the initialiser of a region created
 *	with SHMDEV_INIT, from before anyone can find it
 * @created: set when the region was created by this call
 *
 * Return: the region with a reference and its handle count raised, or an
 * ERR_PTR: -ENOENT, -EEXIST, -EACCES, -EINVAL (size), -EFBIG, -ENOSPC,
 * -ENOMEM.
 */
struct shmdev_region *shmdev_region_attach(const char *name, unsigned int len,
					   const struct shmdev_attach *arg,
					   u32 id, bool *created)
{
	int want = (arg->flags & SHMDEV_RDONLY) ? MAY_READ : MAY_READ | MAY_WRITE;
	struct shmdev_link *link = NULL;
	struct shmdev_region *r, *new;
	struct shmdev_ns *ns;
	u64 size;
	int ret;

	*created = false;
	if (arg->flags & SHMDEV_CREAT) {
		shmdev_reap_dead_namespaces();
		link = shmdev_link_alloc(name, len);
		if (!link)
			return ERR_PTR(-ENOMEM);
	}
retry:
	mutex_lock(&shmdev_table_lock);
	ns = shmdev_ns_find(current->nsproxy->ipc_ns);
	r = shmdev_name_find(ns, name, len);
	if (r)
		goto found;
	ret = -ENOENT;
	if (!(arg->flags & SHMDEV_CREAT))
		goto err_unlock;
	ret = -EINVAL;
	if (!arg->size)
		goto err_unlock;
	ret = -EFBIG;
	if (arg->size > MAX_LFS_FILESIZE - PAGE_SIZE)
		goto err_unlock;
	size = PAGE_ALIGN(arg->size);
	ret = shmdev_charge(&ns, current_fsuid(), 0, size, true);
	if (ret)
		goto err_unlock;
	mutex_unlock(&shmdev_table_lock);

	/* Allocating (and populating) may take long: not under the table lock. */
	new = shmdev_region_new(ns, name, len, size, arg->flags,
				arg->mode & 0777);
	if (IS_ERR(new)) {
		kfree(link);
		return new;
	}

	mutex_lock(&shmdev_table_lock);
	if (shmdev_name_find(ns, name, len)) {
		/* Created by someone else meanwhile: use theirs. */
		mutex_unlock(&shmdev_table_lock);
		shmdev_region_put(new);
		goto retry;
	}
	if (arg->flags & SHMDEV_INIT) {
		new->unready = true;
		/* A reader cannot initialise: it waits for a writer who does. */
		new->init_id = arg->flags & SHMDEV_RDONLY ? 0 : id;
	}
	shmdev_link_add(new, link);
	if (!(new->flags & SHMDEV_AUTODESTROY))
		kref_get(&new->ref);		/* the name's reference */
	atomic_inc(&new->handles);
	mutex_unlock(&shmdev_table_lock);
	*created = true;
	return new;

found:
	ret = -EEXIST;
	if ((arg->flags & (SHMDEV_CREAT | SHMDEV_EXCL)) ==
	    (SHMDEV_CREAT | SHMDEV_EXCL))
		goto err_unlock;
	ret = shmdev_perm(r, want);
	if (ret)
		goto err_unlock;
	ret = -EINVAL;
	if (arg->size > r->size)
		goto err_unlock;
	kref_get(&r->ref);
	atomic_inc(&r->handles);
	mutex_unlock(&shmdev_table_lock);
	kfree(link);
	return r;

err_unlock:
	mutex_unlock(&shmdev_table_lock);
	kfree(link);
	return ERR_PTR(ret);
}

/* May an SHMDEV_INIT attach stop waiting? */
static bool shmdev_init_settled(struct shmdev_region *r, bool rdonly)
{
	return !READ_ONCE(r->unready) || !READ_ONCE(r->linked) ||
	       (!rdonly && !READ_ONCE(r->init_id));
}

/**
 * shmdev_region_init_wait - an SHMDEV_INIT attach of a region that exists
 * @r: the region
 * @id: the attaching handle's id
 * @rdonly: the attach is read-only: it may not initialise
 *
 * Sleep while @r is unready and someone initialises it; when nobody does
 * (its initialiser's handle went away), become its initialiser. An unready
 * region whose name went (its creator's attach failed, its owner unlinked
 * it) is nobody's to initialise: the caller looks the name up again, and
 * finds another region, or creates one, or none.
 *
 * Return: 1 when the caller must initialise @r, 0 when @r is ready,
 * -ESTALE (look the name up again), -ERESTARTSYS.
 */
int shmdev_region_init_wait(struct shmdev_region *r, u32 id, bool rdonly)
{
	int ret;

	for (;;) {
		mutex_lock(&r->lock);
		ret = 0;
		if (r->unready && !READ_ONCE(r->linked)) {
			ret = -ESTALE;
		} else if (r->unready && !r->init_id && !rdonly) {
			WRITE_ONCE(r->init_id, id);
			ret = 1;
		}
		if (ret || !r->unready) {
			mutex_unlock(&r->lock);
			return ret;
		}
		mutex_unlock(&r->lock);
		ret = wait_event_interruptible(r->init_wq,
					       shmdev_init_settled(r, rdonly));
		if (ret)
			return ret;
	}
}

/**
 * shmdev_region_init_abandon - handle @id will not initialise @r after all
 * @r: the region
 * @id: a handle's id, maybe @r's initialiser
 *
 * Its attach failed, or it was released before SHMDEV_IOC_READY: one of
 * the attaches waiting takes its place.
 */
void shmdev_region_init_abandon(struct shmdev_region *r, u32 id)
{
	bool was = false;

	mutex_lock(&r->lock);
	if (r->unready && r->init_id == id) {
		WRITE_ONCE(r->init_id, 0);
		was = true;
	}
	mutex_unlock(&r->lock);
	if (was)
		wake_up_all(&r->init_wq);
}

/**
 * shmdev_region_ready - @r's initialiser, handle @id, is done (SHMDEV_IOC_READY)
 * @r: the region
 * @id: the calling handle's id
 *
 * Return: 0, -EINVAL (@r is not unready), -EPERM (@id is not its initialiser).
 */
int shmdev_region_ready(struct shmdev_region *r, u32 id)
{
	int ret = -EINVAL;

	mutex_lock(&r->lock);
	if (r->unready) {
		ret = -EPERM;
		if (r->init_id == id) {
			WRITE_ONCE(r->unready, false);
			WRITE_ONCE(r->init_id, 0);
			ret = 0;
		}
	}
	mutex_unlock(&r->lock);
	if (!ret)
		wake_up_all(&r->init_wq);
	return ret;
}

/**
 * shmdev_region_uncreate - undo the create of @r by an attach that failed
 * @r: the region, created by shmdev_region_attach(); the caller still
 *     holds the handle's reference
 *
 * Its name goes if it still names @r: whoever attached in between keeps
 * the region, unlinked, as after an unlink.
 */
void shmdev_region_uncreate(struct shmdev_region *r)
{
	unsigned int refs;

	mutex_lock(&shmdev_table_lock);
	refs = shmdev_links_del_all(r);
	mutex_unlock(&shmdev_table_lock);
	if (refs)
		shmdev_fs_prune(r);
	shmdev_region_put_many(r, refs);
}

/*
 * May the caller remove a name of @r? Its owner or creator may, as SysV's
 * IPC_RMID, or CAP_SYS_ADMIN in the namespace's user namespace.
 */
static bool shmdev_may_unlink(struct shmdev_region *r)
{
	kuid_t fsuid = current_fsuid();

	return uid_eq(fsuid, r->uid) || uid_eq(fsuid, r->cuid) ||
	       ns_capable(r->ns->ipc_ns->user_ns, CAP_SYS_ADMIN);
}

/**
 * shmdev_region_unlink - remove a name
 * @name: validated name
 * @len: its length
 * @ns_id: 0 or the inode number of the namespace
 *
 * Return: 0, -ENOENT, or -EPERM when the caller is neither the owner nor
 * the creator nor CAP_SYS_ADMIN in the namespace's user namespace.
 */
int shmdev_region_unlink(const char *name, unsigned int len, u64 ns_id)
{
	struct shmdev_region *r;
	struct shmdev_link *l;
	struct shmdev_ns *ns;
	bool put_name;
	int ret;

	mutex_lock(&shmdev_table_lock);
	ns = shmdev_ns_lookup(ns_id, &ret);
	if (ret)
		goto out_unlock;
	l = shmdev_link_find(ns, name, len);
	ret = -ENOENT;
	if (!l)
		goto out_unlock;
	r = l->region;
	ret = -EPERM;
	if (!shmdev_may_unlink(r))
		goto out_unlock;
	put_name = shmdev_link_del(l);
	mutex_unlock(&shmdev_table_lock);

	/* A dentry of the filesystem may be all that still holds it. */
	if (put_name) {
		shmdev_fs_prune(r);
		shmdev_region_put(r);
	}
	return 0;

out_unlock:
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/**
 * shmdev_region_unlink_region - remove the name @name of @r (unlink(2))
 * @r: the region the caller found by that name
 * @name: the name
 * @len: its length
 *
 * Return: 0, -ENOENT (the name no longer names @r), -EPERM.
 */
int shmdev_region_unlink_region(struct shmdev_region *r, const char *name,
				unsigned int len)
{
	struct shmdev_link *l;
	bool put_name;

	mutex_lock(&shmdev_table_lock);
	l = shmdev_link_find(r->ns, name, len);
	if (!l || l->region != r) {
		mutex_unlock(&shmdev_table_lock);
		return -ENOENT;
	}
	if (!shmdev_may_unlink(r)) {
		mutex_unlock(&shmdev_table_lock);
		return -EPERM;
	}
	put_name = shmdev_link_del(l);
	mutex_unlock(&shmdev_table_lock);
	if (put_name)
		shmdev_region_put(r);
	return 0;
}

/**
 * shmdev_region_link - give @r one more name (link(2))
 * @r: the region
 * @name: the new name, 1..SHMDEV_NAME_MAX bytes without '/' or NUL
 * @len: its length
 *
 * Return: 0, -ENOENT (@r has no name left: it was unlinked), -EEXIST,
 * -ENOSPC (the namespace has max_regions names), -ENOMEM.
 */
int shmdev_region_link(struct shmdev_region *r, const char *name,
		       unsigned int len)
{
	struct shmdev_link *l = shmdev_link_alloc(name, len);
	int ret;

	if (!l)
		return -ENOMEM;
	mutex_lock(&shmdev_table_lock);
	ret = -ENOENT;
	if (!r->nlink)
		goto err_unlock;
	ret = -EEXIST;
	if (shmdev_link_find(r->ns, name, len))
		goto err_unlock;
	ret = -ENOSPC;
	if (r->ns->nr_names >= READ_ONCE(shmdev_max_regions))
		goto err_unlock;
	shmdev_link_add(r, l);
	if (!(r->flags & SHMDEV_AUTODESTROY))
		kref_get(&r->ref);		/* the name's reference */
	mutex_unlock(&shmdev_table_lock);
	return 0;

err_unlock:
	mutex_unlock(&shmdev_table_lock);
	kfree(l);
	return ret;
}

/* Does @name still name @r (a dentry's revalidation)? */
bool shmdev_region_names(struct shmdev_region *r, const char *name,
			 unsigned int len)
{
	struct shmdev_link *l;
	bool ret;

	mutex_lock(&shmdev_table_lock);
	l = shmdev_link_find(r->ns, name, len);
	ret = l && l->region == r;
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/* Does @ns have the name @name (a negative dentry's revalidation)? */
bool shmdev_name_taken(struct shmdev_ns *ns, const char *name,
		       unsigned int len)
{
	bool ret;

	mutex_lock(&shmdev_table_lock);
	ret = shmdev_link_find(ns, name, len);
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/**
 * shmdev_region_lookup - the region named @name in @ns (a path lookup)
 * @ns: the namespace
 * @name: the name
 * @len: its length
 *
 * Return: the region, with a reference for the caller, or NULL.
 */
struct shmdev_region *shmdev_region_lookup(struct shmdev_ns *ns,
					   const char *name, unsigned int len)
{
	struct shmdev_region *r;

	mutex_lock(&shmdev_table_lock);
	r = shmdev_name_find(ns, name, len);
	if (r)
		kref_get(&r->ref);
	mutex_unlock(&shmdev_table_lock);
	return r;
}

/**
 * shmdev_region_next - the name at position @pos of @ns, in name order
 * @ns: the namespace
 * @pos: 0 for the first
 * @name: filled with the name, SHMDEV_NAME_MAX bytes at least
 * @len: set to its length
 * @ino: set to the inode number of its region
 *
 * Names added or removed meanwhile shift the positions, as in any
 * directory read in pieces. Return: 0, or -ENOENT past the last.
 */
int shmdev_region_next(struct shmdev_ns *ns, loff_t pos, char *name,
		       unsigned int *len, u64 *ino)
{
	struct shmdev_link *l;
	struct rb_node *n;
	int ret = -ENOENT;

	mutex_lock(&shmdev_table_lock);
	for (n = rb_first(&ns->names); n && pos; n = rb_next(n))
		pos--;
	if (n) {
		l = rb_entry(n, struct shmdev_link, node);
		memcpy(name, l->name, l->len);
		*len = l->len;
		*ino = l->region->ino;
		ret = 0;
	}
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/**
 * shmdev_region_create - a region made by open(O_CREAT) in the filesystem
 * @ns: the namespace of the directory
 * @name: the name, free when looked up
 * @len: its length
 * @mode: permission bits
 *
 * As POSIX shm_open(): size 0, grown by ftruncate(), owned and charged
 * as a region made by SHMDEV_IOC_ATTACH.
 *
 * Return: the region, with a reference for the caller besides its name's,
 * or an ERR_PTR: -EEXIST, -EACCES (@ns is dead), -ENOSPC, -ENOMEM.
 */
struct shmdev_region *shmdev_region_create(struct shmdev_ns *ns,
					   const char *name, unsigned int len,
					   umode_t mode)
{
	struct shmdev_link *l = shmdev_link_alloc(name, len);
	struct shmdev_region *r;
	int ret;

	if (!l)
		return ERR_PTR(-ENOMEM);
	shmdev_reap_dead_namespaces();
	mutex_lock(&shmdev_table_lock);
	ret = -EACCES;
	if (shmdev_ns_dead(ns))
		goto err_unlock;
	ret = -EEXIST;
	if (shmdev_link_find(ns, name, len))
		goto err_unlock;
	ret = shmdev_charge(&ns, current_fsuid(), 0, 0, true);
	if (ret)
		goto err_unlock;
	mutex_unlock(&shmdev_table_lock);

	r = shmdev_region_new(ns, name, len, 0, 0, mode & 0777);
	if (IS_ERR(r)) {
		kfree(l);
		return r;
	}
	mutex_lock(&shmdev_table_lock);
	if (shmdev_link_find(ns, name, len)) {
		mutex_unlock(&shmdev_table_lock);
		kfree(l);
		shmdev_region_put(r);
		return ERR_PTR(-EEXIST);
	}
	shmdev_link_add(r, l);
	kref_get(&r->ref);		/* the name's reference */
	mutex_unlock(&shmdev_table_lock);
	return r;

err_unlock:
	mutex_unlock(&shmdev_table_lock);
	kfree(l);
	return ERR_PTR(ret);
}

/**
 * shmdev_region_chattr - change a region's mode, owner or group
 * @r: the region
 * @set_mode: change the mode to @mode & 0777
 * @mode: the mode
 * @set_uid: change the owner to @uid
 * @uid: the owner
 * @set_gid: change the group to @gid
 * @gid: the group
 *
 * As a file's: its owner, or CAP_FOWNER in the namespace's user namespace,
 * may change the mode, and the group to one of the owner's groups; only
 * CAP_CHOWN there may give the region to another owner or to another
 * group. (Not as SysV's IPC_SET, which lets an owner give a segment away:
 * in a sticky directory such as /dev/shm that would let a user plant a
 * file another user then opens as its own.) The creator stays the user
 * charged.
 *
 * Return: 0, -EPERM.
 */
int shmdev_region_chattr(struct shmdev_region *r, bool set_mode, umode_t mode,
			 bool set_uid, kuid_t uid, bool set_gid, kgid_t gid)
{
	struct user_namespace *user_ns = r->ns->ipc_ns->user_ns;
	bool owner = uid_eq(current_fsuid(), r->uid);
	int ret = -EPERM;

	mutex_lock(&shmdev_table_lock);
	if (!owner && !ns_capable(user_ns, CAP_FOWNER))
		goto out_unlock;
	if (set_uid && !uid_eq(uid, r->uid) && !ns_capable(user_ns, CAP_CHOWN))
		goto out_unlock;
	if (set_gid && !gid_eq(gid, r->gid) &&
	    !(owner && in_group_p(gid)) && !ns_capable(user_ns, CAP_CHOWN))
		goto out_unlock;
	if (set_mode)
		WRITE_ONCE(r->mode, mode & 0777);
	if (set_uid)
		WRITE_ONCE(r->uid, uid);
	if (set_gid)
		WRITE_ONCE(r->gid, gid);
	r->ctime = ktime_get_real_ns();
	ret = 0;
out_unlock:
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/* Caller must hold shmdev_table_lock. */
static void shmdev_region_fill(struct shmdev_region *r,
			       struct shmdev_region_info *info)
{
	struct user_namespace *user_ns = current_user_ns();

	info->size = r->size;
	info->uid = from_kuid_munged(user_ns, r->uid);
	info->gid = from_kgid_munged(user_ns, r->gid);
	info->mode = r->mode;
	info->region_flags = r->flags | (r->linked ? 0 : SHMDEV_REGION_UNLINKED) |
			     (READ_ONCE(r->unready) ? SHMDEV_REGION_UNREADY : 0);
	info->handles = atomic_read(&r->handles);
	info->mappings = atomic_read(&r->mappings);
	info->resident = READ_ONCE(r->file->f_mapping->nrpages);
	info->ns_inum = r->ns->ipc_ns->ns.inum;
	info->waits = atomic64_read(&r->waits);
	info->wakes = atomic64_read(&r->wakes);
	info->lock_acquired = atomic64_read(&r->lock_acquired);
	info->lock_contended = atomic64_read(&r->lock_contended);
	info->owner_deaths = atomic64_read(&r->owner_deaths);
	info->events = atomic64_read(&r->events);
	/*
	 * Who attached when is the region's readers' business, as SysV's
	 * IPC_STAT needs read permission: to others these stay 0.
	 */
	if (!shmdev_may_read(r))
		return;
	info->creator_pid = pid_vnr(r->creator_pid);
	info->ctime = r->ctime;
	spin_lock(&r->stamp_lock);
	info->last_pid = pid_vnr(r->last_pid);
	info->atime = r->atime;
	info->dtime = r->dtime;
	spin_unlock(&r->stamp_lock);
}

/**
 * shmdev_region_stat - a region's attributes
 * @r: the caller's attached region, used when @name is NULL
 * @name: validated name, or NULL
 * @len: its length
 * @ns_id: 0 or the inode number of the namespace
 * @info: filled on success
 *
 * Return: 0, -ENOENT, -EPERM (@ns_id).
 */
int shmdev_region_stat(struct shmdev_region *r, const char *name,
		       unsigned int len, u64 ns_id,
		       struct shmdev_region_info *info)
{
	struct shmdev_ns *ns;
	int ret;

	mutex_lock(&shmdev_table_lock);
	if (name) {
		ns = shmdev_ns_lookup(ns_id, &ret);
		if (ret)
			goto out_unlock;
		r = shmdev_name_find(ns, name, len);
	}
	ret = -ENOENT;
	if (!r)
		goto out_unlock;
	shmdev_region_fill(r, info);
	ret = 0;
out_unlock:
	mutex_unlock(&shmdev_table_lock);
	return ret;
}

/* The region's length in bytes: its shmem file's size. */
u64 shmdev_region_length(struct shmdev_region *r)
{
	return i_size_read(file_inode(r->file));
}

/* Tell @r's inode its size (fs.c). */
static void shmdev_region_sync_inode(struct shmdev_region *r)
{
	spin_lock(&r->inode_lock);
	if (r->inode)
		i_size_write(r->inode, shmdev_region_length(r));
	spin_unlock(&r->inode_lock);
}

/**
 * shmdev_region_set_inode - @r's inode in its namespace's filesystem
 * @r: the region
 * @inode: the inode
 * @set: it is made (else evicted)
 *
 * Called from ->evict_inode(), maybe in memory reclaim: no sleeping lock.
 */
void shmdev_region_set_inode(struct shmdev_region *r, struct inode *inode,
			     bool set)
{
	spin_lock(&r->inode_lock);
	if (set)
		r->inode = inode;
	else if (r->inode == inode)
		r->inode = NULL;
	spin_unlock(&r->inode_lock);
	if (set)
		shmdev_region_sync_inode(r);
}

/**
 * shmdev_region_igrab - @r's inode, with a reference, and its superblock
 * @r: the region
 * @sb: set to the superblock, active, when an inode is returned
 *
 * The superblock is kept active, so that the inode is put back
 * (deactivate_super() after iput()) before the superblock can go.
 *
 * Return: the inode, or NULL when @r has none (or its superblock is
 * going, which drops it anyway).
 */
struct inode *shmdev_region_igrab(struct shmdev_region *r,
				  struct super_block **sb)
{
	struct inode *inode = NULL;

	spin_lock(&r->inode_lock);
	/* An inode is evicted, and r->inode cleared, before its superblock goes. */
	if (r->inode && atomic_inc_not_zero(&r->inode->i_sb->s_active)) {
		*sb = r->inode->i_sb;
		inode = igrab(r->inode);
		if (!inode)
			atomic_dec(&(*sb)->s_active);	/* not the last: ours */
	}
	spin_unlock(&r->inode_lock);
	return inode;
}

/*
 * The size of @r changes under its shmem inode's lock, then @r->lock: in
 * that order, because write() copies from user memory (taking mmap_lock)
 * under the shmem inode's lock, and mmap() takes @r->lock under mmap_lock.
 */
static void shmdev_size_lock(struct shmdev_region *r)
{
	inode_lock(file_inode(r->file));
	mutex_lock(&r->lock);
}

static void shmdev_size_unlock(struct shmdev_region *r)
{
	mutex_unlock(&r->lock);
	inode_unlock(file_inode(r->file));
}

/* Truncate the shmem file, under shmdev_size_lock(). */
static int shmdev_shmem_truncate(struct shmdev_region *r, u64 length)
{
	struct iattr attr = {
		.ia_valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME,
		.ia_size = length,
	};

	return notify_change(shmdev_nop_idmap, r->file->f_path.dentry, &attr,
			     NULL);
}

/*
 * Make @r @length bytes long: its size, the bytes charged and mappable,
 * is @length rounded up to pages. Caller must hold shmdev_size_lock().
 */
static int shmdev_region_set_length(struct shmdev_region *r, u64 length)
{
	u64 old = r->size, size = PAGE_ALIGN(length);
	u64 old_len = shmdev_region_length(r);
	int ret;

	if (size == old && length == old_len)
		return 0;
	if (size < old && atomic_read(&r->mappings))
		return -EBUSY;
	if (size > old) {
		mutex_lock(&shmdev_table_lock);
		ret = shmdev_charge(&r->ns, r->cuid, old, size, false);
		mutex_unlock(&shmdev_table_lock);
		if (ret)
			return ret;
	}

	ret = shmdev_shmem_truncate(r, length);
	if (!ret && size > old && (r->flags & SHMDEV_POPULATE)) {
		ret = shmdev_populate(r, old, size);
		if (ret)
			shmdev_shmem_truncate(r, old_len);
	}

	mutex_lock(&shmdev_table_lock);
	if (ret && size > old)
		shmdev_uncharge(r->ns, r->cuid, size - old, false);
	else if (!ret && size < old)
		shmdev_uncharge(r->ns, r->cuid, old - size, false);
	if (!ret) {
		r->size = size;
		r->ctime = ktime_get_real_ns();
	}
	mutex_unlock(&shmdev_table_lock);
	shmdev_region_sync_inode(r);
	return ret;
}

/**
 * shmdev_region_resize - change a region's size (SHMDEV_IOC_RESIZE)
 * @r: the region
 * @size: the new size, not yet rounded
 *
 * Return: 0, -EINVAL (0), -EBUSY (shrinking while mapped), -EFBIG, -ENOSPC,
 * -ENOMEM (populating).
 */
int shmdev_region_resize(struct shmdev_region *r, u64 size)
{
	int ret;

	if (!size)
		return -EINVAL;
	if (size > MAX_LFS_FILESIZE - PAGE_SIZE)
		return -EFBIG;
	shmdev_size_lock(r);
	ret = shmdev_region_set_length(r, PAGE_ALIGN(size));
	shmdev_size_unlock(r);
	return ret;
}

/**
 * shmdev_region_truncate - change a region's length (truncate(2))
 * @r: the region
 * @length: the new length in bytes, 0 included
 *
 * Return: 0, -EBUSY (shrinking its pages while mapped), -EFBIG, -ENOSPC,
 * -ENOMEM (populating).
 */
int shmdev_region_truncate(struct shmdev_region *r, u64 length)
{
	int ret;

	if (length > MAX_LFS_FILESIZE - PAGE_SIZE)
		return -EFBIG;
	shmdev_size_lock(r);
	ret = shmdev_region_set_length(r, length);
	shmdev_size_unlock(r);
	return ret;
}

/**
 * shmdev_region_allocate - allocate the pages of a range (fallocate(2))
 * @r: the region
 * @mode: 0 or FALLOC_FL_KEEP_SIZE
 * @offset: start of the range
 * @len: its length, not 0
 *
 * Without FALLOC_FL_KEEP_SIZE a range past the end makes the region
 * longer first, charged as by truncate. Pages are allocated as for
 * SHMDEV_POPULATE: failure is -ENOMEM now, never an OOM kill or SIGBUS
 * later. With FALLOC_FL_KEEP_SIZE only pages inside the region are.
 * A failed call leaves the length as it was.
 *
 * Return: 0, -EFBIG, -ENOSPC, -ENOMEM, -EINTR (a fatal signal).
 */
int shmdev_region_allocate(struct shmdev_region *r, int mode, u64 offset,
			   u64 len)
{
	u64 end = offset + len, old_len, to;
	int ret = 0;

	if (end < offset || end > MAX_LFS_FILESIZE - PAGE_SIZE)
		return -EFBIG;
	shmdev_size_lock(r);
	old_len = shmdev_region_length(r);
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > old_len) {
		ret = shmdev_region_set_length(r, end);
		if (ret)
			goto out_unlock;
	}
	to = min(PAGE_ALIGN(end), PAGE_ALIGN(shmdev_region_length(r)));
	if ((offset & PAGE_MASK) < to)
		ret = shmdev_populate(r, offset & PAGE_MASK, to);
	/* No mapping can have been made meanwhile: shrinking back works. */
	if (ret && shmdev_region_length(r) != old_len)
		shmdev_region_set_length(r, old_len);
out_unlock:
	shmdev_size_unlock(r);
	return ret;
}

/**
 * shmdev_region_write_begin - before write(2) up to @end
 * @r: the region
 * @end: the offset the write may reach
 *
 * Charge the pages a write past the end will need, so that the limits
 * say no before anything is written. The length changes as the write
 * goes, through the shmem file; shmdev_region_write_end() then matches
 * the size to it.
 *
 * Return: 0, -EFBIG, -ENOSPC, -ENOMEM.
 */
int shmdev_region_write_begin(struct shmdev_region *r, u64 end)
{
	u64 size = PAGE_ALIGN(end);
	int ret = 0;

	if (end > MAX_LFS_FILESIZE - PAGE_SIZE)
		return -EFBIG;
	mutex_lock(&r->lock);
	if (size > r->size) {
		mutex_lock(&shmdev_table_lock);
		ret = shmdev_charge(&r->ns, r->cuid, r->size, size, false);
		if (!ret)
			r->size = size;
		mutex_unlock(&shmdev_table_lock);
	}
	mutex_unlock(&r->lock);
	return ret;
}

/**
 * shmdev_region_write_end - after write(2): the size follows the length
 * @r: the region
 *
 * A short write gives back the pages it charged and did not use (unless
 * they are mapped by now). Writes racing with a truncate, or appending
 * at once, can leave the length past the size charged: what was written
 * stays, and is charged even past the limits (by at most what those
 * writes wrote), unless the charge cannot be recorded at all (-ENOMEM):
 * then the length is cut back to the size charged.
 */
void shmdev_region_write_end(struct shmdev_region *r)
{
	u64 size;

	shmdev_size_lock(r);
	size = PAGE_ALIGN(shmdev_region_length(r));
	mutex_lock(&shmdev_table_lock);
	if (size > r->size) {
		if (!shmdev_charge_over(r, size))
			r->size = size;
	} else if (size < r->size && !atomic_read(&r->mappings)) {
		shmdev_uncharge(r->ns, r->cuid, r->size - size, false);
		r->size = size;
	}
	r->ctime = ktime_get_real_ns();
	mutex_unlock(&shmdev_table_lock);
	if (size > r->size)
		shmdev_shmem_truncate(r, r->size);
	mutex_unlock(&r->lock);
	shmdev_region_sync_inode(r);
	inode_unlock(file_inode(r->file));
}

/* Resolve the page holding the 32-bit word at @offset; caller checked it. */
struct folio *shmdev_region_word(struct shmdev_region *r, u64 offset)
{
	struct address_space *mapping = r->file->f_mapping;
	struct folio *folio;

	folio = shmdev_read_folio(mapping, offset >> PAGE_SHIFT,
				  mapping_gfp_mask(mapping));
	if (IS_ERR(folio) && PTR_ERR(folio) != -ENOMEM &&
	    PTR_ERR(folio) != -EINTR)
		return ERR_PTR(-EINVAL);
	return folio;
}

/**
 * shmdev_region_peek - the folio of page @index of @r, if it has one
 * @r: the region
 * @index: page index inside the region
 *
 * Unlike shmdev_region_word(), never allocates a page for data that does
 * not exist: a page that was never written or was punched out holds zeros,
 * so no mutex owner. A page that was swapped out is read back (its words
 * may name an owner).
 *
 * Return: the folio with a reference, or NULL.
 */
struct folio *shmdev_region_peek(struct shmdev_region *r, pgoff_t index)
{
	struct address_space *mapping = r->file->f_mapping;
	struct folio *folio;

	/* NULL before 6.3, ERR_PTR(-ENOENT) since. */
	folio = filemap_get_folio(mapping, index);
	if (!IS_ERR_OR_NULL(folio))
		return folio;
	if (!xa_is_value(xa_load(&mapping->i_pages, index)))
		return NULL;
	/*
	 * Swapped out: read it back, with the mapping's own gfp. Giving up
	 * early under memcg pressure (__GFP_NORETRY) would skip the words of
	 * an owner the OOM killer just killed, the case robust mutexes are for.
	 */
	folio = shmdev_read_folio(mapping, index, mapping_gfp_mask(mapping));
	return IS_ERR(folio) ? NULL : folio;
}

/*
 * A mapping pins its region through its vm_file, a region file (see
 * shmdev_region_file()), and the module through that file's f_op: what is
 * counted here is only how many vmas there are.
 */
static void shmdev_vm_open(struct vm_area_struct *vma)
{
	struct shmdev_region *r = vma->vm_private_data;

	atomic_inc(&r->mappings);
}

static void shmdev_vm_close(struct vm_area_struct *vma)
{
	struct shmdev_region *r = vma->vm_private_data;

	atomic_dec(&r->mappings);
}

static vm_fault_t shmdev_vm_fault(struct vm_fault *vmf)
{
	struct shmdev_region *r = vmf->vma->vm_private_data;

	return r->shmem_vm_ops->fault(vmf);
}

static vm_fault_t shmdev_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				      pgoff_t end)
{
	struct shmdev_region *r = vmf->vma->vm_private_data;

	return r->shmem_vm_ops->map_pages(vmf, start, end);
}

static const struct vm_operations_struct shmdev_vm_ops = {
	.open		= shmdev_vm_open,
	.close		= shmdev_vm_close,
	.fault		= shmdev_vm_fault,
	.map_pages	= shmdev_vm_map_pages,
};

/*
 * Map @vma, whose vm_file is a region file of @r. The mm core has already
 * cleared VM_MAYWRITE when that file is read-only, and VM_SHARED with it;
 * VM_MAYSHARE says the caller asked for MAP_SHARED.
 */
static int shmdev_region_file_mmap(struct file *file,
				   struct vm_area_struct *vma)
{
	struct shmdev_region *r = file->private_data;
	bool rdonly = !(file->f_mode & FMODE_WRITE);
	u64 len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 size;
	int ret;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if ((vma->vm_flags & VM_EXEC) && !READ_ONCE(shmdev_allow_exec))
		return -EPERM;
	if (rdonly && (vma->vm_flags & VM_WRITE))
		return -EACCES;

	mutex_lock(&r->lock);
	/* Inside the region's pages, and its length: a write may be growing it. */
	size = min(r->size, PAGE_ALIGN(shmdev_region_length(r)));
	ret = -EINVAL;
	if (vma->vm_pgoff > (size >> PAGE_SHIFT) || len > size - off)
		goto out_unlock;
	ret = shmdev_call_mmap(r->file, vma);
	if (ret)
		goto out_unlock;
	if (!r->shmem_vm_ops)
		r->shmem_vm_ops = vma->vm_ops;
	vma->vm_ops = &shmdev_vm_ops;
	vma->vm_private_data = r;
	if (rdonly)
		vm_flags_clear(vma, VM_MAYWRITE);
	if (!READ_ONCE(shmdev_allow_exec))
		vm_flags_clear(vma, VM_MAYEXEC);
	shmdev_vm_open(vma);
out_unlock:
	mutex_unlock(&r->lock);
	return ret;
}

/*
 * MADV_REMOVE, and fallocate() of a region file: only punching holes, which
 * frees pages and keeps the size. The size and its charge change through
 * SHMDEV_IOC_RESIZE. vfs_fallocate() has checked the file's mode and taken
 * the superblock's write access, which the shmem file shares.
 */
long shmdev_region_punch(struct shmdev_region *r, int mode, loff_t offset,
			 loff_t len)
{
	if (mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	return r->file->f_op->fallocate(r->file, mode, offset, len);
}

static long shmdev_region_file_fallocate(struct file *file, int mode,
					 loff_t offset, loff_t len)
{
	return shmdev_region_punch(file->private_data, mode, offset, len);
}

static int shmdev_region_file_release(struct inode *inode, struct file *file)
{
	shmdev_region_put(file->private_data);
	return 0;
}

static const struct file_operations shmdev_region_fops = {
	.owner		= THIS_MODULE,
	.mmap		= shmdev_region_file_mmap,
	.fallocate	= shmdev_region_file_fallocate,
	.fsync		= noop_fsync,	/* msync(MS_SYNC), as shmem's */
	.release	= shmdev_region_file_release,
	.llseek		= noop_llseek,
};

/**
 * shmdev_region_file - a file of @r for one attach
 * @r: the region; the file holds a reference to it
 * @rdonly: a file for reading only
 *
 * The file every mapping of that attach gets as its vm_file, as SysV shm
 * gives each attach a file of its own (ipc/shm.c, shm_file_data). Whatever
 * the mm core later makes from a mapping's vm_file, remap_file_pages()
 * included, comes back to shmdev_region_file_mmap() with this file's access
 * mode, never to shmem's own mmap of the shmem file, which is read-write.
 * Its inode is the shmem inode, so faults, rmap, reclaim and truncation see
 * the shmem mapping; its f_op pins the module for as long as a vma keeps
 * the file.
 *
 * Return: the file, or an ERR_PTR.
 */
struct file *shmdev_region_file(struct shmdev_region *r, bool rdonly)
{
	struct inode *inode = file_inode(r->file);
	struct file *file;

	/* __fput() drops it with fops_put(), after ->release. */
	__module_get(THIS_MODULE);
	ihold(inode);
	file = alloc_file_pseudo(inode, r->file->f_path.mnt, r->name,
				 rdonly ? O_RDONLY : O_RDWR,
				 &shmdev_region_fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(THIS_MODULE);
		return file;
	}
	kref_get(&r->ref);
	file->private_data = r;
	return file;
}

/**
 * shmdev_region_mmap - map a region through a handle
 * @file: the handle's region file (shmdev_region_file())
 * @vma: the mapping, whose vm_file is still the handle's /dev/shmdev file
 *
 * The mapping's file becomes @file, as dma_buf_mmap() makes it the
 * dma-buf's: the device file is only the door.
 *
 * Return: 0, -EINVAL (not shared, or not inside the region), -EACCES, -EPERM.
 */
int shmdev_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma_set_file(vma, file);
	return shmdev_region_file_mmap(file, vma);
}

/**
 * shmdev_region_status - the module's totals, as seen by the caller
 * @st: filled
 */
void shmdev_region_status(struct shmdev_status *st)
{
	struct shmdev_user *u;
	struct shmdev_ns *ns;

	shmdev_reap_dead_namespaces();
	mutex_lock(&shmdev_table_lock);
	ns = shmdev_ns_find(current->nsproxy->ipc_ns);
	u = shmdev_user_find(current_fsuid());
	st->ns_regions = ns ? ns->nr_regions : 0;
	st->ns_bytes = ns ? ns->bytes : 0;
	st->regions = shmdev_nr_regions;
	st->bytes = shmdev_nr_bytes;
	st->user_bytes = u ? u->bytes : 0;
	st->owner_ids = shmdev_nr_owner_ids;
	st->user_owner_ids = u ? u->owner_ids : 0;
	mutex_unlock(&shmdev_table_lock);
}

/**
 * shmdev_region_statfs - the limits as a filesystem's blocks and files
 * @ns: the namespace of the superblock
 * @buf: its f_blocks, f_bfree, f_bavail (pages), f_files, f_ffree set
 */
void shmdev_region_statfs(struct shmdev_ns *ns, struct kstatfs *buf)
{
	u64 total = READ_ONCE(shmdev_max_total_bytes);
	u64 user = READ_ONCE(shmdev_max_user_bytes);
	u64 files = READ_ONCE(shmdev_max_regions), used_files;
	u64 free_total, free_user;
	struct shmdev_user *u;

	mutex_lock(&shmdev_table_lock);
	u = shmdev_user_find(current_fsuid());
	free_total = total > shmdev_nr_bytes ? total - shmdev_nr_bytes : 0;
	free_user = u ? (user > u->bytes ? user - u->bytes : 0) : user;
	used_files = max(ns->nr_regions, ns->nr_names);
	mutex_unlock(&shmdev_table_lock);

	buf->f_blocks = total >> PAGE_SHIFT;
	buf->f_bfree = free_total >> PAGE_SHIFT;
	buf->f_bavail = min(free_total, free_user) >> PAGE_SHIFT;
	buf->f_files = files;
	buf->f_ffree = files > used_files ? files - used_files : 0;
}

/* Names are bytes: escape blanks, backslashes and non-printables as \ooo. */
static void shmdev_seq_name(struct seq_file *m, const char *name,
			    unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c <= ' ' || c >= 0x7f || c == '\\')
			seq_printf(m, "\\%03o", c);
		else
			seq_putc(m, c);
	}
}

static void shmdev_seq_flags(struct seq_file *m, u32 flags)
{
	static const struct { u32 flag; const char *name; } names[] = {
		{ SHMDEV_AUTODESTROY, "autodestroy" },
		{ SHMDEV_POPULATE, "populate" },
		{ SHMDEV_REGION_UNLINKED, "unlinked" },
		{ SHMDEV_REGION_UNREADY, "unready" },
	};
	bool any = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].flag))
			continue;
		seq_printf(m, "%s%s", any ? "," : "", names[i].name);
		any = true;
	}
	if (!any)
		seq_putc(m, '-');
}

enum shmdev_proc_kind { COL_U32, COL_U64, COL_MODE, COL_NAME, COL_FLAGS };

#define SHMDEV_PROC_WIDTH(kind)	((kind) == COL_U64 ? sizeof(u64) : sizeof(u32))
#define SHMDEV_PROC_COL(field, kind)					\
	{ #field, offsetof(struct shmdev_region_info, field) +		\
	  BUILD_BUG_ON_ZERO(sizeof_field(struct shmdev_region_info, field) != \
			    SHMDEV_PROC_WIDTH(kind)), kind }

/*
 * The columns of /proc/shmdev: each named as its field of struct
 * shmdev_region_info, in this order. New columns go at the end.
 */
static const struct shmdev_proc_col {
	const char *name;
	unsigned short offset;
	enum shmdev_proc_kind kind;
} shmdev_proc_cols[] = {
	SHMDEV_PROC_COL(ns_inum, COL_U64),
	{ "name", 0, COL_NAME },
	SHMDEV_PROC_COL(size, COL_U64),
	SHMDEV_PROC_COL(uid, COL_U32),
	SHMDEV_PROC_COL(gid, COL_U32),
	SHMDEV_PROC_COL(mode, COL_MODE),
	SHMDEV_PROC_COL(handles, COL_U32),
	SHMDEV_PROC_COL(mappings, COL_U32),
	SHMDEV_PROC_COL(region_flags, COL_FLAGS),
	SHMDEV_PROC_COL(resident, COL_U64),
	SHMDEV_PROC_COL(waits, COL_U64),
	SHMDEV_PROC_COL(wakes, COL_U64),
	SHMDEV_PROC_COL(lock_acquired, COL_U64),
	SHMDEV_PROC_COL(lock_contended, COL_U64),
	SHMDEV_PROC_COL(owner_deaths, COL_U64),
	SHMDEV_PROC_COL(events, COL_U64),
	SHMDEV_PROC_COL(creator_pid, COL_U32),
	SHMDEV_PROC_COL(last_pid, COL_U32),
	SHMDEV_PROC_COL(ctime, COL_U64),
	SHMDEV_PROC_COL(atime, COL_U64),
	SHMDEV_PROC_COL(dtime, COL_U64),
};

static void shmdev_proc_row(struct seq_file *m, const struct shmdev_link *l,
			    const struct shmdev_region_info *info)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(shmdev_proc_cols); i++) {
		const struct shmdev_proc_col *c = &shmdev_proc_cols[i];
		const void *field = (const void *)info + c->offset;

		if (i)
			seq_putc(m, ' ');
		switch (c->kind) {
		case COL_U32:
			seq_put_decimal_ull(m, "", *(const u32 *)field);
			break;
		case COL_U64:
			seq_put_decimal_ull(m, "", *(const u64 *)field);
			break;
		case COL_MODE:
			seq_printf(m, "%04o", *(const u32 *)field);
			break;
		case COL_NAME:
			shmdev_seq_name(m, l->name, l->len);
			break;
		case COL_FLAGS:
			shmdev_seq_flags(m, *(const u32 *)field);
			break;
		}
	}
	seq_putc(m, '\n');
}

/*
 * /proc/shmdev: the linked regions of the IPC namespace of the file's
 * opener (as /proc/sysvipc), whoever reads it; an administrator of the
 * initial namespace sees every namespace's. A header row names the
 * columns (shmdev_proc_cols).
 */
static int shmdev_proc_show(struct seq_file *m, void *v)
{
	struct ipc_namespace *ipc_ns = m->private;
	bool all = shmdev_ns_initial(ipc_ns) &&
		   file_ns_capable(m->file, &init_user_ns, CAP_SYS_ADMIN);
	struct shmdev_region_info info;
	struct shmdev_ns *ns;
	struct rb_node *n;
	int i;

	for (i = 0; i < ARRAY_SIZE(shmdev_proc_cols); i++)
		seq_printf(m, "%s%s", i ? " " : "", shmdev_proc_cols[i].name);
	seq_putc(m, '\n');
	mutex_lock(&shmdev_table_lock);
	list_for_each_entry(ns, &shmdev_namespaces, node) {
		if (!all && ns->ipc_ns != ipc_ns)
			continue;
		for (n = rb_first(&ns->names); n; n = rb_next(n)) {
			struct shmdev_link *l;

			l = rb_entry(n, struct shmdev_link, node);
			shmdev_region_fill(l->region, &info);
			shmdev_proc_row(m, l, &info);
		}
	}
	mutex_unlock(&shmdev_table_lock);
	return 0;
}

static int shmdev_proc_open(struct inode *inode, struct file *file)
{
	struct ipc_namespace *ipc_ns;
	int ret;

	shmdev_reap_dead_namespaces();
	ipc_ns = get_ipc_ns(current->nsproxy->ipc_ns);
	ret = single_open(file, shmdev_proc_show, ipc_ns);
	if (ret)
		shmdev_put_ipc_ns(ipc_ns);
	return ret;
}

static int shmdev_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct ipc_namespace *ipc_ns = m->private;

	single_release(inode, file);
	shmdev_put_ipc_ns(ipc_ns);
	return 0;
}

static const struct proc_ops shmdev_proc_ops = {
	.proc_open	= shmdev_proc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= shmdev_proc_release,
};

int shmdev_regions_init(void)
{
	if (!proc_create("shmdev", 0444, NULL, &shmdev_proc_ops))
		return -ENOMEM;
	return 0;
}

/*
 * Module unload: no handle or mapping is left (each pins the module), so
 * only the name links of persistent regions hold references.
 */
void shmdev_regions_exit(void)
{
	struct shmdev_region *r;
	struct shmdev_link *l;
	struct shmdev_ns *ns;
	struct rb_node *n;
	bool put_name;

	remove_proc_entry("shmdev", NULL);
	cancel_delayed_work_sync(&shmdev_reap_work);
	/* No inode is left to evict: every superblock pinned the module. */
	flush_work(&shmdev_put_work);
	mutex_lock(&shmdev_table_lock);
	while (!list_empty(&shmdev_namespaces)) {
		ns = list_first_entry(&shmdev_namespaces, struct shmdev_ns, node);
		n = rb_first(&ns->names);
		if (WARN_ON_ONCE(!n))
			break;
		l = rb_entry(n, struct shmdev_link, node);
		r = l->region;
		put_name = shmdev_link_del(l);
		mutex_unlock(&shmdev_table_lock);
		if (put_name)
			shmdev_region_put(r);
		mutex_lock(&shmdev_table_lock);
	}
	mutex_unlock(&shmdev_table_lock);
}
