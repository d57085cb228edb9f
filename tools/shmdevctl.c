// SPDX-License-Identifier: GPL-2.0
/*
 * shmdevctl: list, create, remove, inspect and dump shmdev regions, and
 * report on (or load) the module.
 *
 * Exit status: 0 on success, 1 when an operation failed, 2 on a usage error.
 * Messages go to stderr as "shmdevctl: region 'NAME': strerror". Region
 * names are bytes: shown with blanks, backslashes and non-printable bytes as
 * \ooo, as /proc/shmdev shows them; in JSON as strings (bytes that are not
 * UTF-8 become U+FFFD, and "name_escaped" keeps the exact bytes).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>

#include "shmdev.h"

#ifndef SHMDEVCTL_VERSION
#define SHMDEVCTL_VERSION	"unknown"
#endif

#define PROC_SHMDEV	"/proc/shmdev"
#define SYS_MODULE	"/sys/module/shmdev"
#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *prog = "shmdevctl";

struct command {
	const char *name;
	int (*run)(const struct command *cmd, int argc, char **argv);
	const char *args;	/* after "usage: shmdevctl NAME " */
	const char *summary;
	const char *help;	/* the options, one per line */
};

/* ---- messages ---- */

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

static int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	if (cmd) {
		fprintf(stderr, "usage: %s %s %s\n", prog, cmd->name, cmd->args);
		fprintf(stderr, "Try '%s %s --help' for more information.\n",
			prog, cmd->name);
	} else {
		fprintf(stderr, "usage: %s COMMAND [ARGS]\n", prog);
		fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	}
	return EXIT_USAGE;
}

static int command_help(const struct command *cmd)
{
	printf("usage: %s %s %s\n\n%s\n", prog, cmd->name, cmd->args,
	       cmd->summary);
	printf("\nOptions:\n%s", cmd->help);
	printf("  -h, --help           show this help\n");
	return EXIT_SUCCESS;
}

/*
 * getopt_long for a subcommand: returns the option, -1 at the end, or '?'
 * after reporting a usage error, whose exit status is then in *status.
 */
static int next_opt(const struct command *cmd, int argc, char **argv,
		    const char *optstring, const struct option *longopts,
		    int *status)
{
	int c = getopt_long(argc, argv, optstring, longopts, NULL);
	const char *arg = argv[optind - 1];

	if (c == '?') {
		if (optopt && strncmp(arg, "--", 2))
			*status = usage_error(cmd, "invalid option '-%c'", optopt);
		else
			*status = usage_error(cmd, "invalid option '%s'", arg);
	} else if (c == ':') {
		*status = usage_error(cmd, "option '%s' needs a value", arg);
		c = '?';
	}
	return c;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EXIT_FAILURE);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

/* A name with blanks, backslashes and other non-printable bytes as \ooo. */
static char *escape_name(const char *s, size_t len)
{
	char *out = xrealloc(NULL, len * 4 + 1), *p = out;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c >= 0x7f || c == '\\')
			p += sprintf(p, "\\%03o", c);
		else
			*p++ = c;
	}
	*p = '\0';
	return out;
}

static int region_error(const char *name, int err)
{
	char *e = escape_name(name, strlen(name));

	fail("region '%s': %s", e, strerror(err));
	free(e);
	return EXIT_FAILURE;
}

/*
 * Check that the device opens, before library calls whose -ENOENT would
 * not tell a missing module from a missing region. Reports the failure.
 */
static bool dev_ok(void)
{
	int fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	if (errno == ENOENT)
		fail("%s: %s (is the shmdev module loaded? see '%s status')",
		     SHMDEV_DEVICE, strerror(errno), prog);
	else
		fail("%s: %s", SHMDEV_DEVICE, strerror(errno));
	return false;
}

/* ---- sizes ---- */

/*
 * "4096", "2k", "64M", "1.5G", "8KiB", "1TB": bytes, the suffixes K M G T
 * (either case, optionally followed by i, iB or B) are powers of 1024.
 * Returns 0, -EINVAL for garbage, -ERANGE when too big, -EDOM when the
 * result is not a whole number of bytes.
 */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned __int128 whole = 0, frac = 0, fracdiv = 1, total;
	const char *p = s;
	uint64_t mult = 1;
	int digits = 0, fdigits = 0;

	for (; isdigit((unsigned char)*p); p++, digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > UINT64_MAX)
			return -ERANGE;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, fdigits++) {
			if (fdigits >= 18)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
			fracdiv *= 10;
		}
		if (!fdigits)
			return -EINVAL;
	}
	if (!digits && !fdigits)
		return -EINVAL;
	switch (*p) {
	case 'k': case 'K':
		mult = 1ULL << 10;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		break;
	case 't': case 'T':
		mult = 1ULL << 40;
		break;
	}
	if (mult > 1) {
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return -EINVAL;
	if ((frac * mult) % fracdiv)
		return -EDOM;
	total = whole * mult + frac * mult / fracdiv;
	if (total > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)total;
	return 0;
}

/* Report a parse_size failure of @what ("size", "offset", "length"). */
static int size_error(const struct command *cmd, const char *what,
		      const char *s, int err)
{
	if (err == -ERANGE)
		return usage_error(cmd, "%s '%s' is too large", what, s);
	if (err == -EDOM)
		return usage_error(cmd, "%s '%s' is not a whole number of bytes",
				   what, s);
	return usage_error(cmd, "invalid %s '%s': expected bytes with an optional K, M, G or T suffix (e.g. 4096, 64M, 1.5G)",
			   what, s);
}

