/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmdev: named shared-memory regions and wait queues through /dev/shmdev.
 *
 * The ABI grows by feature bits, never by version numbers inside structures:
 * SHMDEV_IOC_API reports SHMDEV_ABI_VERSION and a mask of SHMDEV_FEAT_*.
 * Argument structures grow at their end. Every ioctl number encodes the
 * size of its argument as the caller knows it, and the module takes any
 * size from the structure's first layout up (SHMDEV_*_SIZE_VER0 for the
 * structures that grew, else the size in this header):
 *
 *  - in:  a shorter argument is zero-extended to the module's layout; a
 *	   longer one is accepted when every byte past the module's layout
 *	   is zero, else -E2BIG (copy_struct_from_user());
 *  - out: the module writes at most the caller's size; past its own
 *	   layout it writes zeros, so a newer caller on an older module reads
 *	   0 in the fields that module does not know.
 *
 * Modules before SHMDEV_FEAT_SIZED_ARGS take only their own size, and
 * answer -ENOTTY to any other: a caller that may meet one calls them
 * with SHMDEV_IOC_STAT_VER0 and SHMDEV_IOC_STATUS_VER0 then.
 * A size below the first layout is -EINVAL; a number with another
 * direction or type is -ENOTTY. Fields added later say since which
 * feature bit they are filled. Every unknown flag and every nonzero pad
 * field is rejected with -EINVAL. Pointers travel as __u64. Timeouts are absolute
 * CLOCK_MONOTONIC nanoseconds, SHMDEV_TIMEOUT_INFINITE to sleep forever, so
 * a caller that retries after -EINTR keeps its deadline.
 */
#ifndef _UAPI_LINUX_SHMDEV_H
#define _UAPI_LINUX_SHMDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SHMDEV_ABI_VERSION	1

/*
 * Longest region name, in bytes, without a terminating NUL. A name is any
 * bytes but '/' and NUL, and not "." or "..": a file name of the shmdev
 * filesystem.
 */
#define SHMDEV_NAME_MAX		255
/* Kernel locks per region: lock ids are 0 .. SHMDEV_NR_LOCKS - 1. */
#define SHMDEV_NR_LOCKS		64
/* Owner ids a handle may have besides its own (SHMDEV_IOC_OWNER_ID). */
#define SHMDEV_MAX_OWNER_IDS	1024

#define SHMDEV_FEAT_REGIONS	(1ULL << 0)	/* attach, unlink, stat, resize, mmap */
#define SHMDEV_FEAT_WAIT	(1ULL << 1)	/* SHMDEV_IOC_WAIT, SHMDEV_IOC_WAKE */
#define SHMDEV_FEAT_LOCKS	(1ULL << 2)	/* SHMDEV_IOC_LOCK, SHMDEV_IOC_UNLOCK */
#define SHMDEV_FEAT_MUTEX	(1ULL << 3)	/* SHMDEV_IOC_MUTEX_INIT, robust words */
#define SHMDEV_FEAT_EVENTS	(1ULL << 4)	/* notify, event wait, poll */
#define SHMDEV_FEAT_MUTEX_DESTROY (1ULL << 5)	/* SHMDEV_IOC_MUTEX_DESTROY */
#define SHMDEV_FEAT_OWNER_IDS	(1ULL << 6)	/* SHMDEV_IOC_OWNER_ID */
#define SHMDEV_FEAT_INIT	(1ULL << 7)	/* SHMDEV_INIT, SHMDEV_IOC_READY */
/* Arguments of any size (see above); pids and times in region_info, limits in status */
#define SHMDEV_FEAT_SIZED_ARGS	(1ULL << 8)
/* SHMDEV_FILE, and the shmdev filesystem: every region is a file */
#define SHMDEV_FEAT_FILES	(1ULL << 9)

/* statfs() f_type of the shmdev filesystem ("shmd") */
#define SHMDEV_SUPER_MAGIC	0x73686d64

/* struct shmdev_attach.flags */
#define SHMDEV_CREAT		0x01	/* create the region if it is missing */
#define SHMDEV_EXCL		0x02	/* with SHMDEV_CREAT: -EEXIST if present */
#define SHMDEV_RDONLY		0x04	/* attach for reading only */
#define SHMDEV_AUTODESTROY	0x08	/* at create: free with its last user */
#define SHMDEV_POPULATE		0x10	/* at create: allocate all memory now */
#define SHMDEV_INIT		0x20	/* initialise once: see below */
#define SHMDEV_FILE		0x40	/* attach a new region file: @fd */
#define SHMDEV_ATTACH_VALID_FLAGS					\
	(SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_RDONLY |			\
	 SHMDEV_AUTODESTROY | SHMDEV_POPULATE | SHMDEV_INIT | SHMDEV_FILE)

