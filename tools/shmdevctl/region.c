// SPDX-License-Identifier: GPL-2.0
/*
 * shmdevctl's region commands: list (from /proc/shmdev), create, rm, stat
 * and dump (through libshmdev).
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "main.h"
#include "proc.h"

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

/* ---- list ---- */

/* The table's columns: what each shows, from which /proc/shmdev field. */
static const struct {
	const char *head;
	int col;
	bool left;
} table[] = {
	{ "NS", PROC_NS_INUM, false },
	{ "NAME", PROC_NAME, true },
	{ "SIZE", PROC_SIZE, false },
	{ "UID", PROC_UID, false },
	{ "GID", PROC_GID, false },
	{ "MODE", PROC_MODE, false },
	{ "HANDLES", PROC_HANDLES, false },
	{ "MAPS", PROC_MAPPINGS, false },
	{ "FLAGS", PROC_REGION_FLAGS, true },
};

static const char *table_cell(const struct proc_row *r, size_t i, bool bytes,
			      char buf[32])
{
	if (table[i].col == PROC_SIZE && !bytes)
		return fmt_size(r->num[PROC_SIZE], buf);
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

/*
 * One region, every column of /proc/shmdev shmdevctl knows, under the
 * names of struct shmdev_region_info; columns the module lacks are left out.
 */
static void print_row_json(struct json *j, const struct proc_table *t,
			   const struct proc_row *r)
{
	int i;

	json_open(j, NULL, '{');
	json_bytes(j, "name", r->name, r->name_len);
	json_str(j, "name_escaped", r->field[PROC_NAME]);
	for (i = 0; i < NR_PROC_COLS; i++) {
		if (i == PROC_NAME || !t->have[i])
			continue;
		if (i == PROC_MODE)
			json_mode(j, proc_col_names[i], r->num[i]);
		else if (i == PROC_REGION_FLAGS)
			json_flag_list(j, proc_col_names[i], r->field[i]);
		else
			json_u64(j, proc_col_names[i], r->num[i]);
	}
	json_close(j, '}');
}

int cmd_list(const struct command *cmd, int argc, char **argv)
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
	struct proc_table t;
	struct proc_row *rows;
	char buf[32], sizebuf[32];
	uint64_t ns = 0;
	size_t i, first;
	size_t n, k;

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

	if (proc_read(&t))
		return EXIT_FAILURE;
	rows = t.rows;
	n = t.nrows;
	/* Root in the initial namespace reads every namespace's regions. */
	if (!all)
		ns = own_ipc_ns();

	if (json) {
		struct json j = JSON_INIT(stdout);

		json_open(&j, NULL, '[');
		for (k = 0; k < n; k++)
			if (!ns || rows[k].num[PROC_NS_INUM] == ns)
				print_row_json(&j, &t, &rows[k]);
		json_close(&j, ']');
		proc_free(&t);
		return EXIT_SUCCESS;
	}

	first = all ? 0 : 1;
	for (i = 0; i < ARRAY_SIZE(table); i++)
		width[i] = strlen(table[i].head);
	for (k = 0; k < n; k++) {
		if (ns && rows[k].num[PROC_NS_INUM] != ns)
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
		if (ns && rows[k].num[PROC_NS_INUM] != ns)
			continue;
		for (i = 0; i < ARRAY_SIZE(table); i++)
			cells[i] = table_cell(&rows[k], i, bytes,
					      table[i].col == PROC_SIZE ? sizebuf : buf);
		print_table_line(cells, width, first);
	}
	proc_free(&t);
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

int cmd_create(const struct command *cmd, int argc, char **argv)
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

int cmd_rm(const struct command *cmd, int argc, char **argv)
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
	struct json j = JSON_INIT(stdout);
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
	json_u64(&j, "creator_pid", st->creator_pid);
	json_u64(&j, "last_pid", st->last_pid);
	json_u64(&j, "ctime", st->ctime);
	json_u64(&j, "atime", st->atime);
	json_u64(&j, "dtime", st->dtime);
	json_close(&j, '}');
	free(e);
}

/* A CLOCK_REALTIME time in ns as the local time, or "-" for none. */
static void print_time(const char *label, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	char buf[64];
	struct tm tm;

	if (!ns || !localtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm)) {
		printf("%-16s-\n", label);
		return;
	}
	printf("%-16s%s (%" PRIu64 ")\n", label, buf, ns);
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
	printf("%-16s%u\n", "creator_pid:", st->creator_pid);
	printf("%-16s%u\n", "last_pid:", st->last_pid);
	print_time("ctime:", st->ctime);
	print_time("atime:", st->atime);
	print_time("dtime:", st->dtime);
	free(e);
}

int cmd_stat(const struct command *cmd, int argc, char **argv)
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
	struct json j = JSON_INIT(stdout);
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

int cmd_dump(const struct command *cmd, int argc, char **argv)
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

