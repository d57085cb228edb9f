// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmdev owner ids: which thread of a process owns a robust mutex.
 *
 * The module knows handles, not threads: it repairs the mutexes a handle
 * holds when the handle is released. For threads that share a handle to
 * exclude each other, each locks with an owner id of its own that the
 * module counts as the handle's (SHMDEV_IOC_OWNER_ID): the first thread to
 * lock through a handle uses the handle's own id, every other thread gets
 * an id once and keeps it. The handle's release still makes all of them
 * owner-died: a process's death is what repairs a mutex. A thread that
 * exits holding a mutex leaves it held, as with a pthread mutex that is not
 * robust.
 *
 * A thread finds its ids in a list of its own, thread-local, so that the
 * fast path takes no lock: one entry per handle it locked through, found
 * by the handle's serial, a number no later handle gets. When the thread
 * exits, the ids through which it holds nothing go back to their handle,
 * for the next new thread, if the handle is still open: the registry of
 * open handles tells. An id is the handle's until the handle closes; the
 * module never reuses one before that.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

static __thread struct shmdev_owner *owners SHMDEV_TLS;	/* this thread's */
__thread struct shmdev_owner *shmdev_owner_last SHMDEV_TLS;	/* the one used last */

/* Open handles, their serials, their spare ids. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shmdev_region *registry;
static uint64_t last_serial;

static pthread_once_t owner_once = PTHREAD_ONCE_INIT;
static pthread_key_t owner_key;
static int owner_once_err;

static void registry_lock_take(void)
{
	pthread_mutex_lock(&registry_lock);
}

static void registry_lock_drop(void)
{
	pthread_mutex_unlock(&registry_lock);
}

/* The open handle with @serial, or NULL. Under registry_lock. */
static struct shmdev_region *registry_find(uint64_t serial)
{
	struct shmdev_region *r;

	for (r = registry; r; r = r->reg_next)
		if (r->serial == serial)
			return r;
	return NULL;
}

/* Keep @id for @r's next new thread; if memory is short, it stays unused. */
static void spare_push(struct shmdev_region *r, uint32_t id)
{
	if (r->nr_spare == r->cap_spare) {
		unsigned int cap = r->cap_spare ? 2 * r->cap_spare : 8;
		uint32_t *v = realloc(r->spare, cap * sizeof(*v));

		if (!v)
			return;
		r->spare = v;
		r->cap_spare = cap;
	}
	r->spare[r->nr_spare++] = id;
}

/* A thread exits: its ids that hold nothing go back to open handles. */
static void owner_thread_exit(void *head)
{
	struct shmdev_owner *o = head, *next;

	/*
	 * Other destructors may run after this one and lock again: they must
	 * find an empty list, not the entries freed below.
	 */
	owners = NULL;
	shmdev_owner_last = NULL;
	registry_lock_take();
	for (; o; o = next) {
		struct shmdev_region *r;

		next = o->next;
		r = o->held ? NULL : registry_find(o->serial);
		if (r)
			spare_push(r, o->id);
		free(o);
	}
	registry_lock_drop();
}

/*
 * Before fork(): a handle whose own id no thread has taken yet gives it to
 * the forking thread, whose copy in the child then has it too, shared, as
 * the handle is. So the child's first thread locks with the handle's id,
 * as a process that opened the handle would, and takes no id of the
 * module's that only the handle's close would free (a prefork server's
 * children would use them up). With no memory for the entry, the child
 * takes an id of its own instead.
 */
static void owner_atfork_prepare(void)
{
	struct shmdev_region *r;

	registry_lock_take();
	for (r = registry; r; r = r->reg_next) {
		struct shmdev_owner *o;
		int saved;

		if (r->first_owner_taken)
			continue;
		saved = errno;
		o = calloc(1, sizeof(*o));
		errno = saved;
		if (!o || pthread_setspecific(owner_key, o)) {
			free(o);
			pthread_setspecific(owner_key, owners);
			continue;
		}
		o->serial = r->serial;
		o->id = r->handle_id;
		o->next = owners;
		owners = o;
		r->first_owner_taken = 1;
	}
}

