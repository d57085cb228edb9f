// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RingTest {
    static final int SIZE = 8192 + 4096;

    @BeforeAll
    static void peer() {
        Peer.startEarly();
    }

    @AfterAll
    static void cleanup() {
        T.cleanup();
    }

    private static Region ringRegion(String what) throws ShmdevException {
        Region r = T.create(what, 2 * SIZE);
        r.initRing(0, SIZE);
        return r;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Messages sent as arrays arrive whole and in order. */
    @Test
    void sendRecvArrays() throws Exception {
        try (Region r = ringRegion("ring"); Ring p = r.ring(0); Ring c = r.ring(0)) {
            p.send(b("one"));
            p.send(b("xtwox"), 1, 3);
            p.send(new byte[0]);
            assertArrayEquals(b("one"), c.recv());
            assertArrayEquals(b("two"), c.recv());
            assertArrayEquals(new byte[0], c.recv());
            assertNull(c.recv(50, TimeUnit.MILLISECONDS));
        }
    }

    /** Direct and heap ByteBuffers: send consumes the remaining bytes, recv fills and advances. */
    @Test
    void sendRecvBuffers() throws Exception {
        try (Region r = ringRegion("ringbuf"); Ring p = r.ring(0); Ring c = r.ring(0)) {
            ByteBuffer d = ByteBuffer.allocateDirect(16);
            d.put(b("direct")).flip();
            p.send(d);
            assertEquals(0, d.remaining());
            ByteBuffer h = ByteBuffer.wrap(b("heap!"));
            p.send(h);
            ByteBuffer in = ByteBuffer.allocateDirect(32);
            assertEquals(6, c.recv(in));
            assertEquals(6, in.position());
            ByteBuffer hin = ByteBuffer.allocate(32);
            assertEquals(5, c.recv(hin));
            assertEquals("heap!", new String(hin.array(), 0, 5, StandardCharsets.UTF_8));
            assertEquals(-1, c.recv(hin, 10, TimeUnit.MILLISECONDS));
        }
    }

    /** reserve gives a slice of the region that commit publishes without a copy. */
    @Test
    void reserveCommit() throws Exception {
        try (Region r = ringRegion("ringzc"); Ring p = r.ring(0); Ring c = r.ring(0)) {
            ByteBuffer s = p.reserve(5);
            assertEquals(5, s.capacity());
            assertTrue(s.isDirect());
            s.put(b("hello"));
            assertNull(c.peek(10, TimeUnit.MILLISECONDS));
            p.commit(s);
            ByteBuffer m = c.peek();
            assertTrue(m.isReadOnly());
            byte[] got = new byte[m.remaining()];
            m.get(got);
            assertArrayEquals(b("hello"), got);
            c.release();
            assertThrows(IllegalArgumentException.class, () -> p.commit(s));
            assertThrows(IllegalArgumentException.class, () -> p.commit(ByteBuffer.allocateDirect(5)));
        }
    }

    /** release without a peeked message: EINVAL. */
    @Test
    void releaseNothing() throws Exception {
        try (Region r = ringRegion("ringrel"); Ring c = r.ring(0)) {
            T.errno(ShmdevException.class, 22, c::release);
        }
    }

    /** A message over max_msg: EMSGSIZE; a receive array too small: EMSGSIZE, message kept. */
    @Test
    void messageSizes() throws Exception {
        try (Region r = ringRegion("ringsize"); Ring p = r.ring(0); Ring c = r.ring(0)) {
            RingStat st = p.stat();
            assertEquals(4096, st.capacity());
            assertEquals(4096 / 2 - 8, st.maxMessage());
            T.errno(ShmdevException.class, 90, () -> p.send(new byte[(int) st.maxMessage() + 1]));
            p.send(b("twelve bytes"));
            T.errno(ShmdevException.class, 90, () -> c.recv(new byte[4], 0, 4));
            byte[] a = new byte[20];
            assertEquals(12, c.recv(a, 0, 20));
            assertThrows(IndexOutOfBoundsException.class, () -> c.recv(a, 15, 10));
            assertThrows(IndexOutOfBoundsException.class, () -> p.send(a, -1, 2));
        }
    }

    /** A full ring makes a send with a timeout return false. */
    @Test
    void fullRing() throws Exception {
        try (Region r = ringRegion("ringfull"); Ring p = r.ring(0)) {
            byte[] m = new byte[1000];
            int sent = 0;
            while (p.send(m, 0, m.length, 0, TimeUnit.SECONDS))
                sent++;
            assertEquals(4, sent);
            assertFalse(p.send(m, 0, m.length, 100, TimeUnit.MILLISECONDS));
            assertEquals(1, p.stat().producers());
        }
    }

    /** Received messages are counted in the ring's stat. */
    @Test
    void statCounts() throws Exception {
        try (Region r = ringRegion("ringstat"); Ring p = r.ring(0); Ring c = r.ring(0)) {
            for (int i = 0; i < 3; i++)
                p.send(new byte[10]);
            for (int i = 0; i < 3; i++)
                c.recv();
            RingStat st = c.stat();
            assertEquals(3, st.received());
            assertTrue(st.consumer());
            assertEquals(0, st.used());
        }
    }

    /** No ring at an offset: EINVAL; an offset that is not a multiple of 64: EINVAL. */
    @Test
    void noRing() throws Exception {
        try (Region r = ringRegion("ringnone")) {
            T.errno(ShmdevException.class, 22, () -> r.ring(SIZE));
            T.errno(ShmdevException.class, 22, () -> r.initRing(SIZE + 8, SIZE - 64));
        }
    }

    /**
     * A ring overwritten with garbage by another process: EBADMSG, never a crash.
     */
    @Test
    void garbageRing() throws Exception {
        try (Region r = ringRegion("ringbad"); Ring p = r.ring(0); Ring c = r.ring(0)) {
            p.send(b("ok"));
            ByteBuffer raw = r.buffer();
            for (int i = 8192; i < SIZE; i++)
                raw.put(i, (byte) 0x5a);
            T.errno(ShmdevException.class, 74, () -> c.recv(10, TimeUnit.MILLISECONDS));
        }
    }

    /** Closing the region closes its rings: using one after is IllegalStateException; resize is refused while one is open. */
    @Test
    void ringsAndClose() throws Exception {
        Region r = ringRegion("ringclose");
        Ring c = r.ring(0);
        assertThrows(IllegalStateException.class, () -> r.resize(3 * SIZE));
        r.close();
        assertThrows(IllegalStateException.class, () -> c.recv(0, TimeUnit.SECONDS));
        c.close();
    }

    /*
     * Ring.close takes the ring off the region's list only once its view is
     * closed: a resize waiting for the region meanwhile is refused, instead
     * of moving libshmdev's mapping from under the view that
     * shmdev_ring_close then writes through (the JVM died of SIGSEGV).
     */
    @Test
    void closeRacingResize() throws Throwable {
        try (Region r = ringRegion("ringrace")) {
            Ring p = r.ring(0);
            p.send(b("slot"));      /* a producer slot: its close writes the ring */
            Thread holder = new Thread(() -> {  /* holds the region a slice at a time */
                try {
                    r.waitEvent(r.eventSequence());
                } catch (Exception e) {
                    /* interrupted, or the region closed */
                }
            });
            holder.setDaemon(true);
            holder.start();
            Thread.sleep(50);
            AtomicReference<Throwable> resized = new AtomicReference<>();
            Thread resizer = new Thread(() -> {
                try {
                    r.resize(1 << 20);
                } catch (Throwable x) {
                    resized.set(x);
                }
            });
            resizer.setDaemon(true);
            resizer.start();
            while (resizer.getState() != Thread.State.WAITING && resizer.isAlive())
                Thread.sleep(1);
            p.close();              /* queued behind the resize */
            resizer.join();
            holder.interrupt();
            holder.join();
            assertTrue(resized.get() instanceof IllegalStateException, String.valueOf(resized.get()));
            r.resize(1 << 20);      /* the ring is closed now */
            assertEquals(1 << 20, r.size());
        }
    }

    /*
     * close() of a view while another thread waits in its recv() returns
     * within a slice, and the wait ends with IllegalStateException (close
     * waited for the view's monitor, which the recv held until a message).
     */
    @Test
    void closeEndsWaitingRecv() throws Throwable {
        try (Region r = ringRegion("ringwait")) {
            Ring c = r.ring(0);
            AtomicReference<Throwable> err = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    c.recv();
                } catch (Throwable x) {
                    err.set(x);
                }
            });
            t.setDaemon(true);
            t.start();
            Thread.sleep(3 * Region.SLICE_MS);
            Thread closer = new Thread(c::close);
            closer.setDaemon(true);
            closer.start();
            closer.join(5000);
            assertFalse(closer.isAlive(), "close waits for the recv");
            t.join(5000);
            assertTrue(err.get() instanceof IllegalStateException, String.valueOf(err.get()));
        }
    }

    /** A slice kept after the region closed reads zeros: no crash. */
    @Test
    void sliceAfterClose() throws Exception {
        ByteBuffer s;
        try (Region r = ringRegion("ringslice"); Ring p = r.ring(0)) {
            s = p.reserve(64);
            s.put(0, (byte) 3);
        }
        assertEquals(0, s.get(0));
        s.put(63, (byte) 1);
    }
}
