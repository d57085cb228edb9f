// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * _shmdev: the C half of the Python package shmdev, over libshmdev.
 *
 * Why C and not ctypes: only here can a region refuse to be unmapped while a
 * memoryview of it is alive (BufferError, as mmap.mmap does), can the GIL be
 * released around calls that sleep, and can EINTR be retried after the
 * interpreter ran its signal handlers.
 *
 * Safety rules of this file:
 * - Every pointer handed to libshmdev is computed from an offset checked
 *   against the handle's current mapping, with the GIL held.
 * - A region is not closed, resized or remapped while anything points into
 *   its mapping: buffer exports (memoryviews, a ring's peeked message),
 *   ring views, or a call of another thread that runs without the GIL.
 *   Those raise BufferError instead.
 * - Nothing read from the region is trusted here; the library validates
 *   what it reads (rings, mutex words).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <shmdev.h>

static PyObject *OwnerDied;
static PyObject *zero;	/* the int 0 */

/* ---------------------------------------------------------------- errors */

/* Raise the OSError subclass for -@neg (OwnerDied for EOWNERDEAD). */
static PyObject *set_error(int neg, PyObject *filename)
{
	int err = -neg;

	if (err == EOWNERDEAD) {
		PyObject *args = Py_BuildValue("(is)", err, strerror(err));

		if (args) {
			PyErr_SetObject(OwnerDied, args);
			Py_DECREF(args);
		}
		return NULL;
	}
	errno = err;
	if (filename)
		return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, filename);
	return PyErr_SetFromErrno(PyExc_OSError);
}

/* A non-negative int from Python: ValueError below 0, OverflowError above 2^64-1. */
static int parse_u64(PyObject *obj, const char *what, unsigned long long *out)
{
	if (!PyLong_Check(obj)) {
		PyErr_Format(PyExc_TypeError, "%s must be an int", what);
		return -1;
	}
	if (_PyLong_Sign(obj) < 0) {
		PyErr_Format(PyExc_ValueError, "%s must not be negative", what);
		return -1;
	}
	*out = PyLong_AsUnsignedLongLong(obj);
	return (*out == (unsigned long long)-1 && PyErr_Occurred()) ? -1 : 0;
}

/* ---------------------------------------------------------------- time */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A timeout from Python: None is forever (-1), else non-negative seconds.
 * Deadlines are absolute so that a retry after a signal waits only for what
 * is left. A timeout beyond about 292 years is forever.
 */
struct deadline {
	int forever;
	int64_t at;	/* CLOCK_MONOTONIC ns */
};

static int parse_timeout(PyObject *obj, struct deadline *d)
{
	double s;

	d->forever = 0;
	d->at = 0;
	if (!obj || obj == Py_None) {
		d->forever = 1;
		return 0;
	}
	s = PyFloat_AsDouble(obj);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	if (isnan(s) || s < 0) {
		PyErr_SetString(PyExc_ValueError, "timeout must be a non-negative number or None");
		return -1;
	}
	if (s >= 9.0e9) {	/* ~285 years: beyond int64 ns with now added */
		d->forever = 1;
		return 0;
	}
	d->at = now_ns() + (int64_t)(s * 1e9);
	return 0;
}

/* The relative timeout left until @d, for the library. */
static int64_t remaining(const struct deadline *d)
{
	int64_t left;

	if (d->forever)
		return -1;
	left = d->at - now_ns();
	return left > 0 ? left : 0;
}

/* ---------------------------------------------------------------- Region */

typedef struct {
	PyObject_HEAD
	struct shmdev_region *r;
	PyObject *name;
	int readonly;
	Py_ssize_t exports;	/* buffers pointing into the mapping */
	Py_ssize_t inflight;	/* calls running without the GIL */
	unsigned long inflight_gen;	/* the fork_gen inflight was counted in */
	Py_ssize_t rings;	/* ring views attached */
	int initializing;	/* its init callback runs */
	PyObject *weakrefs;
} RegionObject;

static PyTypeObject Region_Type;

/*
 * Bumped in the child of every fork(): the threads whose calls a region
 * counts in inflight are not in the child, so their calls never end there.
 * No call is in flight in the forking thread (fork needs the GIL).
 */
static unsigned long fork_gen;

static void atfork_child(void)
{
	fork_gen++;
}

/* The calls of other threads running on @self in this process. */
static Py_ssize_t region_inflight(RegionObject *self)
{
	if (self->inflight_gen != fork_gen) {
		self->inflight = 0;
		self->inflight_gen = fork_gen;
	}
	return self->inflight;
}

static int region_check(RegionObject *self)
{
	if (!self->r) {
		PyErr_SetString(PyExc_ValueError, "operation on closed region");
		return -1;
	}
	return 0;
}

/* Refuse what would unmap while something points into the mapping. */
static int region_check_idle(RegionObject *self, const char *what)
{
	if (region_check(self))
		return -1;
	if (self->exports || region_inflight(self) || self->rings) {
		PyErr_Format(PyExc_BufferError,
			     "cannot %s region: %zd exported buffer(s), %zd ring view(s), %zd call(s) in other threads",
			     what, self->exports, self->rings, self->inflight);
		return -1;
	}
	return 0;
}

/*
 * Check that @len bytes at @off lie in the mapping, aligned to @align; a
 * pointer to them in *@p.
 */
static int region_ptr(RegionObject *self, PyObject *offobj, uint64_t len, unsigned int align,
		      void **p, uint64_t *offp)
{
	unsigned long long off;
	uint64_t size;

	if (region_check(self))
		return -1;
	if (!PyLong_Check(offobj)) {
		PyErr_SetString(PyExc_TypeError, "offset must be an int");
		return -1;
	}
	if (_PyLong_Sign(offobj) < 0) {
		PyErr_SetString(PyExc_ValueError, "offset must not be negative");
		return -1;
	}
	off = PyLong_AsUnsignedLongLong(offobj);
	if (off == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		PyErr_SetString(PyExc_IndexError, "offset out of the region");
		return -1;
	}
	if (align && off % align) {
		PyErr_Format(PyExc_ValueError, "offset %llu is not a multiple of %u", off, align);
		return -1;
	}
	size = shmdev_size(self->r);
	if (off > size || len > size - off) {
		PyErr_Format(PyExc_IndexError, "%llu bytes at offset %llu do not fit in the %llu-byte mapping",
			     (unsigned long long)len, off, (unsigned long long)size);
		return -1;
	}
	if (p)
		*p = (char *)shmdev_addr(self->r) + off;
	if (offp)
		*offp = off;
	return 0;
}

struct init_ctx {
	PyThreadState *tstate;	/* the caller's, saved while the library runs */
	PyObject *init;
	PyObject *name;
	int readonly;
	RegionObject *obj;	/* the object given to init, if it ran */
	int failed;		/* init raised */
	void *addr;
	uint64_t size;
};

/*
 * Called by shmdev_open_init with the GIL released: take it back with the
 * caller's thread state (PyGILState_Ensure would run init in the main
 * interpreter when Region() was called in another), run init(region).
 */
