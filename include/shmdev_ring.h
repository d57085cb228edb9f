/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * shmdev_ring.h: the shared-memory format of libshmdev's message ring,
 * format 2, for implementations that do not link libshmdev (Go, Java,
 * PHP, Python, ...). docs/ring-format.md is the specification: the
 * producer, consumer and wake protocols, and what a reader must reject.
 *
 * A ring at a 64-byte aligned offset of a region is SHMDEV_RING_HEADER
 * bytes of control data (struct shmdev_ring_shared; SHMDEV_RING_OFF_* are
 * its offsets, relative to the ring's start) followed by the data area of
 * `capacity` bytes. Every field is in the host's byte order and naturally
 * aligned; 64-bit fields are accessed with 64-bit atomic instructions.
 *
 * This header only describes bytes: nothing in it is a function of the
 * library, and it needs nothing but <stddef.h> and <stdint.h>.
 */
#ifndef SHMDEV_RING_H
#define SHMDEV_RING_H

#include <stddef.h>
#include <stdint.h>

/* Control data */
#define SHMDEV_RING_MAGIC	0x53524e47U	/* "SRNG" read as a native u32 */
#define SHMDEV_RING_VERSION	2	/* the format; 1: wakers cleared sleepers' flags */
#define SHMDEV_RING_ALIGN	64	/* a ring's offset in its region is a multiple */
#define SHMDEV_RING_HEADER	8192	/* bytes of control data before the data area */
#define SHMDEV_RING_MIN_CAPACITY 4096	/* smallest data area */
#define SHMDEV_RING_MAX_CAPACITY (1ULL << 31)	/* largest data area */
#define SHMDEV_RING_PRODUCERS	64	/* producer slots (nr_slots) */

/* Byte offsets of the control data's fields from the ring's start. */
#define SHMDEV_RING_OFF_MAGIC		0	/* u32 SHMDEV_RING_MAGIC */
#define SHMDEV_RING_OFF_VERSION		4	/* u32 SHMDEV_RING_VERSION */
#define SHMDEV_RING_OFF_CAPACITY	8	/* u64 bytes of the data area */
#define SHMDEV_RING_OFF_NR_SLOTS	16	/* u32 SHMDEV_RING_PRODUCERS */
#define SHMDEV_RING_OFF_HEAD		64	/* u64 end of all reservations */
#define SHMDEV_RING_OFF_TAIL		128	/* u64 end of what was released */
#define SHMDEV_RING_OFF_RECEIVED	136	/* u64 messages released */
#define SHMDEV_RING_OFF_DROPPED		144	/* u64 messages dropped */
#define SHMDEV_RING_OFF_DROPPED_BYTES	152	/* u64 ring bytes dropped */
#define SHMDEV_RING_OFF_RELEASING	160	/* u64 tail a release moves to */
#define SHMDEV_RING_OFF_WANT		192	/* u64 first producer waiting for room */
#define SHMDEV_RING_OFF_SLEEPING	200	/* u64 bit s: slot s sleeps for room */
#define SHMDEV_RING_OFF_SPACE_SEQ	208	/* u32 producers' wait word */
#define SHMDEV_RING_OFF_SPACE_WOKEN	212	/* u32 last space_seq delivered */
#define SHMDEV_RING_OFF_CONS_WAIT	256	/* u32 consumer's wait word */
#define SHMDEV_RING_OFF_CONSUMER	320	/* robust mutex: the consumer role */
#define SHMDEV_RING_OFF_SLOTS		512	/* SHMDEV_RING_PRODUCERS slots */
#define SHMDEV_RING_SLOT_SIZE		64	/* bytes per slot */

/* Byte offsets inside a producer slot. */
#define SHMDEV_RING_SLOT_OFF_OWNER	0	/* robust mutex: the slot's producer */
#define SHMDEV_RING_SLOT_OFF_GEN	8	/* u32 bumped by each new producer */
#define SHMDEV_RING_SLOT_OFF_SLEEP_SEQ	12	/* u32 space_seq when it slept */
#define SHMDEV_RING_SLOT_OFF_RESV	16	/* u64 position it reserves at */
#define SHMDEV_RING_SLOT_OFF_NEED	24	/* u64 bytes it reserves */

/*
 * A robust mutex of the ring: word is a robust mutex word registered with
 * SHMDEV_IOC_MUTEX_INIT (0, or an owner handle id | SHMDEV_MUTEX_* bits of
 * <linux/shmdev.h>); ready is SHMDEV_RING_MUTEX_READY once it is
 * registered. The layout of libshmdev's shmdev_mutex_t.
 */
#define SHMDEV_RING_MUTEX_READY	0x4d584431U	/* "MXD1" */

/* slot.resv when the slot's producer is not reserving */
#define SHMDEV_RING_RESV_NONE	UINT64_MAX

/*
 * cons_wait: a generation in bits 31..2, bumped by 4 for each sleep, and
 * one of these states in bits 1..0.
 */
#define SHMDEV_RING_CONS_AWAKE	0U	/* the consumer does not sleep */
#define SHMDEV_RING_CONS_ASLEEP	1U	/* it sleeps or is about to */
#define SHMDEV_RING_CONS_WOKEN	2U	/* a waker changed the word and is waking it */
#define SHMDEV_RING_CONS_DONE	3U	/* a waker woke it; it has not run yet */
#define SHMDEV_RING_CONS_STATE	3U	/* mask of the state */

/*
 * Records in the data area. A record starts at an 8-aligned position with
 * a u64 header word, followed by the payload, padded with zeroes to a
 * multiple of 8:
 *
 *	bits 63..62  kind: SHMDEV_RING_REC_BUSY, _COMMIT or _PAD
 *	bits 61..56  the producer's slot
 *	bits 55..32  the slot's generation (24 bits) when it reserved
 *	bits 31..0   payload length in bytes (a PAD: the bytes it skips
 *		     after its header, to the end of the area)
 *
 * A header word 0 is free space: nothing written there yet.
 */
#define SHMDEV_RING_REC_HDR_SIZE	8
#define SHMDEV_RING_REC_ALIGN		8
#define SHMDEV_RING_REC_BUSY		1ULL	/* reserved, being written */
#define SHMDEV_RING_REC_COMMIT		2ULL	/* a message, ready */
#define SHMDEV_RING_REC_PAD		3ULL	/* skip to the end of the area */
#define SHMDEV_RING_REC_KIND_SHIFT	62
#define SHMDEV_RING_REC_KIND_MASK	3ULL
#define SHMDEV_RING_REC_SLOT_SHIFT	56
#define SHMDEV_RING_REC_SLOT_MASK	0x3fULL
#define SHMDEV_RING_REC_GEN_SHIFT	32
#define SHMDEV_RING_GEN_MASK		0xffffffU	/* generations are 24 bits */
#define SHMDEV_RING_REC_LEN_MASK	0xffffffffULL

#define SHMDEV_RING_REC_KIND(h)	(((uint64_t)(h) >> SHMDEV_RING_REC_KIND_SHIFT) & \
				 SHMDEV_RING_REC_KIND_MASK)
