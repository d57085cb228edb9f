// SPDX-License-Identifier: GPL-2.0
/* ns_test: regions belong to an IPC namespace; root reaches a live one's, a dead one's are freed. */
#include <grp.h>
#include <sched.h>

#include "common.h"

FIXTURE(ns) {
	struct test_names names;
	uint64_t child_ns;	/* a dead namespace that may still hold names[0] */
};

FIXTURE_SETUP(ns)
{
	self->names.nr = 0;
	if (access(SHMDEV_DEVICE, F_OK))
		SETUP_SKIP("no /dev/shmdev: module not loaded");
	if (getuid() != 0)
		SETUP_SKIP("needs root for unshare(CLONE_NEWIPC)");
}

static int unlink_ns(const char *name, uint64_t ns_id);

FIXTURE_TEARDOWN(ns)
{
	if (self->child_ns && self->names.nr)
		unlink_ns(self->names.name[0], self->child_ns);
	unlink_names(&self->names);
}

/* Lines of /proc/shmdev, its header included, or -errno. */
static int proc_lines(void)
{
	static char buf[1 << 20];
	ssize_t len = read_whole(SHMDEV_PROC, buf, sizeof(buf));
	int lines = 0;
	ssize_t i;

	if (len < 0)
		return len;
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	return lines;
}

static uint64_t ns_inum(void)
{
	struct stat st;

	return stat("/proc/self/ns/ipc", &st) ? 0 : st.st_ino;
}

/* SHMDEV_IOC_UNLINK of @name in namespace @ns_id: 0 or -errno. */
static int unlink_ns(const char *name, uint64_t ns_id)
{
	struct shmdev_name arg = { .name = (uintptr_t)name, .name_len = strlen(name),
				   .ns_id = ns_id };
	int fd = dev_open(), ret;

	if (fd < 0)
		return fd;
	ret = xioctl(fd, SHMDEV_IOC_UNLINK, &arg);
	close(fd);
	return ret;
}

static int stat_ns(const char *name, uint64_t ns_id, struct shmdev_region_info *info)
{
	int fd = dev_open(), ret;

	if (fd < 0)
		return fd;
	memset(info, 0, sizeof(*info));
	info->name = (uintptr_t)name;
	info->name_len = strlen(name);
	info->ns_id = ns_id;
	ret = xioctl(fd, SHMDEV_IOC_STAT, info);
	close(fd);
	return ret;
}

/*
 * A child IPC namespace does not see the parent's region: open, stat,
 * unlink, /proc/shmdev and the namespace's count all miss it; nor may it
 * reach the parent's namespace by id. The parent's region is untouched.
 */
TEST_F(ns, child_namespace_isolated)
{
	const char *n = new_name(&self->names, "ns.iso");
	uint64_t parent_ns = ns_inum();
	struct shmdev_region *a;
	struct shmdev_stat st;
	struct proc_row rows[4];
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "parent");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;
		struct shmdev_status ss;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		CHILD_ASSERT_NE(parent_ns, ns_inum());
		CHILD_ASSERT_EQ(-ENOENT, shmdev_open(n, 0, 0, 0, &b));
		CHILD_ASSERT_EQ(-ENOENT, shmdev_stat(n, &st));
		CHILD_ASSERT_EQ(-ENOENT, shmdev_unlink(n));
		CHILD_ASSERT_EQ(0, proc_find(n, rows, 4));
		CHILD_ASSERT_EQ(0, status_get(&ss));
		CHILD_ASSERT_EQ(0, ss.ns_regions);
		/* Another namespace by id: only root of the initial one. */
		CHILD_ASSERT_EQ(-EPERM, unlink_ns(n, parent_ns));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	EXPECT_STREQ("parent", shmdev_addr(a));
	ASSERT_EQ(0, shmdev_fstat(a, &st));
	EXPECT_EQ(parent_ns, st.ns_inum);
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * In a child namespace the parent's names are free: a new region of the
 * same name is its own, and its /proc/shmdev lists it alone, in its
 * namespace.
 */