static int init_trampoline(struct shmdev_region *r, void *arg)
{
	struct init_ctx *ctx = arg;
	RegionObject *obj;
	PyObject *res;
	int ret = 0;

	if (ctx->obj)	/* an earlier init failed and we are asked again: cannot happen */
		return -EINVAL;
	PyEval_RestoreThread(ctx->tstate);
	obj = (RegionObject *)Region_Type.tp_alloc(&Region_Type, 0);
	if (!obj) {
		ctx->failed = 1;
		ctx->tstate = PyEval_SaveThread();
		return -ENOMEM;
	}
	obj->r = r;
	Py_INCREF(ctx->name);
	obj->name = ctx->name;
	obj->readonly = ctx->readonly;
	ctx->obj = obj;
	obj->initializing = 1;
	res = PyObject_CallOneArg(ctx->init, (PyObject *)obj);
	obj->initializing = 0;
	if (!res) {
		ctx->failed = 1;
		ret = -ECANCELED;
	} else {
		Py_DECREF(res);
	}
	/*
	 * The library may close r once we return: when init failed, and when
	 * it cannot mark the region ready after all. Until Region_new knows,
	 * with the GIL back, obj has no handle, so that no other thread uses
	 * r while the library frees it.
	 */
	ctx->addr = shmdev_addr(r);
	ctx->size = shmdev_size(r);
	obj->r = NULL;
	ctx->tstate = PyEval_SaveThread();
	return ret;
}

static PyObject *Region_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"name", "size", "create", "exclusive", "readonly",
				 "autodestroy", "populate", "mode", "init", NULL};
	PyObject *name, *bname = NULL, *init = Py_None, *res = NULL, *sizeobj = NULL;
	unsigned long long size = 0;
	int create = 0, exclusive = 0, readonly = 0, autodestroy = 0, populate = 0;
	unsigned int mode = 0600, flags = 0;
	struct shmdev_region *r = NULL;
	struct init_ctx ctx = {0};
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|O$pppppIO:Region", kwlist, &name, &sizeobj,
					 &create, &exclusive, &readonly, &autodestroy,
					 &populate, &mode, &init))
		return NULL;
	if (sizeobj && parse_u64(sizeobj, "size", &size))
		return NULL;
	if (init != Py_None && !PyCallable_Check(init)) {
		PyErr_SetString(PyExc_TypeError, "init must be callable");
		return NULL;
	}
	if (size > (unsigned long long)PY_SSIZE_T_MAX) {
		PyErr_SetString(PyExc_OverflowError, "size too large");
		return NULL;
	}
	if (mode > 0777) {
		PyErr_SetString(PyExc_ValueError, "mode must be in 0..0o777");
		return NULL;
	}
	if (!PyUnicode_FSConverter(name, &bname))
		return NULL;
	if (create)
		flags |= SHMDEV_CREAT;
	if (exclusive)
		flags |= SHMDEV_EXCL;
	if (readonly)
		flags |= SHMDEV_RDONLY;
	if (autodestroy)
		flags |= SHMDEV_AUTODESTROY;
	if (populate)
		flags |= SHMDEV_POPULATE;

	ctx.init = init;
	ctx.name = name;
	ctx.readonly = readonly;
	for (;;) {
		const char *cname = PyBytes_AS_STRING(bname);

		if ((size_t)PyBytes_GET_SIZE(bname) != strlen(cname)) {
			PyErr_SetString(PyExc_ValueError, "embedded null byte in name");
			goto out;
		}
		ctx.tstate = PyEval_SaveThread();
		if (init == Py_None)
			ret = shmdev_open(cname, size, flags, mode, &r);
		else
			ret = shmdev_open_init(cname, size, flags, mode, init_trampoline, &ctx, &r);
		PyEval_RestoreThread(ctx.tstate);
		if (ret != -EINTR || ctx.failed || ctx.obj)
			break;
		if (PyErr_CheckSignals())
			goto out;
	}
	if (ret < 0) {
		/* if init ran, the library closed its handle: r is gone */
		if (ctx.obj && ctx.obj->exports && ctx.addr) {
			/*
			 * init kept a view of the mapping the library just
			 * unmapped: put zeroes there rather than let the view
			 * fault. NOREPLACE: never over a mapping made since.
			 */
			mmap(ctx.addr, ctx.size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		}
		if (!PyErr_Occurred())
			set_error(ret, name);
		goto out;
	}
	if (ctx.obj) {
		ctx.obj->r = r;
		res = (PyObject *)ctx.obj;
		ctx.obj = NULL;
		goto out;
	}
	{
		RegionObject *self = (RegionObject *)type->tp_alloc(type, 0);

		if (!self) {
			shmdev_close(r);
			goto out;
		}
		self->r = r;
		Py_INCREF(name);
		self->name = name;
		self->readonly = readonly;
		res = (PyObject *)self;
	}
out:
	Py_XDECREF((PyObject *)ctx.obj);
	Py_XDECREF(bname);
	return res;
}

