// SPDX-License-Identifier: GPL-2.0
/* shmdevctl's JSON writer (json.h). */
#include <inttypes.h>
#include <string.h>

#include "json.h"
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
void json_string(FILE *f, const char *s, size_t len)
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

void json_key(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	if (j->depth)
		json_indent(j);
	if (key)
		fprintf(j->f, "\"%s\": ", key);
}

void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

void json_close(struct json *j, char c)
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

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

/* A string, or null when @s is NULL. */
void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j->f, s, strlen(s));
	else
		fputs("null", j->f);
}

void json_bytes(struct json *j, const char *key, const char *s, size_t len)
{
	json_key(j, key);
	json_string(j->f, s, len);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

/* Modes as the octal strings people write: "0600". */
void json_mode(struct json *j, const char *key, unsigned int mode)
{
	json_key(j, key);
	fprintf(j->f, "\"%04o\"", mode);
}


/* A comma list ("-" for none) as a JSON array of strings. */
void json_flag_list(struct json *j, const char *key, const char *list)
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

