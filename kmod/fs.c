// SPDX-License-Identifier: GPL-2.0
/*
 * The shmdev filesystem: the regions of an IPC namespace as files.
 *
 *   mount -t shmdev none /dev/shm
 *
 * shows the names of the mounter's IPC namespace as regular files in one
 * directory, as the mqueue filesystem shows message queues: one superblock
 * per namespace, keyed by its table (struct shmdev_ns), which every mount
 * made in that namespace shares.
 *
 * The name table in region.c stays the truth: SHMDEV_IOC_ATTACH and
 * SHMDEV_IOC_UNLINK change it without the VFS knowing. So a dentry is
 * checked against it on every lookup (->d_revalidate), a negative one too;
 * and a name removed outside the VFS has the unused dentries of its region
 * pruned (shmdev_fs_prune()), so that a cached dentry never keeps a region
 * that lost its names. An AUTODESTROY region, which lives as long as its
 * users, has no dentry kept once unused.
 *
 * A region has at most one inode at a time, in its namespace's superblock,
 * numbered by the region (r->ino), made on demand and dropped at its last
 * iput(): a region nobody opens or looks up holds no inode, no superblock
 * and no module reference, so a persistent region does not keep the module
 * loaded, as before. The inode holds a reference to its region. Its file
 * locks (flock, fcntl) are therefore the region's.
 *
 * An open file of a region is a handle (main.c), attached from the start:
 * every region ioctl works on it. Its data is the region's shmem file:
 * read and write go to it, and mmap gives the vma the handle's file of the
 * shmem inode, as a handle of /dev/shmdev does (region.c).
 */

#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/ipc_namespace.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "shmdev.h"

#define SHMDEV_ROOT_INO		1

static const struct file_operations shmdev_file_fops;
static const struct inode_operations shmdev_file_iops;
static struct file_system_type shmdev_fs_type;

static struct shmdev_region *shmdev_inode_region(struct inode *inode)
{
	return inode->i_private;
}

/* The region of an open region file: its handle is attached at open. */
static struct shmdev_region *shmdev_file_region(struct file *file)
{
	return shmdev_handle_region(file->private_data);
}

struct shmdev_iget {
	struct shmdev_region *r;
	bool made;
};

static int shmdev_inode_test(struct inode *inode, void *data)
{
	return inode->i_private == ((struct shmdev_iget *)data)->r;
}

static int shmdev_inode_set(struct inode *inode, void *data)
{
	struct shmdev_iget *ig = data;

	inode->i_private = ig->r;
	ig->made = true;
	return 0;
}

/*
 * The inode of @r in @sb, @r's namespace's superblock: the one there is,
 * or a new one holding a reference to @r.
 */
static struct inode *shmdev_region_iget(struct super_block *sb,
					struct shmdev_region *r)
{
	struct shmdev_iget ig = { .r = r };
	struct inode *inode;

	inode = iget5_locked(sb, r->ino, shmdev_inode_test, shmdev_inode_set,
			     &ig);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!ig.made)
		return inode;
	kref_get(&r->ref);
	inode->i_ino = r->ino;
	inode->i_mode = S_IFREG | READ_ONCE(r->mode);
	inode->i_uid = READ_ONCE(r->uid);
	inode->i_gid = READ_ONCE(r->gid);
	inode->i_op = &shmdev_file_iops;
	inode->i_fop = &shmdev_file_fops;
	set_nlink(inode, READ_ONCE(r->nlink));
	shmdev_inode_init_ts(inode);
	shmdev_region_set_inode(r, inode, true);
	unlock_new_inode(inode);
	return inode;
}

static void shmdev_evict_inode(struct inode *inode)
{
	struct shmdev_region *r = shmdev_inode_region(inode);

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (S_ISREG(inode->i_mode) && r) {
		shmdev_region_set_inode(r, inode, false);
		shmdev_region_put_async(r);
	}
}

/*
 * Blocks are pages: the module's max_total_bytes in all, what is left of
 * it free, and of that what the caller's max_user_bytes leaves available.
 * Files are names and regions: max_regions of each per namespace.
 */
static int shmdev_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	buf->f_type = SHMDEV_SUPER_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_frsize = PAGE_SIZE;
	buf->f_namelen = SHMDEV_NAME_MAX;
	shmdev_region_statfs(dentry->d_sb->s_fs_info, buf);
	return 0;
}