static void Region_dealloc(RegionObject *self)
{
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	if (self->r)
		shmdev_close(self->r);
	self->r = NULL;
	Py_XDECREF(self->name);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Region_close(RegionObject *self, PyObject *unused)
{
	if (!self->r)
		Py_RETURN_NONE;
	if (self->initializing) {
		/* shmdev_open_init goes on with the handle once init returns */
		PyErr_SetString(PyExc_BufferError, "cannot close a region inside its init callback");
		return NULL;
	}
	if (region_check_idle(self, "close"))
		return NULL;
	shmdev_close(self->r);
	self->r = NULL;
	Py_RETURN_NONE;
}

static PyObject *Region_enter(RegionObject *self, PyObject *unused)
{
	if (region_check(self))
		return NULL;
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *Region_exit(RegionObject *self, PyObject *args)
{
	return Region_close(self, NULL);
}

static PyObject *Region_fileno(RegionObject *self, PyObject *unused)
{
	if (region_check(self))
		return NULL;
	return PyLong_FromLong(shmdev_fd(self->r));
}

static PyObject *Region_handle_id(RegionObject *self, PyObject *unused)
{
	if (region_check(self))
		return NULL;
	return PyLong_FromLong(shmdev_handle_id(self->r));
}

static PyObject *Region_resize(RegionObject *self, PyObject *arg)
{
	unsigned long long size;
	int ret;

	if (region_check_idle(self, "resize"))
		return NULL;
	if (!PyLong_Check(arg)) {
		PyErr_SetString(PyExc_TypeError, "size must be an int");
		return NULL;
	}
	if (_PyLong_Sign(arg) <= 0) {
		PyErr_SetString(PyExc_ValueError, "size must be positive");
		return NULL;
	}
	size = PyLong_AsUnsignedLongLong(arg);
	if (PyErr_Occurred())
		return NULL;
	if (size > (unsigned long long)PY_SSIZE_T_MAX) {
		PyErr_SetString(PyExc_OverflowError, "size too large");
		return NULL;
	}
	ret = shmdev_resize(self->r, size);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Region_remap(RegionObject *self, PyObject *unused)
{
	int ret;

	if (region_check_idle(self, "remap"))
		return NULL;
	ret = shmdev_remap(self->r);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyStructSequence_Field stat_fields[] = {
	{"size", "bytes of the region"},
	{"uid", NULL}, {"gid", NULL}, {"mode", NULL},
	{"region_flags", "SHMDEV_AUTODESTROY, _POPULATE, SHMDEV_REGION_*"},
	{"handles", "attached handles"}, {"mappings", "mappings"},
	{"resident", "pages allocated"}, {"ns_inum", "IPC namespace"},
	{"waits", NULL}, {"wakes", NULL}, {"lock_acquired", NULL},
	{"lock_contended", NULL}, {"owner_deaths", NULL}, {"events", NULL},
	{"creator_pid", NULL}, {"last_pid", NULL},
	{"ctime", "ns, CLOCK_REALTIME"}, {"atime", NULL}, {"dtime", NULL},
	{NULL, NULL}
};

static PyStructSequence_Desc stat_desc = {
	"shmdev.RegionStat", "What Region.stat() and shmdev.stat() report.", stat_fields, 20
};

static PyTypeObject *StatType;

static PyObject *make_stat(const struct shmdev_stat *st)
{
	PyObject *o = PyStructSequence_New(StatType);
	unsigned long long v[20] = {
		st->size, st->uid, st->gid, st->mode, st->region_flags, st->handles,
		st->mappings, st->resident, st->ns_inum, st->waits, st->wakes,
		st->lock_acquired, st->lock_contended, st->owner_deaths, st->events,
		st->creator_pid, st->last_pid, st->ctime, st->atime, st->dtime,
	};

	if (!o)
		return NULL;
	for (int i = 0; i < 20; i++) {
		PyObject *x = PyLong_FromUnsignedLongLong(v[i]);

		if (!x) {
			Py_DECREF(o);
			return NULL;
		}
		PyStructSequence_SET_ITEM(o, i, x);
	}
	return o;
}

static PyObject *Region_stat(RegionObject *self, PyObject *unused)
{
	struct shmdev_stat st;
	int ret;

	if (region_check(self))
		return NULL;
	ret = shmdev_fstat(self->r, &st);
	if (ret < 0)
		return set_error(ret, NULL);
	return make_stat(&st);
}

static PyObject *do_unlink(PyObject *name)
{
	PyObject *bname;
	int ret;

	if (!PyUnicode_FSConverter(name, &bname))
		return NULL;
	if ((size_t)PyBytes_GET_SIZE(bname) != strlen(PyBytes_AS_STRING(bname))) {
		Py_DECREF(bname);
		PyErr_SetString(PyExc_ValueError, "embedded null byte in name");
		return NULL;
	}
	ret = shmdev_unlink(PyBytes_AS_STRING(bname));
	Py_DECREF(bname);
	if (ret < 0)
		return set_error(ret, name);
	Py_RETURN_NONE;
}

static PyObject *Region_unlink(RegionObject *self, PyObject *unused)
{
	return do_unlink(self->name);
}

static PyObject *Region_get_size(RegionObject *self, void *c)
{
	if (region_check(self))
		return NULL;
	return PyLong_FromUnsignedLongLong(shmdev_size(self->r));
}

static PyObject *Region_get_closed(RegionObject *self, void *c)
{
	return PyBool_FromLong(!self->r);
}

static PyObject *Region_get_readonly(RegionObject *self, void *c)
{
	return PyBool_FromLong(self->readonly);
}

static PyObject *Region_repr(RegionObject *self)
{
	if (!self->r)
		return PyUnicode_FromFormat("<shmdev.Region %R closed>", self->name);
	return PyUnicode_FromFormat("<shmdev.Region %R size=%llu%s>", self->name,
				    (unsigned long long)shmdev_size(self->r),
				    self->readonly ? " readonly" : "");
}

static int Region_getbuffer(RegionObject *self, Py_buffer *view, int flags)
{
	if (region_check(self))
		return -1;
	if (PyBuffer_FillInfo(view, (PyObject *)self, shmdev_addr(self->r),
			      (Py_ssize_t)shmdev_size(self->r), self->readonly, flags))
		return -1;
	self->exports++;
	return 0;
}

static void Region_releasebuffer(RegionObject *self, Py_buffer *view)
{
	self->exports--;
}

static PyBufferProcs Region_as_buffer = {
	(getbufferproc)Region_getbuffer, (releasebufferproc)Region_releasebuffer,
};

/* --------------------------------------------------------- kernel locks */

typedef struct {
	PyObject_HEAD
	RegionObject *region;
	unsigned int id;
	int shared;
	PyObject *timeout;
} LockObject;

static PyTypeObject Lock_Type;

/* Run a sleeping call without the GIL, counted as in flight on @reg. */
#define UNLOCKED_CALL(reg, stmt) do {			\
	region_inflight(reg);				\
	(reg)->inflight++;				\
	Py_BEGIN_ALLOW_THREADS				\
	stmt;						\
	Py_END_ALLOW_THREADS				\
	(reg)->inflight--;				\
} while (0)

static PyObject *Lock_acquire(LockObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"timeout", NULL};
	PyObject *tmo = self->timeout;
	RegionObject *reg = self->region;
	struct deadline d;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:acquire", kwlist, &tmo))
		return NULL;
	if (parse_timeout(tmo, &d) || region_check(reg))
		return NULL;
	for (;;) {
		int64_t left = remaining(&d);
		unsigned int mode = self->shared ? SHMDEV_LOCK_SH : SHMDEV_LOCK_EX;

		if (left == 0) {
			ret = shmdev_lock(reg->r, self->id, mode, 0);
		} else {
			UNLOCKED_CALL(reg, ret = shmdev_lock(reg->r, self->id, mode, left));
		}
		if (ret != -EINTR)
			break;
		if (PyErr_CheckSignals())
			return NULL;
		if (region_check(reg))
			return NULL;
	}
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Lock_release(LockObject *self, PyObject *unused)
{
	int ret;

	if (region_check(self->region))
		return NULL;
	ret = shmdev_unlock(self->region->r, self->id);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Lock_enter(LockObject *self, PyObject *unused)
{
	PyObject *args = PyTuple_New(0), *res;

	if (!args)
		return NULL;
	res = Lock_acquire(self, args, NULL);
	Py_DECREF(args);

	if (!res && PyErr_ExceptionMatches(OwnerDied)) {
		/* the body does not run: give the lock back (see docs/python.md) */
		PyObject *t, *v, *tb;

		PyErr_Fetch(&t, &v, &tb);
		if (self->region->r)
			shmdev_unlock(self->region->r, self->id);
		PyErr_Restore(t, v, tb);
	}
	if (!res)
		return NULL;
	Py_DECREF(res);
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *Lock_exit(LockObject *self, PyObject *args)
{
	return Lock_release(self, NULL);
}

static void Lock_dealloc(LockObject *self)
{
	Py_XDECREF(self->region);
	Py_XDECREF(self->timeout);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Region_lock(RegionObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"n", "shared", "timeout", NULL};
	int n, shared = 0;
	PyObject *tmo = Py_None;
	struct deadline d;
	LockObject *l;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "i|pO:lock", kwlist, &n, &shared, &tmo))
		return NULL;
	if (region_check(self) || parse_timeout(tmo, &d))
		return NULL;
	if (n < 0 || n >= SHMDEV_NR_LOCKS) {
		PyErr_Format(PyExc_ValueError, "lock number must be in 0..%d", SHMDEV_NR_LOCKS - 1);
		return NULL;
	}
	l = PyObject_New(LockObject, &Lock_Type);
	if (!l)
		return NULL;
	Py_INCREF(self);
	l->region = self;
	l->id = n;
	l->shared = shared;
	Py_INCREF(tmo);
	l->timeout = tmo;
	return (PyObject *)l;
}

/* ------------------------------------------------------ mutex, condition */

typedef struct {
	PyObject_HEAD
	RegionObject *region;
	PyObject *offset;
} MutexObject;

static PyTypeObject Mutex_Type;

static PyObject *region_obj_new(PyTypeObject *type, RegionObject *region, PyObject *offset,
				uint64_t len, unsigned int align)
{
	MutexObject *m;

	if (region_ptr(region, offset, len, align, NULL, NULL))
		return NULL;
	m = (MutexObject *)type->tp_alloc(type, 0);
	if (!m)
		return NULL;
	Py_INCREF(region);
	m->region = region;
	Py_INCREF(offset);
	m->offset = offset;
	return (PyObject *)m;
}

/*
 * Mutex and Condition take part in the garbage collector: instances of
 * their Python subclasses refer to each other through attributes, which
 * the collector sees, and through these fields, which it must see too.
 * Clearing leaves an object as if never initialised; no call runs on an
 * unreachable one.
 */
static int Mutex_traverse(MutexObject *self, visitproc visit, void *arg)
{
	Py_VISIT(self->region);
	Py_VISIT(self->offset);
	return 0;
}

static int Mutex_clear(MutexObject *self)
{
	Py_CLEAR(self->region);
	Py_CLEAR(self->offset);
	return 0;
}

static void Mutex_dealloc(MutexObject *self)
{
	PyObject_GC_UnTrack(self);
	Mutex_clear(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Mutex_init_obj(MutexObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"region", "offset", NULL};
	PyObject *region, *offset;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O:Mutex", kwlist, &Region_Type, &region,
					 &offset))
		return -1;
	/* a call of another thread may sleep on the region it holds now */
	if (self->region) {
		PyErr_SetString(PyExc_RuntimeError, "Mutex is already initialised");
		return -1;
	}
	if (region_ptr((RegionObject *)region, offset, 8, 4, NULL, NULL))
		return -1;
	Py_INCREF(region);
	Py_XSETREF(self->region, (RegionObject *)region);
	Py_INCREF(offset);
	Py_XSETREF(self->offset, offset);
	return 0;
}

static shmdev_mutex_t *mutex_ptr(MutexObject *self)
{
	void *p;

	if (!self->region) {
		PyErr_SetString(PyExc_ValueError, "not initialised");
		return NULL;
	}
	if (region_ptr(self->region, self->offset, sizeof(shmdev_mutex_t), 4, &p, NULL))
		return NULL;
	return p;
}

/* A mutex wait ignores signals in the library: wait in slices to run them. */
#define SIGNAL_SLICE_NS 100000000LL

static int mutex_lock(RegionObject *reg, MutexObject *self, const struct deadline *d)
{
	shmdev_mutex_t *m;
	int ret;

	for (;;) {
		int64_t left = remaining(d), slice;

		m = mutex_ptr(self);
		if (!m)
			return INT_MIN;
		slice = (left < 0 || left > SIGNAL_SLICE_NS) ? SIGNAL_SLICE_NS : left;
		ret = shmdev_mutex_trylock(reg->r, m);
		if (ret != -EBUSY)
			return ret;
		if (left == 0)
			return -ETIMEDOUT;
		UNLOCKED_CALL(reg, ret = shmdev_mutex_lock(reg->r, m, slice));
		if (ret != -ETIMEDOUT && ret != -EINTR)
			return ret;
		if (PyErr_CheckSignals())
			return INT_MIN;
		if (ret == -ETIMEDOUT && remaining(d) == 0)
			return ret;
	}
}

static PyObject *Mutex_acquire(MutexObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"blocking", "timeout", NULL};
	int blocking = 1;
	PyObject *tmo = Py_None;
	struct deadline d;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|pO:acquire", kwlist, &blocking, &tmo))
		return NULL;
	/* threading.Lock's -1 means forever too */
	if (PyLong_Check(tmo)) {
		int overflow;

		if (PyLong_AsLongAndOverflow(tmo, &overflow) == -1 && !overflow)
			tmo = Py_None;
	} else if (PyFloat_Check(tmo) && PyFloat_AS_DOUBLE(tmo) == -1.0) {
		tmo = Py_None;
	}
	if (!blocking) {
		if (tmo != Py_None) {
			PyErr_SetString(PyExc_ValueError, "can't specify a timeout for a non-blocking call");
			return NULL;
		}
		tmo = NULL;
		d.forever = 0;
		d.at = 0;
	} else if (parse_timeout(tmo, &d)) {
		return NULL;
	}
	if (!mutex_ptr(self))
		return NULL;
	ret = mutex_lock(self->region, self, &d);
	if (ret == INT_MIN)
		return NULL;
	if (ret == -ETIMEDOUT)
		Py_RETURN_FALSE;
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_TRUE;
}

static PyObject *mutex_simple(MutexObject *self, int (*fn)(struct shmdev_region *, shmdev_mutex_t *))
{
	shmdev_mutex_t *m = mutex_ptr(self);
	int ret;

	if (!m)
		return NULL;
	ret = fn(self->region->r, m);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Mutex_release(MutexObject *self, PyObject *u) { return mutex_simple(self, shmdev_mutex_unlock); }
static PyObject *Mutex_consistent(MutexObject *self, PyObject *u) { return mutex_simple(self, shmdev_mutex_consistent); }
static PyObject *Mutex_initialize(MutexObject *self, PyObject *u) { return mutex_simple(self, shmdev_mutex_init); }
static PyObject *Mutex_destroy(MutexObject *self, PyObject *u) { return mutex_simple(self, shmdev_mutex_destroy); }

static PyObject *Mutex_enter(MutexObject *self, PyObject *unused)
{
	struct deadline d = {1, 0};
	int ret;

	if (!mutex_ptr(self))
		return NULL;
	ret = mutex_lock(self->region, self, &d);
	if (ret == INT_MIN)
		return NULL;
	if (ret < 0) {
		set_error(ret, NULL);
		if (ret == -EOWNERDEAD) {
			/* the body does not run: unlock, the mutex is not recoverable */
			PyObject *t, *v, *tb;
			shmdev_mutex_t *m;

			PyErr_Fetch(&t, &v, &tb);
			m = mutex_ptr(self);
			if (m)
				shmdev_mutex_unlock(self->region->r, m);
			PyErr_Clear();
			PyErr_Restore(t, v, tb);
		}
		return NULL;
	}
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *Mutex_exit(MutexObject *self, PyObject *args)
{
	return Mutex_release(self, NULL);
}

static PyObject *Mutex_repr(MutexObject *self)
{
	return PyUnicode_FromFormat("<shmdev.Mutex at offset %R of %R>", self->offset,
				    self->region ? self->region->name : Py_None);
}

static PyObject *Region_mutex(RegionObject *self, PyObject *offset)
{
	return region_obj_new(&Mutex_Type, self, offset, sizeof(shmdev_mutex_t), 4);
}

typedef struct {
	PyObject_HEAD
	RegionObject *region;
	PyObject *offset;
	MutexObject *mutex;
} CondObject;

static PyTypeObject Cond_Type;

static int Cond_traverse(CondObject *self, visitproc visit, void *arg)
{
	Py_VISIT(self->region);
	Py_VISIT(self->offset);
	Py_VISIT(self->mutex);
	return 0;
}

static int Cond_clear(CondObject *self)
{
	Py_CLEAR(self->region);
	Py_CLEAR(self->offset);
	Py_CLEAR(self->mutex);
	return 0;
}

static void Cond_dealloc(CondObject *self)
{
	PyObject_GC_UnTrack(self);
	Cond_clear(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Cond_init_obj(CondObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"mutex", "offset", NULL};
	PyObject *mutex, *offset;
	MutexObject *m;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O:Condition", kwlist, &Mutex_Type, &mutex,
					 &offset))
		return -1;
	if (self->region) {
		PyErr_SetString(PyExc_RuntimeError, "Condition is already initialised");
		return -1;
	}
	m = (MutexObject *)mutex;
	if (!m->region) {
		PyErr_SetString(PyExc_ValueError, "mutex not initialised");
		return -1;
	}
	if (region_ptr(m->region, offset, sizeof(shmdev_cond_t), 4, NULL, NULL))
		return -1;
	Py_INCREF(m->region);
	Py_XSETREF(self->region, m->region);
	Py_INCREF(offset);
	Py_XSETREF(self->offset, offset);
	Py_INCREF(m);
	Py_XSETREF(self->mutex, m);
	return 0;
}

static shmdev_cond_t *cond_ptr(CondObject *self)
{
	void *p;

	if (!self->region) {
		PyErr_SetString(PyExc_ValueError, "not initialised");
		return NULL;
	}
	if (region_ptr(self->region, self->offset, sizeof(shmdev_cond_t), 4, &p, NULL))
		return NULL;
	return p;
}

static PyObject *Cond_wait(CondObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"timeout", NULL};
	PyObject *tmo = Py_None;
	RegionObject *reg = self->region;
	shmdev_cond_t *c;
	shmdev_mutex_t *m;
	struct deadline d;
	int64_t left;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:wait", kwlist, &tmo))
		return NULL;
	if (parse_timeout(tmo, &d))
		return NULL;
	c = cond_ptr(self);
	m = c ? mutex_ptr(self->mutex) : NULL;
	if (!m)
		return NULL;
	left = remaining(&d);
	UNLOCKED_CALL(reg, ret = shmdev_cond_wait(reg->r, c, m, left));
	/* a signal ends the wait with 0, as a spurious wake-up: run handlers */
	if (ret < 0 && ret != -ETIMEDOUT)
		return set_error(ret, NULL);
	if (PyErr_CheckSignals())
		return NULL;
	return PyBool_FromLong(ret == 0);
}

static PyObject *cond_simple(CondObject *self, int (*fn)(struct shmdev_region *, shmdev_cond_t *))
{
	shmdev_cond_t *c = cond_ptr(self);
	int ret;

	if (!c)
		return NULL;
	ret = fn(self->region->r, c);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Cond_notify(CondObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"n", NULL};
	Py_ssize_t n = 1;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|n:notify", kwlist, &n))
		return NULL;
	if (n <= 0) {
		if (!cond_ptr(self))
			return NULL;
		Py_RETURN_NONE;
	}
	return cond_simple(self, n == 1 ? shmdev_cond_signal : shmdev_cond_broadcast);
}

static PyObject *Cond_notify_all(CondObject *self, PyObject *u) { return cond_simple(self, shmdev_cond_broadcast); }
static PyObject *Cond_initialize(CondObject *self, PyObject *u) { return cond_simple(self, shmdev_cond_init); }

static PyObject *Cond_get_mutex(CondObject *self, void *c)
{
	if (!self->mutex)
		Py_RETURN_NONE;
	Py_INCREF(self->mutex);
	return (PyObject *)self->mutex;
}

/* ---------------------------------------------------------------- event */

typedef struct {
	PyObject_HEAD
	RegionObject *region;
} EventObject;

static PyTypeObject Event_Type;

static void Event_dealloc(EventObject *self)
{
	Py_XDECREF(self->region);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Event_wait(EventObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"seq", "timeout", NULL};
	unsigned long long seq;
	PyObject *tmo = Py_None, *seqobj;
	RegionObject *reg = self->region;
	struct deadline d;
	uint64_t s;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:wait", kwlist, &seqobj, &tmo))
		return NULL;
	if (parse_u64(seqobj, "seq", &seq))
		return NULL;
	if (parse_timeout(tmo, &d) || region_check(reg))
		return NULL;
	for (;;) {
		int64_t left = remaining(&d);

		s = seq;
		if (left == 0)
			ret = shmdev_event_wait(reg->r, &s, 0);
		else
			UNLOCKED_CALL(reg, ret = shmdev_event_wait(reg->r, &s, left));
		if (ret != -EINTR)
			break;
		if (PyErr_CheckSignals() || region_check(reg))
			return NULL;
	}
	if (ret < 0)
		return set_error(ret, NULL);
	return PyLong_FromUnsignedLongLong(s);
}

static PyObject *Event_notify(EventObject *self, PyObject *unused)
{
	int ret;

	if (region_check(self->region))
		return NULL;
	ret = shmdev_notify(self->region->r);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Event_get_seq(EventObject *self, void *c)
{
	uint64_t s = UINT64_MAX;
	int ret;

	if (region_check(self->region))
		return NULL;
	ret = shmdev_event_wait(self->region->r, &s, 0);
	if (ret < 0 && ret != -ETIMEDOUT)
		return set_error(ret, NULL);
	return PyLong_FromUnsignedLongLong(s);
}

static PyObject *Region_get_event(RegionObject *self, void *c)
{
	EventObject *e;

	if (region_check(self))
		return NULL;
	e = PyObject_New(EventObject, &Event_Type);
	if (!e)
		return NULL;
	Py_INCREF(self);
	e->region = self;
	return (PyObject *)e;
}

/* ---------------------------------------------------------------- ring */

typedef struct {
	PyObject_HEAD
	RegionObject *region;
	struct shmdev_ring *ring;
	int busy;		/* a call runs in some thread */
	void *peek_ptr;		/* the peeked message, or NULL */
	size_t peek_len;
	uint64_t peek_gen;	/* bumped by each release */
	Py_ssize_t peek_exports;
	PyObject *weakrefs;
} RingObject;

typedef struct {
	PyObject_HEAD
	RingObject *ring;
	uint64_t gen;
} PeekObject;

static PyTypeObject Ring_Type, Peek_Type;

static int ring_enter(RingObject *self)
{
	if (!self->ring) {
		PyErr_SetString(PyExc_ValueError, "operation on closed ring");
		return -1;
	}
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError, "ring used by two threads at once");
		return -1;
	}
	if (region_check(self->region))
		return -1;
	self->busy = 1;
	return 0;
}

