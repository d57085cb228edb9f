// SPDX-License-Identifier: GPL-2.0
/*
 * ring_format_test: the message ring's shared-memory format, as published
 * in <shmdev_ring.h> and specified in docs/ring-format.md, against the
 * library. Both directions: the test writes rings and records byte for
 * byte from the header's definitions alone (as an implementation in
 * another language would) and the library reads them; the library writes
 * and the test decodes every field. And the library rejects what the
 * specification says a reader must reject.
 *
 * The test's own writer and reader use only SHMDEV_RING_* and the module's
 * ioctls, never the library's ring code, and address fields by their
 * SHMDEV_RING_OFF_* offsets, not through struct shmdev_ring_shared.
 */
#include <limits.h>
#include <pthread.h>

#include "common.h"

#define RING_OFF	192	/* a multiple of SHMDEV_RING_ALIGN, not of a page */
#define CAP		4096ULL	/* SHMDEV_RING_MIN_CAPACITY */
#define REGION_SIZE	(64 * 1024)
#define MS		1000000LL

FIXTURE(fmt) {
	struct test_names names;
	const char *name;
	struct shmdev_region *r;	/* the library's side */
	struct shmdev_region *peer;	/* the test's own writer's handle */
	struct shmdev_ring *ring;
	uint8_t *base;			/* the ring's first byte */
	uint8_t *data;			/* its data area */
};

FIXTURE_SETUP(fmt)
{
	self->names.nr = 0;
	self->r = NULL;
	self->peer = NULL;
	self->ring = NULL;
	if (access(SHMDEV_DEVICE, F_OK))
		SKIP(return, "no /dev/shmdev: module not loaded");
	self->name = new_name(&self->names, "ringfmt");
	ASSERT_EQ(0, shmdev_open(self->name, REGION_SIZE, SHMDEV_CREAT | SHMDEV_EXCL, 0600,
				 &self->r));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &self->peer));
	self->base = (uint8_t *)shmdev_addr(self->r) + RING_OFF;
	self->data = self->base + SHMDEV_RING_HEADER;
}

FIXTURE_TEARDOWN(fmt)
{
	if (self->ring)
		shmdev_ring_close(self->ring);
	if (self->peer)
		shmdev_close(self->peer);
	if (self->r)
		shmdev_close(self->r);
	unlink_names(&self->names);
}

/* Fields of the ring, by their published offsets. */
static uint64_t *f64(FIXTURE_DATA(fmt) *self, uint64_t off)
{
	return (uint64_t *)(self->base + off);
}

static uint32_t *f32(FIXTURE_DATA(fmt) *self, uint64_t off)
{
	return (uint32_t *)(self->base + off);
}

static uint64_t slot_off(unsigned int slot, uint64_t field)
{
	return SHMDEV_RING_OFF_SLOTS + (uint64_t)slot * SHMDEV_RING_SLOT_SIZE + field;
}

#define LD64(self, off)		__atomic_load_n(f64(self, off), __ATOMIC_SEQ_CST)
#define LD32(self, off)		__atomic_load_n(f32(self, off), __ATOMIC_SEQ_CST)
#define ST64(self, off, v)	__atomic_store_n(f64(self, off), v, __ATOMIC_SEQ_CST)
#define ST32(self, off, v)	__atomic_store_n(f32(self, off), v, __ATOMIC_SEQ_CST)

/* The u64 word at position @pos of the data area. */
static uint64_t *word_at(FIXTURE_DATA(fmt) *self, uint64_t pos)
{
	return (uint64_t *)(self->data + (pos & (CAP - 1)));
}

/* The region offset of the ring's field at @off, for the module's ioctls. */
static uint64_t region_off(uint64_t off)
{
	return RING_OFF + off;
}

/* Register the robust mutex at ring offset @off and mark it ready. */
static int spec_mutex_init(FIXTURE_DATA(fmt) *self, uint64_t off)
{
	struct shmdev_mutex_init arg = { .offset = region_off(off) };
	int ret = xioctl(shmdev_fd(self->peer), SHMDEV_IOC_MUTEX_INIT, &arg);

	if (!ret)
		ST32(self, off + 4, SHMDEV_RING_MUTEX_READY);
	return ret;
}

