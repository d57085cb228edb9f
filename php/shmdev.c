// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * shmdev: PHP bindings of libshmdev (docs/php.md).
 *
 * Functions named after shmop's (shmdev_open, _read, _write, _size,
 * _delete) and the classes Shmdev\Region, Shmdev\Mutex, Shmdev\Condition
 * and Shmdev\Ring, with Shmdev\Exception (getCode() is the errno) and its
 * subclasses OwnerDiedException, TimeoutException and LimitException.
 *
 * Whatever the PHP code does, the process must not crash: every offset and
 * size is checked against the mapping (ValueError), a closed object throws
 * Error, objects cannot be cloned, serialized or constructed directly, and
 * a Region is its opener's: after pcntl_fork() the child may read, write
 * and stat through it (that is memory), but not lock, wait, resize or use
 * its rings, since the child shares the parent's handle and with it the
 * ownership of its locks and mutexes (Error: open the region again).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "php.h"
#include "ext/standard/info.h"
#include "ext/spl/spl_exceptions.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"

#include <shmdev.h>

#include "php_shmdev.h"

#define OPEN_FLAGS (SHMDEV_CREAT | SHMDEV_EXCL | SHMDEV_RDONLY | SHMDEV_AUTODESTROY | SHMDEV_POPULATE)

static zend_class_entry *ce_region, *ce_mutex, *ce_cond, *ce_ring;
static zend_class_entry *ce_exc, *ce_owner_died, *ce_timeout, *ce_limit;
static zend_object_handlers region_handlers, sync_handlers, ring_handlers;

struct ring_obj;

typedef struct {
	struct shmdev_region *r;	/* NULL once closed */
	zend_string *name;
	pid_t pid;			/* the process that opened it */
	unsigned int flags;
	bool in_init;			/* inside its open's init callback */
	struct ring_obj *rings;		/* views attached through it */
	zend_object std;
} region_obj;

/* A Mutex or a Condition: an offset of a region. */
typedef struct {
	zval region;
	uint64_t off;
	zend_object std;
} sync_obj;

typedef struct ring_obj {
	struct shmdev_ring *ring;	/* NULL once closed */
	zval region;
	uint64_t off;
	struct ring_obj *next, *prev;
	zend_object std;
} ring_obj;

static inline region_obj *region_from(zend_object *o)
{
	return (region_obj *)((char *)o - XtOffsetOf(region_obj, std));
}

static inline sync_obj *sync_from(zend_object *o)
{
	return (sync_obj *)((char *)o - XtOffsetOf(sync_obj, std));
}

static inline ring_obj *ring_from(zend_object *o)
{
	return (ring_obj *)((char *)o - XtOffsetOf(ring_obj, std));
}

/* Errors */

static zend_class_entry *errno_class(int err)
{
	switch (err) {
	case EOWNERDEAD:
		return ce_owner_died;
	case ETIMEDOUT:
		return ce_timeout;
	default:
		return ce_exc;
	}
}

/* Throw the Shmdev\Exception of errno @err: "<what>: <strerror>". */
static void throw_errno(int err, const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 2, 3);
static void throw_errno(int err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	zend_throw_exception_ex(errno_class(err), err, "%s: %s", what, strerror(err));
}

/* A module parameter from /sys/module/shmdev/parameters, or 0. */
static uint64_t module_param(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/shmdev/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtoull(buf, NULL, 10);
}

static uint64_t page_round(uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (size > UINT64_MAX - page)
		return UINT64_MAX;
	return (size + page - 1) / page * page;
}

static void throw_limit(int err, const char *limit, const char *what, const char *fmt, ...)
	ZEND_ATTRIBUTE_FORMAT(printf, 4, 5);
static void throw_limit(int err, const char *limit, const char *what, const char *fmt, ...)
{
	char why[256];
	zend_object *ex;
	va_list ap;
	zval zv;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ex = zend_throw_exception_ex(ce_limit, err, "%s: %s", what, why);
	ZVAL_OBJ(&zv, ex);
	zend_update_property_string(ce_limit, Z_OBJ(zv), "limit", sizeof("limit") - 1, limit);
}

/*
 * -ENOSPC or -EFBIG from creating or growing a region by @grow bytes to
 * @size: say which of the module's limits it hit, from its status (the
 * namespace's count, the caller's bytes) and its parameters.
 */
static void throw_space(int err, const char *what, uint64_t size, uint64_t grow)
{
	struct shmdev_status st;
	uint64_t max_size, max_regions, max_user, max_total;

	memset(&st, 0, sizeof(st));
	if (shmdev_query_status(&st) < 0)
		memset(&st, 0, sizeof(st));
	max_size = st.max_region_size ? st.max_region_size : module_param("max_region_size");
	max_regions = st.max_regions ? st.max_regions : module_param("max_regions");
	max_user = st.max_user_bytes ? st.max_user_bytes : module_param("max_user_bytes");
	max_total = st.max_total_bytes ? st.max_total_bytes : module_param("max_total_bytes");

	if (err == EFBIG) {
		if (max_size && size > max_size)
			throw_limit(err, "max_region_size", what,
				    "limit max_region_size (%llu bytes) exceeded by %llu bytes",
				    (unsigned long long)max_size, (unsigned long long)(size - max_size));
		else
			throw_limit(err, "max_region_size", what,
				    "larger than the largest region (max_region_size %llu bytes) or file",
				    (unsigned long long)max_size);
		return;
	}
	if (grow == size && max_regions && st.ns_regions >= max_regions)
		throw_limit(err, "max_regions", what,
			    "limit max_regions (%llu regions) reached in this IPC namespace",
			    (unsigned long long)max_regions);
	else if (max_user && st.user_bytes + grow > max_user)
		throw_limit(err, "max_user_bytes", what,
			    "limit max_user_bytes (%llu bytes) reached: this user holds %llu bytes",
			    (unsigned long long)max_user, (unsigned long long)st.user_bytes);
	else if (max_total && st.bytes + grow > max_total)
		throw_limit(err, "max_total_bytes", what,
			    "limit max_total_bytes (%llu bytes) reached: all regions hold %llu bytes",
			    (unsigned long long)max_total, (unsigned long long)st.bytes);
	else
		throw_limit(err, "unknown", what,
			    "a limit of the module was reached (max_regions %llu, max_user_bytes %llu, max_total_bytes %llu)",
			    (unsigned long long)max_regions, (unsigned long long)max_user,
			    (unsigned long long)max_total);
}

