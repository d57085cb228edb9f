/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdev: the module's internal structures.
 *
 * Lock order, outermost first:
 *
 *   inode lock of a region file or of the directory (the VFS, around
 *				->setattr, ->create, ->link, ->unlink)
 *   inode lock of a region's shmem file (size changes; shmem's write()
 *				copies from user memory under it)
 *   mmap_lock			(the mm core, around ->mmap and vm_ops->close)
 *     region->lock		(mutex: size, mmap against resize, mutex registry)
 *       shmdev_table_lock	(mutex: namespaces, name trees, accounting)
 *       i_mmap_rwsem		(shmem, under notify_change())
 *         bucket->lock, region->locks_lock, region->event_wq.lock,
 *         region->stamp_lock, region->inode_lock
 *				(spinlocks, never nested in each other)
 *
 * Nothing copies from or to user memory while holding shmdev_table_lock or
 * region->lock. An inode's eviction, which memory reclaim may run under
 * any of them, takes only region->inode_lock, and puts the region from a
 * worker when it may be the last reference.
 */
#ifndef _SHMDEV_INTERNAL_H
#define _SHMDEV_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/linux/shmdev.h>

struct file;
struct inode;
struct ipc_namespace;
struct kstatfs;
struct folio;
struct super_block;
struct vm_area_struct;

/* Module parameters (main.c). */
extern unsigned long shmdev_max_region_size;
extern unsigned long shmdev_max_user_bytes;
extern unsigned long shmdev_max_total_bytes;
extern unsigned int shmdev_max_regions;
extern bool shmdev_allow_exec;

/* Most robust mutex words one region may register. */
#define SHMDEV_MAX_MUTEXES	65536
/* SHMDEV_IOC_OWNER_ID ids per user and in all (SHMDEV_MAX_OWNER_IDS per handle). */
#define SHMDEV_MAX_USER_OWNER_IDS	16384
#define SHMDEV_MAX_TOTAL_OWNER_IDS	(1U << 20)

/**
 * struct shmdev_ns - the regions of one IPC namespace
 * @node:	on shmdev_namespaces
 * @ipc_ns:	the namespace, referenced while this exists
 * @names:	names of regions (struct shmdev_link), by name
 * @nr_names:	entries in @names
 * @nr_regions:	regions of this namespace still allocated, linked or not
 * @bytes:	their sizes
 * @sb_refs:	superblocks of the shmdev filesystem showing it, and mounts
 *		being set up (fs.c)
 *
 * Protected by shmdev_table_lock. Freed with its last region and superblock.
 */
struct shmdev_ns {
	struct list_head node;
	struct ipc_namespace *ipc_ns;
	struct rb_root names;
	unsigned int nr_names;
	unsigned int nr_regions;
	u64 bytes;
	unsigned int sb_refs;
};

/**
 * struct shmdev_link - one name of a region, as a directory entry is
 * @node:	in the namespace's @names
 * @region_node: in the region's @links
 * @region:	the region it names; the name holds a reference to it unless
 *		the region is SHMDEV_AUTODESTROY
 * @len:	bytes in @name
 * @name:	the name, NUL terminated for printing
 *
 * Protected by shmdev_table_lock.
 */
struct shmdev_link {
	struct rb_node node;
	struct list_head region_node;
	struct shmdev_region *region;
	unsigned int len;
	char name[];
};

/**
 * struct shmdev_klock - one kernel lock of a region
 * @queue:	waiters in arrival order (struct shmdev_lock_waiter)
 * @readers:	shared holders
 * @writer:	an exclusive holder exists
 * @owner_died:	an exclusive holder was released without unlocking; the next
 *		exclusive grant reports -EOWNERDEAD and clears it
 *
 * Protected by region->locks_lock.
 */
struct shmdev_klock {
	struct list_head queue;
	unsigned int readers;
	bool writer;
	bool owner_died;
};