/* Format a ring of CAP bytes as docs/ring-format.md says, without libshmdev. */
static int spec_format(FIXTURE_DATA(fmt) *self)
{
	unsigned int i;
	int ret;

	ST32(self, SHMDEV_RING_OFF_MAGIC, 0);
	memset(self->base + 4, 0, SHMDEV_RING_HEADER + CAP - 4);
	ST32(self, SHMDEV_RING_OFF_VERSION, SHMDEV_RING_VERSION);
	ST64(self, SHMDEV_RING_OFF_CAPACITY, CAP);
	ST32(self, SHMDEV_RING_OFF_NR_SLOTS, SHMDEV_RING_PRODUCERS);
	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++)
		ST64(self, slot_off(i, SHMDEV_RING_SLOT_OFF_RESV), SHMDEV_RING_RESV_NONE);
	ret = spec_mutex_init(self, SHMDEV_RING_OFF_CONSUMER);
	for (i = 0; !ret && i < SHMDEV_RING_PRODUCERS; i++)
		ret = spec_mutex_init(self, slot_off(i, SHMDEV_RING_SLOT_OFF_OWNER));
	if (!ret)
		__atomic_store_n(f32(self, SHMDEV_RING_OFF_MAGIC), SHMDEV_RING_MAGIC,
				 __ATOMIC_RELEASE);
	return ret;
}

/* The library formats a ring of CAP bytes and attaches self->ring. */
static int lib_format(FIXTURE_DATA(fmt) *self)
{
	int ret = shmdev_ring_init(self->r, RING_OFF, SHMDEV_RING_HEADER + CAP);

	return ret ? ret : shmdev_ring_attach(self->r, RING_OFF, &self->ring);
}

/* Producer: take slot @slot for owner id @id; its new generation. */
static uint32_t spec_slot_take(FIXTURE_DATA(fmt) *self, unsigned int slot, uint32_t id)
{
	uint32_t old = 0, gen;

	if (!__atomic_compare_exchange_n(f32(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_OWNER)),
					 &old, id, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return UINT32_MAX;
	ST64(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_RESV), SHMDEV_RING_RESV_NONE);
	gen = (LD32(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_GEN)) + 1) & SHMDEV_RING_GEN_MASK;
	ST32(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_GEN), gen);
	return gen;
}

/*
 * Producer: reserve @len bytes for @slot of generation @gen, with a PAD
 * record first if the message does not fit before the end of the area.
 * Its payload in *@payload; its header's position, or UINT64_MAX when
 * there is no room.
 */
