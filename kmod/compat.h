/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdev: the few kernel interfaces that changed between 6.1 and 7.2.
 *
 * The module is written against the newest interface; each helper here maps
 * it onto older kernels. Nothing else in kmod/ tests LINUX_VERSION_CODE.
 */
#ifndef _SHMDEV_COMPAT_H
#define _SHMDEV_COMPAT_H

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/proc_ns.h>
#include <linux/shmem_fs.h>
#include <linux/version.h>

/* 6.3 made vm_flags read-only behind vm_flags_set()/vm_flags_clear(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* 6.2 added shmem_read_folio_gfp(); 6.1 has the page-based call. */
static inline struct folio *shmdev_read_folio(struct address_space *mapping,
					      pgoff_t index, gfp_t gfp)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	struct page *page = shmem_read_mapping_page_gfp(mapping, index, gfp);

	return IS_ERR(page) ? ERR_CAST(page) : page_folio(page);
#else
	return shmem_read_folio_gfp(mapping, index, gfp);
#endif
}

/*
 * Run the backing file's mmap on @vma. 6.17 renamed call_mmap() to
 * vfs_mmap(), which also drives files that only have ->mmap_prepare (shmem
 * since 6.17).
 */
static inline int shmdev_call_mmap(struct file *file,
				   struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
	return call_mmap(file, vma);
#else
	return vfs_mmap(file, vma);
#endif
}

/*
 * put_ipc_ns() is exported only by Debian's 6.12 and later kernels, not
 * upstream: the namespace's own operations reach it on every kernel.
 */
static inline void shmdev_put_ipc_ns(struct ipc_namespace *ns)
{
	/* Without IPC namespaces get_ipc_ns() takes nothing, and has no ops. */
	if (IS_ENABLED(CONFIG_IPC_NS))
		ns->ns.ops->put(&ns->ns);
}

/*
 * References to an IPC namespace. 6.18 renamed ns_common's count and gave
 * it an accessor, ns_ref_read(), which is a macro.
 */
static inline int shmdev_ipc_ns_refs(struct ipc_namespace *ns)
{
#ifdef ns_ref_read
	return ns_ref_read(ns);
#else
	return refcount_read(&ns->ns.count);
#endif
}

/* 7.1 turned shmem_file_setup()'s flags into a vma_flags_t bitmap. */
static inline struct file *shmdev_shmem_setup(const char *name, loff_t size)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 1, 0)
	return shmem_file_setup(name, size, VM_NORESERVE);
#else
	return shmem_file_setup(name, size, mk_vma_flags(VMA_NORESERVE_BIT));
#endif
}

/*
 * 6.3 passes inode operations the mount's idmapping, where 6.1 passed its
 * user namespace. The shmdev filesystem is never idmapped: it reads neither.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define shmdev_idmap	user_namespace
#else
#define shmdev_idmap	mnt_idmap
#endif

/* The identity mapping, for notify_change() on our own files. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define shmdev_nop_idmap	(&init_user_ns)
#else
#define shmdev_nop_idmap	(&nop_mnt_idmap)
#endif

/*
 * 6.14 gives ->d_revalidate() the parent and the name it was looked up by,
 * which stays stable while the dentry's own may be changing.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define SHMDEV_D_REVALIDATE_ARGS	struct dentry *dentry, unsigned int flags
#define SHMDEV_D_REVALIDATE_NAME	(&dentry->d_name)
#else
#define SHMDEV_D_REVALIDATE_ARGS	struct inode *dir, const struct qstr *name, \
					struct dentry *dentry, unsigned int flags
#define SHMDEV_D_REVALIDATE_NAME	name
#endif

/* 6.17 hid the superblock's default dentry operations behind a setter. */
static inline void shmdev_set_d_op(struct super_block *sb,
				   const struct dentry_operations *ops)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
	sb->s_d_op = ops;
#else
	set_default_d_op(sb, ops);
#endif
}

/* 6.18 renamed generic_delete_inode(): drop an inode at its last iput(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 18, 0)
#define shmdev_inode_just_drop	generic_delete_inode
#else
#define shmdev_inode_just_drop	inode_just_drop
#endif

/* 6.5 replaced generic_file_splice_read() by copy_splice_read(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define shmdev_splice_read	generic_file_splice_read
#else
#define shmdev_splice_read	copy_splice_read
#endif

/* 6.7 put an inode's times behind accessors. */
static inline void shmdev_inode_init_ts(struct inode *inode)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time(inode);
#else
	simple_inode_init_ts(inode);
#endif
}

#endif /* _SHMDEV_COMPAT_H */