static void ring_close(RingObject *self)
{
	if (self->ring) {
		/*
		 * A region is closed under its ring views only by libshmdev,
		 * when an init that attached them fails: the ring is unmapped
		 * and its handle freed, so nothing may be given back through
		 * them. The view's few bytes are leaked instead.
		 */
		if (self->region->r)
			shmdev_ring_close(self->ring);
		self->ring = NULL;
		self->region->rings--;
	}
}

static PyObject *Ring_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"region", "offset", NULL};
	PyObject *region, *offset = NULL;
	RegionObject *reg;
	RingObject *self;
	uint64_t off;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|O:Ring", kwlist, &Region_Type, &region,
					 &offset))
		return NULL;
	reg = (RegionObject *)region;
	if (!offset)
		offset = zero;
	if (region_ptr(reg, offset, SHMDEV_RING_HEADER, SHMDEV_RING_ALIGN, NULL, &off))
		return NULL;
	self = (RingObject *)type->tp_alloc(type, 0);
	if (!self)
		return NULL;
	Py_INCREF(reg);
	self->region = reg;
	ret = shmdev_ring_attach(reg->r, off, &self->ring);
	if (ret < 0) {
		self->ring = NULL;
		Py_DECREF(self);
		return set_error(ret, NULL);
	}
	reg->rings++;
	return (PyObject *)self;
}