/* struct shmdev_region_info.region_flags: the create flags kept, plus: */
#define SHMDEV_REGION_UNLINKED	0x100	/* the name is gone, users remain */
#define SHMDEV_REGION_UNREADY	0x200	/* created with SHMDEV_INIT, not ready */
/* struct shmdev_attach.region_flags only: */
#define SHMDEV_REGION_INITIALIZER 0x400	/* initialise it, then SHMDEV_IOC_READY */

/*
 * SHMDEV_INIT: race-free create-and-initialise. A region created with it
 * is unready, and its creator, unless read-only, is its initialiser
 * (SHMDEV_REGION_INITIALIZER in region_flags): it fills the region, then
 * calls SHMDEV_IOC_READY. An attach with SHMDEV_INIT of an unready region
 * sleeps, interruptibly and without a timeout, until it is ready, or until
 * its initialiser's handle is released without SHMDEV_IOC_READY: then one
 * such attach, not read-only, becomes the initialiser in its place. If the
 * region's name is removed while it is unready, the waiters look the name
 * up again. Attaches without SHMDEV_INIT do not wait.
 */

/* struct shmdev_lock.mode */
#define SHMDEV_LOCK_SH		0x01	/* shared */
#define SHMDEV_LOCK_EX		0x02	/* exclusive */
#define SHMDEV_LOCK_NB		0x04	/* -EWOULDBLOCK instead of sleeping */
#define SHMDEV_LOCK_VALID_FLAGS	(SHMDEV_LOCK_SH | SHMDEV_LOCK_EX | SHMDEV_LOCK_NB)

/* Any timeout field: sleep until woken or interrupted. */
#define SHMDEV_TIMEOUT_INFINITE	(~(__u64)0)

/*
 * The 32-bit word of a robust mutex registered with SHMDEV_IOC_MUTEX_INIT:
 * 0 when free, else the owning handle's id (struct shmdev_attach.handle_id)
 * with these bits. When a handle is released the module rewrites every
 * registered word that it owns to (word & WAITERS) | OWNER_DIED and wakes one
 * waiter on it. NOTRECOVERABLE is an id the module never hands out.
 */
#define SHMDEV_MUTEX_WAITERS		0x80000000U
#define SHMDEV_MUTEX_OWNER_DIED		0x40000000U
#define SHMDEV_MUTEX_ID_MASK		0x3fffffffU
#define SHMDEV_MUTEX_NOTRECOVERABLE	0x3fffffffU

/**
 * struct shmdev_api - what this module speaks (SHMDEV_IOC_API)
 * @abi_version:	(out) SHMDEV_ABI_VERSION of the module
 * @nr_locks:		(out) kernel locks per region
 * @features:		(out) mask of SHMDEV_FEAT_*
 * @name_max:		(out) longest region name in bytes
 * @page_size:		(out) granule of region sizes and mapping offsets
 */
struct shmdev_api {
	__u32 abi_version;
	__u32 nr_locks;
	__u64 features;
	__u32 name_max;
	__u32 page_size;
};

/**
 * struct shmdev_attach - bind this open file to a region (SHMDEV_IOC_ATTACH)
 * @name:		(in) pointer to the name's bytes, no NUL needed
 * @size:		(in) at create: the size, rounded up to pages; else 0 for
 *			any size or the least size the caller needs
 * @name_len:		(in) 1..SHMDEV_NAME_MAX
 * @flags:		(in) SHMDEV_ATTACH_VALID_FLAGS
 * @mode:		(in) at create: permission bits, taken & 0777, no umask
 * @pad:		must be zero
 * @region_size:	(out) the region's size now
 * @handle_id:		(out) this handle's id, unique among live handles,
 *			1..SHMDEV_MUTEX_ID_MASK - 1: the owner value of robust
 *			mutex words
 * @region_flags:	(out) SHMDEV_AUTODESTROY, SHMDEV_POPULATE as created
 * @fd:		(out) with SHMDEV_FILE: a new file descriptor (close-on-exec)
 *			of the region, itself an attached handle: this file
 *			is left as it was, and @handle_id is the new handle's
 * @pad2:		must be zero
 *
 * A file of the region is what open(2) of its name in the shmdev
 * filesystem gives: fstat(2), flock(2), ftruncate(2), read(2) and the rest
 * act on the region, and every region ioctl works on it as on a handle.
 */