/* Timeouts: float seconds or null (for ever), as nanoseconds for libshmdev. */
static bool timeout_ns(double secs, bool is_null, uint32_t arg, int64_t *out)
{
	if (is_null || (isinf(secs) && secs > 0)) {
		*out = -1;
		return true;
	}
	if (isnan(secs) || secs < 0) {
		zend_argument_value_error(arg, "must be a number of seconds >= 0 or null");
		return false;
	}
	if (secs >= 9.2e9) {		/* past INT64_MAX ns: for ever */
		*out = -1;
		return true;
	}
	*out = (int64_t)(secs * 1e9);
	return true;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What is left of @timeout (ns, -1 for ever) begun at @start. */
static int64_t time_left(int64_t timeout, int64_t start)
{
	int64_t left;

	if (timeout < 0)
		return -1;
	left = timeout - (now_ns() - start);
	return left > 0 ? left : 0;
}

/* Regions */

static void ring_detach(ring_obj *ro)
{
	region_obj *ro_reg;

	if (!ro->ring)
		return;
	shmdev_ring_close(ro->ring);
	ro->ring = NULL;
	ro_reg = region_from(Z_OBJ(ro->region));
	if (ro->prev)
		ro->prev->next = ro->next;
	else
		ro_reg->rings = ro->next;
	if (ro->next)
		ro->next->prev = ro->prev;
	ro->next = ro->prev = NULL;
}

/* Before the mapping goes away or moves: detach the rings that point into it. */
static void region_detach_rings(region_obj *obj)
{
	while (obj->rings)
		ring_detach(obj->rings);
}

static void region_release(region_obj *obj)
{
	if (!obj->r)
		return;
	region_detach_rings(obj);
	shmdev_close(obj->r);
	obj->r = NULL;
}

static zend_object *region_create(zend_class_entry *ce)
{
	region_obj *obj = zend_object_alloc(sizeof(region_obj), ce);

	zend_object_std_init(&obj->std, ce);
	object_properties_init(&obj->std, ce);
	obj->std.handlers = &region_handlers;
	return &obj->std;
}

static void region_free(zend_object *o)
{
	region_obj *obj = region_from(o);

	region_release(obj);
	if (obj->name)
		zend_string_release(obj->name);
	zend_object_std_dtor(o);
}

static zend_function *no_constructor(zend_object *o)
{
	zend_throw_error(NULL, "Cannot directly construct %s: use shmdev_open() or Shmdev\\Region::open()",
			 ZSTR_VAL(o->ce->name));
	return NULL;
}

/*
 * The region of @obj if it is open, else Error. @own: the call acts as the
 * handle's owner (locks, mutexes, rings, resize), which a child of fork()
 * sharing its parent's handle may not do.
 */
static struct shmdev_region *region_live(region_obj *obj, bool own)
{
	if (!obj->r) {
		zend_throw_error(NULL, "Shmdev\\Region \"%s\" is closed", ZSTR_VAL(obj->name));
		return NULL;
	}
	if (own && obj->pid != getpid()) {
		zend_throw_error(NULL,
				 "Shmdev\\Region \"%s\" was opened by process %d, the parent of this one: "
				 "open it again in this process to lock, wait or resize",
				 ZSTR_VAL(obj->name), (int)obj->pid);
		return NULL;
	}
	return obj->r;
}

static bool valid_name(zend_string *name, uint32_t arg)
{
	if (ZSTR_LEN(name) == 0 || ZSTR_LEN(name) > SHMDEV_NAME_MAX) {
		zend_argument_value_error(arg, "must be 1 to %d bytes long", SHMDEV_NAME_MAX);
		return false;
	}
	if (memchr(ZSTR_VAL(name), '/', ZSTR_LEN(name)) || zend_string_equals_literal(name, ".") ||
	    zend_string_equals_literal(name, "..")) {
		zend_argument_value_error(arg, "must not contain '/' nor be \".\" or \"..\"");
		return false;
	}
	return true;
}

struct init_ctx {
	region_obj *obj;
	zval *zv;
	zend_fcall_info *fci;
	zend_fcall_info_cache *fcc;
};

/* shmdev_open_init's callback: the PHP callable, given the new Region. */
static int region_init_cb(struct shmdev_region *r, void *arg)
{
	struct init_ctx *ctx = arg;
	zval retval;
	int ret;

	ctx->obj->r = r;
	ctx->fci->retval = &retval;
	ctx->fci->params = ctx->zv;
	ctx->fci->param_count = 1;
	ret = zend_call_function(ctx->fci, ctx->fcc);
	if (ret == SUCCESS)
		zval_ptr_dtor(&retval);
	if (ret != SUCCESS || EG(exception)) {
		/* libshmdev closes the handle: nothing may point into it */
		region_detach_rings(ctx->obj);
		ctx->obj->r = NULL;
		return -ECANCELED;
	}
	return 0;
}

static void region_open(zval *return_value, zend_string *name, zend_long size, zend_long flags,
			zend_long mode, zend_fcall_info *fci, zend_fcall_info_cache *fcc)
{
	struct shmdev_region *r = NULL;
	region_obj *obj;
	int ret;

	if (!valid_name(name, 1))
		return;
	if (size < 0) {
		zend_argument_value_error(2, "must be >= 0");
		return;
	}
	if (flags & ~(zend_long)OPEN_FLAGS) {
		zend_argument_value_error(3, "must be a combination of the SHMDEV_* open flags");
		return;
	}
	if (mode < 0 || mode > 0777) {
		zend_argument_value_error(4, "must be between 0 and 0777");
		return;
	}
	object_init_ex(return_value, ce_region);
	obj = region_from(Z_OBJ_P(return_value));
	obj->name = zend_string_copy(name);
	obj->pid = getpid();
	obj->flags = (unsigned int)flags;
	do {
		if (fci) {
			struct init_ctx ctx = { obj, return_value, fci, fcc };

			obj->in_init = true;
			ret = shmdev_open_init(ZSTR_VAL(name), (uint64_t)size, (unsigned int)flags,
					       (unsigned int)mode, region_init_cb, &ctx, &r);
			obj->in_init = false;
		} else {
			ret = shmdev_open(ZSTR_VAL(name), (uint64_t)size, (unsigned int)flags,
					  (unsigned int)mode, &r);
		}
	} while (ret == -EINTR && !EG(exception));
	if (ret < 0) {
		obj->r = NULL;
		if (!EG(exception)) {
			char what[320];

			snprintf(what, sizeof(what), "shmdev_open(\"%s\")", ZSTR_VAL(name));
			if ((ret == -ENOSPC || ret == -EFBIG) && (flags & SHMDEV_CREAT))
				throw_space(-ret, what, page_round((uint64_t)size),
					    page_round((uint64_t)size));
			else if (ret == -ENOENT && access(SHMDEV_DEVICE, F_OK))
				throw_errno(ENOENT, "%s: no " SHMDEV_DEVICE ", is the shmdev module loaded?", what);
			else
				throw_errno(-ret, "%s", what);
		}
		zval_ptr_dtor(return_value);
		ZVAL_NULL(return_value);
		return;
	}
	obj->r = r;
}

#define REGION_P(zv) region_from(Z_OBJ_P(zv))

/* The Region of the method's $this or of the function's first argument. */
static void do_read(region_obj *obj, zend_long off, zend_long size, zval *return_value)
{
	struct shmdev_region *r = region_live(obj, false);
	uint64_t msize;

	if (!r)
		return;
	msize = shmdev_size(r);
	if (off < 0 || (uint64_t)off > msize) {
		zend_argument_value_error(1, "must be between 0 and the region's size (%llu)",
					  (unsigned long long)msize);
		return;
	}
	if (size < 0 || (uint64_t)size > msize - (uint64_t)off) {
		zend_argument_value_error(2, "must be >= 0 and end inside the region (%llu bytes)",
					  (unsigned long long)msize);
		return;
	}
	RETURN_STRINGL((const char *)shmdev_addr(r) + off, (size_t)size);
}

static void do_write(region_obj *obj, zend_string *data, zend_long off, zval *return_value)
{
	struct shmdev_region *r = region_live(obj, false);
	uint64_t msize;

	if (!r)
		return;
	msize = shmdev_size(r);
	if (off < 0 || (uint64_t)off > msize) {
		zend_argument_value_error(2, "must be between 0 and the region's size (%llu)",
					  (unsigned long long)msize);
		return;
	}
	if (ZSTR_LEN(data) > msize - (uint64_t)off) {
		zend_argument_value_error(1, "is %zu bytes long: it must end inside the region (%llu bytes)",
					  ZSTR_LEN(data), (unsigned long long)msize);
		return;
	}
	if (obj->flags & SHMDEV_RDONLY) {
		throw_errno(EACCES, "write to \"%s\", opened SHMDEV_RDONLY", ZSTR_VAL(obj->name));
		return;
	}
	memcpy((char *)shmdev_addr(r) + off, ZSTR_VAL(data), ZSTR_LEN(data));
	RETURN_LONG((zend_long)ZSTR_LEN(data));
}

static void do_size(region_obj *obj, zval *return_value)
{
	struct shmdev_region *r = region_live(obj, false);

	if (r)
		RETURN_LONG((zend_long)shmdev_size(r));
}

static zend_long clamp_long(uint64_t v)
{
	return v > ZEND_LONG_MAX ? ZEND_LONG_MAX : (zend_long)v;
}

static void stat_array(zval *return_value, const struct shmdev_stat *st)
{
	array_init(return_value);
#define F(n) add_assoc_long(return_value, #n, clamp_long(st->n))
	F(size); F(uid); F(gid); F(mode);
	add_assoc_long(return_value, "flags", st->region_flags);
	F(handles); F(mappings); F(resident); F(ns_inum); F(waits); F(wakes);
	F(lock_acquired); F(lock_contended); F(owner_deaths); F(events);
	F(creator_pid); F(last_pid); F(ctime); F(atime); F(dtime);
#undef F
}

/* Unlink @name; with @obj, only while the name still names @obj's region. */
static void do_delete(zend_string *name, region_obj *obj)
{
	int ret;

	if (obj) {
		struct shmdev_stat mine, now;
		struct shmdev_region *r = region_live(obj, false);

		if (!r)
			return;
		ret = shmdev_fstat(r, &mine);
		if (ret < 0) {
			throw_errno(-ret, "shmdev_delete(\"%s\"): fstat", ZSTR_VAL(name));
			return;
		}
		ret = shmdev_stat(ZSTR_VAL(name), &now);
		if (ret < 0) {
			throw_errno(-ret, "shmdev_delete(\"%s\")", ZSTR_VAL(name));
			return;
		}
		if (mine.ctime != now.ctime || mine.creator_pid != now.creator_pid ||
		    mine.uid != now.uid || mine.ns_inum != now.ns_inum) {
			throw_errno(ENOENT, "shmdev_delete(\"%s\"): the name now names another region, left alone",
				    ZSTR_VAL(name));
			return;
		}
	}
	ret = shmdev_unlink(ZSTR_VAL(name));
	if (ret < 0)
		throw_errno(-ret, "shmdev_delete(\"%s\")", ZSTR_VAL(name));
}

/* Sync objects: Mutex and Condition */

static zend_object *sync_create(zend_class_entry *ce)
{
	sync_obj *obj = zend_object_alloc(sizeof(sync_obj), ce);

	zend_object_std_init(&obj->std, ce);
	object_properties_init(&obj->std, ce);
	obj->std.handlers = &sync_handlers;
	ZVAL_UNDEF(&obj->region);
	return &obj->std;
}

static void sync_free(zend_object *o)
{
	sync_obj *obj = sync_from(o);

	zval_ptr_dtor(&obj->region);
	zend_object_std_dtor(o);
}

/* A new Mutex or Condition of class @ce at @off of @robj (8 bytes, 4-aligned). */
static void sync_new(zval *return_value, zend_class_entry *ce, zval *region, zend_long off)
{
	region_obj *robj = REGION_P(region);
	struct shmdev_region *r = region_live(robj, false);
	sync_obj *obj;

	if (!r)
		return;
	if (off < 0 || off % 4 || (uint64_t)off + 8 > shmdev_size(r)) {
		zend_argument_value_error(1, "must be a multiple of 4 with 8 bytes of the region (%llu) from it",
					  (unsigned long long)shmdev_size(r));
		return;
	}
	object_init_ex(return_value, ce);
	obj = sync_from(Z_OBJ_P(return_value));
	ZVAL_COPY(&obj->region, region);
	obj->off = (uint64_t)off;
}

/* The region of a Mutex/Condition for a call as its owner, and the word's address. */
static struct shmdev_region *sync_live(sync_obj *obj, void **addr)
{
	region_obj *robj = region_from(Z_OBJ(obj->region));
	struct shmdev_region *r = region_live(robj, true);

	if (!r)
		return NULL;
	if (obj->off + 8 > shmdev_size(r)) {
		zend_throw_error(NULL, "%s at offset %llu lies past the end of \"%s\" (%llu bytes)",
				 ZSTR_VAL(obj->std.ce->name), (unsigned long long)obj->off,
				 ZSTR_VAL(robj->name), (unsigned long long)shmdev_size(r));
		return NULL;
	}
	*addr = (char *)shmdev_addr(r) + obj->off;
	return r;
}

static const char *sync_name(sync_obj *obj)
{
	return ZSTR_VAL(region_from(Z_OBJ(obj->region))->name);
}

/* Rings */

static zend_object *ring_create(zend_class_entry *ce)
{
	ring_obj *obj = zend_object_alloc(sizeof(ring_obj), ce);

	zend_object_std_init(&obj->std, ce);
	object_properties_init(&obj->std, ce);
	obj->std.handlers = &ring_handlers;
	ZVAL_UNDEF(&obj->region);
	return &obj->std;
}

static void ring_free(zend_object *o)
{
	ring_obj *obj = ring_from(o);

	ring_detach(obj);
	zval_ptr_dtor(&obj->region);
	zend_object_std_dtor(o);
}

static struct shmdev_ring *ring_live(ring_obj *obj)
{
	region_obj *robj;

	if (!obj->ring) {
		zend_throw_error(NULL, "Shmdev\\Ring is closed (closed, or its region was closed or resized)");
		return NULL;
	}
	robj = region_from(Z_OBJ(obj->region));
	if (!region_live(robj, true))
		return NULL;
	return obj->ring;
}

/* Functions */

PHP_FUNCTION(shmdev_open)
{
	zend_string *name;
	zend_long size = 0, flags = 0, mode = 0600;
	zend_fcall_info fci = empty_fcall_info;
	zend_fcall_info_cache fcc = empty_fcall_info_cache;

	ZEND_PARSE_PARAMETERS_START(1, 5)
		Z_PARAM_PATH_STR(name)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(size)
		Z_PARAM_LONG(flags)
		Z_PARAM_LONG(mode)
		Z_PARAM_FUNC_OR_NULL(fci, fcc)
	ZEND_PARSE_PARAMETERS_END();
	region_open(return_value, name, size, flags, mode, ZEND_FCI_INITIALIZED(fci) ? &fci : NULL, &fcc);
}

PHP_FUNCTION(shmdev_read)
{
	zval *zr;
	zend_long off, size;

	ZEND_PARSE_PARAMETERS_START(3, 3)
		Z_PARAM_OBJECT_OF_CLASS(zr, ce_region)
		Z_PARAM_LONG(off)
		Z_PARAM_LONG(size)
	ZEND_PARSE_PARAMETERS_END();
	do_read(REGION_P(zr), off, size, return_value);
}

PHP_FUNCTION(shmdev_write)
{
	zval *zr;
	zend_string *data;
	zend_long off;

	ZEND_PARSE_PARAMETERS_START(3, 3)
		Z_PARAM_OBJECT_OF_CLASS(zr, ce_region)
		Z_PARAM_STR(data)
		Z_PARAM_LONG(off)
	ZEND_PARSE_PARAMETERS_END();
	do_write(REGION_P(zr), data, off, return_value);
}

PHP_FUNCTION(shmdev_size)
{
	zval *zr;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT_OF_CLASS(zr, ce_region)
	ZEND_PARSE_PARAMETERS_END();
	do_size(REGION_P(zr), return_value);
}

PHP_FUNCTION(shmdev_close)
{
	zval *zr;
	region_obj *obj;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT_OF_CLASS(zr, ce_region)
	ZEND_PARSE_PARAMETERS_END();
	obj = REGION_P(zr);
	if (obj->in_init) {
		zend_throw_error(NULL, "Shmdev\\Region \"%s\" cannot be closed inside its init callback",
				 ZSTR_VAL(obj->name));
		return;
	}
	region_release(obj);
}

PHP_FUNCTION(shmdev_delete)
{
	zend_object *zo;
	zend_string *name;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJ_OF_CLASS_OR_STR(zo, ce_region, name)
	ZEND_PARSE_PARAMETERS_END();
	if (zo) {
		do_delete(region_from(zo)->name, region_from(zo));
		return;
	}
	if (strlen(ZSTR_VAL(name)) != ZSTR_LEN(name)) {
		zend_argument_value_error(1, "must not contain any null bytes");
		return;
	}
	if (valid_name(name, 1))
		do_delete(name, NULL);
}

PHP_FUNCTION(shmdev_status)
{
	struct shmdev_status st;
	int ret;

	ZEND_PARSE_PARAMETERS_NONE();
	memset(&st, 0, sizeof(st));
	ret = shmdev_query_status(&st);
	if (ret < 0) {
		throw_errno(-ret, "shmdev_status()");
		return;
	}
	array_init(return_value);
#define F(n) add_assoc_long(return_value, #n, clamp_long(st.n))
	F(ns_regions); F(ns_bytes); F(regions); F(bytes); F(user_bytes); F(handles);
	F(max_region_size); F(max_regions); F(max_user_bytes); F(max_total_bytes);
	F(owner_ids); F(user_owner_ids);
#undef F
}

/* Shmdev\Region */

#define THIS_REGION() region_from(Z_OBJ_P(ZEND_THIS))

PHP_METHOD(Shmdev_Region, open)
{
	zend_string *name;
	zend_long size = 0, flags = 0, mode = 0600;
	zend_fcall_info fci = empty_fcall_info;
	zend_fcall_info_cache fcc = empty_fcall_info_cache;

	ZEND_PARSE_PARAMETERS_START(1, 5)
		Z_PARAM_PATH_STR(name)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(size)
		Z_PARAM_LONG(flags)
		Z_PARAM_LONG(mode)
		Z_PARAM_FUNC_OR_NULL(fci, fcc)
	ZEND_PARSE_PARAMETERS_END();
	region_open(return_value, name, size, flags, mode, ZEND_FCI_INITIALIZED(fci) ? &fci : NULL, &fcc);
}

PHP_METHOD(Shmdev_Region, read)
{
	zend_long off, size;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_LONG(off)
		Z_PARAM_LONG(size)
	ZEND_PARSE_PARAMETERS_END();
	do_read(THIS_REGION(), off, size, return_value);
}

PHP_METHOD(Shmdev_Region, write)
{
	zend_string *data;
	zend_long off;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR(data)
		Z_PARAM_LONG(off)
	ZEND_PARSE_PARAMETERS_END();
	do_write(THIS_REGION(), data, off, return_value);
}

PHP_METHOD(Shmdev_Region, size)
{
	ZEND_PARSE_PARAMETERS_NONE();
	do_size(THIS_REGION(), return_value);
}

PHP_METHOD(Shmdev_Region, name)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STR_COPY(THIS_REGION()->name);
}