/**
 * struct shmdev_region - a named shared-memory region
 * @ref:	names (unless AUTODESTROY), handles, mappings, inodes
 * @links:	its names (struct shmdev_link, shmdev_table_lock)
 * @nlink:	entries in @links
 * @ns:		the namespace it was created in
 * @file:	shmem file backing the memory; its size is the region's
 *		length in bytes, which @size rounds up to pages
 * @shmem_vm_ops: the shmem vm_ops our mappings delegate faults to
 * @ino:	inode number of its files, unique while the module is loaded
 * @inode:	its inode in the filesystem of its namespace, if any
 * @inode_lock:	protects @inode (a spinlock: taken in ->evict_inode())
 * @put_node:	on the list of regions an evicted inode puts (region.c)
 * @cuid:	the creator's fsuid: the user charged
 * @uid:	owner, the creator's fsuid until changed (shmdev_table_lock)
 * @gid:	group, the creator's fsgid until changed (shmdev_table_lock)
 * @mode:	permission bits (shmdev_table_lock)
 * @flags:	SHMDEV_AUTODESTROY, SHMDEV_POPULATE
 * @linked:	reachable by name: @nlink is not 0 (shmdev_table_lock)
 * @lock:	serialises size changes against mmap and mutex registration
 * @size:	bytes charged and mappable, page aligned (written under @lock
 *		and shmdev_table_lock)
 * @handles:	attached open files
 * @mappings:	live vmas
 * @locks:	SHMDEV_NR_LOCKS kernel locks, allocated on first use
 * @locks_lock:	protects @locks and every handle's held-lock bitmaps
 * @mutexes:	registered robust mutex words, index offset / 4
 * @nr_mutexes:	entries in @mutexes (@lock)
 * @events:	event counter
 * @event_wq:	event waiters and pollers
 * @unready:	created with SHMDEV_INIT and not yet ready (@lock)
 * @init_id:	the id of the handle initialising it, 0 for none (@lock)
 * @init_wq:	SHMDEV_INIT attaches waiting for it
 * @waits, @wakes, @lock_acquired, @lock_contended, @owner_deaths: counters
 * @creator_pid: the creating process, referenced
 * @ctime:	creation or last change of size or attributes, ns
 *		(shmdev_table_lock)
 * @stamp_lock:	protects @last_pid, @atime, @dtime
 * @last_pid:	the process of the last attach or detach, referenced
 * @atime:	last attach, ns
 * @dtime:	last detach, ns
 * @name_len:	bytes in @name
 * @name:	the name it was created with, NUL terminated: the name of its
 *		shmem file, which /proc/PID/maps shows
 */
struct shmdev_region {
	struct kref ref;
	struct list_head links;
	unsigned int nlink;
	struct shmdev_ns *ns;
	struct file *file;
	const struct vm_operations_struct *shmem_vm_ops;
	u64 ino;
	struct inode *inode;
	spinlock_t inode_lock;
	struct llist_node put_node;
	kuid_t cuid;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 flags;
	bool linked;
	struct mutex lock;
	u64 size;
	atomic_t handles;
	atomic_t mappings;

	struct shmdev_klock *locks;
	spinlock_t locks_lock;
	struct xarray mutexes;
	unsigned int nr_mutexes;
	atomic64_t events;
	wait_queue_head_t event_wq;
	bool unready;
	u32 init_id;
	wait_queue_head_t init_wq;

	atomic64_t waits;
	atomic64_t wakes;
	atomic64_t lock_acquired;
	atomic64_t lock_contended;
	atomic64_t owner_deaths;

	struct pid *creator_pid;
	u64 ctime;
	spinlock_t stamp_lock;
	struct pid *last_pid;
	u64 atime;
	u64 dtime;

	unsigned int name_len;
	char name[];
};

/**
 * struct shmdev_handle - one open file of /dev/shmdev
 * @attach_lock: serialises attach
 * @region:	the attached region, NULL before attach; set once, read with
 *		shmdev_handle_region()
 * @file:	the region file every mapping of this handle gets as vm_file,
 *		read-only for a read-only handle; made at the first mmap
 *		(shmdev_handle_map_file()), or at attach
 * @id:		unique among live handles, the owner value of mutex words
 * @owner_ids:	more owner values of this handle (SHMDEV_IOC_OWNER_ID), as
 *		xarray indices; added under @attach_lock
 * @nr_owner_ids: entries in @owner_ids
 * @owner_uid:	the user they are charged to (the opener's fsuid)
 * @rdonly:	attached with SHMDEV_RDONLY
 * @event_seen:	the event counter as this handle last read it
 * @held_sh:	kernel locks held shared (region->locks_lock)
 * @held_ex:	kernel locks held exclusive (region->locks_lock)
 */
struct shmdev_handle {
	struct mutex attach_lock;
	struct shmdev_region *region;
	struct file *file;
	u32 id;
	struct xarray owner_ids;
	unsigned int nr_owner_ids;
	kuid_t owner_uid;
	bool rdonly;
	u64 event_seen;
	DECLARE_BITMAP(held_sh, SHMDEV_NR_LOCKS);
	DECLARE_BITMAP(held_ex, SHMDEV_NR_LOCKS);
};

/* Is @id (a mutex word's owner bits) one of @h's? */
static inline bool shmdev_handle_owns(struct shmdev_handle *h, u32 id)
{
	return id == h->id ||
	       (READ_ONCE(h->nr_owner_ids) && xa_load(&h->owner_ids, id));
}

static inline struct shmdev_region *shmdev_handle_region(struct shmdev_handle *h)
{
	/* Pairs with smp_store_release() in shmdev_ioctl_attach(). */
	return smp_load_acquire(&h->region);
}

/* main.c */
struct shmdev_handle *shmdev_handle_new(void);
void shmdev_handle_free(struct shmdev_handle *h);
void shmdev_handle_attached(struct shmdev_handle *h, struct shmdev_region *r,
			    bool rdonly);