static const struct super_operations shmdev_sops = {
	.statfs		= shmdev_statfs,
	.drop_inode	= shmdev_inode_just_drop,
	.evict_inode	= shmdev_evict_inode,
};

/*
 * Does the dentry still name what it named? The table may have changed
 * under it through the ioctls. A negative dentry is never trusted.
 */
static int shmdev_d_revalidate(SHMDEV_D_REVALIDATE_ARGS)
{
	const struct qstr *qname = SHMDEV_D_REVALIDATE_NAME;
	struct inode *inode;

	if (flags & LOOKUP_RCU)
		return -ECHILD;
	inode = d_inode(dentry);
	if (!inode)
		return !shmdev_name_taken(dentry->d_sb->s_fs_info, qname->name,
					  qname->len);
	if (!S_ISREG(inode->i_mode))
		return 1;
	return shmdev_region_names(shmdev_inode_region(inode), qname->name,
				   qname->len);
}

/*
 * Keep an unused dentry, unless its region is one whose lifetime is its
 * users' (AUTODESTROY) or one without a name left: the dentry's inode holds
 * a reference to the region.
 */
static int shmdev_d_delete(const struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct shmdev_region *r;

	if (!inode || !S_ISREG(inode->i_mode))
		return 0;
	r = shmdev_inode_region(inode);
	return (r->flags & SHMDEV_AUTODESTROY) || !READ_ONCE(r->nlink);
}

/**
 * shmdev_fs_prune - drop the unused dentries of @r
 * @r: a region that lost a name outside the VFS; the caller holds a
 *     reference to it, and no lock
 *
 * What a cached dentry kept of it (its inode, and through it a reference
 * to the region) goes with them.
 */
void shmdev_fs_prune(struct shmdev_region *r)
{
	struct super_block *sb;
	struct inode *inode = shmdev_region_igrab(r, &sb);

	if (!inode)
		return;
	d_prune_aliases(inode);
	iput(inode);
	deactivate_super(sb);
}

static const struct dentry_operations shmdev_dops = {
	.d_revalidate	= shmdev_d_revalidate,
	.d_delete	= shmdev_d_delete,
};

/* The directory */

static struct dentry *shmdev_lookup(struct inode *dir, struct dentry *dentry,
				    unsigned int flags)
{
	struct shmdev_ns *ns = dir->i_sb->s_fs_info;
	struct inode *inode = NULL;
	struct shmdev_region *r;

	if (dentry->d_name.len > SHMDEV_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	r = shmdev_region_lookup(ns, dentry->d_name.name, dentry->d_name.len);
	if (r) {
		inode = shmdev_region_iget(dir->i_sb, r);
		shmdev_region_put(r);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}
	return d_splice_alias(inode, dentry);
}

/* open(O_CREAT): a region of size 0, as shm_open() makes. */
static int shmdev_create(struct shmdev_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, bool excl)
{
	struct shmdev_ns *ns = dir->i_sb->s_fs_info;
	struct shmdev_region *r;
	struct inode *inode;

	if (dentry->d_name.len > SHMDEV_NAME_MAX)
		return -ENAMETOOLONG;
	r = shmdev_region_create(ns, dentry->d_name.name, dentry->d_name.len,
				 mode);
	if (IS_ERR(r))
		return PTR_ERR(r);
	inode = shmdev_region_iget(dir->i_sb, r);
	if (IS_ERR(inode))
		shmdev_region_uncreate(r);
	shmdev_region_put(r);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	d_instantiate(dentry, inode);
	return 0;
}

/* link(): one more name, for the same region (glibc's sem_open() links). */
static int shmdev_link(struct dentry *old_dentry, struct inode *dir,
		       struct dentry *dentry)
{
	struct inode *inode = d_inode(old_dentry);
	int ret;

	if (dentry->d_name.len > SHMDEV_NAME_MAX)
		return -ENAMETOOLONG;
	ret = shmdev_region_link(shmdev_inode_region(inode),
				 dentry->d_name.name, dentry->d_name.len);
	if (ret)
		return ret;
	set_nlink(inode, READ_ONCE(shmdev_inode_region(inode)->nlink));
	ihold(inode);
	d_instantiate(dentry, inode);
	return 0;
}

static int shmdev_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	int ret;

	ret = shmdev_region_unlink_region(shmdev_inode_region(inode),
					  dentry->d_name.name,
					  dentry->d_name.len);
	if (ret)
		return ret;
	/* The VFS links again only an inode whose i_nlink is not 0. */
	set_nlink(inode, READ_ONCE(shmdev_inode_region(inode)->nlink));
	return 0;
}

