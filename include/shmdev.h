/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libshmdev: named shared-memory regions and their wait queues.
 *
 * Every function returns 0 or a non-negative count on success and -errno on
 * failure; none sets errno. A struct shmdev_region is one attach of a region
 * (one open file of /dev/shmdev) plus the library's mapping of the whole
 * region. Handles are not shared between threads that close them; everything
 * else on a handle may be called from several threads at once, except
 * shmdev_resize, which moves the mapping.
 *
 * Timeouts are relative nanoseconds: -1 waits for ever, 0 does not sleep
 * (-ETIMEDOUT at once if the call would have to), any other negative value
 * is -EINVAL. A signal ends a wait with -EINTR (shmdev_wait, shmdev_lock,
 * shmdev_event_wait); a mutex wait goes on after it, and a condition wait
 * returns 0, as after a spurious wake-up.
 */
#ifndef SHMDEV_H
#define SHMDEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/shmdev.h>

#include "shmdev_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SHMDEV_DEVICE	"/dev/shmdev"

struct shmdev_region;

/*
 * What shmdev_stat reports, named as in struct shmdev_region_info. Fields
 * are only ever added at the end. The calls that fill a structure the
 * library owns or passes on (struct shmdev_stat, shmdev_api, shmdev_status)
 * take the size the caller was built with, which the inline wrappers below
 * pass as sizeof: the library writes that many bytes and no more, zeroing
 * what it does not know itself. A size below the first version's,
 * SHMDEV_*_SIZE_VER0, is -EINVAL.
 */
struct shmdev_stat {
	uint64_t size;
	uint32_t uid, gid, mode;
	union {
		uint32_t region_flags;	/* SHMDEV_AUTODESTROY, _POPULATE, SHMDEV_REGION_* */
		/* its name in libshmdev 1.0, kept so that old sources build */
		uint32_t flags;
	};
	uint32_t handles, mappings;
	uint32_t reserved;
	uint64_t resident;	/* pages allocated */
	uint64_t ns_inum;	/* IPC namespace */
	uint64_t waits, wakes, lock_acquired, lock_contended, owner_deaths;
	uint64_t events;
	/* SHMDEV_STAT_SIZE_VER0 ends here. Since libshmdev 1.2, filled by a
	 * module with SHMDEV_FEAT_SIZED_ARGS for callers who may read the
	 * region, else 0: */
	uint32_t creator_pid;	/* the creating process */
	uint32_t last_pid;	/* the process of the last attach or detach */
	uint64_t ctime;		/* creation or last size change, CLOCK_REALTIME ns */
	uint64_t atime;		/* last attach */
	uint64_t dtime;		/* last detach */
};

/* struct shmdev_stat of libshmdev 1.0: 104 bytes on 64-bit, 100 on i386. */
#define SHMDEV_STAT_SIZE_VER0	(offsetof(struct shmdev_stat, events) + sizeof(uint64_t))
#define SHMDEV_API_SIZE_VER0	24	/* struct shmdev_api of ABI version 1 */
/* SHMDEV_STATUS_SIZE_VER0 (48) is the uapi's. */

/*
 * A robust mutex and a condition variable live inside a region. They hold
 * no pointers, so every process may map the region anywhere.
 */
typedef struct shmdev_mutex {
	uint32_t __word;	/* 0, or an owner id of a handle | SHMDEV_MUTEX_* bits */
	uint32_t __reserved;	/* set by shmdev_mutex_init, cleared by _destroy */
} shmdev_mutex_t;

typedef struct shmdev_cond {
	uint32_t __seq;		/* bumped by signal and broadcast */
	uint32_t __reserved;
} shmdev_cond_t;

/* Regions */
int      shmdev_open(const char *name, uint64_t size, unsigned int flags, unsigned int mode,
		     struct shmdev_region **out);