struct shmdev_attach {
	__u64 name;
	__u64 size;
	__u32 name_len;
	__u32 flags;
	__u32 mode;
	__u32 pad;
	__u64 region_size;
	__u32 handle_id;
	__u32 region_flags;
	/* SHMDEV_ATTACH_SIZE_VER0 ends here */
	__s32 fd;
	__u32 pad2;
};

#define SHMDEV_ATTACH_SIZE_VER0		48	/* up to @region_flags */

/**
 * struct shmdev_name - a region by name (SHMDEV_IOC_UNLINK)
 * @name:	(in) pointer to the name's bytes
 * @name_len:	(in) 1..SHMDEV_NAME_MAX
 * @flags:	(in) must be zero
 * @ns_id:	(in) 0: the caller's IPC namespace; else the inode number of
 *		another namespace that holds regions (CAP_SYS_ADMIN in the
 *		initial user namespace only, else -EPERM)
 */
struct shmdev_name {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u64 ns_id;
};

/**
 * struct shmdev_region_info - a region's attributes (SHMDEV_IOC_STAT)
 * @name:		(in) pointer to the name; 0 with @name_len 0: the
 *			region this file is attached to
 * @name_len:		(in) 0..SHMDEV_NAME_MAX
 * @flags:		(in) must be zero
 * @ns_id:		(in) as in struct shmdev_name
 * @size:		(out) bytes
 * @uid:		(out) owner (the creator's fsuid, unless a chown
 *			changed it), in the caller's user namespace
 * @gid:		(out) group (the creator's fsgid, unless changed)
 * @mode:		(out) permission bits
 * @region_flags:	(out) SHMDEV_AUTODESTROY, SHMDEV_POPULATE,
 *			SHMDEV_REGION_UNLINKED
 * @handles:		(out) attached open files, region files included
 * @mappings:		(out) live mappings (vmas) in all processes
 * @resident:		(out) pages allocated to the region
 * @ns_inum:		(out) inode number of the region's IPC namespace
 * @waits:		(out) SHMDEV_IOC_WAIT calls that slept
 * @wakes:		(out) SHMDEV_IOC_WAKE calls
 * @lock_acquired:	(out) kernel locks granted
 * @lock_contended:	(out) kernel locks that had to wait
 * @owner_deaths:	(out) locks and mutexes whose owner handle went away
 *			holding them
 * @events:		(out) the region's event counter
 *
 * Since SHMDEV_FEAT_SIZED_ARGS, as in SysV's struct shmid_ds:
 * @creator_pid:	(out) the process that created it, in the caller's pid
 *			namespace; 0 when it is not visible there
 * @last_pid:		(out) the process of the last attach or detach, as
 *			@creator_pid
 * @ctime:		(out) creation or last change of size (a write
 *			included) or attributes, CLOCK_REALTIME ns
 * @atime:		(out) last attach, CLOCK_REALTIME ns
 * @dtime:		(out) last detach (release of an attached handle),
 *			CLOCK_REALTIME ns; 0 before the first
 */
struct shmdev_region_info {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u64 ns_id;
	__u64 size;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 region_flags;
	__u32 handles;
	__u32 mappings;
	__u64 resident;
	__u64 ns_inum;
	__u64 waits;
	__u64 wakes;
	__u64 lock_acquired;
	__u64 lock_contended;
	__u64 owner_deaths;
	__u64 events;
	/* SHMDEV_REGION_INFO_SIZE_VER0 ends here */
	__u32 creator_pid;
	__u32 last_pid;
	__u64 ctime;
	__u64 atime;
	__u64 dtime;
};

#define SHMDEV_REGION_INFO_SIZE_VER0	120	/* up to @events */
#define SHMDEV_REGION_INFO_SIZE_VER1	152	/* up to @dtime */

/**
 * struct shmdev_status - the module's totals (SHMDEV_IOC_STATUS)
 * @ns_regions:		(out) regions in the caller's IPC namespace
 * @ns_bytes:		(out) their sizes, summed
 * @regions:		(out) regions in all namespaces, unlinked ones too
 * @bytes:		(out) their sizes, summed
 * @user_bytes:		(out) bytes charged to the caller's fsuid
 * @handles:		(out) handles: open files of /dev/shmdev and of
 *			regions
 *
 * Since SHMDEV_FEAT_SIZED_ARGS, the limits (the module's parameters) and
 * the owner ids of SHMDEV_IOC_OWNER_ID:
 * @max_region_size:	(out) largest region, else -EFBIG
 * @max_regions:	(out) most regions per IPC namespace, else -ENOSPC
 * @max_user_bytes:	(out) most bytes one owner uid may hold, else -ENOSPC
 * @max_total_bytes:	(out) most bytes in all, else -ENOSPC
 * @owner_ids:		(out) owner ids held in all
 * @user_owner_ids:	(out) owner ids held by handles the caller's fsuid opened
 */