static uint64_t spec_reserve(FIXTURE_DATA(fmt) *self, unsigned int slot, uint32_t gen,
			     uint64_t len, uint8_t **payload)
{
	uint64_t rec = SHMDEV_RING_REC_SIZE(len), h, t, off, need;

	for (;;) {
		h = LD64(self, SHMDEV_RING_OFF_HEAD);
		t = LD64(self, SHMDEV_RING_OFF_TAIL);
		off = h & (CAP - 1);
		need = off + rec <= CAP ? rec : CAP - off + rec;
		if (h - t + need > CAP)
			return UINT64_MAX;
		ST64(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_NEED), need);
		ST64(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_RESV), h);
		if (__atomic_compare_exchange_n(f64(self, SHMDEV_RING_OFF_HEAD), &h, h + need,
						false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	if (need != rec) {
		__atomic_store_n(word_at(self, h),
				 SHMDEV_RING_REC(SHMDEV_RING_REC_PAD, slot, gen,
						 need - rec - SHMDEV_RING_REC_HDR_SIZE),
				 __ATOMIC_RELEASE);
		h += need - rec;
	}
	__atomic_store_n(word_at(self, h), SHMDEV_RING_REC(SHMDEV_RING_REC_BUSY, slot, gen, len),
			 __ATOMIC_RELEASE);
	*payload = (uint8_t *)word_at(self, h) + SHMDEV_RING_REC_HDR_SIZE;
	return h;
}

/* Producer: commit the record at @pos, then wake the consumer (A) and (C). */
static void spec_commit(FIXTURE_DATA(fmt) *self, uint64_t pos)
{
	uint64_t *hdr = word_at(self, pos), h = __atomic_load_n(hdr, __ATOMIC_RELAXED);
	uint32_t *cw = f32(self, SHMDEV_RING_OFF_CONS_WAIT), v, *ow;
	unsigned int slot = SHMDEV_RING_REC_SLOT(h);

	__atomic_store_n(hdr, (h & ~(SHMDEV_RING_REC_KIND_MASK << SHMDEV_RING_REC_KIND_SHIFT)) |
			 SHMDEV_RING_REC_COMMIT << SHMDEV_RING_REC_KIND_SHIFT, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	v = __atomic_load_n(cw, __ATOMIC_SEQ_CST);
	while ((v & SHMDEV_RING_CONS_STATE) == SHMDEV_RING_CONS_ASLEEP) {
		uint32_t woken = (v & ~SHMDEV_RING_CONS_STATE) | SHMDEV_RING_CONS_WOKEN;

		if (__atomic_compare_exchange_n(cw, &v, woken, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			struct shmdev_wake wk = {
				.offset = region_off(SHMDEV_RING_OFF_CONS_WAIT), .nr = 1,
			};

			xioctl(shmdev_fd(self->peer), SHMDEV_IOC_WAKE, &wk);
			v = woken;
			__atomic_compare_exchange_n(cw, &v, (v & ~SHMDEV_RING_CONS_STATE) |
						    SHMDEV_RING_CONS_DONE, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			break;
		}
	}
	ow = f32(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_OWNER));
	v = __atomic_load_n(ow, __ATOMIC_SEQ_CST);
	while (v & SHMDEV_MUTEX_WAITERS) {
		if (__atomic_compare_exchange_n(ow, &v, v & ~SHMDEV_MUTEX_WAITERS, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			struct shmdev_wake wk = {
				.offset = region_off(slot_off(slot, SHMDEV_RING_SLOT_OFF_OWNER)),
				.nr = INT_MAX,
			};

			xioctl(shmdev_fd(self->peer), SHMDEV_IOC_WAKE, &wk);
			break;
		}
	}
}

/* Producer: reserve, fill with bytes @seed + i, commit; the header's position. */
static uint64_t spec_send(FIXTURE_DATA(fmt) *self, unsigned int slot, uint32_t gen,
			  uint64_t len, uint8_t seed)
{
	uint8_t *p;
	uint64_t pos = spec_reserve(self, slot, gen, len, &p), i;

	if (pos == UINT64_MAX)
		return pos;
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i);
	spec_commit(self, pos);
	return pos;
}

/* Are the @len payload bytes at @p seed, seed + 1, ...? */
static bool payload_ok(const uint8_t *p, uint64_t len, uint8_t seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i))
			return false;
	return true;
}

/* Are the @n bytes at @p zero? */
static bool zeroes(const uint8_t *p, uint64_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* The producer slot whose owner word holds @id, or -1. */
static int slot_of(FIXTURE_DATA(fmt) *self, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++)
		if ((LD32(self, slot_off(i, SHMDEV_RING_SLOT_OFF_OWNER)) &
		     SHMDEV_MUTEX_ID_MASK) == id)
			return (int)i;
	return -1;
}

/*
 * A ring the library formats has the published control data: magic,
 * version, capacity, slot count, zero positions, counters and wait words,
 * registered mutexes that are free and ready, every slot's resv RESV_NONE,
 * and zeroes everywhere else, in the data area too.
 */
TEST_F(fmt, library_init_control_data)
{
	uint64_t off;
	unsigned int i;

	memset(self->base, 0xa5, SHMDEV_RING_HEADER + CAP);
	ASSERT_EQ(0, shmdev_ring_init(self->r, RING_OFF, SHMDEV_RING_HEADER + CAP));
	EXPECT_EQ(SHMDEV_RING_MAGIC, LD32(self, SHMDEV_RING_OFF_MAGIC));
	EXPECT_EQ(SHMDEV_RING_VERSION, LD32(self, SHMDEV_RING_OFF_VERSION));
	EXPECT_EQ(CAP, LD64(self, SHMDEV_RING_OFF_CAPACITY));
	EXPECT_EQ(SHMDEV_RING_PRODUCERS, LD32(self, SHMDEV_RING_OFF_NR_SLOTS));
	EXPECT_EQ(0, LD32(self, SHMDEV_RING_OFF_CONSUMER));
	EXPECT_EQ(SHMDEV_RING_MUTEX_READY, LD32(self, SHMDEV_RING_OFF_CONSUMER + 4));
	for (i = 0; i < SHMDEV_RING_PRODUCERS; i++) {
		bool ok = !LD32(self, slot_off(i, SHMDEV_RING_SLOT_OFF_OWNER)) &&
			  LD32(self, slot_off(i, SHMDEV_RING_SLOT_OFF_OWNER) + 4) ==
			  SHMDEV_RING_MUTEX_READY &&
			  LD64(self, slot_off(i, SHMDEV_RING_SLOT_OFF_RESV)) == SHMDEV_RING_RESV_NONE;

		if (!ok) {
			EXPECT_TRUE(ok) TH_LOG("slot %u: owner %#x ready %#x resv %#llx", i,
					       LD32(self, slot_off(i, SHMDEV_RING_SLOT_OFF_OWNER)),
					       LD32(self, slot_off(i, SHMDEV_RING_SLOT_OFF_OWNER) + 4),
					       (unsigned long long)LD64(self,
						slot_off(i, SHMDEV_RING_SLOT_OFF_RESV)));
			break;
		}
	}
	/* Every other byte is zero. */
	for (off = 0; off < SHMDEV_RING_HEADER + CAP; off += 4) {
		bool known = off == SHMDEV_RING_OFF_MAGIC || off == SHMDEV_RING_OFF_VERSION ||
			     off == SHMDEV_RING_OFF_CAPACITY || off == SHMDEV_RING_OFF_NR_SLOTS ||
			     off == SHMDEV_RING_OFF_CONSUMER + 4;

		if (off >= SHMDEV_RING_OFF_SLOTS &&
		    off < SHMDEV_RING_OFF_SLOTS + SHMDEV_RING_PRODUCERS * SHMDEV_RING_SLOT_SIZE) {
			uint64_t in = (off - SHMDEV_RING_OFF_SLOTS) % SHMDEV_RING_SLOT_SIZE;

			known |= in == SHMDEV_RING_SLOT_OFF_OWNER + 4 ||
				 in == SHMDEV_RING_SLOT_OFF_RESV || in == SHMDEV_RING_SLOT_OFF_RESV + 4;
		}
		if (!known && LD32(self, off)) {
			EXPECT_EQ(0, LD32(self, off))
				TH_LOG("byte %llu of the ring is not zero", (unsigned long long)off);
			break;
		}
	}
}

/*
 * The capacity is the largest power of two that fits in the size given
 * after SHMDEV_RING_HEADER bytes of control data.
 */
TEST_F(fmt, library_capacity_rule)
{
	ASSERT_EQ(0, shmdev_ring_init(self->r, RING_OFF, SHMDEV_RING_HEADER + 2 * CAP - 8));
	EXPECT_EQ(CAP, LD64(self, SHMDEV_RING_OFF_CAPACITY));
	ASSERT_EQ(0, shmdev_ring_init(self->r, RING_OFF, SHMDEV_RING_HEADER + 2 * CAP));
	EXPECT_EQ(2 * CAP, LD64(self, SHMDEV_RING_OFF_CAPACITY));
	ASSERT_EQ(0, shmdev_ring_init(self->r, RING_OFF, REGION_SIZE - RING_OFF));
	EXPECT_EQ(32768, LD64(self, SHMDEV_RING_OFF_CAPACITY));
}

/*
 * The library's messages are COMMIT records of the sender's slot and
 * generation, with the length in the header, the payload after it and
 * zeroes up to the next multiple of 8; head moves by each record's size.
 */
TEST_F(fmt, library_records_decoded)
{
	static const uint64_t lens[] = { 0, 1, 7, 8, 9, 100 };
	uint64_t pos = 0, i;
	uint8_t buf[128];
	uint32_t gen;
	int slot;

	ASSERT_EQ(0, lib_format(self));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t k;

		for (k = 0; k < lens[i]; k++)
			buf[k] = (uint8_t)(i * 16 + k);
		ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, lens[i], 0));
	}
	slot = slot_of(self, (uint32_t)shmdev_handle_id(self->r));
	ASSERT_LE(0, slot);
	gen = LD32(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_GEN));
	EXPECT_EQ(1, gen);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t h = *word_at(self, pos), size = SHMDEV_RING_REC_SIZE(lens[i]);
		uint8_t *p = (uint8_t *)word_at(self, pos) + SHMDEV_RING_REC_HDR_SIZE;

		EXPECT_EQ(SHMDEV_RING_REC_COMMIT, SHMDEV_RING_REC_KIND(h));
		EXPECT_EQ(slot, SHMDEV_RING_REC_SLOT(h));
		EXPECT_EQ(gen, SHMDEV_RING_REC_GEN(h));
		EXPECT_EQ(lens[i], SHMDEV_RING_REC_LEN(h));
		EXPECT_TRUE(payload_ok(p, lens[i], (uint8_t)(i * 16)));
		EXPECT_TRUE(zeroes(p + lens[i], size - SHMDEV_RING_REC_HDR_SIZE - lens[i]));
		pos += size;
	}
	EXPECT_EQ(pos, LD64(self, SHMDEV_RING_OFF_HEAD));
	EXPECT_EQ(0, LD64(self, SHMDEV_RING_OFF_TAIL));
	EXPECT_EQ(0, *word_at(self, pos));
}

