// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MutexTest {
    @BeforeAll
    static void peer() {
        Peer.startEarly();
    }

    @AfterAll
    static void cleanup() {
        T.cleanup();
    }

    private static Mutex fresh(Region r) throws ShmdevException {
        Mutex m = r.mutex(0);
        m.init();
        return m;
    }

    /** Another thread's tryLock fails while the mutex is held, succeeds once it is unlocked. */
    @Test
    void excludesThreads() throws Throwable {
        try (Region r = T.create("mx", 4096)) {
            Mutex m = fresh(r);
            m.lock();
            T.inThread(() -> assertFalse(m.tryLock()));
            m.unlock();
            T.inThread(() -> {
                assertTrue(m.tryLock());
                m.unlock();
            });
        }
    }

    /** Unlock from a thread that does not own it: IllegalMonitorStateException (EPERM). */
    @Test
    void unlockByOtherThread() throws Throwable {
        try (Region r = T.create("mxperm", 4096)) {
            Mutex m = fresh(r);
            m.lock();
            T.inThread(() -> assertThrows(IllegalMonitorStateException.class, m::unlock));
            m.unlock();
            assertThrows(IllegalMonitorStateException.class, m::unlock);
        }
    }

    /** Locking again from the owner: IllegalMonitorStateException (EDEADLK), not a hang. */
    @Test
    void notReentrant() throws Exception {
        try (Region r = T.create("mxdead", 4096)) {
            Mutex m = fresh(r);
            m.lock();
            assertThrows(IllegalMonitorStateException.class, m::lock);
            m.unlock();
        }
    }

    /** tryLock with a timeout returns false after about that time when the mutex stays held. */
    @Test
    void tryLockTimeout() throws Throwable {
        try (Region r = T.create("mxto", 4096)) {
            Mutex m = fresh(r);
            m.lock();
            T.inThread(() -> {
                long t0 = System.nanoTime();
                assertFalse(m.tryLock(250, TimeUnit.MILLISECONDS));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 250, "returned after " + ms + " ms");
                assertFalse(m.tryLock(-5, TimeUnit.SECONDS));
                assertFalse(m.tryLock(0, TimeUnit.SECONDS));
            });
            m.unlock();
        }
    }

    /** lockInterruptibly of a held mutex ends with InterruptedException when interrupted. */
    @Test
    void lockInterruptibly() throws Exception {
        try (Region r = T.create("mxintr", 4096)) {
            Mutex m = fresh(r);
            m.lock();
            AtomicReference<Throwable> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    m.lockInterruptibly();
                    got.set(new AssertionError("locked"));
                } catch (Throwable x) {
                    got.set(x);
                }
            });
            t.start();
            Thread.sleep(150);
            t.interrupt();
            t.join(5000);
            assertFalse(t.isAlive());
            assertEquals(InterruptedException.class, got.get().getClass());
            m.unlock();
        }
    }

    /** A pending interrupt does not stop lock() (uninterruptible), and stays pending. */
    @Test
    void lockIgnoresInterrupt() throws Exception {
        try (Region r = T.create("mxlock", 4096)) {
            Mutex m = fresh(r);
            Thread.currentThread().interrupt();
            m.lock();
            assertTrue(Thread.interrupted());
            m.unlock();
        }
    }

    /**
     * A holder whose handle goes away: the next locker gets
     * OwnerDiedException holding the lock; after consistent() it works again.
     */
    @Test
    void ownerDied() throws Throwable {
        String n = T.name("mxdied");
        try (Region r = Shmdev.open(n, 4096, Shmdev.CREAT, 0600)) {
            Mutex m = fresh(r);
            T.inThread(() -> {
                Region other = Shmdev.open(n);
                other.mutex(0).lock();
                other.close();
            });
            assertThrows(OwnerDiedException.class, m::lock);
            T.inThread(() -> assertFalse(m.tryLock()));
            m.consistent();
            m.unlock();
            m.lock();
            m.unlock();
        }
    }

    /** Unlocking after an owner died without consistent(): ENOTRECOVERABLE for everyone after. */
    @Test
    void notRecoverable() throws Throwable {
        String n = T.name("mxnr");
        try (Region r = Shmdev.open(n, 4096, Shmdev.CREAT, 0600)) {
            Mutex m = fresh(r);
            T.inThread(() -> {
                Region other = Shmdev.open(n);
                other.mutex(0).lock();
                other.close();
            });
            assertThrows(OwnerDiedException.class, m::tryLock);
            m.unlock();
            T.uncheckedErrno(131, m::lock);
        }
    }

    /** consistent() on a mutex that is not in the owner-died state: EINVAL. */
    @Test
    void consistentWhenNotDied() throws Exception {
        try (Region r = T.create("mxcons", 4096)) {
            Mutex m = fresh(r);
            m.lock();
            T.uncheckedErrno(22, m::consistent);
            m.unlock();
        }
    }

    /** A mutex never initialised: EINVAL; destroy of a held one: EBUSY; after destroy EINVAL. */
    @Test
    void initAndDestroy() throws Exception {
        try (Region r = T.create("mxinit", 4096)) {
            T.uncheckedErrno(22, () -> r.mutex(8).lock());
            Mutex m = fresh(r);
            m.lock();
            T.errno(ShmdevException.class, 16, m::destroy);
            m.unlock();
            m.destroy();
            T.uncheckedErrno(22, m::tryLock);
        }
    }

    /** Lock.newCondition() is unsupported: conditions live at an offset of the region. */
    @Test
    void plainNewCondition() throws Exception {
        try (Region r = T.create("mxcond0", 4096)) {
            assertThrows(UnsupportedOperationException.class, () -> fresh(r).newCondition());
        }
    }

    /** signalAll wakes a thread waiting on the condition, which sees the predicate. */
    @Test
    void conditionWakes() throws Throwable {
        try (Region r = T.create("mxcond", 4096)) {
            Mutex m = fresh(r);
            SharedCondition c = m.newCondition(8);
            c.init();
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Throwable> err = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    m.lock();
                    try {
                        waiting.countDown();
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while (r.buffer().getInt(16) == 0 && System.nanoTime() < deadline)
                            c.await();
                        assertEquals(1, r.buffer().getInt(16));
                    } finally {
                        m.unlock();
                    }
                } catch (Throwable x) {
                    err.set(x);
                }
            });
            t.start();
            waiting.await();
            m.lock();
            r.buffer().putInt(16, 1);
            c.signalAll();
            m.unlock();
            t.join();
            if (err.get() != null)
                throw err.get();
        }
    }

    /*
     * close() by the thread holding the mutex returns while another thread
     * waits on a condition of it: the waiter's relock lets close in between
     * slices (it relocked inside the call, for ever, holding the region
     * open: close waited for it and it for the mutex that close releases).
     */
    @Test
    void closeWhileHolderAndWaiter() throws Throwable {
        Region r = T.create("mxcondclose", 4096);
        Mutex m = fresh(r);
        SharedCondition c = m.newCondition(8);
        c.init();
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread w = new Thread(() -> {
            try {
                m.lock();
                waiting.countDown();
                for (;;)
                    c.awaitUninterruptibly();
            } catch (Throwable x) {
                err.set(x);
            }
        });
        w.setDaemon(true);
        w.start();
        waiting.await();
        Thread closer = new Thread(() -> {
            m.lock();               /* the waiter relocks after its slice: held here */
            try {
                Thread.sleep(3 * Region.SLICE_MS);
            } catch (InterruptedException e) {
                return;
            }
            r.close();
        });
        closer.setDaemon(true);
        closer.start();
        closer.join(5000);
        assertFalse(closer.isAlive(), "close deadlocked with the waiter's relock");
        w.join(5000);
        assertTrue(err.get() instanceof IllegalStateException, String.valueOf(err.get()));
    }

    /** await without holding the mutex: IllegalMonitorStateException (EPERM). */
    @Test
    void awaitUnlocked() throws Exception {
        try (Region r = T.create("mxcondperm", 4096)) {
            Mutex m = fresh(r);
            SharedCondition c = m.newCondition(8);
            c.init();
            assertThrows(IllegalMonitorStateException.class, c::await);
        }
    }

    /** await(time) with nobody signalling returns false once the time passed, mutex held. */
    @Test
    void awaitTimeout() throws Throwable {
        try (Region r = T.create("mxcondto", 4096)) {
            Mutex m = fresh(r);
            SharedCondition c = m.newCondition(8);
            c.init();
            m.lock();
            long deadline = System.nanoTime() + 300_000_000L;
            long left;
            while ((left = deadline - System.nanoTime()) > 0)
                c.awaitNanos(left);
            assertFalse(c.await(0, TimeUnit.SECONDS));
            T.inThread(() -> assertFalse(m.tryLock()));
            m.unlock();
        }
    }
}
