/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmdev selftests: region names, raw ioctls, forked
 * children, module parameters, loading and unloading the module, /proc/shmdev.
 * Every helper that can fail returns -errno, like libshmdev.
 */
#ifndef SHMDEV_SELFTEST_COMMON_H
#define SHMDEV_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmdev.h>

#include "kselftest_harness.h"

#define SHMDEV_MODULE		"shmdev"
#define SHMDEV_SYSFS		"/sys/module/" SHMDEV_MODULE
#define SHMDEV_PARAMS		SHMDEV_SYSFS "/parameters/"
#define SHMDEV_PROC		"/proc/shmdev"

/*
 * Checks for a process forked inside a test: log like EXPECT_*, then leave
 * with exit code 1, without running the fixture's teardown. The parent
 * checks wait_exit(pid) == 0.
 */
#define CHILD_ASSERT_EQ(expected, seen)	\
	do { EXPECT_EQ(expected, seen) _exit(1); } while (0)
#define CHILD_ASSERT_NE(expected, seen)	\
	do { EXPECT_NE(expected, seen) _exit(1); } while (0)
#define CHILD_ASSERT_LE(expected, seen)	\
	do { EXPECT_LE(expected, seen) _exit(1); } while (0)
#define CHILD_ASSERT_GE(expected, seen)	\
	do { EXPECT_GE(expected, seen) _exit(1); } while (0)
#define CHILD_ASSERT_TRUE(seen)		\
	do { EXPECT_TRUE(seen) _exit(1); } while (0)

static inline uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Region names unique to this process, unlinked together at teardown. */
#define TEST_NAMES_MAX	32
#define TEST_NAME_LEN	64

struct test_names {
	unsigned int nr;
	char name[TEST_NAMES_MAX][TEST_NAME_LEN];
};

/* A new name "<tag>.<pid>.<n>", remembered in @t. */
static inline const char *new_name(struct test_names *t, const char *tag)
{
	static unsigned int counter;
	char *name = t->name[t->nr % TEST_NAMES_MAX];

	snprintf(name, TEST_NAME_LEN, "%s.%d.%u", tag, (int)getpid(), counter++);
	if (t->nr < TEST_NAMES_MAX)
		t->nr++;
	return name;
}

/* Unlink every name of @t that still exists. */
static inline void unlink_names(struct test_names *t)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		shmdev_unlink(t->name[i]);
	t->nr = 0;
}

/*
 * A shmdev filesystem mounted for a test on a new directory
 * /tmp/<tag>.<pid>, made with @mode, its path in @dir: 0 or -errno.
 */
static inline int scratch_mount(char *dir, size_t len, const char *tag, mode_t mode)
{
	int err;

	snprintf(dir, len, "/tmp/%s.%d", tag, (int)getpid());
	if (mkdir(dir, mode))
		return -errno;
	if (!mount("none", dir, "shmdev", 0, NULL))
		return 0;
	err = -errno;
	rmdir(dir);
	return err;
}

/* Undo scratch_mount(): umount()'s result, 0 or -errno; the directory goes. */
static inline int scratch_umount(const char *dir)
{
	int ret = umount(dir) ? -errno : 0;

	rmdir(dir);
	return ret;
}