PHP_METHOD(Shmdev_Region, isClosed)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_BOOL(THIS_REGION()->r == NULL);
}

PHP_METHOD(Shmdev_Region, close)
{
	region_obj *obj = THIS_REGION();

	ZEND_PARSE_PARAMETERS_NONE();
	if (obj->in_init) {
		zend_throw_error(NULL, "Shmdev\\Region \"%s\" cannot be closed inside its init callback",
				 ZSTR_VAL(obj->name));
		return;
	}
	region_release(obj);
}

PHP_METHOD(Shmdev_Region, delete)
{
	region_obj *obj = THIS_REGION();

	ZEND_PARSE_PARAMETERS_NONE();
	do_delete(obj->name, obj);
}

PHP_METHOD(Shmdev_Region, resize)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	struct shmdev_stat st;
	zend_long size;
	int ret;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(size)
	ZEND_PARSE_PARAMETERS_END();
	if (!(r = region_live(obj, true)))
		return;
	if (size <= 0) {
		zend_argument_value_error(1, "must be > 0");
		return;
	}
	if (obj->in_init) {
		zend_throw_error(NULL, "Shmdev\\Region \"%s\" cannot be resized inside its init callback",
				 ZSTR_VAL(obj->name));
		return;
	}
	if (shmdev_fstat(r, &st) < 0)
		st.size = shmdev_size(r);
	region_detach_rings(obj);
	ret = shmdev_resize(r, (uint64_t)size);
	if (ret < 0) {
		char what[320];
		uint64_t want = page_round((uint64_t)size);

		snprintf(what, sizeof(what), "resize(\"%s\", %lld)", ZSTR_VAL(obj->name), (long long)size);
		if (ret == -ENOSPC || ret == -EFBIG)
			throw_space(-ret, what, want, want > st.size ? want - st.size : 0);
		else
			throw_errno(-ret, "%s", what);
	}
}

