// SPDX-License-Identifier: GPL-2.0
/*
 * shmdev_warn: a test-only module for the VM runner's own tests
 * (selftests/vm/runner_test.sh). Writing a word to its "trigger" parameter,
 * at load time (insmod shmdev_warn.ko trigger=warn) or later through
 * /sys/module/shmdev_warn/parameters/trigger, makes the kernel report
 * something that selftests/vm/run must turn into a failed run:
 *
 *   warn     WARN_ON(1)
 *   bug      BUG(): an oops, which oops=panic turns into a panic
 *   leak     an allocation nothing points to (kmemleak on debug kernels)
 *   lockdep  two mutexes taken in both orders (lockdep on debug kernels)
 *   kasan    a read past the end of an allocation (KASAN on debug kernels)
 *
 * Never load it outside the test VM.
 */

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static DEFINE_MUTEX(warn_lock_a);
static DEFINE_MUTEX(warn_lock_b);
static char warn_last[16];
static unsigned int warn_size = 16;

/*
 * Each allocation overwrites the only pointer to the one before, so all but
 * the last are certainly unreferenced: kmemleak misses none of those for a
 * stale copy of a pointer left on a stack or in a register.
 */
static noinline void warn_leak(void)
{
	char *p;
	int i;

	for (i = 0; i < 8; i++) {
		p = kmalloc(128, GFP_KERNEL);
		if (p)
			memset(p, 0x5a, 128);
	}
}

static noinline void warn_lockdep(void)
{
	mutex_lock(&warn_lock_a);
	mutex_lock(&warn_lock_b);
	mutex_unlock(&warn_lock_b);
	mutex_unlock(&warn_lock_a);

	mutex_lock(&warn_lock_b);
	mutex_lock(&warn_lock_a);
	mutex_unlock(&warn_lock_a);
	mutex_unlock(&warn_lock_b);
}

static noinline int warn_kasan(void)
{
	unsigned int size = READ_ONCE(warn_size);
	char *p = kmalloc(size, GFP_KERNEL);
	int v;

	if (!p)
		return -ENOMEM;
	v = READ_ONCE(p[size]);
	kfree(p);
	return v;
}

static int warn_trigger_set(const char *val, const struct kernel_param *kp)
{
	char what[16];

	strscpy(what, val, sizeof(what));
	strim(what);

	if (!strcmp(what, "warn"))
		WARN_ON(1);
	else if (!strcmp(what, "bug"))
		BUG();
	else if (!strcmp(what, "leak"))
		warn_leak();
	else if (!strcmp(what, "lockdep"))
		warn_lockdep();
	else if (!strcmp(what, "kasan"))
		pr_info("shmdev_warn: read %d past the end\n", warn_kasan());
	else
		return -EINVAL;

	strscpy(warn_last, what, sizeof(warn_last));
	return 0;
}

static int warn_trigger_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", warn_last);
}

static const struct kernel_param_ops warn_trigger_ops = {
	.set	= warn_trigger_set,
	.get	= warn_trigger_get,
};
module_param_cb(trigger, &warn_trigger_ops, NULL, 0644);
MODULE_PARM_DESC(trigger, "Make the kernel report: warn, bug, leak, lockdep or kasan");

static int __init shmdev_warn_init(void)
{
	return 0;
}

static void __exit shmdev_warn_exit(void)
{
}

module_init(shmdev_warn_init);
module_exit(shmdev_warn_exit);

MODULE_DESCRIPTION("Test-only module that makes the kernel report on request");
MODULE_LICENSE("GPL");