static void Ring_dealloc(RingObject *self)
{
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	if (self->region)
		ring_close(self);
	Py_XDECREF(self->region);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Ring_close(RingObject *self, PyObject *unused)
{
	if (!self->ring)
		Py_RETURN_NONE;
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError, "ring in use by another thread");
		return NULL;
	}
	if (self->peek_exports) {
		PyErr_SetString(PyExc_BufferError, "cannot close ring: a peeked message is still exported");
		return NULL;
	}
	ring_close(self);
	Py_RETURN_NONE;
}

static PyObject *Ring_enter(RingObject *self, PyObject *unused)
{
	if (!self->ring) {
		PyErr_SetString(PyExc_ValueError, "operation on closed ring");
		return NULL;
	}
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *Ring_exit(RingObject *self, PyObject *args)
{
	return Ring_close(self, NULL);
}

static PyObject *Ring_send(RingObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"data", "timeout", NULL};
	PyObject *tmo = Py_None;
	RegionObject *reg = self->region;
	struct deadline d;
	Py_buffer buf;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*|O:send", kwlist, &buf, &tmo))
		return NULL;
	if (parse_timeout(tmo, &d) || ring_enter(self)) {
		PyBuffer_Release(&buf);
		return NULL;
	}
	for (;;) {
		int64_t left = remaining(&d);

		if (left == 0)
			ret = shmdev_ring_send(self->ring, buf.buf, buf.len, 0);
		else
			UNLOCKED_CALL(reg, ret = shmdev_ring_send(self->ring, buf.buf, buf.len, left));
		if (ret != -EINTR)
			break;
		if (PyErr_CheckSignals()) {
			ret = INT_MIN;
			break;
		}
	}
	self->busy = 0;
	PyBuffer_Release(&buf);
	if (ret == INT_MIN)
		return NULL;
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

/* Peek, retrying EINTR; with the ring entered. */
static int ring_peek(RingObject *self, const struct deadline *d)
{
	RegionObject *reg = self->region;
	void *p = NULL;
	size_t len = 0;
	int ret;

	if (self->peek_ptr)
		return 0;	/* the message peeked before is still first */
	for (;;) {
		int64_t left = remaining(d);

		if (left == 0)
			ret = shmdev_ring_peek(self->ring, &p, &len, 0);
		else
			UNLOCKED_CALL(reg, ret = shmdev_ring_peek(self->ring, &p, &len, left));
		if (ret != -EINTR)
			break;
		if (PyErr_CheckSignals())
			return INT_MIN;
	}
	if (ret < 0)
		return ret;
	self->peek_ptr = p;
	self->peek_len = len;
	return 0;
}

static int ring_release(RingObject *self)
{
	int ret = shmdev_ring_release(self->ring);

	self->peek_ptr = NULL;
	self->peek_len = 0;
	self->peek_gen++;
	return ret;
}

static PyObject *Ring_peek(RingObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"timeout", NULL};
	PyObject *tmo = Py_None, *mv;
	struct deadline d;
	PeekObject *pk;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:peek", kwlist, &tmo))
		return NULL;
	if (parse_timeout(tmo, &d) || ring_enter(self))
		return NULL;
	ret = ring_peek(self, &d);
	self->busy = 0;
	if (ret == INT_MIN)
		return NULL;
	if (ret < 0)
		return set_error(ret, NULL);
	pk = PyObject_New(PeekObject, &Peek_Type);
	if (!pk)
		return NULL;
	Py_INCREF(self);
	pk->ring = self;
	pk->gen = self->peek_gen;
	mv = PyMemoryView_FromObject((PyObject *)pk);
	Py_DECREF(pk);
	return mv;
}

