// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventTest {
    @BeforeAll
    static void peer() {
        Peer.startEarly();
    }

    @AfterAll
    static void cleanup() {
        T.cleanup();
    }

    /** notifyEvent bumps the counter by one; a wait with timeout 0 on it returns at once. */
    @Test
    void notifyBumps() throws Exception {
        try (Region r = T.create("ev", 4096)) {
            long s = r.eventSequence();
            r.notifyEvent();
            assertEquals(s + 1, r.eventSequence());
            assertEquals(s + 1, r.waitEvent(s, 0, TimeUnit.SECONDS));
        }
    }

    /** waitEvent with no event returns the same sequence once the timeout passed. */
    @Test
    void waitTimesOut() throws Exception {
        try (Region r = T.create("evto", 4096)) {
            long s = r.eventSequence();
            long t0 = System.nanoTime();
            assertEquals(s, r.waitEvent(s, 200, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - t0 >= 200_000_000L);
        }
    }

    /** A waiter on another handle is woken by notifyEvent and gets the new sequence. */
    @Test
    void waitWakes() throws Throwable {
        String n = T.name("evwake");
        try (Region a = Shmdev.open(n, 4096, Shmdev.CREAT, 0600); Region b = Shmdev.open(n)) {
            long s = a.eventSequence();
            AtomicLong got = new AtomicLong(-1);
            Thread t = new Thread(() -> {
                try {
                    got.set(b.waitEvent(s, 10, TimeUnit.SECONDS));
                } catch (Exception e) {
                    got.set(-2);
                }
            });
            t.start();
            Thread.sleep(100);
            a.notifyEvent();
            t.join();
            assertEquals(s + 1, got.get());
        }
    }

    /** An interrupted waiter ends with InterruptedException. */
    @Test
    void waitInterrupted() throws Exception {
        try (Region r = T.create("evintr", 4096)) {
            long s = r.eventSequence();
            AtomicReference<Throwable> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    r.waitEvent(s);
                } catch (Throwable x) {
                    got.set(x);
                }
            });
            t.start();
            Thread.sleep(100);
            t.interrupt();
            t.join(5000);
            assertEquals(InterruptedException.class, got.get().getClass());
        }
    }

    /** waitWord returns false at once when the word differs from the expected value (EAGAIN). */
    @Test
    void waitWordMismatch() throws Exception {
        try (Region r = T.create("word", 4096)) {
            r.buffer().order(ByteOrder.nativeOrder()).putInt(64, 5);
            assertFalse(r.waitWord(64, 4, 10, TimeUnit.SECONDS));
            assertFalse(r.waitWord(64, 5, 50, TimeUnit.MILLISECONDS));
            assertThrows(IllegalArgumentException.class, () -> r.waitWord(66, 0, 0, TimeUnit.SECONDS));
        }
    }

    /** wakeWord wakes a sleeper on the word and says it woke one; 0 sleepers: 0; n = 0: EINVAL. */
    @Test
    void wakeWord() throws Throwable {
        try (Region r = T.create("wake", 4096)) {
            assertEquals(0, r.wakeWord(64, 1));
            T.errno(ShmdevException.class, 22, () -> r.wakeWord(64, 0));
            AtomicReference<Object> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    got.set(r.waitWord(64, 0, 10, TimeUnit.SECONDS));
                } catch (Throwable x) {
                    got.set(x);
                }
            });
            t.start();
            int woke = 0;
            for (int i = 0; i < 100 && woke == 0; i++) {
                Thread.sleep(20);
                woke = r.wakeWord(64, 1);
            }
            t.join();
            assertEquals(1, woke);
            assertEquals(Boolean.TRUE, got.get());
        }
    }
}