#define SHMDEV_RING_REC_SLOT(h)	((unsigned int)(((uint64_t)(h) >> SHMDEV_RING_REC_SLOT_SHIFT) & \
					       SHMDEV_RING_REC_SLOT_MASK))
#define SHMDEV_RING_REC_GEN(h)	((uint32_t)(((uint64_t)(h) >> SHMDEV_RING_REC_GEN_SHIFT) & \
					    SHMDEV_RING_GEN_MASK))
#define SHMDEV_RING_REC_LEN(h)	((uint64_t)(h) & SHMDEV_RING_REC_LEN_MASK)
#define SHMDEV_RING_REC(kind, slot, gen, len)					\
	((uint64_t)(kind) << SHMDEV_RING_REC_KIND_SHIFT |			\
	 ((uint64_t)(slot) & SHMDEV_RING_REC_SLOT_MASK) << SHMDEV_RING_REC_SLOT_SHIFT | \
	 ((uint64_t)(gen) & SHMDEV_RING_GEN_MASK) << SHMDEV_RING_REC_GEN_SHIFT | \
	 ((uint64_t)(len) & SHMDEV_RING_REC_LEN_MASK))
/* The bytes a record of @len payload bytes takes: header and padding. */
#define SHMDEV_RING_REC_SIZE(len) \
	((SHMDEV_RING_REC_HDR_SIZE + (uint64_t)(len) + 7) & ~7ULL)
/* The longest payload a ring of @cap bytes takes. */
#define SHMDEV_RING_MAX_MSG(cap)	((uint64_t)(cap) / 2 - SHMDEV_RING_REC_HDR_SIZE)

/*
 * want: 0, or the first producer that waits for room: its slot + 1 in bits
 * 63..56, its generation in bits 55..32 and the bytes it needs in bits 31..0.
 */
#define SHMDEV_RING_WANT(slot, gen, need)					\
	(((uint64_t)(slot) + 1) << 56 |						\
	 ((uint64_t)(gen) & SHMDEV_RING_GEN_MASK) << 32 |			\
	 ((uint64_t)(need) & SHMDEV_RING_REC_LEN_MASK))
#define SHMDEV_RING_WANT_SLOT1(w)	((unsigned int)((uint64_t)(w) >> 56))	/* slot + 1 */
#define SHMDEV_RING_WANT_GEN(w)	((uint32_t)((uint64_t)(w) >> 32) & SHMDEV_RING_GEN_MASK)
#define SHMDEV_RING_WANT_NEED(w)	((uint64_t)(w) & SHMDEV_RING_REC_LEN_MASK)

