// SPDX-License-Identifier: GPL-2.0
/*
 * shmdevctl: list, create, remove, inspect and dump shmdev regions, and
 * report on (or load) the module. This file: the commands, the help, and
 * the dispatch to each command group's file.
 *
 * Exit status: 0 on success, 1 when an operation failed, 2 on a usage error.
 * Messages go to stderr as "shmdevctl: region 'NAME': strerror". Region
 * names are bytes: shown with blanks, backslashes and non-printable bytes as
 * \ooo, as /proc/shmdev shows them; in JSON as strings (bytes that are not
 * UTF-8 become U+FFFD, and "name_escaped" keeps the exact bytes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "proc.h"

const char *prog = "shmdevctl";

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