TEST_F(ns, child_namespace_has_its_own_names)
{
	const char *n = new_name(&self->names, "ns.iso");
	struct shmdev_region *a;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	strcpy(shmdev_addr(a), "parent");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct proc_row rows[4];
		struct shmdev_region *b;
		struct shmdev_stat st;
		uint64_t inum;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		inum = ns_inum();
		CHILD_ASSERT_EQ(0, shmdev_open(n, 8192, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
		CHILD_ASSERT_EQ(0, ((char *)shmdev_addr(b))[0]);
		CHILD_ASSERT_EQ(1, proc_find(n, rows, 4));
		CHILD_ASSERT_EQ(inum, strtoull(proc_col(&rows[0], "ns_inum"), NULL, 10));
		CHILD_ASSERT_EQ(8192, strtoull(proc_col(&rows[0], "size"), NULL, 10));
		/* Its /proc/shmdev lists its own region and nothing else. */
		CHILD_ASSERT_EQ(2, proc_lines());
		CHILD_ASSERT_EQ(0, shmdev_fstat(b, &st));
		CHILD_ASSERT_EQ(inum, st.ns_inum);
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	EXPECT_STREQ("parent", shmdev_addr(a));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * Root of the initial namespace sees a live child namespace's region in
 * /proc/shmdev, and reaches it by namespace id: stat and unlink.
 */
TEST_F(ns, root_reaches_child_namespace_by_id)
{
	const char *n = new_name(&self->names, "ns.iso");
	uint64_t parent_ns = ns_inum();
	struct shmdev_region_info info;
	struct shmdev_region *a;
	struct proc_row rows[4];
	int to_parent[2], to_child[2];
	uint64_t child_ns, ns0, ns1;
	pid_t pid;
	int c;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b;
		uint64_t inum;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		inum = ns_inum();
		CHILD_ASSERT_EQ(0, shmdev_open(n, 8192, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		CHILD_ASSERT_EQ(sizeof(inum), write(to_parent[1], &inum, sizeof(inum)));
		/* The namespace lives while the parent looks into it. */
		CHILD_ASSERT_EQ(0, pipe_wait(to_child[0]));
		_exit(0);
	}
	close(to_parent[1]);
	ASSERT_EQ(sizeof(child_ns), read(to_parent[0], &child_ns, sizeof(child_ns)));
	self->child_ns = child_ns;
	EXPECT_EQ(0, shmdev_close(a));

	ASSERT_EQ(2, proc_find(n, rows, 4));
	ns0 = strtoull(proc_col(&rows[0], "ns_inum"), NULL, 10);
	ns1 = strtoull(proc_col(&rows[1], "ns_inum"), NULL, 10);
	c = ns0 == child_ns ? 0 : 1;
	EXPECT_TRUE((ns0 == parent_ns && ns1 == child_ns) ||
		    (ns0 == child_ns && ns1 == parent_ns));
	EXPECT_EQ(8192, strtoull(proc_col(&rows[c], "size"), NULL, 10));
	EXPECT_EQ(4096, strtoull(proc_col(&rows[1 - c], "size"), NULL, 10));
	EXPECT_STREQ("0", proc_col(&rows[c], "handles"));

	ASSERT_EQ(0, stat_ns(n, child_ns, &info));
	EXPECT_EQ(8192, info.size);
	EXPECT_EQ(child_ns, info.ns_inum);
	EXPECT_EQ(-ENOENT, stat_ns(n, 12345, &info));
	EXPECT_EQ(0, unlink_ns(n, child_ns));
	EXPECT_EQ(-ENOENT, unlink_ns(n, child_ns));
	ASSERT_EQ(1, proc_find(n, rows, 4));
	EXPECT_EQ(parent_ns, strtoull(proc_col(&rows[0], "ns_inum"), NULL, 10));
	EXPECT_EQ(0, pipe_post(to_child[1]));
	ASSERT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_unlink(n));
}

/*
 * A dead namespace's regions are freed, as SysV's segments are by
 * shm_exit_ns(): 64 namespaces created, filled and abandoned leave no
 * region, byte or name behind, so no limit multiplies with namespaces. A
 * region still mapped by a process that left its namespace keeps its
 * pages until unmapped.
 */
TEST_F(ns, dead_namespaces_are_freed)
{
	const char *n = new_name(&self->names, "ns.dead");
	struct shmdev_status st0, st;
	struct proc_row rows[2];
	int i, ready[2], go[2];
	pid_t pid;

	ASSERT_EQ(0, status_get(&st0));
	for (i = 0; i < 64; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct shmdev_region *b;

			CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
			CHILD_ASSERT_EQ(0, shmdev_open(n, 8192, SHMDEV_CREAT, 0600, &b));
			CHILD_ASSERT_EQ(0, shmdev_close(b));
			CHILD_ASSERT_EQ(0, shmdev_open("ns.dead.auto", 4096, SHMDEV_CREAT |
						       SHMDEV_AUTODESTROY, 0600, &b));
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(pid));
	}
	/* STATUS frees what dead namespaces hold before it counts. */
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(st0.regions, st.regions);
	EXPECT_EQ(st0.bytes, st.bytes);
	EXPECT_EQ(0, proc_find(n, rows, 2));

	/* A process leaves its namespace, mapping kept. */
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int hostns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
		struct shmdev_region *b;
		struct shmdev_stat bs;
		char *p;

		CHILD_ASSERT_LE(0, hostns);
		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		CHILD_ASSERT_EQ(0, shmdev_open(n, 8192, SHMDEV_CREAT, 0600, &b));
		p = shmdev_addr(b);
		strcpy(p, "kept");
		CHILD_ASSERT_EQ(0, setns(hostns, CLONE_NEWIPC));
		CHILD_ASSERT_EQ(0, pipe_post(ready[1]));
		CHILD_ASSERT_EQ(0, pipe_wait(go[0]));
		/* Its namespace is dead: the name went, the memory stays. */
		CHILD_ASSERT_EQ(0, shmdev_fstat(b, &bs));
		CHILD_ASSERT_TRUE(bs.region_flags & SHMDEV_REGION_UNLINKED);
		CHILD_ASSERT_EQ(0, strcmp("kept", p));
		strcpy(p, "still writable");
		CHILD_ASSERT_EQ(0, strcmp("still writable", p));
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		_exit(0);
	}
	ASSERT_EQ(0, pipe_wait(ready[0]));
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(st0.regions + 1, st.regions);
	EXPECT_EQ(0, proc_find(n, rows, 2));
	ASSERT_EQ(0, pipe_post(go[1]));
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, status_get(&st));
	EXPECT_EQ(st0.regions, st.regions);
	EXPECT_EQ(st0.bytes, st.bytes);
	for (i = 0; i < 2; i++) {
		close(ready[i]);
		close(go[i]);
	}
}

