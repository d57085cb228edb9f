/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdevctl: what the command files share. main.c dispatches to a command
 * group's file (region.c, module.c); common.c has the messages and the
 * parsing and formatting of sizes and names; json.c the JSON writer;
 * proc.c the /proc/shmdev parser. Only libshmdev talks to the module.
 */
#ifndef SHMDEVCTL_MAIN_H
#define SHMDEVCTL_MAIN_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "shmdev.h"

#ifndef SHMDEVCTL_VERSION
#define SHMDEVCTL_VERSION	"unknown"
#endif

#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern const char *prog;

struct command {
	const char *name;
	int (*run)(const struct command *cmd, int argc, char **argv);
	const char *args;	/* after "usage: shmdevctl NAME " */
	const char *summary;
	const char *help;	/* the options, one per line */
};

/* common.c: messages; each returns the exit status it stands for. */
__attribute__((format(printf, 1, 2)))
int fail(const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
int usage_error(const struct command *cmd, const char *fmt, ...);
int command_help(const struct command *cmd);
int next_opt(const struct command *cmd, int argc, char **argv,
	     const char *optstring, const struct option *longopts, int *status);
int region_error(const char *name, int err);
bool dev_ok(void);

/* common.c: memory, names, sizes, numbers. */
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *escape_name(const char *s, size_t len);
int parse_size(const char *s, uint64_t *out);
int size_error(const struct command *cmd, const char *what, const char *s,
	       int err);
const char *fmt_size(uint64_t v, char buf[32]);
int parse_u64(const char *s, uint64_t *out);

/* region.c */
int cmd_list(const struct command *cmd, int argc, char **argv);
int cmd_create(const struct command *cmd, int argc, char **argv);
int cmd_rm(const struct command *cmd, int argc, char **argv);
int cmd_stat(const struct command *cmd, int argc, char **argv);
int cmd_dump(const struct command *cmd, int argc, char **argv);

/* module.c */
int cmd_status(const struct command *cmd, int argc, char **argv);

#endif /* SHMDEVCTL_MAIN_H */