static inline int dev_open(void)
{
	int fd = open(SHMDEV_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* ioctl() returning its result or -errno. */
static inline int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* SHMDEV_IOC_ATTACH of @fd to @len bytes of @name; @a gets the answer. */
static inline int raw_attach_len(int fd, const char *name, uint32_t len, uint64_t size,
				 uint32_t flags, uint32_t mode, struct shmdev_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->name = (uintptr_t)name;
	a->name_len = len;
	a->size = size;
	a->flags = flags;
	a->mode = mode;
	return xioctl(fd, SHMDEV_IOC_ATTACH, a);
}

static inline int raw_attach(int fd, const char *name, uint64_t size, uint32_t flags,
			     uint32_t mode, struct shmdev_attach *a)
{
	return raw_attach_len(fd, name, strlen(name), size, flags, mode, a);
}

/* SHMDEV_IOC_STATUS through a handle of its own. */
static inline int status_get(struct shmdev_status *st)
{
	int fd = dev_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = xioctl(fd, SHMDEV_IOC_STATUS, st);
	close(fd);
	return ret;
}

/* Wait for @pid: its exit code, 128 + signal if a signal ended it, -errno. */
static inline int wait_exit(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* One-byte messages over a pipe, to order processes without sleeping. */
static inline int pipe_post(int fd)
{
	char c = 1;

	return write(fd, &c, 1) == 1 ? 0 : -EPIPE;
}

static inline int pipe_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -EPIPE;
}

/* Read a file into @buf (NUL terminated, trailing newline dropped). */
static inline int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static inline int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* Module parameters in /sys/module/shmdev/parameters/. */
static inline int param_get(const char *param, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), SHMDEV_PARAMS "%s", param);
	return read_file(path, buf, len);
}

static inline int param_set(const char *param, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), SHMDEV_PARAMS "%s", param);
	return write_file(path, val);
}

static inline int param_set_u64(const char *param, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	return param_set(param, buf);
}

/* The module: loaded means /sys/module/shmdev/initstate is "live". */
static inline bool module_loaded(void)
{
	char state[32];

	return !read_file(SHMDEV_SYSFS "/initstate", state, sizeof(state)) &&
	       !strcmp(state, "live");
}

/* rmmod shmdev: 0 or -errno (-EWOULDBLOCK while in use). */
static inline int module_unload(void)
{
	return syscall(__NR_delete_module, SHMDEV_MODULE, O_NONBLOCK) ? -errno : 0;
}

/* insmod $SHMDEV_KO: 0 or -errno (-ENOKEY when SHMDEV_KO is not set). */
static inline int module_load(void)
{
	const char *ko = getenv("SHMDEV_KO");
	int fd, ret;

	if (!ko || !*ko)
		return -ENOKEY;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* A field of /proc/meminfo in bytes, or -errno. */
static inline long long meminfo_bytes(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long long kb = -ENOENT;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtoll(line + len + 1, NULL, 10) * 1024;
			break;
		}
	}
	fclose(f);
	return kb;
}

/*
 * /proc/shmdev: a line of column names, then one line per region, fields
 * separated by blanks. A row is kept as strings, looked up by column name.
 */
#define PROC_COLS_MAX	32

struct proc_row {
	unsigned int nr;
	char col[PROC_COLS_MAX][32];
	char val[PROC_COLS_MAX][1024];
};

static inline const char *proc_col(const struct proc_row *row, const char *col)
{
	unsigned int i;

	for (i = 0; i < row->nr; i++)
		if (!strcmp(row->col[i], col))
			return row->val[i];
	return NULL;
}

/*
 * The rows of /proc/shmdev whose "name" column is @name: how many there are
 * (up to @max copied to @rows), or -errno.
 */
static inline int proc_find(const char *name, struct proc_row *rows, int max)
{
	char cols[PROC_COLS_MAX][32];
	unsigned int nr_cols = 0;
	static char line[8192];
	int found = 0;
	FILE *f;

	f = fopen(SHMDEV_PROC, "re");
	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f)) {
		char *save, *tok = strtok_r(line, " \t\n", &save);

		for (; tok && nr_cols < PROC_COLS_MAX; tok = strtok_r(NULL, " \t\n", &save))
			snprintf(cols[nr_cols++], sizeof(cols[0]), "%s", tok);
	}
	while (fgets(line, sizeof(line), f)) {
		struct proc_row row = { .nr = 0 };
		char *save, *tok = strtok_r(line, " \t\n", &save);

		for (; tok && row.nr < nr_cols; tok = strtok_r(NULL, " \t\n", &save)) {
			snprintf(row.col[row.nr], sizeof(row.col[0]), "%s", cols[row.nr]);
			snprintf(row.val[row.nr], sizeof(row.val[0]), "%s", tok);
			row.nr++;
		}
		if (!proc_col(&row, "name") || strcmp(proc_col(&row, "name"), name))
			continue;
		if (found < max)
			rows[found] = row;
		found++;
	}
	fclose(f);
	return nr_cols ? found : -EBADMSG;
}