struct shmdev_status {
	__u64 ns_regions;
	__u64 ns_bytes;
	__u64 regions;
	__u64 bytes;
	__u64 user_bytes;
	__u64 handles;
	/* SHMDEV_STATUS_SIZE_VER0 ends here */
	__u64 max_region_size;
	__u64 max_regions;
	__u64 max_user_bytes;
	__u64 max_total_bytes;
	__u64 owner_ids;
	__u64 user_owner_ids;
};

#define SHMDEV_STATUS_SIZE_VER0		48	/* up to @handles */
#define SHMDEV_STATUS_SIZE_VER1		96	/* up to @user_owner_ids */

/**
 * struct shmdev_resize - change the attached region's size (SHMDEV_IOC_RESIZE)
 * @size:	(in) new size, > 0, rounded up to pages; shrinking below a
 *		live mapping is -EBUSY; read-only handles get -EACCES
 * @flags:	(in) must be zero
 * @pad:	must be zero
 */
struct shmdev_resize {
	__u64 size;
	__u32 flags;
	__u32 pad;
};

/**
 * struct shmdev_wait - sleep on a word of the region (SHMDEV_IOC_WAIT)
 * @offset:	(in) byte offset of an aligned __u32 inside the region
 * @timeout:	(in) absolute CLOCK_MONOTONIC ns, or SHMDEV_TIMEOUT_INFINITE
 * @expected:	(in) sleep only while the word holds this value, else -EAGAIN
 * @flags:	(in) must be zero
 */
struct shmdev_wait {
	__u64 offset;
	__u64 timeout;
	__u32 expected;
	__u32 flags;
};

/**
 * struct shmdev_wake - wake sleepers on a word (SHMDEV_IOC_WAKE)
 * @offset:	(in) byte offset of an aligned __u32 inside the region
 * @nr:		(in) most sleepers to wake, >= 1; INT_MAX for all
 * @flags:	(in) must be zero
 *
 * Returns the number woken.
 */
struct shmdev_wake {
	__u64 offset;
	__u32 nr;
	__u32 flags;
};

/**
 * struct shmdev_lock - take a kernel lock (SHMDEV_IOC_LOCK)
 * @timeout:	(in) absolute CLOCK_MONOTONIC ns, or SHMDEV_TIMEOUT_INFINITE
 * @id:		(in) 0..SHMDEV_NR_LOCKS - 1
 * @mode:	(in) SHMDEV_LOCK_SH or SHMDEV_LOCK_EX, or-ed with SHMDEV_LOCK_NB
 *
 * Returns 0, or -EOWNERDEAD with the lock held when the last exclusive holder
 * was released without unlocking.
 */
struct shmdev_lock {
	__u64 timeout;
	__u32 id;
	__u32 mode;
};

/**
 * struct shmdev_unlock - release a kernel lock (SHMDEV_IOC_UNLOCK)
 * @id:		(in) a lock this handle holds, else -EPERM
 * @flags:	(in) must be zero
 */
struct shmdev_unlock {
	__u32 id;
	__u32 flags;
};

/**
 * struct shmdev_mutex_init - register a robust mutex word (SHMDEV_IOC_MUTEX_INIT)
 * @offset:	(in) byte offset of an aligned __u32 inside the region; the
 *		module stores 0 there
 * @flags:	(in) must be zero
 * @pad:	must be zero
 */
struct shmdev_mutex_init {
	__u64 offset;
	__u32 flags;
	__u32 pad;
};

/**
 * struct shmdev_mutex_destroy - unregister robust mutex words
 * (SHMDEV_IOC_MUTEX_DESTROY)
 * @offset:	(in) byte offset of the first byte of the range, 4-aligned
 * @len:	(in) bytes in the range, > 0, a multiple of 4
 * @flags:	(in) must be zero
 * @pad:	must be zero
 *
 * Every word registered with SHMDEV_IOC_MUTEX_INIT in [@offset, @offset +
 * @len) stops being a robust mutex: the module no longer rewrites it when
 * a handle goes away, and wakes everyone asleep on it. The words keep
 * their values. Returns the number of words unregistered; read-only
 * handles get -EACCES.
 */
struct shmdev_mutex_destroy {
	__u64 offset;
	__u64 len;
	__u32 flags;
	__u32 pad;
};