/*
 * A reserved message is a BUSY record until it is committed, then the same
 * header with kind COMMIT; the slot's intent (resv, need) names it.
 */
TEST_F(fmt, library_reserve_busy_then_commit)
{
	uint64_t h;
	void *p;
	int slot;

	ASSERT_EQ(0, lib_format(self));
	ASSERT_EQ(0, shmdev_ring_reserve(self->ring, 20, &p, 0));
	EXPECT_EQ(self->data + SHMDEV_RING_REC_HDR_SIZE, (uint8_t *)p);
	slot = slot_of(self, (uint32_t)shmdev_handle_id(self->r));
	ASSERT_LE(0, slot);
	h = *word_at(self, 0);
	EXPECT_EQ(SHMDEV_RING_REC(SHMDEV_RING_REC_BUSY, slot, 1, 20), h);
	EXPECT_EQ(0, LD64(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_RESV)));
	EXPECT_EQ(SHMDEV_RING_REC_SIZE(20), LD64(self, slot_off(slot, SHMDEV_RING_SLOT_OFF_NEED)));
	EXPECT_EQ(SHMDEV_RING_REC_SIZE(20), LD64(self, SHMDEV_RING_OFF_HEAD));
	ASSERT_EQ(0, shmdev_ring_commit(self->ring, p));
	EXPECT_EQ(SHMDEV_RING_REC(SHMDEV_RING_REC_COMMIT, slot, 1, 20), *word_at(self, 0));
}

