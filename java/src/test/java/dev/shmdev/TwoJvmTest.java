// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two JVMs on one region: this one and the Peer JVM, started once. The
 * SHA-1 runs last shmdev.test.seconds each (1.5 s in the short suite, 5 s
 * with selftests/java_test.sh --long). kill -9 of the peer comes last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoJvmTest {
    static final long MS = (long) (Double.parseDouble(
            System.getProperty("shmdev.test.seconds", "1.5")) * 1000);

    @BeforeAll
    static void peer() throws Exception {
        Peer.startEarly();
        System.out.println("# two-JVM tests: warm-up " + Sha.warmUp() + " ms here");
    }

    @AfterAll
    static void cleanup() throws Exception {
        if (Peer.get() != null)
            Peer.send("quit");
        T.cleanup();
    }

    /* The peer writes for MS while this JVM checks; {checks, mismatches, writes}. */
    private static long[] sha(Sha.Mode mode) throws Exception {
        String n = T.name("sha" + mode);
        try (Region r = Shmdev.open(n, Sha.SIZE, Shmdev.CREAT | Shmdev.EXCL, 0600)) {
            r.mutex(0).init();
            Peer.send("sha " + n + " " + mode + " " + MS);
            Peer.expect("started");
            long[] c = Sha.check(r, mode, MS);
            long writes = Long.parseLong(Peer.expect("done ").substring(5));
            System.out.printf("# %s: %d checks, %d mismatches, %d writes in %d ms%n", mode, c[0],
                    c[1], writes, MS);
            return new long[] { c[0], c[1], writes };
        }
    }

    /** Under a shmdev Mutex across two JVMs: no check sees a torn write. */
    @Test
    @Order(1)
    void shaUnderMutex() throws Exception {
        long[] c = sha(Sha.Mode.MUTEX);
        assertTrue(c[0] >= 3 && c[2] >= 3, "too few turns: checks " + c[0] + " writes " + c[2]);
        assertEquals(0, c[1]);
    }

    /** Without a lock the same run sees torn writes: the check above can fail. */
    @Test
    @Order(2)
    void shaWithoutLock() throws Exception {
        long[] c = sha(Sha.Mode.NONE);
        assertTrue(c[1] > 0, "no mismatch in " + c[0] + " checks without a lock");
    }

    /** The compare-and-swap spin lock on the mapped buffer (a VarHandle view) excludes too. */
    @Test
    @Order(3)
    void shaUnderSpinLock() throws Exception {
        long[] c = sha(Sha.Mode.SPIN);
        assertTrue(c[0] >= 3 && c[2] >= 3, "too few turns: checks " + c[0] + " writes " + c[2]);
        assertEquals(0, c[1]);
    }

    /** A misaligned word is refused by the VarHandle (IllegalStateException), never torn. */
    @Test
    @Order(4)
    void spinLockMisaligned() throws Exception {
        try (Region r = T.create("misaligned", 4096)) {
            ByteBuffer b = r.buffer();
            assertThrows(IllegalStateException.class, () -> Sha.INT.compareAndSet(b, 2, 0, 1));
            assertTrue((boolean) Sha.INT.compareAndSet(b, 4, 0, 1));
        }
    }

    /** examples/java/Turns: this JVM even, the peer odd; both exit 0 and see every turn. */
    @Test
    @Order(5)
    void turns() throws Exception {
        try {
            Shmdev.unlink("demo.turns");
        } catch (RegionNotFoundException e) {
            /* not left over */
        }
        Peer.send("turns 3");
        ByteArrayOutputStream mine = new ByteArrayOutputStream();
        int st = (int) Class.forName("Turns")
                .getMethod("run", String.class, int.class, PrintStream.class)
                .invoke(null, "even", 3, new PrintStream(mine, true, StandardCharsets.UTF_8));
        List<String> theirs = new ArrayList<>();
        String end = Peer.expect("turns ", theirs);
        String all = mine.toString(StandardCharsets.UTF_8) + String.join("\n", theirs);
        System.out.print(all.replaceAll("(?m)^", "# ") + "\n");
        assertEquals(0, st);
        assertEquals("turns 0", end);
        for (int t = 0; t < 6; t++)
            assertTrue(all.contains(": turn " + t + " after "), "turn " + t + " missing");
        T.errno(RegionNotFoundException.class, 2, () -> Shmdev.stat("demo.turns"));
    }

    /**
     * kill -9 of the JVM holding the mutex: this JVM gets OwnerDiedException
     * holding it, sees the half-done update, repairs it and carries on.
     */
    @Test
    @Order(6)
    void killHolder() throws Exception {
        String n = T.name("kill");
        try (Region r = Shmdev.open(n, 8192, Shmdev.CREAT | Shmdev.EXCL, 0600)) {
            Mutex m = r.mutex(0);
            m.init();
            Peer.send("hold " + n);
            Peer.expect("holding");
            AtomicReference<Throwable> waiter = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    m.lock();
                    m.unlock();
                    waiter.set(new AssertionError("locked without OwnerDied"));
                } catch (Throwable x) {
                    waiter.set(x);
                    if (x instanceof OwnerDiedException) {
                        assertEquals(1, r.buffer().get(4096));
                        r.buffer().put(4096, (byte) 0);
                        m.consistent();
                        m.unlock();
                    }
                }
            });
            t.start();
            Thread.sleep(200);
            assertTrue(t.isAlive(), "the waiter did not wait");
            Peer.kill();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(OwnerDiedException.class, waiter.get().getClass());
            assertTrue(m.tryLock());
            assertEquals(0, r.buffer().get(4096));
            m.unlock();
        }
    }
}
