/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the shmdev kselftests: raw ioctls on /dev/shmdev, no library.
 *
 * Every helper returns 0 (or the ioctl's non-negative result) or -errno.
 * Region names are unique per process and call ("ksft.<pid>.<n>"), so the
 * tests of one run never meet another's regions.
 */
#ifndef SHMDEV_KSFT_H
#define SHMDEV_KSFT_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmdev.h>

#include "../kselftest_harness.h"

#define SHMDEV_DEV	"/dev/shmdev"

/* ioctl() as -errno. */
static inline long sd_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline int sd_open(int flags)
{
	int fd = open(SHMDEV_DEV, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A name no other test of this run uses. */
static inline void sd_name(char *buf, size_t len)
{
	static unsigned int n;

	snprintf(buf, len, "ksft.%d.%u", (int)getpid(), n++);
}

static inline long sd_attach_arg(int fd, struct shmdev_attach *a)
{
	return sd_ioctl(fd, SHMDEV_IOC_ATTACH, a);
}

/* Attach @fd to @name; the answer, when wanted, in *@out. */
static inline long sd_attach(int fd, const char *name, uint64_t size,
			     unsigned int flags, unsigned int mode,
			     struct shmdev_attach *out)
{
	struct shmdev_attach a = {
		.name = (uintptr_t)name,
		.name_len = strlen(name),
		.size = size,
		.flags = flags,
		.mode = mode,
	};
	long ret = sd_attach_arg(fd, &a);

	if (out)
		*out = a;
	return ret;
}

/* A new handle attached to @name, or -errno. */
static inline int sd_open_attach(const char *name, uint64_t size,
				 unsigned int flags, unsigned int mode,
				 struct shmdev_attach *out)
{
	int fd = sd_open(flags & SHMDEV_RDONLY ? O_RDONLY : O_RDWR);
	long ret;

	if (fd < 0)
		return fd;
	ret = sd_attach(fd, name, size, flags, mode, out);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline long sd_unlink(const char *name)
{
	struct shmdev_name n = {
		.name = (uintptr_t)name,
		.name_len = strlen(name),
	};
	int fd = sd_open(O_RDWR);
	long ret;

	if (fd < 0)
		return fd;
	ret = sd_ioctl(fd, SHMDEV_IOC_UNLINK, &n);
	close(fd);
	return ret;
}

/* The attributes of the region @fd is attached to. */
static inline long sd_stat(int fd, struct shmdev_region_info *info)
{
	memset(info, 0, sizeof(*info));
	return sd_ioctl(fd, SHMDEV_IOC_STAT, info);
}

static inline long sd_stat_name(const char *name, struct shmdev_region_info *info)
{
	int fd = sd_open(O_RDONLY);
	long ret;

	if (fd < 0)
		return fd;
	memset(info, 0, sizeof(*info));
	info->name = (uintptr_t)name;
	info->name_len = strlen(name);
	ret = sd_ioctl(fd, SHMDEV_IOC_STAT, info);
	close(fd);
	return ret;
}

/* CLOCK_MONOTONIC now plus @ms milliseconds, in ns: a deadline. */
static inline uint64_t sd_deadline_ms(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
	       (uint64_t)ms * 1000000ULL;
}

/*
 * The programs' main: without /dev/shmdev (the module is not loaded) every
 * test would only skip, so the program skips as a whole, exit code 4.
 */
#define SHMDEV_KSFT_MAIN						\
int main(int argc, char **argv)						\
{									\
	if (access(SHMDEV_DEV, F_OK)) {					\
		ksft_print_header();					\
		ksft_exit_skip("no " SHMDEV_DEV ": load shmdev.ko\n");	\
	}								\
	return test_harness_run(argc, argv);				\
}

#endif /* SHMDEV_KSFT_H */
