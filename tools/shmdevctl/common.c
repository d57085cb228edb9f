// SPDX-License-Identifier: GPL-2.0
/*
 * shmdevctl: messages, and the sizes, numbers and region names that every
 * command parses and prints.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

int usage_error(const struct command *cmd, const char *fmt, ...)
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

int command_help(const struct command *cmd)
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
int next_opt(const struct command *cmd, int argc, char **argv,
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

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EXIT_FAILURE);
	}
	return p;
}

char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

/* A name with blanks, backslashes and other non-printable bytes as \ooo. */
char *escape_name(const char *s, size_t len)
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

int region_error(const char *name, int err)
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
bool dev_ok(void)
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
int parse_size(const char *s, uint64_t *out)
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
int size_error(const struct command *cmd, const char *what,
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
const char *fmt_size(uint64_t v, char buf[32])
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

int parse_u64(const char *s, uint64_t *out)
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