static const struct inode_operations shmdev_dir_iops = {
	.lookup		= shmdev_lookup,
	.create		= shmdev_create,
	.link		= shmdev_link,
	.unlink		= shmdev_unlink,
};

/* Names in the table's order; the position is an index into it. */
static int shmdev_readdir(struct file *file, struct dir_context *ctx)
{
	struct shmdev_ns *ns = file_inode(file)->i_sb->s_fs_info;
	unsigned int len;
	char *name;
	u64 ino;

	if (!dir_emit_dots(file, ctx))
		return 0;
	name = kmalloc(SHMDEV_NAME_MAX, GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	/* One name at a time: nothing is copied out under the table's lock. */
	while (!shmdev_region_next(ns, ctx->pos - 2, name, &len, &ino)) {
		if (!dir_emit(ctx, name, len, ino, DT_REG))
			break;
		ctx->pos++;
	}
	kfree(name);
	return 0;
}

static const struct file_operations shmdev_dir_fops = {
	.read		= generic_read_dir,
	.iterate_shared	= shmdev_readdir,
	.llseek		= generic_file_llseek,
};

/* Region files */

/*
 * As the region's permission bits say, with CAP_IPC_OWNER in the
 * namespace's user namespace for the rest, as for SHMDEV_IOC_ATTACH.
 * Nothing is executed from a region.
 */
static int shmdev_permission(struct shmdev_idmap *idmap, struct inode *inode,
			     int mask)
{
	if (mask & MAY_EXEC)
		return -EACCES;
	return shmdev_region_perm(shmdev_inode_region(inode),
				  mask & (MAY_READ | MAY_WRITE));
}

static int shmdev_getattr(struct shmdev_idmap *idmap, const struct path *path,
			  struct kstat *stat, u32 request_mask,
			  unsigned int query_flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct shmdev_region *r = shmdev_inode_region(inode);
	u64 ctime = READ_ONCE(r->ctime), atime = READ_ONCE(r->atime);

	stat->dev = inode->i_sb->s_dev;
	stat->ino = inode->i_ino;
	stat->mode = S_IFREG | READ_ONCE(r->mode);
	stat->nlink = READ_ONCE(r->nlink);
	stat->uid = READ_ONCE(r->uid);
	stat->gid = READ_ONCE(r->gid);
	stat->rdev = 0;
	stat->size = shmdev_region_length(r);
	stat->atime = ns_to_timespec64(atime ? atime : ctime);
	stat->mtime = ns_to_timespec64(ctime);
	stat->ctime = ns_to_timespec64(ctime);
	stat->blksize = PAGE_SIZE;
	stat->blocks = (u64)READ_ONCE(r->file->f_mapping->nrpages) <<
		       (PAGE_SHIFT - 9);
	return 0;
}

/*
 * chmod, chown, truncate. Times are the region's own (creation, size and
 * attribute changes, attaches), so utimes() is accepted and changes nothing.
 */
static int shmdev_setattr(struct shmdev_idmap *idmap, struct dentry *dentry,
			  struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct shmdev_region *r = shmdev_inode_region(inode);
	unsigned int valid = attr->ia_valid;
	int ret;

	if (valid & (ATTR_MODE | ATTR_UID | ATTR_GID)) {
		ret = shmdev_region_chattr(r, valid & ATTR_MODE, attr->ia_mode,
					   valid & ATTR_UID,
					   vfsuid_into_kuid(attr->ia_vfsuid),
					   valid & ATTR_GID,
					   vfsgid_into_kgid(attr->ia_vfsgid));
		if (ret)
			return ret;
		inode->i_mode = S_IFREG | READ_ONCE(r->mode);
		inode->i_uid = READ_ONCE(r->uid);
		inode->i_gid = READ_ONCE(r->gid);
	}
	if (valid & ATTR_SIZE)
		return shmdev_region_truncate(r, attr->ia_size);
	return 0;
}

static const struct inode_operations shmdev_file_iops = {
	.permission	= shmdev_permission,
	.getattr	= shmdev_getattr,
	.setattr	= shmdev_setattr,
};

/* An open file of a region is a handle of it, with the file's mode. */
static int shmdev_file_open(struct inode *inode, struct file *file)
{
	struct shmdev_region *r = shmdev_inode_region(inode);
	struct shmdev_handle *h = shmdev_handle_new();

	if (IS_ERR(h))
		return PTR_ERR(h);
	kref_get(&r->ref);
	atomic_inc(&r->handles);
	shmdev_handle_attached(h, r, !(file->f_mode & FMODE_WRITE));
	file->private_data = h;
	return 0;
}

/* The region's shmem file, at the caller's position and with its flags. */
static void shmdev_file_kiocb(struct kiocb *k, struct shmdev_region *r,
			      const struct kiocb *iocb)
{
	init_sync_kiocb(k, r->file);
	k->ki_pos = iocb->ki_pos;
	k->ki_flags |= iocb->ki_flags & (IOCB_APPEND | IOCB_NOWAIT);
}

static ssize_t shmdev_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct shmdev_region *r = shmdev_file_region(iocb->ki_filp);
	struct kiocb k;
	ssize_t ret;

	shmdev_file_kiocb(&k, r, iocb);
	ret = r->file->f_op->read_iter(&k, to);
	iocb->ki_pos = k.ki_pos;
	return ret;
}

