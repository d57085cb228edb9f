// SPDX-License-Identifier: GPL-2.0
/* shmdevctl: the /proc/shmdev parser (proc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "proc.h"

const char *const proc_col_names[NR_PROC_COLS] = {
	[PROC_NS_INUM]		= "ns_inum",
	[PROC_NAME]		= "name",
	[PROC_SIZE]		= "size",
	[PROC_UID]		= "uid",
	[PROC_GID]		= "gid",
	[PROC_MODE]		= "mode",
	[PROC_HANDLES]		= "handles",
	[PROC_MAPPINGS]		= "mappings",
	[PROC_REGION_FLAGS]	= "region_flags",
	[PROC_RESIDENT]		= "resident",
	[PROC_WAITS]		= "waits",
	[PROC_WAKES]		= "wakes",
	[PROC_LOCK_ACQUIRED]	= "lock_acquired",
	[PROC_LOCK_CONTENDED]	= "lock_contended",
	[PROC_OWNER_DEATHS]	= "owner_deaths",
	[PROC_EVENTS]		= "events",
	[PROC_CREATOR_PID]	= "creator_pid",
	[PROC_LAST_PID]		= "last_pid",
	[PROC_CTIME]		= "ctime",
	[PROC_ATIME]		= "atime",
	[PROC_DTIME]		= "dtime",
};

/* The names modules before the uapi's names were adopted print. */
static const struct {
	const char *name;
	enum proc_col col;
} proc_old_names[] = {
	{ "ns", PROC_NS_INUM },
	{ "flags", PROC_REGION_FLAGS },
	{ "locks", PROC_LOCK_ACQUIRED },
	{ "contended", PROC_LOCK_CONTENDED },
	{ "deaths", PROC_OWNER_DEATHS },
};

/* The column a header names, or -1 for one shmdevctl does not know. */
static int proc_col_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NR_PROC_COLS; i++)
		if (!strcmp(name, proc_col_names[i]))
			return i;
	for (i = 0; i < ARRAY_SIZE(proc_old_names); i++)
		if (!strcmp(name, proc_old_names[i].name))
			return proc_old_names[i].col;
	return -1;
}

/* \ooo back to the byte; returns the length, @out is NUL-terminated too. */
static size_t unescape_name(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			out[n++] = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
					  (s[3] - '0'));
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	return n;
}

uint64_t own_ipc_ns(void)
{
	char buf[64];
	ssize_t n = readlink("/proc/self/ns/ipc", buf, sizeof(buf) - 1);
	unsigned long long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "ipc:[%llu]", &v) != 1)
		return 0;
	return v;
}

#define PROC_MAX_FIELDS	64

int proc_parse(FILE *f, const char *path, struct proc_table *t)
{
	int idx[NR_PROC_COLS], nhdr = 0, i, col;
	char *line = NULL, *tok, *save;
	size_t cap = 0, lcap = 0;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < NR_PROC_COLS; i++)
		idx[i] = -1;
	if (getline(&line, &lcap, f) > 0) {
		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save), nhdr++) {
			col = proc_col_lookup(tok);
			if (col >= 0 && idx[col] < 0)
				idx[col] = nhdr;
		}
	}
	if (nhdr > PROC_MAX_FIELDS) {
		fail("%s: unexpected format (%d columns)", path, nhdr);
		goto err;
	}
	for (i = 0; i < NR_PROC_REQUIRED; i++) {
		if (idx[i] < 0) {
			fail("%s: unexpected format (no column '%s')", path,
			     proc_col_names[i]);
			goto err;
		}
	}
	for (i = 0; i < NR_PROC_COLS; i++)
		t->have[i] = idx[i] >= 0;

	while (getline(&line, &lcap, f) > 0) {
		char *fields[PROC_MAX_FIELDS];
		struct proc_row *r;
		int nf = 0;

		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (nf == PROC_MAX_FIELDS) {
				nf++;
				break;
			}
			fields[nf++] = tok;
		}
		if (nf != nhdr) {
			fail("%s: unexpected line with %d fields instead of %d",
			     path, nf, nhdr);
			goto err;
		}
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			t->rows = xrealloc(t->rows, cap * sizeof(*t->rows));
		}
		r = &t->rows[t->nrows++];
		memset(r, 0, sizeof(*r));
		for (i = 0; i < NR_PROC_COLS; i++) {
			const char *v = idx[i] >= 0 ? fields[idx[i]] : "0";

			r->field[i] = xstrdup(v);
			if (i == PROC_MODE)
				r->num[i] = strtoull(v, NULL, 8);
			else if (i != PROC_NAME && i != PROC_REGION_FLAGS)
				r->num[i] = strtoull(v, NULL, 10);
		}
		r->name = xstrdup(r->field[PROC_NAME]);
		r->name_len = unescape_name(r->field[PROC_NAME], r->name);
	}
	free(line);
	return 0;

err:
	free(line);
	proc_free(t);
	return -1;
}

int proc_read(struct proc_table *t)
{
	FILE *f = fopen(PROC_SHMDEV, "re");
	int ret;

	if (!f) {
		if (errno == ENOENT)
			fail("%s: %s (is the shmdev module loaded? see '%s status')",
			     PROC_SHMDEV, strerror(errno), prog);
		else
			fail("%s: %s", PROC_SHMDEV, strerror(errno));
		return -1;
	}
	ret = proc_parse(f, PROC_SHMDEV, t);
	fclose(f);
	return ret;
}

void proc_free(struct proc_table *t)
{
	size_t k;
	int i;

	for (k = 0; k < t->nrows; k++) {
		for (i = 0; i < NR_PROC_COLS; i++)
			free(t->rows[k].field[i]);
		free(t->rows[k].name);
	}
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}
