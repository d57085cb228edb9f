// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * shmdev_jni: the native half of the Java binding (java/src/main/java/
 * dev/shmdev/Native.java), linked with libshmdev.a into libshmdev_jni.so.
 *
 * Every function returns a non-negative result or -errno, as libshmdev
 * does; the Java side turns errors into exceptions. Nothing here throws,
 * and nothing holds a JNI critical section: arrays are copied with
 * Get/SetByteArrayRegion between the ring calls that may sleep.
 *
 * The Java side checks every offset against the mapping before calling,
 * and holds the region's handle open while a call runs; the checks here
 * are a second line, so that no argument from Java reaches memory outside
 * the mapping.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jni.h>

#include <shmdev.h>

#define H(h)	((struct shmdev_region *)(uintptr_t)(h))
#define RING(p)	((struct shmdev_ring *)(uintptr_t)(p))
#define JNIFN(name)	JNICALL Java_dev_shmdev_Native_##name

/* @off..@off+@len lies inside @r's mapping. */
static int in_map(struct shmdev_region *r, jlong off, jlong len)
{
	uint64_t size;

	if (!r || off < 0 || len < 0)
		return 0;
	size = shmdev_size(r);
	return (uint64_t)off <= size && (uint64_t)len <= size - (uint64_t)off;
}

/* A word of the region at @off, or NULL (the caller returns -EINVAL). */
static void *word(jlong h, jlong off, jlong len)
{
	if (!in_map(H(h), off, len) || (off & 3))
		return NULL;
	return (char *)shmdev_addr(H(h)) + off;
}

/*
 * The name in UTF-8, as every other binding passes it, or NULL with *err:
 * -EINVAL (null, a NUL or an unpaired surrogate in it), -ENOMEM. Not
 * GetStringUTFChars: its modified UTF-8 writes a character beyond U+FFFF
 * as two 3-byte surrogates, which names another region.
 */
static char *cname(JNIEnv *env, jstring name, int *err)
{
	jsize n, i, o = 0;
	jchar *u;
	char *s;

	*err = -EINVAL;
	if (!name)
		return NULL;
	n = (*env)->GetStringLength(env, name);
	u = malloc((size_t)n * sizeof(*u) + 1);
	s = malloc((size_t)n * 3 + 1);
	if (!u || !s) {
		*err = -ENOMEM;
		goto fail;
	}
	(*env)->GetStringRegion(env, name, 0, n, u);
	for (i = 0; i < n; i++) {
		uint32_t c = u[i];

		if (c == 0) {
			goto fail;
		} else if (c < 0x80) {
			s[o++] = c;
		} else if (c < 0x800) {
			s[o++] = 0xc0 | c >> 6;
			s[o++] = 0x80 | (c & 0x3f);
		} else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n &&
			   u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (u[++i] - 0xdc00);
			s[o++] = 0xf0 | c >> 18;
			s[o++] = 0x80 | ((c >> 12) & 0x3f);
			s[o++] = 0x80 | ((c >> 6) & 0x3f);
			s[o++] = 0x80 | (c & 0x3f);
		} else if (c >= 0xd800 && c < 0xe000) {
			goto fail;
		} else {
			s[o++] = 0xe0 | c >> 12;
			s[o++] = 0x80 | ((c >> 6) & 0x3f);
			s[o++] = 0x80 | (c & 0x3f);
		}
	}
	s[o] = 0;
	free(u);
	return s;
fail:
	free(u);
	free(s);
	return NULL;
}

jlong JNIFN(open)(JNIEnv *env, jclass c, jstring name, jlong size, jint flags, jint mode)
{
	struct shmdev_region *r;
	int err;
	char *s = cname(env, name, &err);

	if (!s)
		return err;
	if (size < 0)
		err = -EINVAL;
	else
		err = shmdev_open(s, size, flags, mode, &r);
	free(s);
	return err ? err : (jlong)(uintptr_t)r;
}

struct init_ctx {
	JNIEnv *env;
	jclass cls;
	jobject arg;
};