PHP_METHOD(Shmdev_Region, remap)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	int ret;

	ZEND_PARSE_PARAMETERS_NONE();
	if (!(r = region_live(obj, true)))
		return;
	if (obj->in_init) {
		zend_throw_error(NULL, "Shmdev\\Region \"%s\" cannot be remapped inside its init callback",
				 ZSTR_VAL(obj->name));
		return;
	}
	region_detach_rings(obj);
	ret = shmdev_remap(r);
	if (ret < 0)
		throw_errno(-ret, "remap(\"%s\")", ZSTR_VAL(obj->name));
}

PHP_METHOD(Shmdev_Region, stat)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	struct shmdev_stat st;
	int ret;

	ZEND_PARSE_PARAMETERS_NONE();
	if (!(r = region_live(obj, false)))
		return;
	ret = shmdev_fstat(r, &st);
	if (ret < 0) {
		throw_errno(-ret, "stat(\"%s\")", ZSTR_VAL(obj->name));
		return;
	}
	stat_array(return_value, &st);
}

/* lock(n, shared, timeout) and tryLock(n, shared): the kernel's locks. */
static void region_lock(INTERNAL_FUNCTION_PARAMETERS, bool try)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	zend_long n;
	bool shared = false, tnull = true;
	double secs = 0;
	int64_t timeout = 0, start;
	int ret;

	ZEND_PARSE_PARAMETERS_START(1, try ? 2 : 3)
		Z_PARAM_LONG(n)
		Z_PARAM_OPTIONAL
		Z_PARAM_BOOL(shared)
		Z_PARAM_DOUBLE_OR_NULL(secs, tnull)
	ZEND_PARSE_PARAMETERS_END();
	if (!(r = region_live(obj, true)))
		return;
	if (n < 0 || n >= SHMDEV_NR_LOCKS) {
		zend_argument_value_error(1, "must be between 0 and %d", SHMDEV_NR_LOCKS - 1);
		return;
	}
	if (!try && !timeout_ns(secs, tnull, 3, &timeout))
		return;
	start = now_ns();
	do
		ret = shmdev_lock(r, (unsigned int)n, shared ? SHMDEV_LOCK_SH : SHMDEV_LOCK_EX,
				  try ? 0 : time_left(timeout, start));
	while (ret == -EINTR);
	if (try && ret == -ETIMEDOUT)
		RETURN_FALSE;
	if (ret == -EOWNERDEAD) {
		throw_errno(EOWNERDEAD, "lock %lld of \"%s\" is held now, but its last exclusive holder died "
			    "holding it: what it protects may be half-updated",
			    (long long)n, ZSTR_VAL(obj->name));
		return;
	}
	if (ret < 0) {
		throw_errno(-ret, "lock %lld of \"%s\"", (long long)n, ZSTR_VAL(obj->name));
		return;
	}
	if (try)
		RETURN_TRUE;
}