/*
 * In a child of fork(): its handles are its parent's, and so are the ids
 * the parent's threads hold or may take from the spare lists. The forking
 * thread's own ids stay with its copy in the child, shared, as the handle
 * is; every other thread of the child takes a new id from the module,
 * charged to the shared handle until that closes.
 */
static void owner_atfork_child(void)
{
	struct shmdev_region *r;

	for (r = registry; r; r = r->reg_next) {
		r->nr_spare = 0;
		r->first_owner_taken = 1;
	}
	registry_lock_drop();
}

static void owner_setup(void)
{
	owner_once_err = pthread_key_create(&owner_key, owner_thread_exit);
	if (!owner_once_err)
		owner_once_err = pthread_atfork(owner_atfork_prepare, registry_lock_drop,
						owner_atfork_child);
}

/*
 * A handle was opened: give it a serial and list it. The fork handlers are
 * in place from the first open, before anyone can hold the registry lock.
 */
int shmdev_owner_open(struct shmdev_region *r)
{
	pthread_once(&owner_once, owner_setup);
	if (owner_once_err)
		return -owner_once_err;
	registry_lock_take();
	r->serial = ++last_serial;
	r->reg_prev = NULL;
	r->reg_next = registry;
	if (registry)
		registry->reg_prev = r;
	registry = r;
	registry_lock_drop();
	return 0;
}

/* A handle closes: threads' entries for it are never matched again. */
void shmdev_owner_close(struct shmdev_region *r)
{
	registry_lock_take();
	if (r->reg_prev)
		r->reg_prev->reg_next = r->reg_next;
	else
		registry = r->reg_next;
	if (r->reg_next)
		r->reg_next->reg_prev = r->reg_prev;
	registry_lock_drop();
	free(r->spare);
}

/* Drop this thread's entries for handles that were closed. */
static void owner_prune(void)
{
	struct shmdev_owner **p = &owners, *o;

	registry_lock_take();
	while ((o = *p)) {
		if (registry_find(o->serial)) {
			p = &o->next;
			continue;
		}
		*p = o->next;
		free(o);
	}
	registry_lock_drop();
	shmdev_owner_last = NULL;
	pthread_setspecific(owner_key, owners);
}

/* This thread's first lock through @r: an id for it. */
static struct shmdev_owner *owner_new(struct shmdev_region *r, int *err)
{
	struct shmdev_owner_id arg = { 0 };
	struct shmdev_owner *o;
	int ret, saved;
	uint32_t id;

	owner_prune();
	saved = errno;
	o = calloc(1, sizeof(*o));
	errno = saved;
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	registry_lock_take();
	id = 0;
	if (!r->first_owner_taken) {
		r->first_owner_taken = 1;
		id = r->handle_id;
	} else if (r->nr_spare) {
		id = r->spare[--r->nr_spare];
	}
	registry_lock_drop();
	if (!id) {
		ret = shmdev_ioctl(r->fd, SHMDEV_IOC_OWNER_ID, &arg);
		if (ret == -ENOTTY) {
			id = r->handle_id;	/* an older module: threads share */
		} else if (ret) {
			free(o);
			*err = ret;
			return NULL;
		} else {
			id = arg.id;
		}
	}
	o->serial = r->serial;
	o->id = id;
	o->next = owners;
	owners = o;
	/* The key's value is what the exit destructor gets: the list. */
	ret = pthread_setspecific(owner_key, owners);
	if (ret) {
		owners = o->next;
		free(o);
		*err = -ret;
		return NULL;
	}
	shmdev_owner_last = o;
	return o;
}

/*
 * This thread's owner id for @r in *@id, and where it counts what it holds
 * through it in *@held. Return: 0, -ENOMEM, -ENOSPC (the handle has
 * SHMDEV_MAX_OWNER_IDS ids already), or another -errno of the module.
 */
int shmdev_owner(struct shmdev_region *r, uint32_t *id, uint32_t **held)
{
	struct shmdev_owner *o = shmdev_owner_cached(r);
	int err = 0;

	if (!o) {
		for (o = owners; o; o = o->next)
			if (o->serial == r->serial)
				break;
		if (!o)
			o = owner_new(r, &err);
		if (!o)
			return err;
		shmdev_owner_last = o;
	}
	*id = o->id;
	*held = &o->held;
	return 0;
}