/* The initialiser: Region.runInit(handle, arg) in Java, which never throws. */
static int init_cb(struct shmdev_region *r, void *p)
{
	struct init_ctx *ctx = p;
	JNIEnv *env = ctx->env;
	jmethodID m;
	jint ret;

	m = (*env)->GetStaticMethodID(env, ctx->cls, "runInit", "(JLjava/lang/Object;)I");
	if (!m) {
		/*
		 * Only when shmdev.jar and this library come from different
		 * builds: the open fails and the region stays uninitialised
		 * for the next opener, as after any failed initialiser.
		 */
		(*env)->ExceptionClear(env);
		return -ENOSYS;
	}
	ret = (*env)->CallStaticIntMethod(env, ctx->cls, m, (jlong)(uintptr_t)r, ctx->arg);
	if ((*env)->ExceptionCheck(env)) {
		(*env)->ExceptionClear(env);
		return -ECANCELED;
	}
	return ret > 0 ? -EINVAL : ret;
}

jlong JNIFN(openInit)(JNIEnv *env, jclass c, jstring name, jlong size, jint flags,
		      jint mode, jobject arg)
{
	struct init_ctx ctx = { env, c, arg };
	struct shmdev_region *r;
	int err;
	char *s = cname(env, name, &err);

	if (!s)
		return err;
	if (size < 0)
		err = -EINVAL;
	else
		err = shmdev_open_init(s, size, flags, mode, init_cb, &ctx, &r);
	free(s);
	return err ? err : (jlong)(uintptr_t)r;
}

jint JNIFN(close)(JNIEnv *env, jclass c, jlong h)
{
	return shmdev_close(H(h));
}

jint JNIFN(create)(JNIEnv *env, jclass c, jstring name, jlong size, jint flags, jint mode)
{
	int err;
	char *s = cname(env, name, &err);

	if (!s)
		return err;
	err = size < 0 ? -EINVAL : shmdev_create(s, size, flags, mode);
	free(s);
	return err;
}

jint JNIFN(unlink)(JNIEnv *env, jclass c, jstring name)
{
	int err;
	char *s = cname(env, name, &err);

	if (!s)
		return err;
	err = shmdev_unlink(s);
	free(s);
	return err;
}

jlong JNIFN(size)(JNIEnv *env, jclass c, jlong h)
{
	return (jlong)shmdev_size(H(h));
}

jint JNIFN(fd)(JNIEnv *env, jclass c, jlong h)
{
	return shmdev_fd(H(h));
}

jint JNIFN(handleId)(JNIEnv *env, jclass c, jlong h)
{
	return shmdev_handle_id(H(h));
}

jint JNIFN(resize)(JNIEnv *env, jclass c, jlong h, jlong size)
{
	return size < 0 ? -EINVAL : shmdev_resize(H(h), size);
}

jint JNIFN(remap)(JNIEnv *env, jclass c, jlong h)
{
	return shmdev_remap(H(h));
}

/*
 * The binding's own mapping of the region, which the ByteBuffers point
 * into: a second mapping of the handle's file, so that closing the handle
 * never pulls memory from under a buffer (see retire).
 */
jlong JNIFN(mmapRegion)(JNIEnv *env, jclass c, jlong h, jboolean writable)
{
	uint64_t size = shmdev_size(H(h));
	void *p;

	if (!size)
		return -EINVAL;
	p = mmap(NULL, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
		 shmdev_fd(H(h)), 0);
	return p == MAP_FAILED ? -errno : (jlong)(uintptr_t)p;
}

/*
 * Put private anonymous memory in place of the mapping at @addr in one
 * step (MAP_FIXED replaces atomically), dropping its reference to the
 * region's file: a buffer still pointing there reads zeros and writes to
 * nothing, and the address range stays ours until unmap.
 */