/* 512, 4K, 64M, 1.5G: exact multiples without a decimal point. */
static const char *fmt_size(uint64_t v, char buf[32])
{
	static const char units[] = "KMGTPE";
	uint64_t div = 1024;
	int u = 0;
	double d;

	if (v < 1024) {
		snprintf(buf, 32, "%" PRIu64, v);
		return buf;
	}
	while (u < 5 && v / div >= 1024) {
		div <<= 10;
		u++;
	}
	if (v % div == 0) {
		snprintf(buf, 32, "%" PRIu64 "%c", v / div, units[u]);
		return buf;
	}
	d = (double)v / (double)div;
	if (d >= 1023.95 && u < 5) {
		d /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.1f%c", d, units[u]);
	return buf;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* ---- JSON ---- */

struct json {
	FILE *f;
	int depth;
	bool first;
};

static void json_indent(struct json *j)
{
	int i;

	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* The length of the UTF-8 sequence at @p (at most @n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* A string of bytes; sequences that are not UTF-8 become U+FFFD. */
static void json_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	fputc('"', f);
	while (p < end) {
		unsigned char c = *p;
		size_t n;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else {
			n = utf8_len(p, end - p);
			if (n) {
				fwrite(p, 1, n, f);
				p += n;
				continue;
			}
			fputs("\\ufffd", f);
		}
		p++;
	}
	fputc('"', f);
}

static void json_key(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	if (j->depth)
		json_indent(j);
	if (key)
		fprintf(j->f, "\"%s\": ", key);
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->first;

	j->depth--;
	if (!empty)
		json_indent(j);
	fputc(c, j->f);
	j->first = false;
	if (!j->depth)
		fputc('\n', j->f);
}

static void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

/* A string, or null when @s is NULL. */
static void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j->f, s, strlen(s));
	else
		fputs("null", j->f);
}

static void json_bytes(struct json *j, const char *key, const char *s, size_t len)
{
	json_key(j, key);
	json_string(j->f, s, len);
}

static void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

/* Modes as the octal strings people write: "0600". */
static void json_mode(struct json *j, const char *key, unsigned int mode)
{
	json_key(j, key);
	fprintf(j->f, "\"%04o\"", mode);
}

/* ---- region flags ---- */

static const struct {
	unsigned int flag;
	const char *name;
} region_flag_names[] = {
	{ SHMDEV_AUTODESTROY, "autodestroy" },
	{ SHMDEV_POPULATE, "populate" },
	{ SHMDEV_REGION_UNLINKED, "unlinked" },
	{ SHMDEV_REGION_UNREADY, "unready" },
};

/* "autodestroy,populate" as /proc/shmdev shows them, "-" for none. */
static const char *fmt_flags(unsigned int flags, char buf[128])
{
	unsigned int known = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(region_flag_names); i++) {
		known |= region_flag_names[i].flag;
		if (flags & region_flag_names[i].flag)
			snprintf(buf + strlen(buf), 128 - strlen(buf), "%s%s",
				 buf[0] ? "," : "", region_flag_names[i].name);
	}
	if (flags & ~known)
		snprintf(buf + strlen(buf), 128 - strlen(buf), "%s0x%x",
			 buf[0] ? "," : "", flags & ~known);
	if (!buf[0])
		strcpy(buf, "-");
	return buf;
}

/* A comma list ("-" for none) as a JSON array of strings. */
static void json_flag_list(struct json *j, const char *key, const char *list)
{
	const char *p = list, *comma;

	json_key(j, key);
	fputc('[', j->f);
	if (strcmp(list, "-")) {
		for (;;) {
			comma = strchr(p, ',');
			json_string(j->f, p, comma ? (size_t)(comma - p) : strlen(p));
			if (!comma)
				break;
			fputs(", ", j->f);
			p = comma + 1;
		}
	}
	fputc(']', j->f);
}

/* ---- list ---- */

enum {
	COL_NS, COL_NAME, COL_SIZE, COL_UID, COL_GID, COL_MODE, COL_HANDLES,
	COL_MAPPINGS, COL_FLAGS, COL_RESIDENT, COL_WAITS, COL_WAKES, COL_LOCKS,
	COL_CONTENDED, COL_DEATHS, COL_EVENTS, NR_COLS
};

/*
 * Column names in /proc/shmdev's header, those of struct
 * shmdev_region_info; the first nine are required.
 */
static const char *const proc_cols[NR_COLS] = {
	"ns_inum", "name", "size", "uid", "gid", "mode", "handles", "mappings",
	"region_flags", "resident", "waits", "wakes", "lock_acquired",
	"lock_contended", "owner_deaths", "events",
};
#define NR_REQUIRED_COLS	(COL_FLAGS + 1)

/* The names modules before the uapi's names were adopted print. */
static const char *const proc_old_cols[NR_COLS] = {
	[COL_NS] = "ns", [COL_FLAGS] = "flags", [COL_LOCKS] = "locks",
	[COL_CONTENDED] = "contended", [COL_DEATHS] = "deaths",
};

struct row {
	char *field[NR_COLS];		/* as /proc/shmdev shows them */
	char *name;			/* unescaped */
	size_t name_len;
	uint64_t num[NR_COLS];
};

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

/* Our IPC namespace's inode number, 0 when it cannot be read. */
static uint64_t own_ipc_ns(void)
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

/*
 * Read /proc/shmdev into @rows. Columns are found by the header's names,
 * so columns added later are ignored. Returns the row count or -1.
 */