PHP_METHOD(Shmdev_Region, lock)
{
	region_lock(INTERNAL_FUNCTION_PARAM_PASSTHRU, false);
}

PHP_METHOD(Shmdev_Region, tryLock)
{
	region_lock(INTERNAL_FUNCTION_PARAM_PASSTHRU, true);
}

PHP_METHOD(Shmdev_Region, unlock)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	zend_long n;
	int ret;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(n)
	ZEND_PARSE_PARAMETERS_END();
	if (!(r = region_live(obj, true)))
		return;
	if (n < 0 || n >= SHMDEV_NR_LOCKS) {
		zend_argument_value_error(1, "must be between 0 and %d", SHMDEV_NR_LOCKS - 1);
		return;
	}
	ret = shmdev_unlock(r, (unsigned int)n);
	if (ret < 0)
		throw_errno(-ret, "unlock %lld of \"%s\"", (long long)n, ZSTR_VAL(obj->name));
}

PHP_METHOD(Shmdev_Region, mutex)
{
	zend_long off;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(off)
	ZEND_PARSE_PARAMETERS_END();
	sync_new(return_value, ce_mutex, ZEND_THIS, off);
}

PHP_METHOD(Shmdev_Region, condition)
{
	zend_long off;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(off)
	ZEND_PARSE_PARAMETERS_END();
	sync_new(return_value, ce_cond, ZEND_THIS, off);
}