jint JNIFN(retire)(JNIEnv *env, jclass c, jlong addr, jlong size)
{
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

jint JNIFN(unmap)(JNIEnv *env, jclass c, jlong addr, jlong size)
{
	return munmap((void *)(uintptr_t)addr, size) ? -errno : 0;
}

jobject JNIFN(newBuffer)(JNIEnv *env, jclass c, jlong addr, jlong cap)
{
	return (*env)->NewDirectByteBuffer(env, (void *)(uintptr_t)addr, cap);
}

static void put_stat(JNIEnv *env, jlongArray out, const struct shmdev_stat *st)
{
	jlong v[] = {
		st->size, st->uid, st->gid, st->mode, st->region_flags,
		st->handles, st->mappings, st->resident, st->ns_inum,
		st->waits, st->wakes, st->lock_acquired, st->lock_contended,
		st->owner_deaths, st->events, st->creator_pid, st->last_pid,
		st->ctime, st->atime, st->dtime,
	};
	jsize n = (*env)->GetArrayLength(env, out);

	(*env)->SetLongArrayRegion(env, out, 0, n < 20 ? n : 20, v);
}

jint JNIFN(fstat)(JNIEnv *env, jclass c, jlong h, jlongArray out)
{
	struct shmdev_stat st;
	int err = shmdev_fstat(H(h), &st);

	if (!err)
		put_stat(env, out, &st);
	return err;
}

jint JNIFN(stat)(JNIEnv *env, jclass c, jstring name, jlongArray out)
{
	struct shmdev_stat st;
	int err;
	char *s = cname(env, name, &err);

	if (!s)
		return err;
	err = shmdev_stat(s, &st);
	free(s);
	if (!err)
		put_stat(env, out, &st);
	return err;
}

jint JNIFN(queryApi)(JNIEnv *env, jclass c, jlongArray out)
{
	struct shmdev_api api;
	int err = shmdev_query_api(&api);
	jlong v[5];

	if (err)
		return err;
	v[0] = api.abi_version;
	v[1] = api.nr_locks;
	v[2] = (jlong)api.features;
	v[3] = api.name_max;
	v[4] = api.page_size;
	(*env)->SetLongArrayRegion(env, out, 0, 5, v);
	return 0;
}

jint JNIFN(waitWord)(JNIEnv *env, jclass c, jlong h, jlong off, jint expected, jlong t)
{
	void *w = word(h, off, 4);

	return w ? shmdev_wait(H(h), w, expected, t) : -EINVAL;
}

jint JNIFN(wakeWord)(JNIEnv *env, jclass c, jlong h, jlong off, jint nr)
{
	void *w = word(h, off, 4);

	return w ? shmdev_wake(H(h), w, nr) : -EINVAL;
}

jint JNIFN(lock)(JNIEnv *env, jclass c, jlong h, jint id, jint mode, jlong t)
{
	return id < 0 ? -EINVAL : shmdev_lock(H(h), id, mode, t);
}

jint JNIFN(unlock)(JNIEnv *env, jclass c, jlong h, jint id)
{
	return id < 0 ? -EINVAL : shmdev_unlock(H(h), id);
}

jint JNIFN(mutex_1init)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *m = word(h, off, sizeof(shmdev_mutex_t));

	return m ? shmdev_mutex_init(H(h), m) : -EINVAL;
}

jint JNIFN(mutex_1lock)(JNIEnv *env, jclass c, jlong h, jlong off, jlong t)
{
	void *m = word(h, off, sizeof(shmdev_mutex_t));

	return m ? shmdev_mutex_lock(H(h), m, t) : -EINVAL;
}

jint JNIFN(mutex_1trylock)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *m = word(h, off, sizeof(shmdev_mutex_t));

	return m ? shmdev_mutex_trylock(H(h), m) : -EINVAL;
}

jint JNIFN(mutex_1unlock)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *m = word(h, off, sizeof(shmdev_mutex_t));

	return m ? shmdev_mutex_unlock(H(h), m) : -EINVAL;
}

jint JNIFN(mutex_1consistent)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *m = word(h, off, sizeof(shmdev_mutex_t));

	return m ? shmdev_mutex_consistent(H(h), m) : -EINVAL;
}

jint JNIFN(mutex_1destroy)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *m = word(h, off, sizeof(shmdev_mutex_t));

	return m ? shmdev_mutex_destroy(H(h), m) : -EINVAL;
}