static PyObject *Ring_release(RingObject *self, PyObject *unused)
{
	int ret;

	if (ring_enter(self))
		return NULL;
	self->busy = 0;
	if (self->peek_exports) {
		PyErr_SetString(PyExc_BufferError,
				"cannot release: the peeked message's memoryview is still alive");
		return NULL;
	}
	if (!self->peek_ptr) {
		PyErr_SetString(PyExc_ValueError, "no message is peeked");
		return NULL;
	}
	ret = ring_release(self);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

static PyObject *Ring_recv(RingObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"timeout", NULL};
	PyObject *tmo = Py_None, *res;
	struct deadline d;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:recv", kwlist, &tmo))
		return NULL;
	if (parse_timeout(tmo, &d) || ring_enter(self))
		return NULL;
	if (self->peek_exports) {
		self->busy = 0;
		PyErr_SetString(PyExc_BufferError,
				"cannot recv: the peeked message's memoryview is still alive");
		return NULL;
	}
	ret = ring_peek(self, &d);
	self->busy = 0;
	if (ret == INT_MIN)
		return NULL;
	if (ret < 0)
		return set_error(ret, NULL);
	res = PyBytes_FromStringAndSize(self->peek_ptr, self->peek_len);
	if (!res)
		return NULL;
	ret = ring_release(self);
	if (ret < 0) {
		Py_DECREF(res);
		return set_error(ret, NULL);
	}
	return res;
}

static PyStructSequence_Field ring_stat_fields[] = {
	{"capacity", "bytes of the data area"}, {"max_msg", "the longest message"},
	{"used", "bytes reserved and not released"}, {"received", "messages released"},
	{"dropped", "messages lost to producers that went away"},
	{"dropped_bytes", "ring bytes of those"}, {"producers", "live producers"},
	{"consumer", "1 while a live consumer holds the ring"}, {NULL, NULL}
};

static PyStructSequence_Desc ring_stat_desc = {
	"shmdev.RingStat", "What Ring.stat() reports.", ring_stat_fields, 8
};

static PyTypeObject *RingStatType;

static PyObject *Ring_stat(RingObject *self, PyObject *unused)
{
	struct shmdev_ring_stat st;
	PyObject *o;
	int ret;

	if (ring_enter(self))
		return NULL;
	ret = shmdev_ring_stat(self->ring, &st);
	self->busy = 0;
	if (ret < 0)
		return set_error(ret, NULL);
	o = PyStructSequence_New(RingStatType);
	if (!o)
		return NULL;
	{
		unsigned long long v[8] = {st.capacity, st.max_msg, st.used, st.received,
					   st.dropped, st.dropped_bytes, st.producers, st.consumer};

		for (int i = 0; i < 8; i++) {
			PyObject *x = PyLong_FromUnsignedLongLong(v[i]);

			if (!x) {
				Py_DECREF(o);
				return NULL;
			}
			PyStructSequence_SET_ITEM(o, i, x);
		}
	}
	return o;
}

static PyObject *Ring_get_closed(RingObject *self, void *c)
{
	return PyBool_FromLong(!self->ring);
}

static void Peek_dealloc(PeekObject *self)
{
	Py_XDECREF(self->ring);
	PyObject_Free(self);
}

static int Peek_getbuffer(PeekObject *self, Py_buffer *view, int flags)
{
	RingObject *ring = self->ring;

	if (!ring->ring || !ring->peek_ptr || ring->peek_gen != self->gen ||
	    region_check(ring->region)) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_ValueError, "the peeked message was released");
		return -1;
	}
	if (PyBuffer_FillInfo(view, (PyObject *)self, ring->peek_ptr, ring->peek_len, 1, flags))
		return -1;
	ring->peek_exports++;
	ring->region->exports++;
	return 0;
}

static void Peek_releasebuffer(PeekObject *self, Py_buffer *view)
{
	self->ring->peek_exports--;
	self->ring->region->exports--;
}

static PyBufferProcs Peek_as_buffer = {
	(getbufferproc)Peek_getbuffer, (releasebufferproc)Peek_releasebuffer,
};

static PyObject *Region_ring(RegionObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"offset", NULL};
	PyObject *offset = NULL, *a, *res;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:ring", kwlist, &offset))
		return NULL;
	a = offset ? PyTuple_Pack(2, (PyObject *)self, offset) : PyTuple_Pack(1, (PyObject *)self);
	if (!a)
		return NULL;
	res = Ring_new(&Ring_Type, a, NULL);
	Py_DECREF(a);
	return res;
}

