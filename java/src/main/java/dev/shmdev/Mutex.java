// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A robust shmdev_mutex_t at an offset of a region, as a {@link Lock}.
 *
 * <p>Ownership belongs to the thread that locked it through this region's
 * handle (a Java thread is one OS thread in HotSpot): only that thread may
 * unlock ({@link IllegalMonitorStateException} otherwise, as with
 * {@code ReentrantLock}), and it is not reentrant: locking it again from
 * the owning thread throws {@link IllegalMonitorStateException} (EDEADLK).
 *
 * <p>Robustness belongs to the handle: if the process holding it dies, or
 * closes its region, the next locker gets {@link OwnerDiedException} with
 * the lock held; it repairs the data, calls {@link #consistent()} and
 * unlocks. Unlocking without {@code consistent()} leaves the mutex not
 * recoverable (ENOTRECOVERABLE from every later lock).
 *
 * <p>Waits last {@value Region#SLICE_MS} ms at a time in the module, so
 * that {@link #lockInterruptibly()} and {@link #tryLock(long, TimeUnit)}
 * see {@link Thread#interrupt()} within a slice. Other errors are
 * {@link UncheckedIOException}s whose cause is a {@link ShmdevException}
 * with the errno; {@link IllegalStateException} once the region is closed.
 */
public final class Mutex implements Lock {
    private final Region region;
    private final long off;

    Mutex(Region region, long off) {
        this.region = region;
        this.off = off;
    }

    /** The region this mutex lies in. */
    public Region region() {
        return region;
    }

    /** Its offset in the region. */
    public long offset() {
        return off;
    }

    static RuntimeException error(int ret, String what) {
        if (ret == -ShmdevException.EOWNERDEAD)
            return new OwnerDiedException(what + ": previous owner died; lock held");
        if (ret == -ShmdevException.EDEADLK)
            return new IllegalMonitorStateException(what + ": already held by this thread");
        if (ret == -ShmdevException.EPERM)
            return new IllegalMonitorStateException(what + ": not held by this thread");
        return new UncheckedIOException(ShmdevException.of(ret, what));
    }

    /** Initialise the mutex (once, before anyone uses it; in the region's initialiser). */
    public void init() throws ShmdevException {
        long h = region.enter();
        try {
            region.checkWord(off, 8);
            Shmdev.check(Native.mutex_init(h, off), "mutex_init");
        } finally {
            region.exit();
        }
    }

    /** Destroy the mutex (EBUSY while it is held). */
    public void destroy() throws ShmdevException {
        long h = region.enter();
        try {
            region.checkWord(off, 8);
            Shmdev.check(Native.mutex_destroy(h, off), "mutex_destroy");
        } finally {
            region.exit();
        }
    }

    /* One try of at most @timeoutNs: true when acquired; throws on errors. */
    private boolean attempt(long timeoutNs) {
        long h = region.enter();
        int ret;
        try {
            region.checkWord(off, 8);
            ret = Native.mutex_lock(h, off, timeoutNs);
        } finally {
            region.exit();
        }
        if (ret == 0)
            return true;
        if (ret == -ShmdevException.ETIMEDOUT)
            return false;
        throw error(ret, "mutex_lock");
    }

    /** Lock, waiting as long as it takes; interrupts are left pending, not acted on. */
    @Override
    public void lock() {
        while (!attempt(Region.SLICE_NS))
            ;
    }

    /** Lock, unless the thread is interrupted first (InterruptedException, not locked). */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        for (;;) {
            if (Thread.interrupted())
                throw new InterruptedException();
            if (attempt(Region.SLICE_NS))
                return;
        }
    }

    /** Lock if it is free now. */
    @Override
    public boolean tryLock() {
        long h = region.enter();
        int ret;
        try {
            region.checkWord(off, 8);
            ret = Native.mutex_trylock(h, off);
        } finally {
            region.exit();
        }
        if (ret == 0)
            return true;
        if (ret == -ShmdevException.EBUSY)
            return false;
        throw error(ret, "mutex_trylock");
    }

    /** Lock within the timeout; false when it passed. Interruptible. */
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

    /** Unlock; only the thread that locked may. */
    @Override
    public void unlock() {
        long h = region.enter();
        int ret;
        try {
            region.checkWord(off, 8);
            ret = Native.mutex_unlock(h, off);
        } finally {
            region.exit();
        }
        if (ret != 0)
            throw error(ret, "mutex_unlock");
    }

    /**
     * Mark the mutex consistent again after {@link OwnerDiedException}: the
     * caller, holding it, has repaired what it protects.
     */
    public void consistent() {
        long h = region.enter();
        int ret;
        try {
            region.checkWord(off, 8);
            ret = Native.mutex_consistent(h, off);
        } finally {
            region.exit();
        }
        if (ret != 0)
            throw error(ret, "mutex_consistent");
    }

    /** Not supported: a shared condition lives in the region; see {@link #newCondition(long)}. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("use newCondition(offset)");
    }

    /**
     * The shmdev_cond_t at {@code condOff} of the same region, used with
     * this mutex ({@link SharedCondition#init()} it once).
     */
    public SharedCondition newCondition(long condOff) {
        region.enter();
        try {
            region.checkWord(condOff, 8);
            return new SharedCondition(this, condOff);
        } finally {
            region.exit();
        }
    }

    @Override
    public String toString() {
        return "Mutex[" + region.name() + " @" + off + "]";
    }
}