jint JNIFN(cond_1init)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *cv = word(h, off, sizeof(shmdev_cond_t));

	return cv ? shmdev_cond_init(H(h), cv) : -EINVAL;
}

/*
 * shmdev_cond_wait() without its relock, which waits for the mutex without
 * limit: inside a call the region cannot close, so a thread that holds the
 * mutex and closes the region would wait for ever. Java relocks in slices.
 * The protocol is lib/mutex.c's (libshmdev.a is linked in): count this
 * waiter and read __seq holding the mutex, unlock, sleep while __seq is
 * unchanged. Returns -errno of an error found before the mutex was unlocked
 * (it is still held, as with shmdev_cond_wait); else, with the mutex
 * unlocked, 0 when woken, ETIMEDOUT or another positive errno of the wait.
 */
jint JNIFN(cond_1waitUnlocked)(JNIEnv *env, jclass c, jlong h, jlong coff, jlong moff,
			       jlong t, jboolean writable)
{
	shmdev_cond_t *cv = word(h, coff, sizeof(shmdev_cond_t));
	shmdev_mutex_t *m = word(h, moff, sizeof(shmdev_mutex_t));
	uint32_t seq;
	int ret;

	if (!cv || !m || t < 0)
		return -EINVAL;
	if (!writable)		/* libshmdev's mapping is read-only */
		return -EACCES;
	__atomic_fetch_add(&cv->__reserved, 1, __ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&cv->__seq, __ATOMIC_SEQ_CST);
	ret = shmdev_mutex_unlock(H(h), m);
	if (ret) {
		__atomic_fetch_sub(&cv->__reserved, 1, __ATOMIC_SEQ_CST);
		return ret;
	}
	ret = shmdev_wait(H(h), &cv->__seq, seq, t);
	__atomic_fetch_sub(&cv->__reserved, 1, __ATOMIC_SEQ_CST);
	return ret == -EAGAIN || ret == -EINTR ? 0 : -ret;
}

jint JNIFN(cond_1signal)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *cv = word(h, off, sizeof(shmdev_cond_t));

	return cv ? shmdev_cond_signal(H(h), cv) : -EINVAL;
}

jint JNIFN(cond_1broadcast)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	void *cv = word(h, off, sizeof(shmdev_cond_t));

	return cv ? shmdev_cond_broadcast(H(h), cv) : -EINVAL;
}

jint JNIFN(notifyEvent)(JNIEnv *env, jclass c, jlong h)
{
	return shmdev_notify(H(h));
}

/* seq[0] in and out, as shmdev_event_wait's *seq. */
jint JNIFN(eventWait)(JNIEnv *env, jclass c, jlong h, jlongArray seq, jlong t)
{
	uint64_t s;
	jlong v;
	int err;

	(*env)->GetLongArrayRegion(env, seq, 0, 1, &v);
	s = v;
	err = shmdev_event_wait(H(h), &s, t);
	v = s;
	(*env)->SetLongArrayRegion(env, seq, 0, 1, &v);
	return err;
}

jint JNIFN(ringInit)(JNIEnv *env, jclass c, jlong h, jlong off, jlong size)
{
	if (off < 0 || size < 0)
		return -EINVAL;
	return shmdev_ring_init(H(h), off, size);
}

jlong JNIFN(ringAttach)(JNIEnv *env, jclass c, jlong h, jlong off)
{
	struct shmdev_ring *ring;
	int err;

	if (off < 0)
		return -EINVAL;
	err = shmdev_ring_attach(H(h), off, &ring);
	return err ? err : (jlong)(uintptr_t)ring;
}

jint JNIFN(ringClose)(JNIEnv *env, jclass c, jlong ring)
{
	return shmdev_ring_close(RING(ring));
}

/* The payload's offset in the region, or -errno. */
jlong JNIFN(ringReserve)(JNIEnv *env, jclass c, jlong ring, jlong h, jlong len, jlong t)
{
	void *p;
	int err;

	if (len < 0)
		return -EINVAL;
	err = shmdev_ring_reserve(RING(ring), len, &p, t);
	if (err)
		return err;
	return (char *)p - (char *)shmdev_addr(H(h));
}

