// SPDX-License-Identifier: GPL-2.0
/*
 * shmdevctl_proc_test: shmdevctl's /proc/shmdev parser (tools/shmdevctl/
 * proc.c) on fixed texts, so it needs no module and runs on the host too:
 * columns are found by the header's names, unknown ones are ignored, the
 * names of older modules are understood, and malformed text is refused.
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "proc.h"

const char *prog = "shmdevctl_proc_test";

static int parse(const char *text, struct proc_table *t)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -2;
	ret = proc_parse(f, "fixture", t);
	fclose(f);
	return ret;
}

/* The header the module prints, with the uapi's names: every column read. */
TEST(canonical_header)
{
	static const char text[] =
		"ns_inum name size uid gid mode handles mappings region_flags resident waits wakes lock_acquired lock_contended owner_deaths events creator_pid last_pid ctime atime dtime\n"
		"4026531839 a\\040b 8192 1000 100 0640 2 1 populate,unlinked 3 4 5 6 7 8 9 321 654 1700000000000000001 1700000000000000002 0\n";
	struct proc_table t;
	struct proc_row *r;
	int i;

	ASSERT_EQ(0, parse(text, &t));
	ASSERT_EQ(1, t.nrows);
	for (i = 0; i < NR_PROC_COLS; i++)
		EXPECT_TRUE(t.have[i]);
	r = &t.rows[0];
	EXPECT_EQ(4026531839ULL, r->num[PROC_NS_INUM]);
	EXPECT_EQ(3, r->name_len);
	EXPECT_STREQ("a b", r->name);
	EXPECT_STREQ("a\\040b", r->field[PROC_NAME]);
	EXPECT_EQ(8192, r->num[PROC_SIZE]);
	EXPECT_EQ(1000, r->num[PROC_UID]);
	EXPECT_EQ(100, r->num[PROC_GID]);
	EXPECT_EQ(0640, r->num[PROC_MODE]);
	EXPECT_EQ(2, r->num[PROC_HANDLES]);
	EXPECT_EQ(1, r->num[PROC_MAPPINGS]);
	EXPECT_STREQ("populate,unlinked", r->field[PROC_REGION_FLAGS]);
	EXPECT_EQ(3, r->num[PROC_RESIDENT]);
	EXPECT_EQ(4, r->num[PROC_WAITS]);
	EXPECT_EQ(5, r->num[PROC_WAKES]);
	EXPECT_EQ(6, r->num[PROC_LOCK_ACQUIRED]);
	EXPECT_EQ(7, r->num[PROC_LOCK_CONTENDED]);
	EXPECT_EQ(8, r->num[PROC_OWNER_DEATHS]);
	EXPECT_EQ(9, r->num[PROC_EVENTS]);
	EXPECT_EQ(321, r->num[PROC_CREATOR_PID]);
	EXPECT_EQ(654, r->num[PROC_LAST_PID]);
	EXPECT_EQ(1700000000000000001ULL, r->num[PROC_CTIME]);
	EXPECT_EQ(1700000000000000002ULL, r->num[PROC_ATIME]);
	EXPECT_EQ(0, r->num[PROC_DTIME]);
	proc_free(&t);
}

/* The names of modules before the uapi's were adopted map to the same columns. */
TEST(old_header)
{
	static const char text[] =
		"ns name size uid gid mode handles mappings flags resident waits wakes locks contended deaths events\n"
		"11 x 4096 0 0 0600 0 0 - 1 2 3 4 5 6 7\n"
		"12 y 8192 0 0 0644 1 1 autodestroy 0 0 0 0 0 0 0\n";
	struct proc_table t;

	ASSERT_EQ(0, parse(text, &t));
	ASSERT_EQ(2, t.nrows);
	EXPECT_TRUE(t.have[PROC_OWNER_DEATHS]);
	EXPECT_FALSE(t.have[PROC_CREATOR_PID]);
	EXPECT_FALSE(t.have[PROC_CTIME]);
	EXPECT_EQ(11, t.rows[0].num[PROC_NS_INUM]);
	EXPECT_STREQ("-", t.rows[0].field[PROC_REGION_FLAGS]);
	EXPECT_EQ(4, t.rows[0].num[PROC_LOCK_ACQUIRED]);
	EXPECT_EQ(5, t.rows[0].num[PROC_LOCK_CONTENDED]);
	EXPECT_EQ(6, t.rows[0].num[PROC_OWNER_DEATHS]);
	EXPECT_EQ(7, t.rows[0].num[PROC_EVENTS]);
	EXPECT_STREQ("autodestroy", t.rows[1].field[PROC_REGION_FLAGS]);
	EXPECT_EQ(0644, t.rows[1].num[PROC_MODE]);
	proc_free(&t);
}

/* Columns are found by name: moved ones are read, unknown ones skipped. */
TEST(unknown_and_moved_columns)
{
	static const char text[] =
		"name future ns_inum size uid gid mode handles mappings region_flags later\n"
		"z 99 5 4096 1 2 0600 3 4 - 98\n";
	struct proc_table t;

	ASSERT_EQ(0, parse(text, &t));
	ASSERT_EQ(1, t.nrows);
	EXPECT_STREQ("z", t.rows[0].name);
	EXPECT_EQ(5, t.rows[0].num[PROC_NS_INUM]);
	EXPECT_EQ(4096, t.rows[0].num[PROC_SIZE]);
	EXPECT_EQ(4, t.rows[0].num[PROC_MAPPINGS]);
	EXPECT_FALSE(t.have[PROC_RESIDENT]);
	EXPECT_EQ(0, t.rows[0].num[PROC_RESIDENT]);
	proc_free(&t);
}

/* A header without a required column, or a row of another width: refused. */
TEST(malformed)
{
	struct proc_table t;

	EXPECT_EQ(-1, parse("ns_inum name size uid gid mode handles mappings\n"
			    "1 a 4096 0 0 0600 0 0\n", &t));
	EXPECT_EQ(-1, parse("", &t));
	EXPECT_EQ(-1, parse("ns_inum name size uid gid mode handles mappings region_flags\n"
			    "1 a 4096 0 0 0600 0 0\n", &t));
	EXPECT_EQ(-1, parse("ns_inum name size uid gid mode handles mappings region_flags\n"
			    "1 a 4096 0 0 0600 0 0 - extra\n", &t));
	/* A header alone: no regions. */
	ASSERT_EQ(0, parse("ns_inum name size uid gid mode handles mappings region_flags\n", &t));
	EXPECT_EQ(0, t.nrows);
	proc_free(&t);
}

TEST_HARNESS_MAIN