int shmdev_handle_release(struct inode *inode, struct file *file);
int shmdev_handle_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t shmdev_handle_poll(struct file *file, struct poll_table_struct *wait);
long shmdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* fs.c */
struct file *shmdev_fs_open(struct shmdev_region *r, struct shmdev_handle *h);
void shmdev_fs_prune(struct shmdev_region *r);
int shmdev_fs_init(void);
void shmdev_fs_exit(void);

/* region.c */
struct shmdev_region *shmdev_region_attach(const char *name, unsigned int len,
					   const struct shmdev_attach *arg,
					   u32 id, bool *created);
struct shmdev_ns *shmdev_ns_get(struct ipc_namespace *ipc_ns);
void shmdev_ns_put(struct shmdev_ns *ns);
bool shmdev_ns_dead(struct shmdev_ns *ns);
struct shmdev_region *shmdev_region_lookup(struct shmdev_ns *ns,
					   const char *name, unsigned int len);
int shmdev_region_next(struct shmdev_ns *ns, loff_t pos, char *name,
		       unsigned int *len, u64 *ino);
struct shmdev_region *shmdev_region_create(struct shmdev_ns *ns,
					   const char *name, unsigned int len,
					   umode_t mode);
int shmdev_region_link(struct shmdev_region *r, const char *name,
		       unsigned int len);
int shmdev_region_unlink_region(struct shmdev_region *r, const char *name,
				unsigned int len);
bool shmdev_region_names(struct shmdev_region *r, const char *name,
			 unsigned int len);
bool shmdev_name_taken(struct shmdev_ns *ns, const char *name,
		       unsigned int len);
int shmdev_region_perm(struct shmdev_region *r, int want);
int shmdev_region_chattr(struct shmdev_region *r, bool set_mode, umode_t mode,
			 bool set_uid, kuid_t uid, bool set_gid, kgid_t gid);
u64 shmdev_region_length(struct shmdev_region *r);
int shmdev_region_truncate(struct shmdev_region *r, u64 length);
int shmdev_region_allocate(struct shmdev_region *r, int mode, u64 offset,
			   u64 len);
int shmdev_region_write_begin(struct shmdev_region *r, u64 end);
void shmdev_region_write_end(struct shmdev_region *r);
void shmdev_region_set_inode(struct shmdev_region *r, struct inode *inode,
			     bool set);
int shmdev_region_init_wait(struct shmdev_region *r, u32 id, bool rdonly);
void shmdev_region_init_abandon(struct shmdev_region *r, u32 id);
int shmdev_region_ready(struct shmdev_region *r, u32 id);
void shmdev_region_uncreate(struct shmdev_region *r);
void shmdev_region_put(struct shmdev_region *r);
void shmdev_region_put_async(struct shmdev_region *r);
struct inode *shmdev_region_igrab(struct shmdev_region *r,
				  struct super_block **sb);
void shmdev_region_stamp(struct shmdev_region *r, bool attach);
int shmdev_owner_ids_charge(kuid_t uid);
void shmdev_owner_ids_uncharge(kuid_t uid, unsigned int n);
int shmdev_region_unlink(const char *name, unsigned int len, u64 ns_id);
int shmdev_region_stat(struct shmdev_region *r, const char *name,
		       unsigned int len, u64 ns_id,
		       struct shmdev_region_info *info);
int shmdev_region_resize(struct shmdev_region *r, u64 size);
struct file *shmdev_region_file(struct shmdev_region *r, bool rdonly);
int shmdev_region_mmap(struct file *file, struct vm_area_struct *vma);
long shmdev_region_punch(struct shmdev_region *r, int mode, loff_t offset,
			 loff_t len);
void shmdev_region_status(struct shmdev_status *st);
void shmdev_region_statfs(struct shmdev_ns *ns, struct kstatfs *buf);
struct folio *shmdev_region_word(struct shmdev_region *r, u64 offset);
struct folio *shmdev_region_peek(struct shmdev_region *r, pgoff_t index);
int shmdev_regions_init(void);
void shmdev_regions_exit(void);

/* sync.c */
int shmdev_wait(struct shmdev_region *r, u64 offset, u32 expected,
		u64 timeout);
int shmdev_wake(struct shmdev_region *r, u64 offset, u32 nr);
int shmdev_lock(struct shmdev_handle *h, unsigned int id, unsigned int mode,
		u64 timeout);
int shmdev_unlock(struct shmdev_handle *h, unsigned int id);
int shmdev_mutex_register(struct shmdev_region *r, u64 offset);
int shmdev_mutex_unregister(struct shmdev_region *r, u64 offset, u64 len);
void shmdev_notify(struct shmdev_region *r);
int shmdev_event_wait(struct shmdev_handle *h, u64 seq, u64 timeout,
		      u64 *counter);
void shmdev_sync_release(struct shmdev_handle *h);
void shmdev_sync_region_free(struct shmdev_region *r);
int shmdev_sync_init(void);
void shmdev_sync_exit(void);

#endif /* _SHMDEV_INTERNAL_H */
