// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The classic two-process scenario: a writer fills 64 KiB of a region with
 * random bytes and stores their SHA-1 after them; a checker copies both out
 * and compares. Under a lock (a shmdev Mutex, or the compare-and-swap spin
 * lock on the mapped buffer) the checker sees no mismatch; without one it
 * sees torn copies.
 *
 * Layout: Mutex at 0, spin-lock word at 8, generation (writes done) at 16,
 * the checker's count of copies at 20,
 * data at DATA, the SHA-1 at DATA + LEN.
 */
final class Sha {
    static final int SPIN = 8, GEN = 16, SEEN = 20, DATA = 4096, LEN = 65536, SIZE = DATA + LEN + 4096;

    /*
     * A view of the mapped buffer as ints, for atomic access: the legal
     * form of the compare-and-swap spin lock (no Unsafe, no address). The
     * word must be 4-byte aligned in memory, which the page-aligned mapping
     * and an offset that is a multiple of 4 give; otherwise the VarHandle
     * throws IllegalStateException rather than tearing.
     */
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    enum Mode { MUTEX, SPIN, NONE }

    private Sha() {
    }

    static void spinLock(ByteBuffer b, int off) {
        int spins = 0;
        while (!INT.compareAndSet(b, off, 0, 1)) {
            if (++spins % 64 == 0)
                Thread.yield();
            else
                Thread.onSpinWait();
        }
    }

    static void spinUnlock(ByteBuffer b, int off) {
        INT.setRelease(b, off, 0);
    }

    static void acquire(Mode mode, Mutex m, ByteBuffer b) {
        if (mode == Mode.MUTEX)
            m.lock();
        else if (mode == Mode.SPIN)
            spinLock(b, SPIN);
    }

    static void release(Mode mode, Mutex m, ByteBuffer b) {
        if (mode == Mode.MUTEX)
            m.unlock();
        else if (mode == Mode.SPIN)
            spinUnlock(b, SPIN);
    }

    /*
     * Run the writer's and the checker's computations a few times outside
     * the clock, so that the timed runs do not spend their seconds in the
     * interpreter (a SHA-1 of 64 KiB interpreted takes most of a second
     * under emulation); the time it took.
     */
    static long warmUp() throws NoSuchAlgorithmException {
        long t0 = System.nanoTime();
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        ByteBuffer b = ByteBuffer.allocateDirect(LEN);
        byte[] chunk = new byte[4096], data = new byte[LEN];
        for (int i = 0; i < 12; i++) {
            for (int off = 0; off < LEN; off += chunk.length) {
                ThreadLocalRandom.current().nextBytes(chunk);
                b.put(off, chunk);
                md.update(chunk);
            }
            md.digest();
            b.get(0, data);
            sha1(data);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static byte[] sha1(byte[] a) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(a);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /*
     * Write for @ms; the number of writes. Each write fills the data in
     * place, 4 KiB of fresh random bytes at a time, then stores their SHA-1
     * and bumps the generation, all under the lock. Then it gives the
     * checker its turn: it waits (500 ms at most) until the checker has
     * copied the data out once more (SEEN counts copies), so that a lock
     * that lets its last holder barge in again does not starve the
     * checker. That wait is no lock: without one, the next fill overlaps
     * the checker's next copy, which the checker makes without waiting
     * for anything.
     */
    static long write(Region r, Mode mode, long ms) throws NoSuchAlgorithmException {
        ByteBuffer b = r.buffer();
        Mutex m = r.mutex(0);
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        byte[] chunk = new byte[4096];
        long n = 0, end = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < end) {
            int seen;
            acquire(mode, m, b);
            try {
                for (int off = 0; off < LEN; off += chunk.length) {
                    ThreadLocalRandom.current().nextBytes(chunk);
                    b.put(DATA + off, chunk);
                    md.update(chunk);
                }
                b.put(DATA + LEN, md.digest());
                INT.setRelease(b, GEN, (int) ++n);
                seen = (int) INT.getAcquire(b, SEEN);
            } finally {
                release(mode, m, b);
            }
            long until = System.nanoTime() + 500_000_000L;
            while ((int) INT.getAcquire(b, SEEN) == seen && System.nanoTime() < until)
                Thread.yield();
        }
        return n;
    }

    /* Check for @ms: {checks, mismatches}. */
    static long[] check(Region r, Mode mode, long ms) {
        ByteBuffer b = r.buffer();
        Mutex m = r.mutex(0);
        byte[] data = new byte[LEN], sum = new byte[20];
        long checks = 0, bad = 0, end = System.nanoTime() + ms * 1_000_000L;
        int copies = 0;
        while (System.nanoTime() < end) {
            int gen;
            acquire(mode, m, b);
            try {
                gen = (int) INT.getAcquire(b, GEN);
                b.get(DATA, data);
                b.get(DATA + LEN, sum);
            } finally {
                release(mode, m, b);
            }
            INT.setRelease(b, SEEN, ++copies);
            if (gen == 0) {
                /* nothing written yet */
                Thread.yield();
                continue;
            }
            checks++;
            if (!Arrays.equals(sha1(data), sum))
                bad++;
        }
        return new long[] { checks, bad };
    }
}