int      shmdev_open_init(const char *name, uint64_t size, unsigned int flags, unsigned int mode,
			  int (*init)(struct shmdev_region *r, void *arg), void *arg,
			  struct shmdev_region **out);
int      shmdev_close(struct shmdev_region *r);
int      shmdev_create(const char *name, uint64_t size, unsigned int flags, unsigned int mode);
int      shmdev_unlink(const char *name);
int      shmdev_unlink_ns(const char *name, uint64_t ns_id);
void    *shmdev_addr(const struct shmdev_region *r);
uint64_t shmdev_size(const struct shmdev_region *r);
int      shmdev_fd(const struct shmdev_region *r);
/*
 * shmdev_size is the size of this handle's mapping: a region another handle
 * grew stays mapped at its old size here until shmdev_remap, which maps it
 * at its current size and never resizes (read-only handles too). shmdev_resize
 * resizes the region and maps it again at its new size, so shmdev_addr may
 * change: pointers into the old mapping are dead. Shrinking drops this
 * handle's mapping first (the kernel refuses to shrink a mapped region); if
 * others still map it, that is -EBUSY and the region is mapped again.
 */
int      shmdev_resize(struct shmdev_region *r, uint64_t size);
int      shmdev_remap(struct shmdev_region *r);
int      shmdev_handle_id(const struct shmdev_region *r);

/*
 * Attributes of a region by name in IPC namespace @ns_id (0: the caller's;
 * another one's inode number needs CAP_SYS_ADMIN in the initial namespace),
 * or through a handle; @size is the caller's sizeof(*st).
 */
int      shmdev_stat_ns(const char *name, uint64_t ns_id, struct shmdev_stat *st, size_t size);
int      shmdev_fstat_sized(const struct shmdev_region *r, struct shmdev_stat *st, size_t size);

static inline int shmdev_stat(const char *name, struct shmdev_stat *st)
{
	return shmdev_stat_ns(name, 0, st, sizeof(*st));
}

static inline int shmdev_fstat(const struct shmdev_region *r, struct shmdev_stat *st)
{
	return shmdev_fstat_sized(r, st, sizeof(*st));
}

/* The module; @size is the caller's sizeof(*api), sizeof(*st). */
int      shmdev_query_api_sized(struct shmdev_api *api, size_t size);
int      shmdev_query_status_sized(struct shmdev_status *st, size_t size);

static inline int shmdev_query_api(struct shmdev_api *api)
{
	return shmdev_query_api_sized(api, sizeof(*api));
}

static inline int shmdev_query_status(struct shmdev_status *st)
{
	return shmdev_query_status_sized(st, sizeof(*st));
}

/* Wait queues on 32-bit words of the region */
int shmdev_wait(struct shmdev_region *r, const uint32_t *word, uint32_t expected, int64_t timeout_ns);
int shmdev_wake(struct shmdev_region *r, const uint32_t *word, int nr);

/*
 * Kernel locks, owned by the handle. Timeout 0 takes a free lock or fails
 * -ETIMEDOUT without queueing; SHMDEV_LOCK_NB fails -EWOULDBLOCK.
 */
int shmdev_lock(struct shmdev_region *r, unsigned int id, unsigned int mode, int64_t timeout_ns);
int shmdev_unlock(struct shmdev_region *r, unsigned int id);

/*
 * Robust mutexes and condition variables inside the region. The owner is
 * the thread that locked through the handle (relocking is -EDEADLK, only
 * it unlocks); the handle's release repairs what any of its threads held.
 * Through a read-only handle they are -EACCES.
 */