static PyObject *Region_ring_init(RegionObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"offset", "size", NULL};
	PyObject *offset = NULL, *sizeobj = NULL;
	unsigned long long size;
	uint64_t off;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:ring_init", kwlist, &offset, &sizeobj))
		return NULL;
	if (region_check(self))
		return NULL;
	if (!offset)
		offset = zero;
	if (region_ptr(self, offset, 0, SHMDEV_RING_ALIGN, NULL, &off))
		return NULL;
	if (!sizeobj || sizeobj == Py_None) {
		size = shmdev_size(self->r) - off;
	} else {
		if (!PyLong_Check(sizeobj) || _PyLong_Sign(sizeobj) < 0) {
			PyErr_SetString(PyExc_ValueError, "size must be a non-negative int");
			return NULL;
		}
		size = PyLong_AsUnsignedLongLong(sizeobj);
		if (PyErr_Occurred() || size > shmdev_size(self->r) - off) {
			PyErr_Clear();
			PyErr_SetString(PyExc_IndexError, "the ring does not fit in the mapping");
			return NULL;
		}
	}
	if (size < SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY) {
		PyErr_Format(PyExc_ValueError, "a ring needs %d bytes at least",
			     SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY);
		return NULL;
	}
	if (self->rings) {
		/* formatting under an attached view would pull the rug from it */
		PyErr_SetString(PyExc_BufferError, "cannot format a ring while ring views are attached");
		return NULL;
	}
	ret = shmdev_ring_init(self->r, off, size);
	if (ret < 0)
		return set_error(ret, NULL);
	Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- types */

static PyMethodDef Region_methods[] = {
	{"close", (PyCFunction)Region_close, METH_NOARGS, "Unmap and close the handle."},
	{"__enter__", (PyCFunction)Region_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Region_exit, METH_VARARGS, NULL},
	{"fileno", (PyCFunction)Region_fileno, METH_NOARGS, "The handle's file descriptor."},
	{"handle_id", (PyCFunction)Region_handle_id, METH_NOARGS, "The handle's owner ID."},
	{"resize", (PyCFunction)Region_resize, METH_O, "Resize the region and map it again."},
	{"remap", (PyCFunction)Region_remap, METH_NOARGS, "Map the region at its current size."},
	{"stat", (PyCFunction)Region_stat, METH_NOARGS, "The region's attributes (RegionStat)."},
	{"unlink", (PyCFunction)Region_unlink, METH_NOARGS, "Remove the region's name."},
	{"lock", (PyCFunction)(void (*)(void))Region_lock, METH_VARARGS | METH_KEYWORDS,
	 "lock(n, shared=False, timeout=None): kernel lock n, for with."},
	{"mutex", (PyCFunction)Region_mutex, METH_O, "mutex(offset): the robust mutex there."},
	{"ring", (PyCFunction)(void (*)(void))Region_ring, METH_VARARGS | METH_KEYWORDS,
	 "ring(offset=0): attach the ring there."},
	{"ring_init", (PyCFunction)(void (*)(void))Region_ring_init, METH_VARARGS | METH_KEYWORDS,
	 "ring_init(offset=0, size=None): format a ring."},
	{NULL}
};

static PyGetSetDef Region_getset[] = {
	{"size", (getter)Region_get_size, NULL, "Bytes mapped by this handle.", NULL},
	{"closed", (getter)Region_get_closed, NULL, NULL, NULL},
	{"readonly", (getter)Region_get_readonly, NULL, NULL, NULL},
	{"event", (getter)Region_get_event, NULL, "The region's event counter.", NULL},
	{NULL}
};

static PyMemberDef Region_members[] = {
	{"name", T_OBJECT, offsetof(RegionObject, name), READONLY, "The region's name."},
	{NULL}
};

static PyTypeObject Region_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev.Region",
	.tp_basicsize = sizeof(RegionObject),
	.tp_dealloc = (destructor)Region_dealloc,
	.tp_repr = (reprfunc)Region_repr,
	.tp_as_buffer = &Region_as_buffer,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Region(name, size=0, *, create=False, exclusive=False, readonly=False,\n"
		  "       autodestroy=False, populate=False, mode=0o600, init=None)\n"
		  "One attach of a shmdev region and its mapping.",
	.tp_methods = Region_methods,
	.tp_getset = Region_getset,
	.tp_members = Region_members,
	.tp_weaklistoffset = offsetof(RegionObject, weakrefs),
	.tp_new = Region_new,
};

static PyMethodDef Lock_methods[] = {
	{"acquire", (PyCFunction)(void (*)(void))Lock_acquire, METH_VARARGS | METH_KEYWORDS,
	 "acquire(timeout=<the lock's>): take the lock."},
	{"release", (PyCFunction)Lock_release, METH_NOARGS, NULL},
	{"__enter__", (PyCFunction)Lock_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Lock_exit, METH_VARARGS, NULL},
	{NULL}
};

static PyMemberDef Lock_members[] = {
	{"n", T_UINT, offsetof(LockObject, id), READONLY, NULL},
	{"shared", T_BOOL, offsetof(LockObject, shared), READONLY, NULL},
	{NULL}
};

static PyTypeObject Lock_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev.Lock",
	.tp_basicsize = sizeof(LockObject),
	.tp_dealloc = (destructor)Lock_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A kernel lock of a region: Region.lock(n, shared=False, timeout=None).",
	.tp_methods = Lock_methods,
	.tp_members = Lock_members,
};

static PyMethodDef Mutex_methods[] = {
	{"acquire", (PyCFunction)(void (*)(void))Mutex_acquire, METH_VARARGS | METH_KEYWORDS,
	 "acquire(blocking=True, timeout=None) -> bool; raises OwnerDied with the mutex held."},
	{"release", (PyCFunction)Mutex_release, METH_NOARGS, NULL},
	{"consistent", (PyCFunction)Mutex_consistent, METH_NOARGS,
	 "Mark a mutex acquired with OwnerDied consistent again."},
	{"init", (PyCFunction)Mutex_initialize, METH_NOARGS, "Register and unlock the mutex."},
	{"destroy", (PyCFunction)Mutex_destroy, METH_NOARGS, "Unregister a free mutex."},
	{"__enter__", (PyCFunction)Mutex_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Mutex_exit, METH_VARARGS, NULL},
	{NULL}
};

static PyMemberDef Mutex_members[] = {
	{"region", T_OBJECT, offsetof(MutexObject, region), READONLY, NULL},
	{"offset", T_OBJECT, offsetof(MutexObject, offset), READONLY, NULL},
	{NULL}
};

static PyTypeObject Mutex_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev.Mutex",
	.tp_basicsize = sizeof(MutexObject),
	.tp_dealloc = (destructor)Mutex_dealloc,
	.tp_repr = (reprfunc)Mutex_repr,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)Mutex_traverse,
	.tp_clear = (inquiry)Mutex_clear,
	.tp_doc = "Mutex(region, offset): a robust mutex in a region.",
	.tp_methods = Mutex_methods,
	.tp_members = Mutex_members,
	.tp_init = (initproc)Mutex_init_obj,
	.tp_new = PyType_GenericNew,
};