jint JNIFN(ringCommit)(JNIEnv *env, jclass c, jlong ring, jlong h, jlong off)
{
	if (!in_map(H(h), off, 0))
		return -EINVAL;
	return shmdev_ring_commit(RING(ring), (char *)shmdev_addr(H(h)) + off);
}

/* Reserve, copy from the array, commit: no critical section over a sleep. */
jint JNIFN(ringSendArray)(JNIEnv *env, jclass c, jlong ring, jbyteArray a, jint off,
			  jint len, jlong t)
{
	void *p;
	int err;

	if (off < 0 || len < 0 || off > (*env)->GetArrayLength(env, a) - len)
		return -EINVAL;
	err = shmdev_ring_reserve(RING(ring), len, &p, t);
	if (err)
		return err;
	(*env)->GetByteArrayRegion(env, a, off, len, p);
	return shmdev_ring_commit(RING(ring), p);
}

jint JNIFN(ringSendDirect)(JNIEnv *env, jclass c, jlong ring, jobject buf, jint off,
			   jint len, jlong t)
{
	char *p = (*env)->GetDirectBufferAddress(env, buf);
	jlong cap = (*env)->GetDirectBufferCapacity(env, buf);

	if (!p || off < 0 || len < 0 || off > cap - len)
		return -EINVAL;
	return shmdev_ring_send(RING(ring), p + off, len, t);
}

/* out[0] the payload's offset in the region, out[1] its length. */
jint JNIFN(ringPeek)(JNIEnv *env, jclass c, jlong ring, jlong h, jlongArray out, jlong t)
{
	size_t len;
	jlong v[2];
	void *p;
	int err;

	err = shmdev_ring_peek(RING(ring), &p, &len, t);
	if (err)
		return err;
	v[0] = (char *)p - (char *)shmdev_addr(H(h));
	v[1] = len;
	(*env)->SetLongArrayRegion(env, out, 0, 2, v);
	return 0;
}

jint JNIFN(ringRelease)(JNIEnv *env, jclass c, jlong ring)
{
	return shmdev_ring_release(RING(ring));
}

/* As shmdev_ring_recv: peek (which may sleep), copy, release. */
jint JNIFN(ringRecvArray)(JNIEnv *env, jclass c, jlong ring, jbyteArray a, jint off,
			  jint cap, jlong t)
{
	size_t len;
	void *p;
	int err;

	if (off < 0 || cap < 0 || off > (*env)->GetArrayLength(env, a) - cap)
		return -EINVAL;
	err = shmdev_ring_peek(RING(ring), &p, &len, t);
	if (err)
		return err;
	if (len > (size_t)cap)
		return -EMSGSIZE;
	(*env)->SetByteArrayRegion(env, a, off, len, p);
	shmdev_ring_release(RING(ring));
	return len;
}

jint JNIFN(ringRecvDirect)(JNIEnv *env, jclass c, jlong ring, jobject buf, jint off,
			   jint cap, jlong t)
{
	char *p = (*env)->GetDirectBufferAddress(env, buf);
	jlong bcap = (*env)->GetDirectBufferCapacity(env, buf);

	if (!p || off < 0 || cap < 0 || off > bcap - cap)
		return -EINVAL;
	return shmdev_ring_recv(RING(ring), p + off, cap, t);
}

jint JNIFN(ringStat)(JNIEnv *env, jclass c, jlong ring, jlongArray out)
{
	struct shmdev_ring_stat st;
	int err = shmdev_ring_stat(RING(ring), &st);
	jlong v[8];

	if (err)
		return err;
	v[0] = st.capacity;
	v[1] = st.max_msg;
	v[2] = st.used;
	v[3] = st.received;
	v[4] = st.dropped;
	v[5] = st.dropped_bytes;
	v[6] = st.producers;
	v[7] = st.consumer;
	(*env)->SetLongArrayRegion(env, out, 0, 8, v);
	return 0;
}