/*
 * SKIP() from a FIXTURE_SETUP, counted as a skip by every kselftest_harness.h
 * the build may take:
 *
 * - Up to 6.8 (6.1 here), SKIP() sets _metadata->skip and the test's process
 *   reports a skip by exiting 255; the harness still runs the test body after
 *   SKIP(return, ...) in a setup, so leave with 255 at once.
 * - From 6.9 on, SKIP() sets _metadata->exit_code = KSFT_SKIP (4), an exit
 *   code of 255 is a failure, and TEST_F() itself stops after a setup that set
 *   exit_code: return and let the harness report it. XFAIL_ADD() came with
 *   that change.
 *
 * Each branch names the field it relies on, so a harness taken for the other
 * kind fails to build instead of miscounting skips.
 */
#ifdef XFAIL_ADD
#define SETUP_SKIP(fmt, ...)						\
	SKIP(do { (void)sizeof(_metadata->exit_code); return; } while (0),	\
	     fmt, ##__VA_ARGS__)
#else
#define SETUP_SKIP(fmt, ...)						\
	SKIP(do { (void)sizeof(_metadata->skip); _exit(255); } while (0),	\
	     fmt, ##__VA_ARGS__)
#endif

/* All of a file, read to its end, NUL terminated: its length or -errno. */
static inline ssize_t read_whole(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return n < 0 ? -errno : (ssize_t)got;
}


/* CLOCK_MONOTONIC in nanoseconds. */
static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The region's attributes and counters through its handle; exits on error. */
static inline struct shmdev_stat region_stat(struct shmdev_region *r)
{
	struct shmdev_stat st = { 0 };

	if (shmdev_fstat(r, &st))
		abort();
	return st;
}

/*
 * Wait, bounded, until @cond holds, polling every millisecond: for
 * conditions only the kernel's counters show (a task queued on a lock).
 */
#define WAIT_UNTIL(cond, ms) ({						\
	int __i;							\
	for (__i = 0; __i < (ms) && !(cond); __i++)			\
		usleep(1000);						\
	(cond);								\
})

/*
 * unshare(CLONE_NEWUSER | @flags) and become root of the new user namespace,
 * mapped to the caller's uid and gid outside: 0 or -errno.
 */
static inline int enter_userns(int flags)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int ret;

	/* After setuid() /proc/self is root's unless we are dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 1) || unshare(CLONE_NEWUSER | flags))
		return -errno;
	ret = write_file("/proc/self/setgroups", "deny");
	if (ret && ret != -ENOENT)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	ret = write_file("/proc/self/uid_map", map);
	if (ret)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	return write_file("/proc/self/gid_map", map);
}

/*
 * Watch @n children that move a shared counter towards @target: when it
 * stands still for @stall_ms, kill them all, so that a
 * lost wake-up fails the test instead of hanging it. Return 0 once the
 * counter reaches @target, -ETIMEDOUT after a stall (*@progress tells how
 * far it got). Reap the children with wait_exit() afterwards.
 */
static inline int watch_progress(const uint32_t *progress, uint32_t target,
				 int stall_ms, const pid_t *pids, int n)
{
	uint32_t last = 0, now;
	int64_t moved = now_ns();
	int i, polls = 0;

	while ((now = __atomic_load_n(progress, __ATOMIC_ACQUIRE)) < target) {
		if (now != last) {
			last = now;
			moved = now_ns();
			polls = 0;
		} else if (now_ns() - moved > (int64_t)stall_ms * 1000000 &&
			   polls >= stall_ms / 20) {
			/* (Also half the polls: a VM the host froze is no stall.) */
			for (i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			return -ETIMEDOUT;
		}
		usleep(10000);
		polls++;
	}
	return 0;
}

#endif /* SHMDEV_SELFTEST_COMMON_H */