/*
 * A write past the end makes the region longer: the pages it needs are
 * charged before anything is written, so a limit gives -ENOSPC or -EFBIG
 * here, as for ftruncate(), and never a SIGBUS later.
 */
static ssize_t shmdev_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct shmdev_region *r = shmdev_file_region(iocb->ki_filp);
	size_t count = iov_iter_count(from);
	struct kiocb k;
	ssize_t ret;
	u64 pos;

	if (!count)
		return 0;
	pos = iocb->ki_flags & IOCB_APPEND ? shmdev_region_length(r) :
					     iocb->ki_pos;
	ret = shmdev_region_write_begin(r, pos + count);
	if (ret)
		return ret;
	shmdev_file_kiocb(&k, r, iocb);
	ret = r->file->f_op->write_iter(&k, from);
	iocb->ki_pos = k.ki_pos;
	shmdev_region_write_end(r);
	return ret;
}

static loff_t shmdev_file_llseek(struct file *file, loff_t offset, int whence)
{
	return generic_file_llseek_size(file, offset, whence, MAX_LFS_FILESIZE,
					shmdev_region_length(shmdev_file_region(file)));
}

/*
 * Mode 0 and FALLOC_FL_KEEP_SIZE allocate, as SHMDEV_POPULATE does;
 * punching a hole frees pages. The rest is not for shared memory.
 */
static long shmdev_file_fallocate(struct file *file, int mode, loff_t offset,
				  loff_t len)
{
	struct shmdev_region *r = shmdev_file_region(file);

	if (mode & FALLOC_FL_PUNCH_HOLE)
		return shmdev_region_punch(r, mode, offset, len);
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	return shmdev_region_allocate(r, mode, offset, len);
}

static const struct file_operations shmdev_file_fops = {
	.owner		= THIS_MODULE,
	.open		= shmdev_file_open,
	.release	= shmdev_handle_release,
	.read_iter	= shmdev_file_read_iter,
	.write_iter	= shmdev_file_write_iter,
	.llseek		= shmdev_file_llseek,
	.mmap		= shmdev_handle_mmap,
	.poll		= shmdev_handle_poll,
	.unlocked_ioctl	= shmdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.fallocate	= shmdev_file_fallocate,
	.fsync		= noop_fsync,
	/* sendfile(), splice(), copy_file_range(): through read_iter and write_iter. */
	.splice_read	= shmdev_splice_read,
	.splice_write	= iter_file_splice_write,
};

/* The superblock of a namespace */

/**
 * struct shmdev_fs_context - a mount being set up
 * @ns:		the namespace it shows, referenced
 * @mode:	the directory's permission bits (mode=, default 01777)
 * @uid:	its owner (uid=, default root of the namespace's user namespace)
 * @gid:	its group (gid=, default root's group there)
 * @set:	the options given, (1 << Opt_*)
 */
struct shmdev_fs_context {
	struct shmdev_ns *ns;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	unsigned int set;
};