/**
 * struct shmdev_owner_id - another owner id for this handle (SHMDEV_IOC_OWNER_ID)
 * @id:		(out) a new id, 1..SHMDEV_MUTEX_ID_MASK - 1, unique among
 *		the ids of live handles. The module treats it as this
 *		handle's own: when the handle is released, robust mutex
 *		words holding it become owner-died, and then it is freed.
 *		Threads that share a handle each take one, to own mutexes
 *		apart from each other.
 * @flags:	(in) must be zero
 *
 * At most SHMDEV_MAX_OWNER_IDS per handle, 16384 per user (the opener's
 * fsuid) and 1048576 in all, then -ENOSPC. The handle must be attached
 * read-write (-EACCES).
 */
struct shmdev_owner_id {
	__u32 id;
	__u32 flags;
};

/**
 * struct shmdev_event - wait for the region's event counter (SHMDEV_IOC_EVENT_WAIT)
 * @seq:	(in) sleep until the counter differs from this value
 * @timeout:	(in) absolute CLOCK_MONOTONIC ns, or SHMDEV_TIMEOUT_INFINITE;
 *		0 reads the counter without sleeping
 * @flags:	(in) must be zero
 * @pad:	must be zero
 * @counter:	(out) the counter, also recorded as seen by this handle for
 *		poll; written on success and on -ETIMEDOUT
 */
struct shmdev_event {
	__u64 seq;
	__u64 timeout;
	__u32 flags;
	__u32 pad;
	__u64 counter;
};

#define SHMDEV_IOC_MAGIC	0xE6

#define SHMDEV_IOC_API		_IOR(SHMDEV_IOC_MAGIC, 0x00, struct shmdev_api)
#define SHMDEV_IOC_ATTACH	_IOWR(SHMDEV_IOC_MAGIC, 0x01, struct shmdev_attach)
#define SHMDEV_IOC_UNLINK	_IOW(SHMDEV_IOC_MAGIC, 0x02, struct shmdev_name)
#define SHMDEV_IOC_STAT		_IOWR(SHMDEV_IOC_MAGIC, 0x03, struct shmdev_region_info)
#define SHMDEV_IOC_RESIZE	_IOW(SHMDEV_IOC_MAGIC, 0x04, struct shmdev_resize)
#define SHMDEV_IOC_STATUS	_IOR(SHMDEV_IOC_MAGIC, 0x05, struct shmdev_status)
#define SHMDEV_IOC_WAIT		_IOW(SHMDEV_IOC_MAGIC, 0x10, struct shmdev_wait)
#define SHMDEV_IOC_WAKE		_IOW(SHMDEV_IOC_MAGIC, 0x11, struct shmdev_wake)
#define SHMDEV_IOC_LOCK		_IOW(SHMDEV_IOC_MAGIC, 0x12, struct shmdev_lock)
#define SHMDEV_IOC_UNLOCK	_IOW(SHMDEV_IOC_MAGIC, 0x13, struct shmdev_unlock)
#define SHMDEV_IOC_MUTEX_INIT	_IOW(SHMDEV_IOC_MAGIC, 0x14, struct shmdev_mutex_init)
#define SHMDEV_IOC_NOTIFY	_IO(SHMDEV_IOC_MAGIC, 0x15)
#define SHMDEV_IOC_EVENT_WAIT	_IOWR(SHMDEV_IOC_MAGIC, 0x16, struct shmdev_event)
#define SHMDEV_IOC_MUTEX_DESTROY _IOW(SHMDEV_IOC_MAGIC, 0x17, struct shmdev_mutex_destroy)
#define SHMDEV_IOC_OWNER_ID	_IOWR(SHMDEV_IOC_MAGIC, 0x18, struct shmdev_owner_id)
#define SHMDEV_IOC_READY	_IO(SHMDEV_IOC_MAGIC, 0x19)

/* The first layouts' numbers, which every module takes. */
#define SHMDEV_IOC_ATTACH_VER0	_IOC(_IOC_READ | _IOC_WRITE, SHMDEV_IOC_MAGIC, 0x01, \
				     SHMDEV_ATTACH_SIZE_VER0)
#define SHMDEV_IOC_STAT_VER0	_IOC(_IOC_READ | _IOC_WRITE, SHMDEV_IOC_MAGIC, 0x03, \
				     SHMDEV_REGION_INFO_SIZE_VER0)
#define SHMDEV_IOC_STATUS_VER0	_IOC(_IOC_READ, SHMDEV_IOC_MAGIC, 0x05, \
				     SHMDEV_STATUS_SIZE_VER0)

#endif /* _UAPI_LINUX_SHMDEV_H */