static ssize_t read_proc(struct row **rows)
{
	int idx[NR_COLS], nhdr = 0, i;
	char *line = NULL, *tok, *save;
	size_t cap = 0, nrows = 0, lcap = 0;
	struct row *r = NULL;
	FILE *f;

	f = fopen(PROC_SHMDEV, "re");
	if (!f) {
		if (errno == ENOENT)
			fail("%s: %s (is the shmdev module loaded? see '%s status')",
			     PROC_SHMDEV, strerror(errno), prog);
		else
			fail("%s: %s", PROC_SHMDEV, strerror(errno));
		return -1;
	}
	for (i = 0; i < NR_COLS; i++)
		idx[i] = -1;
	if (getline(&line, &lcap, f) > 0) {
		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save), nhdr++)
			for (i = 0; i < NR_COLS; i++)
				if (!strcmp(tok, proc_cols[i]) ||
				    (proc_old_cols[i] && !strcmp(tok, proc_old_cols[i])))
					idx[i] = nhdr;
	}
	for (i = 0; i < NR_REQUIRED_COLS; i++) {
		if (idx[i] < 0) {
			fail("%s: unexpected format (no column '%s')",
			     PROC_SHMDEV, proc_cols[i]);
			goto err;
		}
	}

	while (getline(&line, &lcap, f) > 0) {
		char *fields[64];
		int nf = 0;

		for (tok = strtok_r(line, " \n", &save); tok && nf < 64;
		     tok = strtok_r(NULL, " \n", &save))
			fields[nf++] = tok;
		if (nf != nhdr) {
			fail("%s: unexpected line with %d fields instead of %d",
			     PROC_SHMDEV, nf, nhdr);
			goto err;
		}
		if (nrows == cap) {
			cap = cap ? cap * 2 : 16;
			r = xrealloc(r, cap * sizeof(*r));
		}
		memset(&r[nrows], 0, sizeof(*r));
		for (i = 0; i < NR_COLS; i++) {
			const char *v = idx[i] >= 0 ? fields[idx[i]] : "0";

			r[nrows].field[i] = xstrdup(v);
			if (i == COL_MODE)
				r[nrows].num[i] = strtoull(v, NULL, 8);
			else if (i != COL_NAME && i != COL_FLAGS)
				r[nrows].num[i] = strtoull(v, NULL, 10);
		}
		r[nrows].name = xstrdup(r[nrows].field[COL_NAME]);
		r[nrows].name_len = unescape_name(r[nrows].field[COL_NAME],
						  r[nrows].name);
		nrows++;
	}
	free(line);
	fclose(f);
	*rows = r;
	return nrows;

err:
	free(line);
	fclose(f);
	free(r);
	return -1;
}

/* The table's columns: what each shows, from which /proc/shmdev field. */
static const struct {
	const char *head;
	int col;
	bool left;
} table[] = {
	{ "NS", COL_NS, false },
	{ "NAME", COL_NAME, true },
	{ "SIZE", COL_SIZE, false },
	{ "UID", COL_UID, false },
	{ "GID", COL_GID, false },
	{ "MODE", COL_MODE, false },
	{ "HANDLES", COL_HANDLES, false },
	{ "MAPS", COL_MAPPINGS, false },
	{ "FLAGS", COL_FLAGS, true },
};

static const char *table_cell(const struct row *r, size_t i, bool bytes,
			      char buf[32])
{
	if (table[i].col == COL_SIZE && !bytes)
		return fmt_size(r->num[COL_SIZE], buf);
	return r->field[table[i].col];
}

static void print_table_line(const char *const cells[], const int width[],
			     size_t first)
{
	size_t i, last = ARRAY_SIZE(table) - 1;

	for (i = first; i < last; i++)
		printf(table[i].left ? "%-*s  " : "%*s  ", width[i], cells[i]);
	printf("%s\n", cells[last]);
}

static void print_row_json(struct json *j, const struct row *r)
{
	json_open(j, NULL, '{');
	json_bytes(j, "name", r->name, r->name_len);
	json_str(j, "name_escaped", r->field[COL_NAME]);
	json_u64(j, "ns_inum", r->num[COL_NS]);
	json_u64(j, "size", r->num[COL_SIZE]);
	json_u64(j, "uid", r->num[COL_UID]);
	json_u64(j, "gid", r->num[COL_GID]);
	json_mode(j, "mode", r->num[COL_MODE]);
	json_u64(j, "handles", r->num[COL_HANDLES]);
	json_u64(j, "mappings", r->num[COL_MAPPINGS]);
	json_flag_list(j, "region_flags", r->field[COL_FLAGS]);
	json_u64(j, "resident", r->num[COL_RESIDENT]);
	json_u64(j, "waits", r->num[COL_WAITS]);
	json_u64(j, "wakes", r->num[COL_WAKES]);
	json_u64(j, "lock_acquired", r->num[COL_LOCKS]);
	json_u64(j, "lock_contended", r->num[COL_CONTENDED]);
	json_u64(j, "owner_deaths", r->num[COL_DEATHS]);
	json_u64(j, "events", r->num[COL_EVENTS]);
	json_close(j, '}');
}

static int cmd_list(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *cells[ARRAY_SIZE(table)];
	int width[ARRAY_SIZE(table)] = { 0 };
	bool json = false, all = false, bytes = false;
	int c, status = EXIT_USAGE;
	struct row *rows = NULL;
	char buf[32], sizebuf[32];
	uint64_t ns = 0;
	size_t i, first;
	ssize_t n, k;

	while ((c = next_opt(cmd, argc, argv, ":jabh", opts, &status)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'a': all = true; break;
		case 'b': bytes = true; break;
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);

	n = read_proc(&rows);
	if (n < 0)
		return EXIT_FAILURE;
	/* Root in the initial namespace reads every namespace's regions. */
	if (!all)
		ns = own_ipc_ns();

	if (json) {
		struct json j = { .f = stdout, .first = true };

		json_open(&j, NULL, '[');
		for (k = 0; k < n; k++)
			if (!ns || rows[k].num[COL_NS] == ns)
				print_row_json(&j, &rows[k]);
		json_close(&j, ']');
		return EXIT_SUCCESS;
	}

	first = all ? 0 : 1;
	for (i = 0; i < ARRAY_SIZE(table); i++)
		width[i] = strlen(table[i].head);
	for (k = 0; k < n; k++) {
		if (ns && rows[k].num[COL_NS] != ns)
			continue;
		for (i = first; i < ARRAY_SIZE(table); i++) {
			int w = strlen(table_cell(&rows[k], i, bytes, buf));

			if (w > width[i])
				width[i] = w;
		}
	}
	for (i = 0; i < ARRAY_SIZE(table); i++)
		cells[i] = table[i].head;
	print_table_line(cells, width, first);
	for (k = 0; k < n; k++) {
		if (ns && rows[k].num[COL_NS] != ns)
			continue;
		for (i = 0; i < ARRAY_SIZE(table); i++)
			cells[i] = table_cell(&rows[k], i, bytes,
					      table[i].col == COL_SIZE ? sizebuf : buf);
		print_table_line(cells, width, first);
	}
	return EXIT_SUCCESS;
}

/* ---- create ---- */

static int parse_mode(const char *s, unsigned int *mode)
{
	unsigned int v = 0;
	const char *p;

	if (!*s || strlen(s) > 4)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return -EINVAL;
		v = v * 8 + (*p - '0');
	}
	if (v > 0777)
		return -EINVAL;
	*mode = v;
	return 0;
}