enum { Opt_mode, Opt_uid, Opt_gid };

static const struct fs_parameter_spec shmdev_fs_parameters[] = {
	fsparam_u32oct("mode", Opt_mode),
	fsparam_u32("uid", Opt_uid),
	fsparam_u32("gid", Opt_gid),
	{}
};

static int shmdev_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct shmdev_fs_context *ctx = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, shmdev_fs_parameters, param, &result);
	if (opt < 0)
		return opt;
	ctx->set |= 1U << opt;
	switch (opt) {
	case Opt_mode:
		ctx->mode = result.uint_32 & 07777;
		break;
	case Opt_uid:
		ctx->uid = make_kuid(current_user_ns(), result.uint_32);
		if (!uid_valid(ctx->uid))
			return invalfc(fc, "uid %u is not mapped", result.uint_32);
		break;
	case Opt_gid:
		ctx->gid = make_kgid(current_user_ns(), result.uint_32);
		if (!gid_valid(ctx->gid))
			return invalfc(fc, "gid %u is not mapped", result.uint_32);
		break;
	}
	return 0;
}

static int shmdev_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct shmdev_fs_context *ctx = fc->fs_private;
	struct inode *root;

	/* The superblock's own reference; sb->s_fs_info is ctx->ns. */
	if (WARN_ON_ONCE(shmdev_ns_get(ctx->ns->ipc_ns) != ctx->ns))
		return -EINVAL;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = SHMDEV_SUPER_MAGIC;
	sb->s_op = &shmdev_sops;
	sb->s_time_gran = 1;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	shmdev_set_d_op(sb, &shmdev_dops);

	root = new_inode(sb);
	if (!root)
		return -ENOMEM;
	root->i_ino = SHMDEV_ROOT_INO;
	root->i_mode = S_IFDIR | ctx->mode;
	root->i_uid = ctx->uid;
	root->i_gid = ctx->gid;
	root->i_op = &shmdev_dir_iops;
	root->i_fop = &shmdev_dir_fops;
	set_nlink(root, 2);
	shmdev_inode_init_ts(root);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

/*
 * All mounts of a namespace share its superblock: options given to one
 * (by a mounter CAP_SYS_ADMIN over the namespace) set the directory's
 * owner and mode for all, as a remount would.
 */
static int shmdev_get_tree(struct fs_context *fc)
{
	struct shmdev_fs_context *ctx = fc->fs_private;
	struct inode *root;
	int ret;

	ret = get_tree_keyed(fc, shmdev_fill_super, ctx->ns);
	if (ret || !ctx->set)
		return ret;
	root = d_inode(fc->root);
	inode_lock(root);
	if (ctx->set & (1U << Opt_mode))
		root->i_mode = S_IFDIR | ctx->mode;
	if (ctx->set & (1U << Opt_uid))
		root->i_uid = ctx->uid;
	if (ctx->set & (1U << Opt_gid))
		root->i_gid = ctx->gid;
	inode_unlock(root);
	return 0;
}

static void shmdev_fs_context_free(struct fs_context *fc)
{
	struct shmdev_fs_context *ctx = fc->fs_private;

	if (ctx->ns)
		shmdev_ns_put(ctx->ns);
	kfree(ctx);
}

static const struct fs_context_operations shmdev_fs_context_ops = {
	.free		= shmdev_fs_context_free,
	.parse_param	= shmdev_parse_param,
	.get_tree	= shmdev_get_tree,
};

/*
 * A mount of the mounter's IPC namespace, permitted to CAP_SYS_ADMIN in the
 * user namespace that owns it, as mqueue is.
 */
static int shmdev_init_fs_context(struct fs_context *fc)
{
	struct shmdev_fs_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->ns = shmdev_ns_get(current->nsproxy->ipc_ns);
	if (!ctx->ns) {
		kfree(ctx);
		return -ENOMEM;
	}
	/*
	 * Not the mounter's: whoever first makes the superblock, maybe any
	 * user through SHMDEV_FILE, must not own everyone's directory.
	 */
	ctx->mode = 01777;
	ctx->uid = make_kuid(ctx->ns->ipc_ns->user_ns, 0);
	ctx->gid = make_kgid(ctx->ns->ipc_ns->user_ns, 0);
	if (!uid_valid(ctx->uid))
		ctx->uid = ctx->ns->ipc_ns->user_ns->owner;
	if (!gid_valid(ctx->gid))
		ctx->gid = ctx->ns->ipc_ns->user_ns->group;
	fc->fs_private = ctx;
	fc->ops = &shmdev_fs_context_ops;
	put_user_ns(fc->user_ns);
	fc->user_ns = get_user_ns(ctx->ns->ipc_ns->user_ns);
	return 0;
}

