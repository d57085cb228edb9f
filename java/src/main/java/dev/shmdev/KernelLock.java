// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Kernel lock {@code id} of a region (shmdev_lock(3)) as a
 * {@link ReadWriteLock}: the read lock is shared, the write lock exclusive.
 *
 * <p>The owner is the region's handle, not a thread: any thread of it may
 * unlock, and a second thread asking for a lock the handle holds gets
 * {@link IllegalMonitorStateException} (EDEADLK) instead of waiting.
 * Threads that must exclude each other open a region each. Not reentrant,
 * no upgrade or downgrade. The module releases the locks of a handle that
 * goes away; the next writer or reader then gets {@link OwnerDiedException}
 * (with the lock held) if the holder was exclusive. The write lock through
 * a read-only region is EACCES. Other errors are
 * {@link UncheckedIOException}s with a {@link ShmdevException} cause.
 * Unlocking the side the handle does not hold (the read lock while it
 * holds the write lock) is {@link IllegalMonitorStateException}.
 */
public final class KernelLock implements ReadWriteLock {
    private final Region region;
    private final int id;
    private final Side read, write;

    KernelLock(Region region, int id) {
        this.region = region;
        this.id = id;
        this.read = new Side(Shmdev.LOCK_SH);
        this.write = new Side(Shmdev.LOCK_EX);
    }

    /** The lock's number in the region. */
    public int id() {
        return id;
    }

    /** The shared side. */
    @Override
    public Lock readLock() {
        return read;
    }

    /** The exclusive side. */
    @Override
    public Lock writeLock() {
        return write;
    }

    private final class Side implements Lock {
        private final int mode;

        Side(int mode) {
            this.mode = mode;
        }

        private boolean attempt(long ns) {
            long h = region.enter();
            int ret;
            try {
                ret = Native.lock(h, id, mode, ns);
                if (ret == 0 || ret == -ShmdevException.EOWNERDEAD)
                    region.kernelLocked(id, mode);
            } finally {
                region.exit();
            }
            if (ret == 0)
                return true;
            if (ret == -ShmdevException.ETIMEDOUT || ret == -ShmdevException.EINTR)
                return false;
            throw Mutex.error(ret, "lock " + id);
        }

        @Override
        public void lock() {
            while (!attempt(Region.SLICE_NS))
                ;
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            for (;;) {
                if (Thread.interrupted())
                    throw new InterruptedException();
                if (attempt(Region.SLICE_NS))
                    return;
            }
        }

        @Override
        public boolean tryLock() {
            return attempt(0);
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            Region.Deadline d = new Region.Deadline(time, unit);
            for (;;) {
                if (Thread.interrupted())
                    throw new InterruptedException();
                if (attempt(d.slice()))
                    return true;
                if (d.over())
                    return false;
            }
        }

        @Override
        public void unlock() {
            long h = region.enter();
            int ret;
            try {
                if (!region.kernelUnlock(id, mode, false))
                    throw new IllegalMonitorStateException("lock " + id + " is held "
                            + (mode == Shmdev.LOCK_SH ? "exclusive" : "shared") + " by this handle");
                ret = Native.unlock(h, id);
                if (ret == 0)
                    region.kernelUnlock(id, mode, true);
            } finally {
                region.exit();
            }
            if (ret == -ShmdevException.EPERM)
                throw new IllegalMonitorStateException("lock " + id + " is not held by this handle");
            if (ret != 0)
                throw Mutex.error(ret, "unlock " + id);
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("kernel locks have no conditions");
        }
    }
}