PHP_METHOD(Shmdev_Region, initRing)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	zend_long off, size;
	int ret;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_LONG(off)
		Z_PARAM_LONG(size)
	ZEND_PARSE_PARAMETERS_END();
	if (!(r = region_live(obj, true)))
		return;
	if (off < 0 || off % SHMDEV_RING_ALIGN || (uint64_t)off > shmdev_size(r)) {
		zend_argument_value_error(1, "must be a multiple of %d inside the region", SHMDEV_RING_ALIGN);
		return;
	}
	if (size < SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY ||
	    (uint64_t)size > shmdev_size(r) - (uint64_t)off) {
		zend_argument_value_error(2, "must be at least %d and end inside the region (%llu bytes)",
					  SHMDEV_RING_HEADER + SHMDEV_RING_MIN_CAPACITY,
					  (unsigned long long)shmdev_size(r));
		return;
	}
	ret = shmdev_ring_init(r, (uint64_t)off, (uint64_t)size);
	if (ret < 0)
		throw_errno(-ret, "initRing(%lld) of \"%s\"", (long long)off, ZSTR_VAL(obj->name));
}

PHP_METHOD(Shmdev_Region, ring)
{
	region_obj *obj = THIS_REGION();
	struct shmdev_region *r;
	struct shmdev_ring *ring;
	ring_obj *ro;
	zend_long off;
	int ret;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(off)
	ZEND_PARSE_PARAMETERS_END();
	if (!(r = region_live(obj, true)))
		return;
	/*
	 * shmdev_open_init() may still fail after the callback returned (its
	 * SHMDEV_IOC_READY), and then closes the handle itself: a view
	 * attached in the callback would point into an unmapped region.
	 */
	if (obj->in_init) {
		zend_throw_error(NULL, "Shmdev\\Region \"%s\": attach a ring after open, not inside its init callback",
				 ZSTR_VAL(obj->name));
		return;
	}
	if (off < 0 || off % SHMDEV_RING_ALIGN || (uint64_t)off > shmdev_size(r)) {
		zend_argument_value_error(1, "must be a multiple of %d inside the region", SHMDEV_RING_ALIGN);
		return;
	}
	ret = shmdev_ring_attach(r, (uint64_t)off, &ring);
	if (ret < 0) {
		throw_errno(-ret, "ring(%lld) of \"%s\"", (long long)off, ZSTR_VAL(obj->name));
		return;
	}
	object_init_ex(return_value, ce_ring);
	ro = ring_from(Z_OBJ_P(return_value));
	ro->ring = ring;
	ro->off = (uint64_t)off;
	ZVAL_COPY(&ro->region, ZEND_THIS);
	ro->next = obj->rings;
	if (obj->rings)
		obj->rings->prev = ro;
	obj->rings = ro;
}

/* Shmdev\Mutex */

#define THIS_SYNC() sync_from(Z_OBJ_P(ZEND_THIS))

PHP_METHOD(Shmdev_Mutex, init)
{
	sync_obj *obj = THIS_SYNC();
	struct shmdev_region *r;
	void *m;
	int ret;

	ZEND_PARSE_PARAMETERS_NONE();
	if (!(r = sync_live(obj, &m)))
		return;
	ret = shmdev_mutex_init(r, m);
	if (ret == -ENOSPC)
		throw_limit(ENOSPC, "mutexes", "Shmdev\\Mutex::init()",
			    "a region registers at most 65536 mutexes");
	else if (ret < 0)
		throw_errno(-ret, "Shmdev\\Mutex::init() at %llu of \"%s\"",
			    (unsigned long long)obj->off, sync_name(obj));
}

static void throw_mutex(sync_obj *obj, int err, const char *op)
{
	if (err == EOWNERDEAD)
		throw_errno(err, "Shmdev\\Mutex at %llu of \"%s\" is held now, but its owner died holding it: "
			    "repair the data and call consistent(), or unlock() to make it unrecoverable",
			    (unsigned long long)obj->off, sync_name(obj));
	else
		throw_errno(err, "Shmdev\\Mutex::%s() at %llu of \"%s\"", op,
			    (unsigned long long)obj->off, sync_name(obj));
}

PHP_METHOD(Shmdev_Mutex, lock)
{
	sync_obj *obj = THIS_SYNC();
	struct shmdev_region *r;
	bool tnull = true;
	double secs = 0;
	int64_t timeout;
	void *m;
	int ret;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(secs, tnull)
	ZEND_PARSE_PARAMETERS_END();
	if (!timeout_ns(secs, tnull, 1, &timeout))
		return;
	if (!(r = sync_live(obj, &m)))
		return;
	/* a signal does not end a mutex wait */
	ret = shmdev_mutex_lock(r, m, timeout);
	if (ret < 0)
		throw_mutex(obj, -ret, "lock");
}

PHP_METHOD(Shmdev_Mutex, tryLock)
{
	sync_obj *obj = THIS_SYNC();
	struct shmdev_region *r;
	void *m;
	int ret;

	ZEND_PARSE_PARAMETERS_NONE();
	if (!(r = sync_live(obj, &m)))
		return;
	ret = shmdev_mutex_trylock(r, m);
	if (ret == -EBUSY)
		RETURN_FALSE;
	if (ret < 0) {
		throw_mutex(obj, -ret, "tryLock");
		return;
	}
	RETURN_TRUE;
}

#define SYNC_SIMPLE(cls, meth, call)					\
PHP_METHOD(cls, meth)							\
{									\
	sync_obj *obj = THIS_SYNC();					\
	struct shmdev_region *r;					\
	void *m;							\
	int ret;							\
									\
	ZEND_PARSE_PARAMETERS_NONE();					\
	if (!(r = sync_live(obj, &m)))					\
		return;							\
	ret = call(r, m);						\
	if (ret < 0)							\
		throw_errno(-ret, "%s::" #meth "() at %llu of \"%s\"",	\
			    ZSTR_VAL(obj->std.ce->name),		\
			    (unsigned long long)obj->off, sync_name(obj)); \
}

SYNC_SIMPLE(Shmdev_Mutex, unlock, shmdev_mutex_unlock)
SYNC_SIMPLE(Shmdev_Mutex, consistent, shmdev_mutex_consistent)
SYNC_SIMPLE(Shmdev_Mutex, destroy, shmdev_mutex_destroy)
SYNC_SIMPLE(Shmdev_Condition, init, shmdev_cond_init)
SYNC_SIMPLE(Shmdev_Condition, signal, shmdev_cond_signal)
SYNC_SIMPLE(Shmdev_Condition, broadcast, shmdev_cond_broadcast)

PHP_METHOD(Shmdev_Mutex, offset)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_LONG((zend_long)THIS_SYNC()->off);
}

PHP_METHOD(Shmdev_Mutex, region)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_COPY(&THIS_SYNC()->region);
}