static void shmdev_kill_sb(struct super_block *sb)
{
	struct shmdev_ns *ns = sb->s_fs_info;

	kill_anon_super(sb);
	shmdev_ns_put(ns);
}

static struct file_system_type shmdev_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "shmdev",
	.init_fs_context	= shmdev_init_fs_context,
	.parameters		= shmdev_fs_parameters,
	.kill_sb		= shmdev_kill_sb,
	.fs_flags		= FS_USERNS_MOUNT,
};

/*
 * Have the dentry of a file of a region freed after an RCU grace period.
 *
 * alloc_file_pseudo() makes its dentry DCACHE_NORCU, freed at once, for an
 * inode nothing else reaches. A region's inode is also its names', and
 * d_prune_aliases() (shmdev_fs_prune()) and d_find_any_alias() (a
 * getxattr() of "security.capability") walk all its aliases. On 6.12 the
 * last dput() of the file's dentry drops it to 0 and may then wait for the
 * inode's i_lock under rcu_read_lock() alone:
 *
 *	close()				SHMDEV_IOC_UNLINK
 *	__fput() dput()
 *	  count 1 -> 0			d_prune_aliases()
 *	  lock_for_kill()		  spin_lock(i_lock)
 *	    spin_unlock(d_lock)		  count 0: to the shrink list
 *	    spin_lock(i_lock) ...	  spin_unlock(i_lock)
 *					  __dentry_kill(): freed at once
 *	    spin_lock(d_lock): use after free
 *
 * Freed after a grace period, as a name's dentry is, it outlives that
 * read-side section, and the VFS's own checks settle who kills it.
 */
static void shmdev_fs_rcu_dentry(struct dentry *dentry)
{
	spin_lock(&dentry->d_lock);
	dentry->d_flags &= ~DCACHE_NORCU;
	spin_unlock(&dentry->d_lock);
}

/**
 * shmdev_fs_open - a new open file of @r, for SHMDEV_FILE
 * @r: the region
 * @h: the handle the file is to be, attached to @r; the file owns it
 *
 * The file is on an internal mount of @r's namespace's superblock, so it
 * is the same inode as its name's there, and what open(2) of that name
 * would give.
 *
 * Return: the file, or an ERR_PTR.
 */
struct file *shmdev_fs_open(struct shmdev_region *r, struct shmdev_handle *h)
{
	struct shmdev_fs_context *ctx;
	struct fs_context *fc;
	struct vfsmount *mnt;
	struct inode *inode;
	struct file *file;

	fc = fs_context_for_mount(&shmdev_fs_type, SB_KERNMOUNT);
	if (IS_ERR(fc))
		return ERR_CAST(fc);
	ctx = fc->fs_private;
	if (ctx->ns != r->ns) {
		/* A region of another namespace (an fd passed in, unlinked). */
		put_fs_context(fc);
		return ERR_PTR(-EXDEV);
	}
	mnt = fc_mount(fc);
	put_fs_context(fc);
	if (IS_ERR(mnt))
		return ERR_CAST(mnt);

	inode = shmdev_region_iget(mnt->mnt_sb, r);
	if (IS_ERR(inode)) {
		file = ERR_CAST(inode);
		goto out_mnt;
	}
	/* __fput() drops it with fops_put(), after ->release. */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, mnt, r->name,
				 (h->rdonly ? O_RDONLY : O_RDWR) | O_LARGEFILE,
				 &shmdev_file_fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(THIS_MODULE);
		goto out_mnt;
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE |
			FMODE_ATOMIC_POS;
	file->private_data = h;
	shmdev_fs_rcu_dentry(file->f_path.dentry);
out_mnt:
	mntput(mnt);
	return file;
}

int shmdev_fs_init(void)
{
	return register_filesystem(&shmdev_fs_type);
}

void shmdev_fs_exit(void)
{
	unregister_filesystem(&shmdev_fs_type);
}