int shmdev_mutex_init(struct shmdev_region *r, shmdev_mutex_t *m);
int shmdev_mutex_lock(struct shmdev_region *r, shmdev_mutex_t *m, int64_t timeout_ns);
int shmdev_mutex_trylock(struct shmdev_region *r, shmdev_mutex_t *m);
int shmdev_mutex_unlock(struct shmdev_region *r, shmdev_mutex_t *m);
int shmdev_mutex_consistent(struct shmdev_region *r, shmdev_mutex_t *m);
int shmdev_mutex_destroy(struct shmdev_region *r, shmdev_mutex_t *m);
int shmdev_cond_init(struct shmdev_region *r, shmdev_cond_t *c);
int shmdev_cond_wait(struct shmdev_region *r, shmdev_cond_t *c, shmdev_mutex_t *m, int64_t timeout_ns);
int shmdev_cond_signal(struct shmdev_region *r, shmdev_cond_t *c);
int shmdev_cond_broadcast(struct shmdev_region *r, shmdev_cond_t *c);

/*
 * The region's event counter. shmdev_event_wait sleeps while the counter
 * equals *seq and stores the counter in *seq on success and on -ETIMEDOUT;
 * timeout 0 just reads it (-ETIMEDOUT when it still equals *seq).
 */
int shmdev_notify(struct shmdev_region *r);
int shmdev_event_wait(struct shmdev_region *r, uint64_t *seq, int64_t timeout_ns);

/* Message ring (lib/ring.c) */

/*
 * A ring of variable-length messages in a region, or in a part of one: one
 * consumer, one or many producers, each in any process with its own handle
 * on the region. Messages arrive in the order their space was reserved, so
 * each producer's messages arrive in the order it sent them.
 *
 * Layout: SHMDEV_RING_HEADER bytes of control data at the ring's offset,
 * then the data area, the largest power of two that fits in the rest of
 * the size given to shmdev_ring_init() (at most 2 GiB). A message takes 8
 * bytes of header plus its length rounded up to 8; the largest message is
 * capacity / 2 - 8 bytes (shmdev_ring_stat() reports it). A message never
 * wraps: when one does not fit before the end, the rest of the area is
 * skipped. The format is public, for implementations in other languages:
 * <shmdev_ring.h> and docs/ring-format.md.
 *
 * Blocking: a producer sleeps while the ring is too full, the consumer
 * while the next message is not committed, both in the module's wait queues
 * and never in a spin. A sleeper announces itself in the ring, so a wake-up
 * costs its peer a system call only when somebody sleeps: while the ring is
 * neither empty nor full, sending and receiving make no system call at all.
 * The first producer that waits for space is served before later ones, so
 * a large message is not starved by a stream of small ones.
 *
 * Crashed producers: a producer holds a slot in the ring (one of
 * SHMDEV_RING_PRODUCERS) for as long as it is attached, through a robust
 * mutex of the module. If its handle goes away (exit, kill -9, close)
 * between reserving a message and committing it, the consumer sees the
 * slot's owner gone when it reaches the message, drops it (its partly
 * written bytes are never delivered) and counts it in the ring's dropped
 * and dropped_bytes; the other producers go on. A consumer that dies is
 * replaced by the next process that receives; a message it had peeked but
 * not released is delivered again.
 *
 * One struct shmdev_ring is one process's view of a ring; use it from one
 * thread at a time. Timeouts are relative ns, -1 forever, 0 do not sleep;
 * -ETIMEDOUT when they pass, -EINTR when a signal arrives while sleeping.
 */
struct shmdev_ring;

/*
 * SHMDEV_RING_HEADER (bytes of control data before the data area),
 * SHMDEV_RING_MIN_CAPACITY (smallest data area) and SHMDEV_RING_PRODUCERS
 * (producers attached at once) are in <shmdev_ring.h>, with the rest of
 * the ring's format.
 */

/* What shmdev_ring_stat() reports. */
struct shmdev_ring_stat {
	uint64_t capacity;	/* bytes of the data area */
	uint64_t max_msg;	/* the largest message, in bytes */
	uint64_t used;		/* bytes reserved and not yet released */
	uint64_t received;	/* messages released by consumers */
	uint64_t dropped;	/* messages lost to producers that went away */
	uint64_t dropped_bytes;	/* the ring bytes those messages took */
	uint32_t producers;	/* slots held by live producers */
	uint32_t consumer;	/* 1 while a live consumer holds the ring */
};