struct shmdev_ring_mutex {
	uint32_t word;		/* robust mutex word */
	uint32_t ready;		/* SHMDEV_RING_MUTEX_READY once registered */
};

struct shmdev_ring_slot {
	struct shmdev_ring_mutex owner;	/* held by the producer while attached */
	uint32_t gen;		/* bumped by each producer that takes the slot */
	uint32_t sleep_seq;	/* space_seq when it last announced a sleep */
	uint64_t resv;		/* position it is reserving at, or RESV_NONE */
	uint64_t need;		/* bytes it is reserving */
	uint8_t pad[SHMDEV_RING_SLOT_SIZE - 32];
};

/* The control data at the ring's start; SHMDEV_RING_HEADER bytes in all. */
struct shmdev_ring_shared {
	/* constant after init */
	uint32_t magic;
	uint32_t version;
	uint64_t capacity;
	uint32_t nr_slots;
	uint8_t pad0[64 - 20];
	/* producers: compare-and-swap */
	uint64_t head;
	uint8_t pad1[64 - 8];
	/* the consumer's */
	uint64_t tail;
	uint64_t received;
	uint64_t dropped;
	uint64_t dropped_bytes;
	uint64_t releasing;
	uint8_t pad2[64 - 40];
	/* producers waiting for room */
	uint64_t want;
	uint64_t sleeping;
	uint32_t space_seq;
	uint32_t space_woken;
	uint8_t pad3[64 - 24];
	/* the consumer waiting for a message */
	uint32_t cons_wait;
	uint8_t pad4[64 - 4];
	struct shmdev_ring_mutex consumer;
	uint8_t pad5[64 - 8];
	uint8_t pad6[2 * 64];
	struct shmdev_ring_slot slots[SHMDEV_RING_PRODUCERS];
	uint8_t pad7[SHMDEV_RING_HEADER - SHMDEV_RING_OFF_SLOTS -
		     SHMDEV_RING_PRODUCERS * SHMDEV_RING_SLOT_SIZE];
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L || defined(__cplusplus)
#ifdef __cplusplus
#define SHMDEV_RING_ASSERT(e, m)	static_assert(e, m)
#else
#define SHMDEV_RING_ASSERT(e, m)	_Static_assert(e, m)
#endif
SHMDEV_RING_ASSERT(sizeof(struct shmdev_ring_shared) == SHMDEV_RING_HEADER, "ring header");
SHMDEV_RING_ASSERT(sizeof(struct shmdev_ring_slot) == SHMDEV_RING_SLOT_SIZE, "ring slot");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, magic) == SHMDEV_RING_OFF_MAGIC, "magic");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, version) == SHMDEV_RING_OFF_VERSION, "version");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, capacity) == SHMDEV_RING_OFF_CAPACITY, "capacity");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, nr_slots) == SHMDEV_RING_OFF_NR_SLOTS, "nr_slots");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, head) == SHMDEV_RING_OFF_HEAD, "head");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, tail) == SHMDEV_RING_OFF_TAIL, "tail");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, received) == SHMDEV_RING_OFF_RECEIVED, "received");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, dropped) == SHMDEV_RING_OFF_DROPPED, "dropped");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, dropped_bytes) == SHMDEV_RING_OFF_DROPPED_BYTES,
		   "dropped_bytes");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, releasing) == SHMDEV_RING_OFF_RELEASING, "releasing");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, want) == SHMDEV_RING_OFF_WANT, "want");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, sleeping) == SHMDEV_RING_OFF_SLEEPING, "sleeping");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, space_seq) == SHMDEV_RING_OFF_SPACE_SEQ, "space_seq");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, space_woken) == SHMDEV_RING_OFF_SPACE_WOKEN,
		   "space_woken");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, cons_wait) == SHMDEV_RING_OFF_CONS_WAIT, "cons_wait");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, consumer) == SHMDEV_RING_OFF_CONSUMER, "consumer");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_shared, slots) == SHMDEV_RING_OFF_SLOTS, "slots");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_slot, owner) == SHMDEV_RING_SLOT_OFF_OWNER, "slot owner");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_slot, gen) == SHMDEV_RING_SLOT_OFF_GEN, "slot gen");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_slot, sleep_seq) == SHMDEV_RING_SLOT_OFF_SLEEP_SEQ,
		   "slot sleep_seq");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_slot, resv) == SHMDEV_RING_SLOT_OFF_RESV, "slot resv");
SHMDEV_RING_ASSERT(offsetof(struct shmdev_ring_slot, need) == SHMDEV_RING_SLOT_OFF_NEED, "slot need");
SHMDEV_RING_ASSERT(SHMDEV_RING_PRODUCERS <= 64, "a bit of `sleeping` per slot");
#undef SHMDEV_RING_ASSERT
#endif

#endif /* SHMDEV_RING_H */
