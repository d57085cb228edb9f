// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KernelLockTest {
    @BeforeAll
    static void peer() {
        Peer.startEarly();
    }

    @AfterAll
    static void cleanup() {
        T.cleanup();
    }

    /** Two handles share the read lock; the write lock waits for both to let go. */
    @Test
    void readShared() throws Exception {
        String n = T.name("kl");
        try (Region a = Shmdev.open(n, 4096, Shmdev.CREAT, 0600); Region b = Shmdev.open(n);
                Region c = Shmdev.open(n)) {
            ReadWriteLock la = a.kernelLock(3), lb = b.kernelLock(3), lc = c.kernelLock(3);
            assertTrue(la.readLock().tryLock());
            assertTrue(lb.readLock().tryLock());
            assertFalse(lc.writeLock().tryLock());
            la.readLock().unlock();
            lb.readLock().unlock();
            assertTrue(lc.writeLock().tryLock(1, TimeUnit.SECONDS));
            assertFalse(la.readLock().tryLock(150, TimeUnit.MILLISECONDS));
            lc.writeLock().unlock();
        }
    }

    /** The handle owns the lock: a second thread of it asking is IllegalMonitorState (EDEADLK); any thread may unlock. */
    @Test
    void handleOwns() throws Throwable {
        try (Region r = T.create("klown", 4096)) {
            ReadWriteLock l = r.kernelLock(0);
            l.writeLock().lock();
            T.inThread(() -> assertThrows(IllegalMonitorStateException.class, l.writeLock()::tryLock));
            T.inThread(l.writeLock()::unlock);
            assertTrue(l.writeLock().tryLock());
            l.writeLock().unlock();
        }
    }

    /** Unlocking a lock the handle does not hold: IllegalMonitorStateException (EPERM). */
    @Test
    void unlockNotHeld() throws Exception {
        try (Region r = T.create("klperm", 4096)) {
            assertThrows(IllegalMonitorStateException.class, r.kernelLock(1).readLock()::unlock);
        }
    }

    /*
     * The read side does not unlock the write lock (nor the reverse): its
     * unlock is IllegalMonitorStateException, as with ReentrantReadWriteLock,
     * and the exclusive lock stays held.
     */
    @Test
    void unlockOtherSide() throws Exception {
        String n = T.name("klside");
        try (Region a = Shmdev.open(n, 4096, Shmdev.CREAT, 0600); Region b = Shmdev.open(n)) {
            ReadWriteLock l = a.kernelLock(2);
            l.writeLock().lock();
            assertThrows(IllegalMonitorStateException.class, l.readLock()::unlock);
            assertFalse(b.kernelLock(2).readLock().tryLock());
            l.writeLock().unlock();
            l.readLock().lock();
            assertThrows(IllegalMonitorStateException.class, a.kernelLock(2).writeLock()::unlock);
            assertFalse(b.kernelLock(2).writeLock().tryLock());
            l.readLock().unlock();
            assertTrue(b.kernelLock(2).writeLock().tryLock());
            b.kernelLock(2).writeLock().unlock();
        }
    }

    /** Lock 64 is past the module's 64: EINVAL; a negative id is refused at once. */
    @Test
    void badId() throws Exception {
        try (Region r = T.create("klid", 4096)) {
            T.uncheckedErrno(22, r.kernelLock(64).writeLock()::tryLock);
            assertThrows(IllegalArgumentException.class, () -> r.kernelLock(-1));
        }
    }

    /** The write lock through a read-only handle: EACCES; the read lock is allowed. */
    @Test
    void readOnlyHandle() throws Exception {
        String n = T.name("klro");
        Shmdev.create(n, 4096, 0, 0600);
        try (Region r = Shmdev.open(n, 0, Shmdev.RDONLY, 0)) {
            T.uncheckedErrno(13, r.kernelLock(0).writeLock()::tryLock);
            assertTrue(r.kernelLock(0).readLock().tryLock());
            r.kernelLock(0).readLock().unlock();
        }
    }

    /** Closing a region releases its kernel locks: the next writer gets OwnerDied, holding it. */
    @Test
    void closeReleases() throws Throwable {
        String n = T.name("klclose");
        try (Region a = Shmdev.open(n, 4096, Shmdev.CREAT, 0600)) {
            Region b = Shmdev.open(n);
            b.kernelLock(5).writeLock().lock();
            assertFalse(a.kernelLock(5).writeLock().tryLock());
            b.close();
            assertThrows(OwnerDiedException.class, a.kernelLock(5).writeLock()::tryLock);
            T.inThread(() -> assertThrows(IllegalMonitorStateException.class,
                    a.kernelLock(5).writeLock()::tryLock));
            a.kernelLock(5).writeLock().unlock();
        }
    }

    /** newCondition is unsupported on kernel locks. */
    @Test
    void noCondition() throws Exception {
        try (Region r = T.create("klcond", 4096)) {
            assertThrows(UnsupportedOperationException.class, r.kernelLock(0).readLock()::newCondition);
        }
    }
}