/*
 * A message that does not fit before the end of the area follows a PAD
 * record that covers the rest of it (its length: the bytes after its
 * header) and starts at offset 0; head moves past both.
 */
TEST_F(fmt, library_pad_at_wrap)
{
	uint64_t h, len = 1500, off = 2 * SHMDEV_RING_REC_SIZE(1500);
	uint8_t buf[1500] = { 0 };
	int slot, i;

	ASSERT_EQ(0, lib_format(self));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, len, 0));
		ASSERT_EQ((int)len, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	}
	EXPECT_EQ(off, LD64(self, SHMDEV_RING_OFF_TAIL));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, len, 0));
	slot = slot_of(self, (uint32_t)shmdev_handle_id(self->r));
	ASSERT_LE(0, slot);
	h = *word_at(self, off);
	EXPECT_EQ(SHMDEV_RING_REC(SHMDEV_RING_REC_PAD, slot, 1,
				  CAP - off - SHMDEV_RING_REC_HDR_SIZE), h);
	EXPECT_TRUE(zeroes(self->data + off + 8, CAP - off - 8));
	h = *word_at(self, CAP);
	EXPECT_EQ(SHMDEV_RING_REC(SHMDEV_RING_REC_COMMIT, slot, 1, len), h);
	EXPECT_EQ(CAP + SHMDEV_RING_REC_SIZE(len), LD64(self, SHMDEV_RING_OFF_HEAD));
}

/*
 * Releasing a message clears its bytes to zero and moves the tail past
 * it; `releasing` holds the new tail and `received` counts it.
 */
TEST_F(fmt, library_release_clears)
{
	uint8_t buf[64];
	void *p;
	size_t len;

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(0, lib_format(self));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, 13, 0));
	ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(13, len);
	EXPECT_EQ(0, LD64(self, SHMDEV_RING_OFF_TAIL));
	ASSERT_EQ(0, shmdev_ring_release(self->ring));
	EXPECT_EQ(SHMDEV_RING_REC_SIZE(13), LD64(self, SHMDEV_RING_OFF_TAIL));
	EXPECT_EQ(SHMDEV_RING_REC_SIZE(13), LD64(self, SHMDEV_RING_OFF_RELEASING));
	EXPECT_EQ(1, LD64(self, SHMDEV_RING_OFF_RECEIVED));
	EXPECT_TRUE(zeroes(self->data, CAP));
	/* The consumer role is the consumer mutex, held by the handle's id. */
	EXPECT_EQ((uint32_t)shmdev_handle_id(self->r),
		  LD32(self, SHMDEV_RING_OFF_CONSUMER) & SHMDEV_MUTEX_ID_MASK);
}

/*
 * A ring formatted from the header alone (the mutexes registered with
 * SHMDEV_IOC_MUTEX_INIT and marked ready) is one the library attaches to,
 * sends through and receives from.
 */
TEST_F(fmt, spec_format_library_uses)
{
	struct shmdev_ring_stat st;
	uint8_t buf[32];

	ASSERT_EQ(0, spec_format(self));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	ASSERT_EQ(0, shmdev_ring_stat(self->ring, &st));
	EXPECT_EQ(CAP, st.capacity);
	EXPECT_EQ(SHMDEV_RING_MAX_MSG(CAP), st.max_msg);
	memset(buf, 7, sizeof(buf));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, buf, sizeof(buf), 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(32, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(7, buf[31]);
}

/*
 * Records the test writes as the specification says (slot taken, intent
 * published, head moved by compare-and-swap, BUSY then COMMIT) are read by
 * the library in position order with their lengths and bytes.
 */
TEST_F(fmt, spec_records_library_reads)
{
	static const uint64_t lens[] = { 0, 1, 8, 15, 500 };
	uint32_t id = (uint32_t)shmdev_handle_id(self->peer), gen;
	uint8_t buf[512];
	unsigned int i;
	size_t len;
	void *p;

	ASSERT_EQ(0, spec_format(self));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	gen = spec_slot_take(self, 3, id);
	ASSERT_NE(UINT32_MAX, gen);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		ASSERT_NE(UINT64_MAX, spec_send(self, 3, gen, lens[i], (uint8_t)(i + 1)));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ASSERT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
		EXPECT_EQ(lens[i], len);
		EXPECT_TRUE(payload_ok(p, len, (uint8_t)(i + 1)));
		ASSERT_EQ(0, shmdev_ring_release(self->ring));
	}
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(LD64(self, SHMDEV_RING_OFF_HEAD), LD64(self, SHMDEV_RING_OFF_TAIL));
}