/*
 * A container: user 1000 makes a user and an IPC namespace of its own. Inside,
 * it is root of its regions only; outside, root sees them owned by 1000.
 */
TEST_F(ns, container_user_and_ipc_namespace)
{
	const char *n = new_name(&self->names, "ns.ct");
	uint64_t parent_ns = ns_inum(), child_ns = 0;
	struct shmdev_region_info info;
	struct shmdev_region *a;
	struct proc_row row;
	int res[2];
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_region *b, *c;
		struct shmdev_status ss;
		struct shmdev_stat st;
		int ret;

		CHILD_ASSERT_EQ(0, setgroups(0, NULL));
		CHILD_ASSERT_EQ(0, setgid(1000));
		CHILD_ASSERT_EQ(0, setuid(1000));
		ret = enter_userns(CLONE_NEWIPC);
		if (ret) {
			child_ns = ret;
			write(res[1], &child_ns, sizeof(child_ns));
			_exit(4);
		}
		child_ns = ns_inum();
		CHILD_ASSERT_EQ(-ENOENT, shmdev_stat(n, &st));
		CHILD_ASSERT_EQ(0, shmdev_open(n, 8192, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &b));
		CHILD_ASSERT_EQ(0, shmdev_fstat(b, &st));
		/* Owner and group as this namespace sees them. */
		CHILD_ASSERT_EQ(0, st.uid);
		CHILD_ASSERT_EQ(0, st.gid);
		CHILD_ASSERT_EQ(1, proc_find(n, &row, 1));
		CHILD_ASSERT_EQ(0, strcmp("0", proc_col(&row, "uid")));
		CHILD_ASSERT_EQ(2, proc_lines());
		CHILD_ASSERT_EQ(0, status_get(&ss));
		CHILD_ASSERT_EQ(1, ss.ns_regions);
		/* Its root holds CAP_IPC_OWNER over its own namespace's regions. */
		CHILD_ASSERT_EQ(0, shmdev_close(b));
		CHILD_ASSERT_EQ(0, shmdev_open("ns.ct.locked", 4096, SHMDEV_CREAT, 0000, &c));
		CHILD_ASSERT_EQ(0, shmdev_close(c));
		CHILD_ASSERT_EQ(0, shmdev_open("ns.ct.locked", 0, 0, 0, &c));
		CHILD_ASSERT_EQ(0, shmdev_close(c));
		CHILD_ASSERT_EQ(0, shmdev_unlink("ns.ct.locked"));
		/* Not over the initial namespace. */
		CHILD_ASSERT_EQ(-EPERM, unlink_ns(n, parent_ns));
		CHILD_ASSERT_EQ(-EPERM, stat_ns(n, parent_ns, &info));
		CHILD_ASSERT_EQ(sizeof(child_ns), write(res[1], &child_ns, sizeof(child_ns)));
		_exit(0);
	}
	close(res[1]);
	ASSERT_EQ(sizeof(child_ns), read(res[0], &child_ns, sizeof(child_ns)));
	if ((int64_t)child_ns < 0) {
		wait_exit(pid);
		EXPECT_EQ(0, shmdev_close(a));
		SKIP(return, "no user namespace (%s)", strerror(-(int)child_ns));
	}
	self->child_ns = child_ns;
	ASSERT_EQ(0, wait_exit(pid));

	/* From the initial namespace: owned by 1000, in the container's namespace. */
	ASSERT_EQ(0, stat_ns(n, child_ns, &info));
	EXPECT_EQ(1000, info.uid);
	EXPECT_EQ(1000, info.gid);
	EXPECT_EQ(8192, info.size);
	EXPECT_EQ(child_ns, info.ns_inum);
	EXPECT_EQ(-ENOENT, stat_ns("ns.ct.locked", child_ns, &info));
	EXPECT_EQ(0, unlink_ns(n, child_ns));
	ASSERT_EQ(1, proc_find(n, &row, 1));
	EXPECT_EQ(parent_ns, strtoull(proc_col(&row, "ns_inum"), NULL, 10));
	EXPECT_EQ(0, shmdev_close(a));
}