static int cmd_create(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "excl", no_argument, NULL, 'x' },
		{ "populate", no_argument, NULL, 'p' },
		{ "autodestroy", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	unsigned int flags = 0, mode = 0600;
	int c, ret, status = EXIT_USAGE;
	struct shmdev_stat st;
	char b1[32], b2[32];
	const char *name;
	uint64_t size;

	while ((c = next_opt(cmd, argc, argv, ":m:xph", opts, &status)) != -1) {
		switch (c) {
		case 'm':
			if (parse_mode(optarg, &mode))
				return usage_error(cmd, "invalid mode '%s': expected octal permission bits, 0 to 0777",
						   optarg);
			break;
		case 'x': flags |= SHMDEV_EXCL; break;
		case 'p': flags |= SHMDEV_POPULATE; break;
		case 'A':
			return usage_error(cmd, "--autodestroy is not offered: the region would vanish as soon as %s exits",
					   prog);
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (argc - optind == 0)
		return usage_error(cmd, "missing NAME and SIZE");
	if (argc - optind == 1)
		return usage_error(cmd, "missing SIZE");
	if (argc - optind > 2)
		return usage_error(cmd, "too many arguments");
	name = argv[optind];
	ret = parse_size(argv[optind + 1], &size);
	if (ret)
		return size_error(cmd, "size", argv[optind + 1], ret);
	if (!size)
		return usage_error(cmd, "size must be at least 1 byte");
	if (!dev_ok())
		return EXIT_FAILURE;

	ret = shmdev_create(name, size, flags, mode);
	/*
	 * Without --excl an existing region of at least SIZE is success, even
	 * one the caller may not read (-EACCES); a smaller one (-EINVAL) is
	 * not.
	 */
	if ((ret == -EINVAL || ret == -EACCES) && !(flags & SHMDEV_EXCL) &&
	    !shmdev_stat(name, &st)) {
		char *e;

		if (st.size >= size)
			return EXIT_SUCCESS;
		e = escape_name(name, strlen(name));
		fail("region '%s' exists with size %s, smaller than %s", e,
		     fmt_size(st.size, b1), fmt_size(size, b2));
		free(e);
		return EXIT_FAILURE;
	}
	if (ret)
		return region_error(name, -ret);
	return EXIT_SUCCESS;
}

/* ---- rm and stat by name, in any namespace ---- */

static int parse_ns(const struct command *cmd, const char *s, uint64_t *ns)
{
	if (parse_u64(s, ns))
		return usage_error(cmd, "invalid namespace '%s': expected the inode number shown by '%s list --all'",
				   s, prog);
	return 0;
}

static int cmd_rm(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ns", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, ret, status = EXIT_USAGE, err = EXIT_SUCCESS;
	bool force = false;
	uint64_t ns = 0;

	while ((c = next_opt(cmd, argc, argv, ":n:fh", opts, &status)) != -1) {
		switch (c) {
		case 'n':
			if (parse_ns(cmd, optarg, &ns))
				return EXIT_USAGE;
			break;
		case 'f': force = true; break;
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (optind == argc)
		return usage_error(cmd, "missing NAME");
	if (!dev_ok())
		return EXIT_FAILURE;
	for (; optind < argc; optind++) {
		const char *name = argv[optind];

		ret = shmdev_unlink_ns(name, ns);
		if (ret == -ENOENT && force)
			continue;
		if (ret)
			err = region_error(name, -ret);
	}
	return err;
}

static const char *fmt_perms(unsigned int mode, char buf[10])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	for (i = 0; i < 9; i++)
		buf[i] = mode & (0400 >> i) ? rwx[i] : '-';
	buf[9] = '\0';
	return buf;
}

static void print_stat_json(const char *name, const struct shmdev_stat *st)
{
	struct json j = { .f = stdout, .first = true };
	char *e = escape_name(name, strlen(name));
	char flags[128];

	json_open(&j, NULL, '{');
	json_str(&j, "name", name);
	json_str(&j, "name_escaped", e);
	json_u64(&j, "ns_inum", st->ns_inum);
	json_u64(&j, "size", st->size);
	json_u64(&j, "uid", st->uid);
	json_u64(&j, "gid", st->gid);
	json_mode(&j, "mode", st->mode);
	json_u64(&j, "handles", st->handles);
	json_u64(&j, "mappings", st->mappings);
	json_flag_list(&j, "region_flags", fmt_flags(st->region_flags, flags));
	json_u64(&j, "resident", st->resident);
	json_u64(&j, "waits", st->waits);
	json_u64(&j, "wakes", st->wakes);
	json_u64(&j, "lock_acquired", st->lock_acquired);
	json_u64(&j, "lock_contended", st->lock_contended);
	json_u64(&j, "owner_deaths", st->owner_deaths);
	json_u64(&j, "events", st->events);
	json_close(&j, '}');
	free(e);
}

static void print_stat_text(const char *name, const struct shmdev_stat *st)
{
	char *e = escape_name(name, strlen(name));
	long page = sysconf(_SC_PAGESIZE);
	struct passwd *pw = getpwuid(st->uid);
	struct group *gr = getgrgid(st->gid);
	char b1[32], b2[32], perms[10], flags[128];

	printf("%-16s%s\n", "name:", e);
	printf("%-16s%" PRIu64 "\n", "ns_inum:", st->ns_inum);
	printf("%-16s%" PRIu64 " (%s)\n", "size:", st->size, fmt_size(st->size, b1));
	printf("%-16s%" PRIu64 " pages (%s)\n", "resident:", st->resident,
	       fmt_size(st->resident * (page > 0 ? page : 4096), b2));
	printf("%-16s%u%s%s%s\n", "uid:", st->uid, pw ? " (" : "",
	       pw ? pw->pw_name : "", pw ? ")" : "");
	printf("%-16s%u%s%s%s\n", "gid:", st->gid, gr ? " (" : "",
	       gr ? gr->gr_name : "", gr ? ")" : "");
	printf("%-16s%04o (%s)\n", "mode:", st->mode, fmt_perms(st->mode, perms));
	printf("%-16s%s\n", "region_flags:", fmt_flags(st->region_flags, flags));
	printf("%-16s%u\n", "handles:", st->handles);
	printf("%-16s%u\n", "mappings:", st->mappings);
	printf("%-16s%" PRIu64 "\n", "waits:", st->waits);
	printf("%-16s%" PRIu64 "\n", "wakes:", st->wakes);
	printf("%-16s%" PRIu64 "\n", "lock_acquired:", st->lock_acquired);
	printf("%-16s%" PRIu64 "\n", "lock_contended:", st->lock_contended);
	printf("%-16s%" PRIu64 "\n", "owner_deaths:", st->owner_deaths);
	printf("%-16s%" PRIu64 "\n", "events:", st->events);
	free(e);
}

static int cmd_stat(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, ret, status = EXIT_USAGE;
	struct shmdev_stat st;
	bool json = false;
	uint64_t ns = 0;

	while ((c = next_opt(cmd, argc, argv, ":jn:h", opts, &status)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'n':
			if (parse_ns(cmd, optarg, &ns))
				return EXIT_USAGE;
			break;
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (optind == argc)
		return usage_error(cmd, "missing NAME");
	if (argc - optind > 1)
		return usage_error(cmd, "too many arguments");
	if (!dev_ok())
		return EXIT_FAILURE;
	ret = shmdev_stat_ns(argv[optind], ns, &st, sizeof(st));
	if (ret)
		return region_error(argv[optind], -ret);
	if (json)
		print_stat_json(argv[optind], &st);
	else
		print_stat_text(argv[optind], &st);
	return EXIT_SUCCESS;
}

/* ---- dump ---- */

/* One line of 16 bytes (or fewer at the end) as xxd shows it. */
static void dump_line(uint64_t off, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char line[96], *q = line;
	size_t i;

	q += sprintf(q, "%08" PRIx64 ":", off);
	for (i = 0; i < 16; i++) {
		if (!(i & 1))
			*q++ = ' ';
		if (i < n) {
			*q++ = hex[p[i] >> 4];
			*q++ = hex[p[i] & 15];
		} else {
			*q++ = ' ';
			*q++ = ' ';
		}
	}
	*q++ = ' ';
	*q++ = ' ';
	for (i = 0; i < n; i++)
		*q++ = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.';
	*q++ = '\n';
	fwrite(line, 1, q - line, stdout);
}

/*
 * Hex and ASCII. Runs of lines equal to the one before are shown as one
 * '*' line (as hexdump -C does) unless @all; the last line always shows.
 */
static void dump_hex(const unsigned char *p, uint64_t off, uint64_t len,
		     bool all)
{
	bool squeezed = false;
	uint64_t pos;

	for (pos = 0; pos < len; pos += 16) {
		size_t n = len - pos < 16 ? len - pos : 16;

		if (!all && pos && n == 16 && pos + 16 < len &&
		    !memcmp(p + pos, p + pos - 16, 16)) {
			if (!squeezed)
				fputs("*\n", stdout);
			squeezed = true;
			continue;
		}
		squeezed = false;
		dump_line(off + pos, p + pos, n);
	}
}

static void dump_json(const char *name, uint64_t size, uint64_t off,
		      const unsigned char *p, uint64_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct json j = { .f = stdout, .first = true };
	uint64_t i;

	json_open(&j, NULL, '{');
	json_str(&j, "name", name);
	json_u64(&j, "size", size);
	json_u64(&j, "offset", off);
	json_u64(&j, "length", len);
	json_key(&j, "hex");
	putchar('"');
	for (i = 0; i < len; i++) {
		putchar(hex[p[i] >> 4]);
		putchar(hex[p[i] & 15]);
	}
	putchar('"');
	json_close(&j, '}');
}

static int cmd_dump(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'v' },
		{ "raw", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool all = false, raw = false, json = false, have_len = false;
	int c, ret, status = EXIT_USAGE;
	uint64_t off = 0, len = 0, size;
	const unsigned char *base;
	char b1[32], b2[32], b3[32];
	struct shmdev_region *r;
	const char *name;
	char *e;

	while ((c = next_opt(cmd, argc, argv, ":o:l:vrjh", opts, &status)) != -1) {
		switch (c) {
		case 'o':
			ret = parse_size(optarg, &off);
			if (ret)
				return size_error(cmd, "offset", optarg, ret);
			break;
		case 'l':
			ret = parse_size(optarg, &len);
			if (ret)
				return size_error(cmd, "length", optarg, ret);
			have_len = true;
			break;
		case 'v': all = true; break;
		case 'r': raw = true; break;
		case 'j': json = true; break;
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (optind == argc)
		return usage_error(cmd, "missing NAME");
	if (argc - optind > 1)
		return usage_error(cmd, "too many arguments");
	if (raw && json)
		return usage_error(cmd, "--raw and --json exclude each other");
	name = argv[optind];
	if (!dev_ok())
		return EXIT_FAILURE;
	ret = shmdev_open(name, 0, SHMDEV_RDONLY, 0, &r);
	if (ret)
		return region_error(name, -ret);
	size = shmdev_size(r);
	base = shmdev_addr(r);
	e = escape_name(name, strlen(name));
	ret = EXIT_FAILURE;
	if (off > size) {
		fail("region '%s': offset %s is past the end (size %s)", e,
		     fmt_size(off, b1), fmt_size(size, b2));
		goto out;
	}
	if (!have_len) {
		len = size - off;
	} else if (len > size - off) {
		fail("region '%s': %s bytes from offset %s go past the end (size %s)",
		     e, fmt_size(len, b1), fmt_size(off, b2), fmt_size(size, b3));
		goto out;
	}

	if (raw)
		fwrite(base + off, 1, len, stdout);
	else if (json)
		dump_json(name, size, off, base + off, len);
	else
		dump_hex(base + off, off, len, all);
	ret = EXIT_SUCCESS;
out:
	free(e);
	shmdev_close(r);
	return ret;
}

/* ---- status ---- */

/* The first line of a file, without its newline; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* Our messages say what failed; libkmod's own would repeat them. */
static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

/*
 * libkmod, opened only by 'status --load': linked in, it (and libcrypto,
 * which it pulls in) would be loaded and relocated by every run of
 * shmdevctl, and a host without libkmod could not run shmdevctl at all.
 */
struct kmod_api {
	__typeof__(kmod_new) *new;
	__typeof__(kmod_unref) *unref;
	__typeof__(kmod_set_log_fn) *set_log_fn;
	__typeof__(kmod_module_new_from_path) *module_new_from_path;
	__typeof__(kmod_module_new_from_name) *module_new_from_name;
	__typeof__(kmod_module_insert_module) *module_insert_module;
	__typeof__(kmod_module_probe_insert_module) *module_probe_insert_module;
	__typeof__(kmod_module_unref) *module_unref;
};

static bool kmod_open(struct kmod_api *k)
{
	void *h = dlopen("libkmod.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return false;
	k->new = dlsym(h, "kmod_new");
	k->unref = dlsym(h, "kmod_unref");
	k->set_log_fn = dlsym(h, "kmod_set_log_fn");
	k->module_new_from_path = dlsym(h, "kmod_module_new_from_path");
	k->module_new_from_name = dlsym(h, "kmod_module_new_from_name");
	k->module_insert_module = dlsym(h, "kmod_module_insert_module");
	k->module_probe_insert_module = dlsym(h, "kmod_module_probe_insert_module");
	k->module_unref = dlsym(h, "kmod_module_unref");
	return k->new && k->unref && k->set_log_fn && k->module_new_from_path &&
	       k->module_new_from_name && k->module_insert_module &&
	       k->module_probe_insert_module && k->module_unref;
}

/*
 * Load the module through libkmod: the file at @path, or "shmdev" from
 * /lib/modules/$(uname -r) with its modprobe.d options. Reports failures.
 */
static int load_module(const char *path)
{
	struct kmod_module *mod = NULL;
	struct kmod_api k;
	struct kmod_ctx *ctx;
	struct utsname u;
	int ret;

	if (!kmod_open(&k))
		return fail("cannot load the module: libkmod.so.2: %s", dlerror());
	ctx = k.new(NULL, NULL);
	if (!ctx)
		return fail("cannot load the module: libkmod could not start");
	k.set_log_fn(ctx, kmod_quiet, NULL);
	if (path) {
		ret = k.module_new_from_path(ctx, path, &mod);
		if (!ret)
			ret = k.module_insert_module(mod, 0, NULL);
	} else {
		ret = k.module_new_from_name(ctx, "shmdev", &mod);
		if (!ret)
			ret = k.module_probe_insert_module(mod, 0, NULL, NULL,
							   NULL, NULL);
	}
	if (mod)
		k.module_unref(mod);
	k.unref(ctx);
	if (ret == -EEXIST || !ret)
		return EXIT_SUCCESS;

	if (!path && ret == -ENOENT) {
		uname(&u);
		return fail("cannot load module shmdev: not found in /lib/modules/%s (install it with 'make install', or give --module PATH)",
			    u.release);
	}
	if (ret < 0)
		return fail("cannot load module %s: %s%s", path ? path : "shmdev",
			    strerror(-ret),
			    ret == -EPERM ? " (loading a module needs root)" :
			    ret == -ENOEXEC || ret == -EINVAL ?
			    " (built for another kernel? see dmesg)" : "");
	return fail("cannot load module shmdev: refused by the modprobe configuration (code %d)",
		    ret);
}

static const char *const feature_names[] = {
	"regions", "wait", "locks", "mutex", "events", "mutex_destroy",
	"owner_ids", "init", "sized_args",
};

struct mod_state {
	const char *state;		/* "live", "built-in", NULL: absent */
	char initstate[32];
	char version[64];
	bool has_version;
	int dev_err;			/* errno opening /dev/shmdev */
	int api_err, status_err;	/* -errno of the queries */
	struct shmdev_api api;
	struct shmdev_status st;
	struct dirent **params;
	int nparams;
};

static int param_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void mod_state_read(struct mod_state *m)
{
	struct stat sb;
	int fd;

	memset(m, 0, sizeof(*m));
	if (read_line(SYS_MODULE "/initstate", m->initstate, sizeof(m->initstate)))
		m->state = m->initstate;
	else if (!stat(SYS_MODULE, &sb))
		m->state = "built-in";
	m->has_version = read_line(SYS_MODULE "/version", m->version,
				   sizeof(m->version));
	m->nparams = scandir(SYS_MODULE "/parameters", &m->params, param_filter,
			     alphasort);
	if (m->nparams < 0)
		m->nparams = 0;

	m->api_err = m->status_err = -ENODEV;
	fd = open(SHMDEV_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		m->dev_err = errno;
		return;
	}
	close(fd);
	m->api_err = shmdev_query_api(&m->api);
	m->status_err = shmdev_query_status(&m->st);
	/* The query's own open file is one of the handles counted. */
	if (!m->status_err && m->st.handles)
		m->st.handles--;
}

static bool param_read(const struct mod_state *m, int i, char *buf, size_t size)
{
	char path[512];

	snprintf(path, sizeof(path), SYS_MODULE "/parameters/%s",
		 m->params[i]->d_name);
	return read_line(path, buf, size);
}

static bool param_is_bytes(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, "_size")) ||
	       (n > 6 && !strcmp(name + n - 6, "_bytes"));
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void print_status_json(const struct mod_state *m, bool loaded_now)
{
	struct json j = { .f = stdout, .first = true };
	char val[256];
	int k;

	json_open(&j, NULL, '{');
	json_bool(&j, "loaded", m->state != NULL);
	json_str(&j, "state", m->state);
	json_bool(&j, "loaded_now", loaded_now);
	json_str(&j, "version", m->has_version ? m->version : NULL);
	json_str(&j, "device", SHMDEV_DEVICE);
	json_str(&j, "device_error", m->dev_err ? strerror(m->dev_err) : NULL);

	if (!m->api_err) {
		json_open(&j, "api", '{');
		json_u64(&j, "abi_version", m->api.abi_version);
		json_u64(&j, "features_mask", m->api.features);
		json_open(&j, "features", '[');
		for (k = 0; k < 64; k++) {
			if (!(m->api.features & (1ULL << k)))
				continue;
			if ((size_t)k < ARRAY_SIZE(feature_names)) {
				json_str(&j, NULL, feature_names[k]);
			} else {
				snprintf(val, sizeof(val), "bit%d", k);
				json_str(&j, NULL, val);
			}
		}
		json_close(&j, ']');
		json_u64(&j, "nr_locks", m->api.nr_locks);
		json_u64(&j, "name_max", m->api.name_max);
		json_u64(&j, "page_size", m->api.page_size);
		json_close(&j, '}');
	} else {
		json_null(&j, "api");
	}

	if (m->state) {
		json_open(&j, "limits", '{');
		for (k = 0; k < m->nparams; k++) {
			const char *name = m->params[k]->d_name;

			if (!param_read(m, k, val, sizeof(val)))
				continue;
			if (!strcmp(val, "Y") || !strcmp(val, "N")) {
				json_bool(&j, name, val[0] == 'Y');
			} else if (all_digits(val)) {
				json_key(&j, name);
				fputs(val, stdout);
			} else {
				json_str(&j, name, val);
			}
		}
		json_close(&j, '}');
	} else {
		json_null(&j, "limits");
	}

	if (!m->status_err) {
		json_open(&j, "usage", '{');
		json_u64(&j, "ns_regions", m->st.ns_regions);
		json_u64(&j, "ns_bytes", m->st.ns_bytes);
		json_u64(&j, "regions", m->st.regions);
		json_u64(&j, "bytes", m->st.bytes);
		json_u64(&j, "user_bytes", m->st.user_bytes);
		json_u64(&j, "handles", m->st.handles);
		json_close(&j, '}');
	} else {
		json_null(&j, "usage");
	}
	json_str(&j, "shmdevctl_version", SHMDEVCTL_VERSION);
	json_close(&j, '}');
}

static void print_status_text(const struct mod_state *m, bool loaded_now)
{
	char val[256], b1[32], b2[32];
	const char *sep;
	int k;

	if (!m->state) {
		printf("%-17s%s\n", "module:", "not loaded (load it with 'shmdevctl status --load' or 'modprobe shmdev')");
		return;
	}
	printf("%-17s%s%s\n", "module:", m->state, loaded_now ? " (loaded now)" : "");
	printf("%-17s%s\n", "version:", m->has_version ? m->version : "unknown");
	if (m->dev_err)
		printf("%-17s%s: %s\n", "device:", SHMDEV_DEVICE, strerror(m->dev_err));
	else
		printf("%-17s%s\n", "device:", SHMDEV_DEVICE);
	if (!m->api_err) {
		printf("%-17s%u\n", "abi version:", m->api.abi_version);
		printf("%-17s", "features:");
		for (k = 0, sep = ""; k < 64; k++) {
			if (!(m->api.features & (1ULL << k)))
				continue;
			if ((size_t)k < ARRAY_SIZE(feature_names))
				printf("%s%s", sep, feature_names[k]);
			else
				printf("%sbit%d", sep, k);
			sep = " ";
		}
		printf("\n%-17s%u\n", "locks/region:", m->api.nr_locks);
		printf("%-17s%u bytes\n", "name max:", m->api.name_max);
		printf("%-17s%u\n", "page size:", m->api.page_size);
	} else if (!m->dev_err) {
		printf("%-17s%s\n", "api:", strerror(-m->api_err));
	}
	for (k = 0; k < m->nparams; k++) {
		const char *name = m->params[k]->d_name;

		if (!param_read(m, k, val, sizeof(val)))
			continue;
		printf("%s:%*s", name, strlen(name) < 16 ? (int)(16 - strlen(name)) : 1, "");
		if (param_is_bytes(name) && all_digits(val))
			printf("%s\n", fmt_size(strtoull(val, NULL, 10), b1));
		else if (!strcmp(val, "Y") || !strcmp(val, "N"))
			printf("%s\n", val[0] == 'Y' ? "yes" : "no");
		else
			printf("%s\n", val);
	}
	if (!m->status_err) {
		printf("%-17s%" PRIu64 " in this namespace (%s), %" PRIu64 " in all (%s)\n",
		       "regions:", (uint64_t)m->st.ns_regions, fmt_size(m->st.ns_bytes, b1),
		       (uint64_t)m->st.regions, fmt_size(m->st.bytes, b2));
		printf("%-17s%s\n", "your bytes:", fmt_size(m->st.user_bytes, b1));
		printf("%-17s%" PRIu64 "\n", "open handles:", (uint64_t)m->st.handles);
	} else if (!m->dev_err) {
		printf("%-17s%s\n", "status:", strerror(-m->status_err));
	}
}

static int cmd_status(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "load", no_argument, NULL, 'l' },
		{ "module", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false, load = false, loaded_now = false;
	const char *path = NULL, *env = getenv("SHMDEV_KO");
	int c, k, status = EXIT_USAGE;
	struct mod_state m;
	struct stat sb;

	while ((c = next_opt(cmd, argc, argv, ":jlm:h", opts, &status)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'l': load = true; break;
		case 'm': path = optarg; break;
		case 'h': return command_help(cmd);
		default: return status;
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (path && !load)
		return usage_error(cmd, "--module needs --load");
	if (!path && env && *env)
		path = env;

	if (load && stat(SYS_MODULE, &sb)) {
		if (load_module(path))
			return EXIT_FAILURE;
		loaded_now = true;
		/* devtmpfs or udev makes the node; give it two seconds. */
		for (k = 0; k < 40 && access(SHMDEV_DEVICE, F_OK); k++)
			nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	}

	mod_state_read(&m);
	if (json)
		print_status_json(&m, loaded_now);
	else
		print_status_text(&m, loaded_now);
	for (k = 0; k < m.nparams; k++)
		free(m.params[k]);
	free(m.params);
	return m.state && !m.dev_err && !m.api_err && !m.status_err ?
	       EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- main ---- */

static const struct command commands[] = {
	{ "list", cmd_list, "[--json] [--all] [--bytes]",
	  "List the regions of this IPC namespace: name, size, owner, mode, handles,\n"
	  "mappings and flags, from " PROC_SHMDEV ". Names are shown with blanks,\n"
	  "backslashes and non-printable bytes as \\ooo.",
	  "  -j, --json           JSON: an array of objects with every field and counter\n"
	  "  -a, --all            every IPC namespace (root in the initial namespace),\n"
	  "                       with a column NS of namespace inode numbers\n"
	  "  -b, --bytes          sizes in bytes instead of 64M, 1.5G\n" },
	{ "create", cmd_create, "NAME SIZE [--mode MODE] [--excl] [--populate]",
	  "Create region NAME of SIZE bytes (K, M, G, T suffixes: 4096, 64M, 1.5G),\n"
	  "rounded up to whole pages. Without --excl an existing region of at least\n"
	  "SIZE is left as it is. The region persists until 'shmdevctl rm'.",
	  "  -m, --mode MODE      octal permission bits, no umask (default 0600)\n"
	  "  -x, --excl           fail if the region exists\n"
	  "  -p, --populate       allocate all memory now: out of memory fails here\n" },
	{ "rm", cmd_rm, "NAME... [--ns INUM] [--force]",
	  "Remove regions by name. The memory is freed when the last process using\n"
	  "a region unmaps it.",
	  "  -n, --ns INUM        the regions live in IPC namespace INUM (as shown by\n"
	  "                       'list --all'; needs CAP_SYS_ADMIN)\n"
	  "  -f, --force          ignore regions that do not exist\n" },
	{ "stat", cmd_stat, "NAME [--json] [--ns INUM]",
	  "Show everything the module knows about region NAME: size, resident pages,\n"
	  "owner, mode, flags, handles, mappings and the wait, lock and event counters.",
	  "  -j, --json           JSON output\n"
	  "  -n, --ns INUM        the region lives in IPC namespace INUM\n" },
	{ "dump", cmd_dump, "NAME [--offset N] [--length N] [--all|--raw|--json]",
	  "Show the bytes of region NAME in hex and ASCII, as xxd does, attaching it\n"
	  "read-only. Offsets and lengths take K, M, G, T suffixes. Reading a page\n"
	  "that was never written allocates it.",
	  "  -o, --offset N       start N bytes into the region (default 0)\n"
	  "  -l, --length N       show N bytes (default: to the end)\n"
	  "  -v, --all            show repeated lines instead of one '*'\n"
	  "  -r, --raw            write the bytes themselves\n"
	  "  -j, --json           JSON with the bytes as a hex string\n" },
	{ "status", cmd_status, "[--json] [--load [--module PATH]]",
	  "Show whether the module is loaded, its version, ABI and features, the limits\n"
	  "in force (/sys/module/shmdev/parameters) and the regions and bytes in use.\n"
	  "Exits 1 when the module is not loaded or the device cannot be used.",
	  "  -j, --json           JSON output\n"
	  "  -l, --load           load the module first if it is not loaded (libkmod):\n"
	  "                       'shmdev' from /lib/modules/$(uname -r), with its\n"
	  "                       modprobe.d options, or the file given by --module\n"
	  "                       or $SHMDEV_KO\n"
	  "  -m, --module PATH    the module file to load\n" },
};

static int main_help(void)
{
	size_t i;

	printf("usage: %s COMMAND [ARGS]\n\n"
	       "Manage the named shared-memory regions of %s.\n\nCommands:\n",
	       prog, SHMDEV_DEVICE);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].args);
	printf("\nSizes are bytes with an optional K, M, G or T suffix (powers of 1024):\n"
	       "4096, 2k, 64M, 1.5G, 8KiB.\n"
	       "'%s COMMAND --help' describes a command; '%s --version' the version.\n"
	       "Exit status: 0 success, 1 failure, 2 usage error.\n", prog, prog);
	return EXIT_SUCCESS;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Everything but the output's final check. */
static int run(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return main_help();
	if (!strcmp(argv[1], "help")) {
		if (argc < 3)
			return main_help();
		cmd = find_command(argv[2]);
		if (!cmd)
			return usage_error(NULL, "unknown command '%s'", argv[2]);
		return command_help(cmd);
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("%s %s\n", prog, SHMDEVCTL_VERSION);
		return EXIT_SUCCESS;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		if (argv[1][0] == '-')
			return usage_error(NULL, "invalid option '%s'", argv[1]);
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	}
	opterr = 0;
	return cmd->run(cmd, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	/* --help and --version too: their output may fail to be written. */
	if (fflush(stdout) || ferror(stdout)) {
		fail("write error: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	return ret;
}