/*
 * The library skips a PAD record the test writes at the end of the area
 * and delivers the message after it at offset 0.
 */
TEST_F(fmt, spec_pad_library_skips)
{
	uint32_t id = (uint32_t)shmdev_handle_id(self->peer), gen;
	uint64_t pos, off = 2 * SHMDEV_RING_REC_SIZE(1500);
	uint8_t buf[1500];
	int i;

	ASSERT_EQ(0, spec_format(self));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	gen = spec_slot_take(self, 0, id);
	for (i = 0; i < 2; i++) {
		ASSERT_NE(UINT64_MAX, spec_send(self, 0, gen, 1500, 1));
		ASSERT_EQ(1500, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	}
	pos = spec_send(self, 0, gen, 1500, 9);
	ASSERT_EQ(CAP, pos);	/* after a PAD, at offset 0 */
	EXPECT_EQ(SHMDEV_RING_REC(SHMDEV_RING_REC_PAD, 0, gen, CAP - off - SHMDEV_RING_REC_HDR_SIZE),
		  *word_at(self, off));
	ASSERT_EQ(1500, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_TRUE(payload_ok(buf, 1500, 9));
	EXPECT_EQ(CAP + SHMDEV_RING_REC_SIZE(1500), LD64(self, SHMDEV_RING_OFF_TAIL));
	EXPECT_TRUE(zeroes(self->data, CAP));
}

/*
 * A BUSY record of a live producer is not delivered: the consumer waits
 * (timeout 0: -ETIMEDOUT) until the header turns COMMIT.
 */
TEST_F(fmt, spec_busy_not_delivered)
{
	uint32_t id = (uint32_t)shmdev_handle_id(self->peer), gen;
	uint8_t buf[64], *p;
	uint64_t pos;

	ASSERT_EQ(0, spec_format(self));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	gen = spec_slot_take(self, 5, id);
	pos = spec_reserve(self, 5, gen, 10, &p);
	ASSERT_EQ(0, pos);
	memset(p, 0x33, 10);
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	spec_commit(self, pos);
	ASSERT_EQ(10, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_EQ(0x33, buf[9]);
}

/*
 * A BUSY record whose slot's owner died (the module set OWNER_DIED when
 * its handle went) is dropped: cleared, skipped, counted in dropped and
 * dropped_bytes; the next record is delivered.
 */
TEST_F(fmt, spec_busy_of_dead_owner_dropped)
{
	uint32_t id = (uint32_t)shmdev_handle_id(self->peer), gen, gen2;
	struct shmdev_region *dying;
	uint8_t buf[64], *p;

	ASSERT_EQ(0, spec_format(self));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	ASSERT_EQ(0, shmdev_open(self->name, 0, 0, 0, &dying));
	gen = spec_slot_take(self, 1, (uint32_t)shmdev_handle_id(dying));
	ASSERT_EQ(0, spec_reserve(self, 1, gen, 20, &p));
	gen2 = spec_slot_take(self, 2, id);
	ASSERT_NE(UINT64_MAX, spec_send(self, 2, gen2, 4, 44));
	shmdev_close(dying);
	EXPECT_TRUE(LD32(self, slot_off(1, SHMDEV_RING_SLOT_OFF_OWNER)) & SHMDEV_MUTEX_OWNER_DIED);
	ASSERT_EQ(4, shmdev_ring_recv(self->ring, buf, sizeof(buf), 0));
	EXPECT_TRUE(payload_ok(buf, 4, 44));
	EXPECT_EQ(1, LD64(self, SHMDEV_RING_OFF_DROPPED));
	EXPECT_EQ(SHMDEV_RING_REC_SIZE(20), LD64(self, SHMDEV_RING_OFF_DROPPED_BYTES));
	EXPECT_EQ(1, LD64(self, SHMDEV_RING_OFF_RECEIVED));
}

/*
 * (A) The library's commit, finding cons_wait ASLEEP, wakes the consumer
 * and records the delivery: the word ends DONE, its generation kept.
 */
TEST_F(fmt, library_commit_marks_sleeper_done)
{
	uint32_t g = 7 << 2;
	uint8_t b = 1;

	ASSERT_EQ(0, lib_format(self));
	ST32(self, SHMDEV_RING_OFF_CONS_WAIT, g | SHMDEV_RING_CONS_ASLEEP);
	ASSERT_EQ(0, shmdev_ring_send(self->ring, &b, 1, 0));
	EXPECT_EQ(g | SHMDEV_RING_CONS_DONE, LD32(self, SHMDEV_RING_OFF_CONS_WAIT));
	/* Nobody announced: a commit leaves the word alone. */
	ST32(self, SHMDEV_RING_OFF_CONS_WAIT, g | SHMDEV_RING_CONS_AWAKE);
	ASSERT_EQ(0, shmdev_ring_send(self->ring, &b, 1, 0));
	EXPECT_EQ(g | SHMDEV_RING_CONS_AWAKE, LD32(self, SHMDEV_RING_OFF_CONS_WAIT));
}

/*
 * (B) The library's release, finding a live slot's bit in `sleeping` with
 * a sleep_seq no delivered wake-up passed, bumps space_seq, wakes and
 * records it in space_woken.
 */
TEST_F(fmt, library_release_wakes_announced_producer)
{
	uint32_t id = (uint32_t)shmdev_handle_id(self->peer), seq;
	uint8_t b = 1;

	ASSERT_EQ(0, lib_format(self));
	ASSERT_NE(UINT32_MAX, spec_slot_take(self, 9, id));
	ASSERT_EQ(0, shmdev_ring_send(self->ring, &b, 1, 0));
	seq = LD32(self, SHMDEV_RING_OFF_SPACE_SEQ);
	ST32(self, slot_off(9, SHMDEV_RING_SLOT_OFF_SLEEP_SEQ), seq);
	ST64(self, SHMDEV_RING_OFF_SLEEPING, 1ULL << 9);
	ASSERT_EQ(1, shmdev_ring_recv(self->ring, &b, 1, 0));
	EXPECT_EQ(seq + 1, LD32(self, SHMDEV_RING_OFF_SPACE_SEQ));
	EXPECT_EQ(seq + 1, LD32(self, SHMDEV_RING_OFF_SPACE_WOKEN));
	/* The sleeper withdraws its own bit: the waker leaves it. */
	EXPECT_EQ(1ULL << 9, LD64(self, SHMDEV_RING_OFF_SLEEPING));
}

struct sleeper {
	struct shmdev_ring *ring;
	int ret;
	uint8_t msg;
};

static void *consume(void *arg)
{
	struct sleeper *s = arg;

	s->ret = shmdev_ring_recv(s->ring, &s->msg, 1, 10000 * MS);
	return NULL;
}

/*
 * (A) The library's consumer on an empty ring announces itself in
 * cons_wait (ASLEEP, a new generation) and sleeps on that word; the test's
 * commit and wake as the specification says wake it with the message.
 */
TEST_F(fmt, spec_commit_wakes_library_consumer)
{
	uint32_t id = (uint32_t)shmdev_handle_id(self->peer), gen, v = 0;
	struct sleeper s = { .ret = 1000 };
	pthread_t th;
	int i;

	ASSERT_EQ(0, spec_format(self));
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &self->ring));
	s.ring = self->ring;
	gen = spec_slot_take(self, 0, id);
	ASSERT_EQ(0, pthread_create(&th, NULL, consume, &s));
	for (i = 0; i < 5000; i++) {
		v = LD32(self, SHMDEV_RING_OFF_CONS_WAIT);
		if ((v & SHMDEV_RING_CONS_STATE) == SHMDEV_RING_CONS_ASLEEP)
			break;
		usleep(1000);
	}
	EXPECT_EQ(SHMDEV_RING_CONS_ASLEEP, v & SHMDEV_RING_CONS_STATE);
	EXPECT_NE(0, v & ~SHMDEV_RING_CONS_STATE);	/* a generation, bumped */
	usleep(50000);	/* into the kernel, most likely */
	ASSERT_NE(UINT64_MAX, spec_send(self, 0, gen, 1, 77));
	pthread_join(th, NULL);
	EXPECT_EQ(1, s.ret);
	EXPECT_EQ(77, s.msg);
	EXPECT_EQ(v & ~SHMDEV_RING_CONS_STATE, LD32(self, SHMDEV_RING_OFF_CONS_WAIT) &
		  ~SHMDEV_RING_CONS_STATE);
	EXPECT_EQ(SHMDEV_RING_CONS_AWAKE, LD32(self, SHMDEV_RING_OFF_CONS_WAIT) &
		  SHMDEV_RING_CONS_STATE);
}

/* A ring whose magic is not SHMDEV_RING_MAGIC is not attached: -EINVAL. */
TEST_F(fmt, attach_rejects_magic)
{
	struct shmdev_ring *ring;

	ASSERT_EQ(0, spec_format(self));
	ST32(self, SHMDEV_RING_OFF_MAGIC, SHMDEV_RING_MAGIC ^ 0x20);
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
	ST32(self, SHMDEV_RING_OFF_MAGIC, SHMDEV_RING_MAGIC);
	ASSERT_EQ(0, shmdev_ring_attach(self->r, RING_OFF, &ring));
	shmdev_ring_close(ring);
}

/* A ring of another format version (1, 3) is not attached: -EINVAL. */
TEST_F(fmt, attach_rejects_version)
{
	struct shmdev_ring *ring;

	ASSERT_EQ(0, spec_format(self));
	ST32(self, SHMDEV_RING_OFF_VERSION, SHMDEV_RING_VERSION - 1);
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
	ST32(self, SHMDEV_RING_OFF_VERSION, SHMDEV_RING_VERSION + 1);
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
}

/*
 * A capacity that is not a power of two, under the minimum, or past the
 * mapping, or a slot count other than SHMDEV_RING_PRODUCERS: -EINVAL.
 */
TEST_F(fmt, attach_rejects_geometry)
{
	struct shmdev_ring *ring;

	ASSERT_EQ(0, spec_format(self));
	ST64(self, SHMDEV_RING_OFF_CAPACITY, CAP + 8);
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
	ST64(self, SHMDEV_RING_OFF_CAPACITY, SHMDEV_RING_MIN_CAPACITY / 2);
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
	ST64(self, SHMDEV_RING_OFF_CAPACITY, 65536);	/* past the region */
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
	ST64(self, SHMDEV_RING_OFF_CAPACITY, CAP);
	ST32(self, SHMDEV_RING_OFF_NR_SLOTS, SHMDEV_RING_PRODUCERS - 1);
	EXPECT_EQ(-EINVAL, shmdev_ring_attach(self->r, RING_OFF, &ring));
}

/*
 * A COMMIT or BUSY record whose length runs past the end of the data area
 * is -EBADMSG for the consumer, which delivers nothing of it.
 */
TEST_F(fmt, peek_rejects_record_past_area)
{
	uint64_t at = CAP - 16;
	size_t len = 0;
	void *p = NULL;

	ASSERT_EQ(0, lib_format(self));
	ST64(self, SHMDEV_RING_OFF_HEAD, at + 16);
	ST64(self, SHMDEV_RING_OFF_TAIL, at);
	*word_at(self, at) = SHMDEV_RING_REC(SHMDEV_RING_REC_COMMIT, 0, 1, 9);
	EXPECT_EQ(-EBADMSG, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(NULL, p);
	*word_at(self, at) = SHMDEV_RING_REC(SHMDEV_RING_REC_BUSY, 0, 1, 9);
	EXPECT_EQ(-EBADMSG, shmdev_ring_peek(self->ring, &p, &len, 0));
	/* 8 bytes fit: the record ends at the end of the area. */
	*word_at(self, at) = SHMDEV_RING_REC(SHMDEV_RING_REC_COMMIT, 0, 1, 8);
	EXPECT_EQ(0, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(8, len);
}

/*
 * A PAD record that does not end exactly at the end of the data area, or
 * a header word of kind 0 that is not 0, is -EBADMSG.
 */
TEST_F(fmt, peek_rejects_bad_pad_and_kind)
{
	void *p;
	size_t len;

	ASSERT_EQ(0, lib_format(self));
	ST64(self, SHMDEV_RING_OFF_HEAD, CAP);
	ST64(self, SHMDEV_RING_OFF_TAIL, 0);
	*word_at(self, 0) = SHMDEV_RING_REC(SHMDEV_RING_REC_PAD, 0, 1, CAP - 16);
	EXPECT_EQ(-EBADMSG, shmdev_ring_peek(self->ring, &p, &len, 0));
	*word_at(self, 0) = SHMDEV_RING_REC(0, 0, 1, 8);
	EXPECT_EQ(-EBADMSG, shmdev_ring_peek(self->ring, &p, &len, 0));
	*word_at(self, 0) = SHMDEV_RING_REC(SHMDEV_RING_REC_PAD, 0, 1, CAP - 8);
	EXPECT_EQ(-ETIMEDOUT, shmdev_ring_peek(self->ring, &p, &len, 0));
	EXPECT_EQ(CAP, LD64(self, SHMDEV_RING_OFF_TAIL));
}

TEST_HARNESS_MAIN