/* Shmdev\Condition */

PHP_METHOD(Shmdev_Condition, wait)
{
	sync_obj *obj = THIS_SYNC(), *mobj;
	struct shmdev_region *r;
	zval *zm;
	bool tnull = true;
	double secs = 0;
	int64_t timeout;
	void *c, *m;
	int ret;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_OBJECT_OF_CLASS(zm, ce_mutex)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(secs, tnull)
	ZEND_PARSE_PARAMETERS_END();
	if (!timeout_ns(secs, tnull, 2, &timeout))
		return;
	mobj = sync_from(Z_OBJ_P(zm));
	if (Z_OBJ(mobj->region) != Z_OBJ(obj->region)) {
		zend_argument_value_error(1, "must be a Shmdev\\Mutex of the same Shmdev\\Region object");
		return;
	}
	if (!(r = sync_live(obj, &c)) || !sync_live(mobj, &m))
		return;
	ret = shmdev_cond_wait(r, c, m, timeout);
	if (ret == -ETIMEDOUT)
		throw_errno(ETIMEDOUT, "Shmdev\\Condition::wait() at %llu of \"%s\" (the mutex is held)",
			    (unsigned long long)obj->off, sync_name(obj));
	else if (ret < 0)
		throw_mutex(mobj, -ret, "wait");
}

/* Shmdev\Ring */

#define THIS_RING() ring_from(Z_OBJ_P(ZEND_THIS))

PHP_METHOD(Shmdev_Ring, send)
{
	ring_obj *obj = THIS_RING();
	struct shmdev_ring *ring;
	zend_string *msg;
	bool tnull = true;
	double secs = 0;
	int64_t timeout, start;
	int ret;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(msg)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(secs, tnull)
	ZEND_PARSE_PARAMETERS_END();
	if (!timeout_ns(secs, tnull, 2, &timeout))
		return;
	if (!(ring = ring_live(obj)))
		return;
	start = now_ns();
	do
		ret = shmdev_ring_send(ring, ZSTR_VAL(msg), ZSTR_LEN(msg), time_left(timeout, start));
	while (ret == -EINTR);
	if (ret < 0)
		throw_errno(-ret, "Shmdev\\Ring::send() of %zu bytes", ZSTR_LEN(msg));
}

PHP_METHOD(Shmdev_Ring, recv)
{
	ring_obj *obj = THIS_RING();
	struct shmdev_ring *ring;
	bool tnull = true;
	double secs = 0;
	int64_t timeout, start;
	void *ptr;
	size_t len;
	zend_string *s;
	int ret;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(secs, tnull)
	ZEND_PARSE_PARAMETERS_END();
	if (!timeout_ns(secs, tnull, 1, &timeout))
		return;
	if (!(ring = ring_live(obj)))
		return;
	start = now_ns();
	do
		ret = shmdev_ring_peek(ring, &ptr, &len, time_left(timeout, start));
	while (ret == -EINTR);
	if (ret < 0) {
		throw_errno(-ret, "Shmdev\\Ring::recv()");
		return;
	}
	s = zend_string_init((const char *)ptr, len, 0);
	ret = shmdev_ring_release(ring);
	if (ret < 0) {
		zend_string_release(s);
		throw_errno(-ret, "Shmdev\\Ring::recv(): release");
		return;
	}
	RETURN_STR(s);
}

PHP_METHOD(Shmdev_Ring, stat)
{
	ring_obj *obj = THIS_RING();
	struct shmdev_ring *ring;
	struct shmdev_ring_stat st;
	int ret;

	ZEND_PARSE_PARAMETERS_NONE();
	if (!(ring = ring_live(obj)))
		return;
	ret = shmdev_ring_stat(ring, &st);
	if (ret < 0) {
		throw_errno(-ret, "Shmdev\\Ring::stat()");
		return;
	}
	array_init(return_value);
#define F(n) add_assoc_long(return_value, #n, clamp_long(st.n))
	F(capacity); F(max_msg); F(used); F(received); F(dropped); F(dropped_bytes);
	F(producers); F(consumer);
#undef F
}

PHP_METHOD(Shmdev_Ring, close)
{
	ZEND_PARSE_PARAMETERS_NONE();
	ring_detach(THIS_RING());
}

/* Argument information */

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_shmdev_open, 0, 1, Shmdev\\Region, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, size, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, flags, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, mode, IS_LONG, 0, "0600")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, init, IS_CALLABLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_shmdev_read, 0, 3, IS_STRING, 0)
	ZEND_ARG_OBJ_INFO(0, region, Shmdev\\Region, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, size, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_shmdev_write, 0, 3, IS_LONG, 0)
	ZEND_ARG_OBJ_INFO(0, region, Shmdev\\Region, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_shmdev_size, 0, 1, IS_LONG, 0)
	ZEND_ARG_OBJ_INFO(0, region, Shmdev\\Region, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_shmdev_close, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, region, Shmdev\\Region, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_shmdev_delete, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, region, Shmdev\\Region, MAY_BE_STRING, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_shmdev_status, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_region_open, 0, 1, Shmdev\\Region, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, size, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, flags, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, mode, IS_LONG, 0, "0600")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, init, IS_CALLABLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_read, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, size, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_write, 0, 2, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_long_none, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_string_none, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_bool_none, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_void_none, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_array_none, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_resize, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, size, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_lock, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, n, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, shared, _IS_BOOL, 0, "false")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_trylock, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, n, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, shared, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_unlock, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, n, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_region_mutex, 0, 1, Shmdev\\Mutex, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_region_condition, 0, 1, Shmdev\\Condition, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_region_initring, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, size, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_region_ring, 0, 1, Shmdev\\Ring, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_timeout_void, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_mutex_region, 0, 0, Shmdev\\Region, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_cond_wait, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, mutex, Shmdev\\Mutex, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_ring_send, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, message, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_ring_recv, 0, 0, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

static const zend_function_entry shmdev_functions[] = {
	PHP_FE(shmdev_open, arginfo_shmdev_open)
	PHP_FE(shmdev_read, arginfo_shmdev_read)
	PHP_FE(shmdev_write, arginfo_shmdev_write)
	PHP_FE(shmdev_size, arginfo_shmdev_size)
	PHP_FE(shmdev_close, arginfo_shmdev_close)
	PHP_FE(shmdev_delete, arginfo_shmdev_delete)
	PHP_FE(shmdev_status, arginfo_shmdev_status)
	PHP_FE_END
};