/* A namespace's region count and bytes are its own: the host's regions are not in them. */
TEST_F(ns, namespaces_do_not_share_counts)
{
	const char *n = new_name(&self->names, "ns.count");
	struct shmdev_region *a;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT, 0600, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct shmdev_status ss;
		struct shmdev_region *b;

		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		CHILD_ASSERT_EQ(0, shmdev_open(n, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY,
					       0600, &b));
		CHILD_ASSERT_EQ(0, status_get(&ss));
		CHILD_ASSERT_EQ(1, ss.ns_regions);
		CHILD_ASSERT_EQ(4096, ss.ns_bytes);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

/*
 * /proc/shmdev lists the regions of the namespace of whoever opened it, as
 * /proc/sysvipc does: a file opened in a container and read by a process
 * of the host shows the container's regions, not the host's.
 */
TEST_F(ns, proc_shows_the_openers_namespace)
{
	const char *host = new_name(&self->names, "ns.proc.host");
	const char *inner = new_name(&self->names, "ns.proc.inner");
	struct shmdev_region *a;
	pid_t pid;

	ASSERT_EQ(0, shmdev_open(host, 4096, SHMDEV_CREAT, 0600, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static char buf[1 << 16];
		struct shmdev_region *b;
		int hostns, proc;
		ssize_t n;

		hostns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
		CHILD_ASSERT_LE(0, hostns);
		CHILD_ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		CHILD_ASSERT_EQ(0, shmdev_open(inner, 4096, SHMDEV_CREAT | SHMDEV_AUTODESTROY,
					       0600, &b));
		proc = open(SHMDEV_PROC, O_RDONLY | O_CLOEXEC);
		CHILD_ASSERT_LE(0, proc);
		CHILD_ASSERT_EQ(0, setns(hostns, CLONE_NEWIPC));
		n = read(proc, buf, sizeof(buf) - 1);
		CHILD_ASSERT_LE(0, n);
		buf[n] = '\0';
		CHILD_ASSERT_TRUE(strstr(buf, inner) != NULL);
		CHILD_ASSERT_TRUE(strstr(buf, host) == NULL);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, shmdev_close(a));
}

TEST_HARNESS_MAIN
