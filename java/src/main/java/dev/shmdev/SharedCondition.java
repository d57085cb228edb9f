// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.UncheckedIOException;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A shmdev_cond_t in a region, bound to a {@link Mutex} of the same region,
 * as a {@link Condition}: the caller holds the mutex around every await and
 * tests its predicate in a loop, as with any {@code Condition}.
 *
 * <p>A wait sleeps in the module for at most {@value Region#SLICE_MS} ms
 * and then returns as a spurious wake-up (with the mutex held again), so
 * that an interrupt or a close is seen: {@code await()} may return with
 * the predicate still false, which the caller's loop handles. If taking
 * the mutex again finds its owner died, {@link OwnerDiedException} is
 * thrown with the mutex held.
 */
public final class SharedCondition implements Condition {
    private final Mutex mutex;
    private final long off;

    SharedCondition(Mutex mutex, long off) {
        this.mutex = mutex;
        this.off = off;
    }

    /** Its offset in the region. */
    public long offset() {
        return off;
    }

    private long op(int which) {
        Region r = mutex.region();
        long h = r.enter();
        try {
            r.checkWord(off, 8);
            switch (which) {
            case 0: return Native.cond_init(h, off);
            case 1: return Native.cond_signal(h, off);
            default: return Native.cond_broadcast(h, off);
            }
        } finally {
            r.exit();
        }
    }

    /** Initialise the condition (once, in the region's initialiser). */
    public void init() throws ShmdevException {
        Shmdev.check(op(0), "cond_init");
    }

    /*
     * One wait of at most @ns: true when woken, false when the slice passed.
     * The mutex is taken again outside the native wait, in slices as by
     * Mutex.lock(), so that a close by the thread holding it is not blocked
     * by this relock; the relock's errors win over the wait's.
     */
    private boolean waitOnce(long ns) {
        Region r = mutex.region();
        long h = r.enter();
        int ret;
        try {
            r.checkWord(off, 8);
            r.checkWord(mutex.offset(), 8);
            ret = Native.cond_waitUnlocked(h, off, mutex.offset(), ns, r.writable());
        } finally {
            r.exit();
        }
        if (ret < 0)                    /* the mutex was not unlocked */
            throw Mutex.error(ret, "cond_wait");
        mutex.lock();
        if (ret == 0)
            return true;
        if (ret == ShmdevException.ETIMEDOUT)
            return false;
        throw Mutex.error(-ret, "cond_wait");
    }

    @Override
    public void await() throws InterruptedException {
        if (Thread.interrupted())
            throw new InterruptedException();
        waitOnce(Region.SLICE_NS);
        if (Thread.interrupted())
            throw new InterruptedException();
    }

    @Override
    public void awaitUninterruptibly() {
        waitOnce(Region.SLICE_NS);
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        if (Thread.interrupted())
            throw new InterruptedException();
        long start = System.nanoTime();
        if (nanosTimeout > 0)
            waitOnce(Math.min(nanosTimeout, Region.SLICE_NS));
        if (Thread.interrupted())
            throw new InterruptedException();
        return nanosTimeout - (System.nanoTime() - start);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos(unit.toNanos(time)) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return await(deadline.getTime() - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    /** Wake one waiter. */
    @Override
    public void signal() {
        long ret = op(1);
        if (ret < 0)
            throw new UncheckedIOException(ShmdevException.of(ret, "cond_signal"));
    }

    /** Wake every waiter. */
    @Override
    public void signalAll() {
        long ret = op(2);
        if (ret < 0)
            throw new UncheckedIOException(ShmdevException.of(ret, "cond_broadcast"));
    }
}