static PyMethodDef Cond_methods[] = {
	{"wait", (PyCFunction)(void (*)(void))Cond_wait, METH_VARARGS | METH_KEYWORDS,
	 "wait(timeout=None) -> False if the timeout passed."},
	{"notify", (PyCFunction)(void (*)(void))Cond_notify, METH_VARARGS | METH_KEYWORDS, NULL},
	{"notify_all", (PyCFunction)Cond_notify_all, METH_NOARGS, NULL},
	{"init", (PyCFunction)Cond_initialize, METH_NOARGS, NULL},
	{NULL}
};

static PyGetSetDef Cond_getset[] = {
	{"mutex", (getter)Cond_get_mutex, NULL, NULL, NULL},
	{NULL}
};

static PyMemberDef Cond_members[] = {
	{"offset", T_OBJECT, offsetof(CondObject, offset), READONLY, NULL},
	{NULL}
};

static PyTypeObject Cond_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev._Condition",
	.tp_basicsize = sizeof(CondObject),
	.tp_dealloc = (destructor)Cond_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)Cond_traverse,
	.tp_clear = (inquiry)Cond_clear,
	.tp_doc = "_Condition(mutex, offset): a condition variable in a region.",
	.tp_methods = Cond_methods,
	.tp_getset = Cond_getset,
	.tp_members = Cond_members,
	.tp_init = (initproc)Cond_init_obj,
	.tp_new = PyType_GenericNew,
};

static PyMethodDef Event_methods[] = {
	{"wait", (PyCFunction)(void (*)(void))Event_wait, METH_VARARGS | METH_KEYWORDS,
	 "wait(seq, timeout=None) -> the counter once it differs from seq."},
	{"notify", (PyCFunction)Event_notify, METH_NOARGS, "Bump the counter, wake waiters."},
	{NULL}
};

static PyGetSetDef Event_getset[] = {
	{"seq", (getter)Event_get_seq, NULL, "The counter now.", NULL},
	{NULL}
};

static PyTypeObject Event_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev.Event",
	.tp_basicsize = sizeof(EventObject),
	.tp_dealloc = (destructor)Event_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The event counter of a region: Region.event.",
	.tp_methods = Event_methods,
	.tp_getset = Event_getset,
};

static PyMethodDef Ring_methods[] = {
	{"send", (PyCFunction)(void (*)(void))Ring_send, METH_VARARGS | METH_KEYWORDS,
	 "send(data, timeout=None): one message."},
	{"recv", (PyCFunction)(void (*)(void))Ring_recv, METH_VARARGS | METH_KEYWORDS,
	 "recv(timeout=None) -> bytes of the next message."},
	{"peek", (PyCFunction)(void (*)(void))Ring_peek, METH_VARARGS | METH_KEYWORDS,
	 "peek(timeout=None) -> read-only memoryview of the next message, in place."},
	{"release", (PyCFunction)Ring_release, METH_NOARGS, "Drop the peeked message."},
	{"stat", (PyCFunction)Ring_stat, METH_NOARGS, NULL},
	{"close", (PyCFunction)Ring_close, METH_NOARGS, NULL},
	{"__enter__", (PyCFunction)Ring_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)Ring_exit, METH_VARARGS, NULL},
	{NULL}
};

static PyGetSetDef Ring_getset[] = {
	{"closed", (getter)Ring_get_closed, NULL, NULL, NULL},
	{NULL}
};

static PyTypeObject Ring_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev.Ring",
	.tp_basicsize = sizeof(RingObject),
	.tp_dealloc = (destructor)Ring_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Ring(region, offset=0): this process's view of a message ring.",
	.tp_methods = Ring_methods,
	.tp_getset = Ring_getset,
	.tp_weaklistoffset = offsetof(RingObject, weakrefs),
	.tp_new = Ring_new,
};

static PyTypeObject Peek_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "shmdev._PeekedMessage",
	.tp_basicsize = sizeof(PeekObject),
	.tp_dealloc = (destructor)Peek_dealloc,
	.tp_as_buffer = &Peek_as_buffer,
	.tp_flags = Py_TPFLAGS_DEFAULT,
};

/* ---------------------------------------------------------------- module */

static PyObject *mod_unlink(PyObject *m, PyObject *name)
{
	if (!PyUnicode_Check(name)) {
		PyErr_SetString(PyExc_TypeError, "name must be a str");
		return NULL;
	}
	return do_unlink(name);
}

static PyObject *mod_stat(PyObject *m, PyObject *name)
{
	struct shmdev_stat st;
	PyObject *bname;
	int ret;

	if (!PyUnicode_Check(name)) {
		PyErr_SetString(PyExc_TypeError, "name must be a str");
		return NULL;
	}
	if (!PyUnicode_FSConverter(name, &bname))
		return NULL;
	if ((size_t)PyBytes_GET_SIZE(bname) != strlen(PyBytes_AS_STRING(bname))) {
		Py_DECREF(bname);
		PyErr_SetString(PyExc_ValueError, "embedded null byte in name");
		return NULL;
	}
	ret = shmdev_stat(PyBytes_AS_STRING(bname), &st);
	Py_DECREF(bname);
	if (ret < 0)
		return set_error(ret, name);
	return make_stat(&st);
}

static PyMethodDef module_methods[] = {
	{"unlink", mod_unlink, METH_O, "unlink(name): remove a region's name."},
	{"stat", mod_stat, METH_O, "stat(name) -> RegionStat of the region called name."},
	{NULL}
};

static struct PyModuleDef shmdev_module = {
	PyModuleDef_HEAD_INIT, "shmdev._shmdev", "The C half of shmdev.", -1, module_methods,
	NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__shmdev(void)
{
	PyTypeObject *types[] = {&Region_Type, &Lock_Type, &Mutex_Type, &Cond_Type,
				 &Event_Type, &Ring_Type, &Peek_Type};
	const char *names[] = {"Region", "Lock", "Mutex", "_Condition", "Event", "Ring", NULL};
	PyObject *m = PyModule_Create(&shmdev_module);

	if (!m)
		return NULL;
	if (pthread_atfork(NULL, NULL, atfork_child)) {
		PyErr_NoMemory();
		goto fail;
	}
	zero = PyLong_FromLong(0);
	if (!zero)
		goto fail;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (PyType_Ready(types[i]) < 0)
			goto fail;
		if (names[i] && PyModule_AddObjectRef(m, names[i], (PyObject *)types[i]) < 0)
			goto fail;
	}
	StatType = PyStructSequence_NewType(&stat_desc);
	RingStatType = PyStructSequence_NewType(&ring_stat_desc);
	if (!StatType || !RingStatType)
		goto fail;
	if (PyModule_AddObjectRef(m, "RegionStat", (PyObject *)StatType) < 0 ||
	    PyModule_AddObjectRef(m, "RingStat", (PyObject *)RingStatType) < 0)
		goto fail;
	OwnerDied = PyErr_NewExceptionWithDoc("shmdev.OwnerDied",
		"The previous owner of a lock died holding it; the caller holds it now.",
		PyExc_OSError, NULL);
	if (!OwnerDied || PyModule_AddObjectRef(m, "OwnerDied", OwnerDied) < 0)
		goto fail;
	if (PyModule_AddIntConstant(m, "NR_LOCKS", SHMDEV_NR_LOCKS) ||
	    PyModule_AddIntConstant(m, "RING_HEADER", SHMDEV_RING_HEADER) ||
	    PyModule_AddIntConstant(m, "RING_MIN_CAPACITY", SHMDEV_RING_MIN_CAPACITY) ||
	    PyModule_AddIntConstant(m, "RING_ALIGN", SHMDEV_RING_ALIGN) ||
	    PyModule_AddIntConstant(m, "REGION_UNLINKED", SHMDEV_REGION_UNLINKED))
		goto fail;
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
