/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdevctl's JSON writer, the one every command's --json uses: objects
 * and arrays indented by two spaces, strings of bytes with sequences that
 * are not UTF-8 as U+FFFD.
 */
#ifndef SHMDEVCTL_JSON_H
#define SHMDEVCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool first;
};

/* A writer to @f: struct json j = JSON_INIT(stdout); */
#define JSON_INIT(file)	{ .f = (file), .first = true }

/* Open '{' or '[' (a member @key of an object, NULL in an array), close. */
void json_open(struct json *j, const char *key, char c);
void json_close(struct json *j, char c);
/* Start a member or element: what follows is written to j->f by the caller. */
void json_key(struct json *j, const char *key);
void json_string(FILE *f, const char *s, size_t len);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
/* A string, or null when @s is NULL. */
void json_str(struct json *j, const char *key, const char *s);
void json_bytes(struct json *j, const char *key, const char *s, size_t len);
void json_null(struct json *j, const char *key);
/* Modes as the octal strings people write: "0600". */
void json_mode(struct json *j, const char *key, unsigned int mode);
/* A comma list ("-" for none) as an array of strings. */
void json_flag_list(struct json *j, const char *key, const char *list);

#endif /* SHMDEVCTL_JSON_H */