static const zend_function_entry region_methods[] = {
	PHP_ME(Shmdev_Region, open, arginfo_region_open, ZEND_ACC_PUBLIC | ZEND_ACC_STATIC)
	PHP_ME(Shmdev_Region, read, arginfo_region_read, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, write, arginfo_region_write, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, size, arginfo_long_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, name, arginfo_string_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, isClosed, arginfo_bool_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, close, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, delete, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, resize, arginfo_region_resize, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, remap, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, stat, arginfo_array_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, lock, arginfo_region_lock, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, tryLock, arginfo_region_trylock, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, unlock, arginfo_region_unlock, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, mutex, arginfo_region_mutex, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, condition, arginfo_region_condition, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, initRing, arginfo_region_initring, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Region, ring, arginfo_region_ring, ZEND_ACC_PUBLIC)
	PHP_FE_END
};

static const zend_function_entry mutex_methods[] = {
	PHP_ME(Shmdev_Mutex, init, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, lock, arginfo_timeout_void, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, tryLock, arginfo_bool_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, unlock, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, consistent, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, destroy, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, offset, arginfo_long_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Mutex, region, arginfo_mutex_region, ZEND_ACC_PUBLIC)
	PHP_FE_END
};

static const zend_function_entry cond_methods[] = {
	PHP_ME(Shmdev_Condition, init, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Condition, wait, arginfo_cond_wait, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Condition, signal, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Condition, broadcast, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_MALIAS(Shmdev_Mutex, offset, offset, arginfo_long_none, ZEND_ACC_PUBLIC)
	PHP_MALIAS(Shmdev_Mutex, region, region, arginfo_mutex_region, ZEND_ACC_PUBLIC)
	PHP_FE_END
};

static const zend_function_entry ring_methods[] = {
	PHP_ME(Shmdev_Ring, send, arginfo_ring_send, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Ring, recv, arginfo_ring_recv, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Ring, stat, arginfo_array_none, ZEND_ACC_PUBLIC)
	PHP_ME(Shmdev_Ring, close, arginfo_void_none, ZEND_ACC_PUBLIC)
	PHP_FE_END
};

static zend_class_entry *register_final(const char *name, const zend_function_entry *methods,
					zend_object *(*create)(zend_class_entry *),
					zend_object_handlers *h, size_t offset,
					void (*free_obj)(zend_object *))
{
	zend_class_entry ce, *pce;

	INIT_CLASS_ENTRY_EX(ce, name, strlen(name), methods);
	pce = zend_register_internal_class(&ce);
	pce->ce_flags |= ZEND_ACC_FINAL | ZEND_ACC_NOT_SERIALIZABLE | ZEND_ACC_NO_DYNAMIC_PROPERTIES;
	pce->create_object = create;
	memcpy(h, zend_get_std_object_handlers(), sizeof(*h));
	h->offset = (int)offset;
	h->free_obj = free_obj;
	h->clone_obj = NULL;
	h->get_constructor = no_constructor;
	return pce;
}

static zend_class_entry *register_exception(const char *name, zend_class_entry *parent)
{
	zend_class_entry ce;

	INIT_CLASS_ENTRY_EX(ce, name, strlen(name), NULL);
	return zend_register_internal_class_ex(&ce, parent);
}

PHP_MINIT_FUNCTION(shmdev)
{
	ce_region = register_final("Shmdev\\Region", region_methods, region_create, &region_handlers,
				   XtOffsetOf(region_obj, std), region_free);
	ce_mutex = register_final("Shmdev\\Mutex", mutex_methods, sync_create, &sync_handlers,
				  XtOffsetOf(sync_obj, std), sync_free);
	ce_cond = register_final("Shmdev\\Condition", cond_methods, sync_create, &sync_handlers,
				 XtOffsetOf(sync_obj, std), sync_free);
	ce_ring = register_final("Shmdev\\Ring", ring_methods, ring_create, &ring_handlers,
				 XtOffsetOf(ring_obj, std), ring_free);

	ce_exc = register_exception("Shmdev\\Exception", spl_ce_RuntimeException);
	ce_owner_died = register_exception("Shmdev\\OwnerDiedException", ce_exc);
	ce_timeout = register_exception("Shmdev\\TimeoutException", ce_exc);
	ce_limit = register_exception("Shmdev\\LimitException", ce_exc);
	zend_declare_property_string(ce_limit, "limit", sizeof("limit") - 1, "", ZEND_ACC_PUBLIC);

#define C(name, value) REGISTER_LONG_CONSTANT(name, value, CONST_CS | CONST_PERSISTENT)
	C("SHMDEV_CREATE", SHMDEV_CREAT);
	C("SHMDEV_EXCL", SHMDEV_EXCL);
	C("SHMDEV_RDONLY", SHMDEV_RDONLY);
	C("SHMDEV_AUTODESTROY", SHMDEV_AUTODESTROY);
	C("SHMDEV_POPULATE", SHMDEV_POPULATE);
	C("SHMDEV_NR_LOCKS", SHMDEV_NR_LOCKS);
	C("SHMDEV_NAME_MAX", SHMDEV_NAME_MAX);
	C("SHMDEV_RING_HEADER", SHMDEV_RING_HEADER);
	C("SHMDEV_RING_MIN_CAPACITY", SHMDEV_RING_MIN_CAPACITY);
#undef C
	return SUCCESS;
}

PHP_MINFO_FUNCTION(shmdev)
{
	struct shmdev_api api;
	char buf[32];

	php_info_print_table_start();
	php_info_print_table_row(2, "shmdev support", "enabled");
	php_info_print_table_row(2, "extension version", PHP_SHMDEV_VERSION);
	if (shmdev_query_api(&api) == 0) {
		snprintf(buf, sizeof(buf), "%u", (unsigned int)api.abi_version);
		php_info_print_table_row(2, "module ABI version", buf);
	} else {
		php_info_print_table_row(2, "module", "not loaded");
	}
	php_info_print_table_end();
}

static const zend_module_dep shmdev_deps[] = {
	ZEND_MOD_REQUIRED("spl")
	ZEND_MOD_END
};

zend_module_entry shmdev_module_entry = {
	STANDARD_MODULE_HEADER_EX, NULL,
	shmdev_deps,
	"shmdev",
	shmdev_functions,
	PHP_MINIT(shmdev),
	NULL,
	NULL,
	NULL,
	PHP_MINFO(shmdev),
	PHP_SHMDEV_VERSION,
	STANDARD_MODULE_PROPERTIES
};

#ifdef COMPILE_DL_SHMDEV
ZEND_GET_MODULE(shmdev)
#endif
