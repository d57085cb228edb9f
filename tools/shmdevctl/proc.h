/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdevctl: /proc/shmdev, one region per line under a header row that
 * names the columns. Columns are found by name, so the module may add
 * columns (they are ignored) or move them.
 */
#ifndef SHMDEVCTL_PROC_H
#define SHMDEVCTL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROC_SHMDEV	"/proc/shmdev"

/* The columns shmdevctl knows, named as in struct shmdev_region_info. */
enum proc_col {
	PROC_NS_INUM, PROC_NAME, PROC_SIZE, PROC_UID, PROC_GID, PROC_MODE,
	PROC_HANDLES, PROC_MAPPINGS, PROC_REGION_FLAGS,
	/* optional from here on */
	PROC_RESIDENT, PROC_WAITS, PROC_WAKES, PROC_LOCK_ACQUIRED,
	PROC_LOCK_CONTENDED, PROC_OWNER_DEATHS, PROC_EVENTS,
	PROC_CREATOR_PID, PROC_LAST_PID, PROC_CTIME, PROC_ATIME, PROC_DTIME,
	NR_PROC_COLS
};
#define NR_PROC_REQUIRED	(PROC_REGION_FLAGS + 1)

/* Each column's name in the header, and the JSON key of its value. */
extern const char *const proc_col_names[NR_PROC_COLS];

struct proc_row {
	char *field[NR_PROC_COLS];	/* as /proc/shmdev shows them, "0" if absent */
	uint64_t num[NR_PROC_COLS];	/* the numbers (mode in octal), else 0 */
	char *name;			/* the name, unescaped */
	size_t name_len;
};

struct proc_table {
	bool have[NR_PROC_COLS];	/* the header has this column */
	struct proc_row *rows;
	size_t nrows;
};

/*
 * Parse the text of /proc/shmdev from @f (@path names it in messages) into
 * @t. Returns 0, or -1 after reporting a format error.
 */
int proc_parse(FILE *f, const char *path, struct proc_table *t);
/* Read PROC_SHMDEV into @t: 0, or -1 after reporting why not. */
int proc_read(struct proc_table *t);
void proc_free(struct proc_table *t);

/* The caller's IPC namespace's inode number, 0 when it cannot be read. */
uint64_t own_ipc_ns(void);

#endif /* SHMDEVCTL_PROC_H */