/*
 * shmdev_ring_init - format a ring at @offset (a multiple of 64) of @r,
 * @size bytes (SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY at least),
 * clearing them. Call it once, before anyone attaches, through a
 * read-write handle. Returns 0, -EINVAL (placement or size), -EACCES
 * (read-only handle), -ENOSPC (the module's robust mutex table is full).
 */
int shmdev_ring_init(struct shmdev_region *r, uint64_t offset, uint64_t size);

/*
 * shmdev_ring_attach - this process's view of the ring at @offset of @r in
 * *@out. A producer takes its slot when it first reserves, the consumer the
 * ring when it first peeks. The view points into @r's mapping: close it
 * before shmdev_resize() or shmdev_close() of @r. Returns 0, -EINVAL (no
 * ring there, or @r not mapped far enough), -EACCES (read-only handle),
 * -ENOMEM.
 */
int shmdev_ring_attach(struct shmdev_region *r, uint64_t offset, struct shmdev_ring **out);

/*
 * shmdev_ring_close - detach: give back the producer slot and the consumer
 * role, free @ring. Messages reserved and not committed are dropped.
 */
int shmdev_ring_close(struct shmdev_ring *ring);

/*
 * shmdev_ring_reserve - reserve a message of @len bytes and point *@ptr at
 * its payload in the ring (8-byte aligned), for the caller to fill and then
 * commit. Several reservations may be open at once; each is delivered in
 * reservation order once committed, so commit each soon: the consumer waits
 * for it (and a producer that waits for space while holding an uncommitted
 * reservation can wait forever). Returns 0, -EMSGSIZE (@len over max_msg),
 * -EUSERS (SHMDEV_RING_PRODUCERS producers already attached), -ETIMEDOUT,
 * -EINTR.
 */
int shmdev_ring_reserve(struct shmdev_ring *ring, size_t len, void **ptr, int64_t timeout_ns);

/*
 * shmdev_ring_commit - publish the message reserved at @ptr and wake the
 * consumer if it sleeps. Returns 0, or -EINVAL if @ptr is not an open
 * reservation of this producer.
 */
int shmdev_ring_commit(struct shmdev_ring *ring, void *ptr);

/* shmdev_ring_send - reserve, copy @len bytes of @buf, commit. As reserve. */
int shmdev_ring_send(struct shmdev_ring *ring, const void *buf, size_t len, int64_t timeout_ns);

/*
 * shmdev_ring_peek - wait for the next message and point *@ptr at its
 * payload in the ring and *@len at its length, without taking it: it stays
 * valid and first in line until shmdev_ring_release(). Returns 0, -EBUSY
 * (another live consumer holds the ring), -ETIMEDOUT, -EINTR, -EBADMSG
 * (the ring's memory was overwritten with something that is no message).
 */
int shmdev_ring_peek(struct shmdev_ring *ring, void **ptr, size_t *len, int64_t timeout_ns);

/*
 * shmdev_ring_release - drop the message shmdev_ring_peek() returned, making
 * its space free (and waking producers that wait for it). Returns 0, or
 * -EINVAL when no message is peeked.
 */
int shmdev_ring_release(struct shmdev_ring *ring);

/*
 * shmdev_ring_recv - wait for the next message and copy it into @buf of
 * @cap bytes. Returns its length; -EMSGSIZE when it is longer than @cap (it
 * stays in the ring; shmdev_ring_peek() tells its length); or as peek.
 */
int shmdev_ring_recv(struct shmdev_ring *ring, void *buf, size_t cap, int64_t timeout_ns);

/* shmdev_ring_stat - the ring's size and counters in *@st. */
int shmdev_ring_stat(struct shmdev_ring *ring, struct shmdev_ring_stat *st);

#ifdef __cplusplus
}
#endif

#endif /* SHMDEV_H */
