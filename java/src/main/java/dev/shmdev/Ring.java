// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * This process's view of a message ring in a region (shmdev_ring_attach(3)):
 * one consumer, many producers, each in any process. Use a view from one
 * thread at a time (the methods are synchronized: a second thread waits);
 * a producer thread and a consumer thread each attach a view of their own.
 *
 * <p>Copying calls: {@link #send(byte[])}, {@link #send(ByteBuffer)},
 * {@link #recv()}, {@link #recv(ByteBuffer)}. Zero-copy calls:
 * {@link #reserve(int)} gives a slice of the region to fill and pass to
 * {@link #commit(ByteBuffer)}; {@link #peek()} a read-only slice holding
 * the next message, until {@link #release()}. A slice is invalid after its
 * commit or release: its bytes then belong to the ring (reading them is
 * harmless, writing corrupts messages, and after the region is closed it
 * reads zeros).
 *
 * <p>Waiting calls without a timeout wait for ever, in slices of
 * {@value Region#SLICE_MS} ms, and throw {@link InterruptedException} when
 * the thread is interrupted; those with a timeout return false, null or -1
 * when it passes. Errors are {@link ShmdevException}s with the errno of the
 * ring's man pages (EMSGSIZE, EUSERS, EBUSY, EBADMSG...).
 */
public final class Ring implements AutoCloseable {
    private static final long FOREVER = Long.MAX_VALUE;

    private final Region region;
    private volatile long ring;         // 0 once closed
    private volatile boolean closing;   // close() called: waiting calls end
    private final Map<ByteBuffer, Long> reserved = new IdentityHashMap<>();
    private boolean peeked;

    Ring(Region region, long ring) {
        this.region = region;
        this.ring = ring;
    }

    private long enter() {
        long h = region.enter();
        if (ring == 0) {
            region.exit();
            throw new IllegalStateException("ring is closed");
        }
        return h;
    }

    private interface Call {
        long run(long h, long ns);
    }

    /*
     * Run @c in slices until it succeeds (>= 0), fails, or @d passes:
     * -ETIMEDOUT then.
     */
    private long wait(Call c, Region.Deadline d, String what)
            throws ShmdevException, InterruptedException {
        for (;;) {
            if (Thread.interrupted())
                throw new InterruptedException();
            if (closing)
                throw new IllegalStateException("ring is closed");
            long h = enter();
            long ret;
            try {
                ret = c.run(h, d.slice());
            } finally {
                region.exit();
            }
            if (ret >= 0)
                return ret;
            if (ret != -ShmdevException.ETIMEDOUT && ret != -ShmdevException.EINTR)
                throw ShmdevException.of(ret, what);
            if (d.over())
                return -ShmdevException.ETIMEDOUT;
        }
    }

    private static Region.Deadline forever() {
        return new Region.Deadline(FOREVER, TimeUnit.NANOSECONDS);
    }

    /** Send bytes {@code off..off+len} of {@code a}, waiting for room as long as it takes. */
    public synchronized void send(byte[] a, int off, int len)
            throws ShmdevException, InterruptedException {
        send(a, off, len, FOREVER, TimeUnit.NANOSECONDS);
    }

    /** Send all of {@code a}. */
    public synchronized void send(byte[] a) throws ShmdevException, InterruptedException {
        send(a, 0, a.length);
    }

    /** Send, waiting for room at most the timeout; false when it passed. */
    public synchronized boolean send(byte[] a, int off, int len, long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        java.util.Objects.checkFromIndexSize(off, len, a.length);
        return wait((h, ns) -> Native.ringSendArray(ring, a, off, len, ns),
                new Region.Deadline(timeout, unit), "ring_send") >= 0;
    }

    /** Send the buffer's remaining bytes (its position moves to its limit). */
    public synchronized void send(ByteBuffer b) throws ShmdevException, InterruptedException {
        send(b, FOREVER, TimeUnit.NANOSECONDS);
    }

    /** Send the buffer's remaining bytes within the timeout; false (position kept) when it passed. */
    public synchronized boolean send(ByteBuffer b, long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        int pos = b.position(), len = b.remaining();
        long ret;
        Region.Deadline d = new Region.Deadline(timeout, unit);
        if (b.isDirect()) {
            ret = wait((h, ns) -> Native.ringSendDirect(ring, b, pos, len, ns), d, "ring_send");
        } else {
            byte[] a = new byte[len];
            b.duplicate().get(a);
            ret = wait((h, ns) -> Native.ringSendArray(ring, a, 0, len, ns), d, "ring_send");
        }
        if (ret < 0)
            return false;
        b.position(pos + len);
        return true;
    }

    /** Receive the next message, waiting as long as it takes. */
    public synchronized byte[] recv() throws ShmdevException, InterruptedException {
        return recv(FOREVER, TimeUnit.NANOSECONDS);
    }

    /** Receive the next message within the timeout; null when it passed. */
    public synchronized byte[] recv(long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        ByteBuffer m = peek(timeout, unit);
        if (m == null)
            return null;
        byte[] a = new byte[m.remaining()];
        m.get(a);
        release();
        return a;
    }

    /**
     * Receive the next message into {@code a[off..off+cap)}; its length. A
     * longer message stays in the ring: {@link ShmdevException} EMSGSIZE.
     */
    public synchronized int recv(byte[] a, int off, int cap)
            throws ShmdevException, InterruptedException {
        java.util.Objects.checkFromIndexSize(off, cap, a.length);
        checkNotPeeked();
        return (int) wait((h, ns) -> Native.ringRecvArray(ring, a, off, cap, ns), forever(),
                "ring_recv");
    }

    /**
     * Receive the next message into the buffer's remaining space (its
     * position moves past it); its length, or -1 when the timeout passed.
     * A longer message stays in the ring: EMSGSIZE.
     */
    public synchronized int recv(ByteBuffer b, long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        if (b.isReadOnly())
            throw new java.nio.ReadOnlyBufferException();
        checkNotPeeked();
        int pos = b.position(), cap = b.remaining();
        Region.Deadline d = new Region.Deadline(timeout, unit);
        long ret;
        if (b.isDirect()) {
            ret = wait((h, ns) -> Native.ringRecvDirect(ring, b, pos, cap, ns), d, "ring_recv");
        } else {
            byte[] a = new byte[cap];
            ret = wait((h, ns) -> Native.ringRecvArray(ring, a, 0, cap, ns), d, "ring_recv");
            if (ret > 0)
                b.duplicate().put(a, 0, (int) ret);
        }
        if (ret < 0)
            return -1;
        b.position(pos + (int) ret);
        return (int) ret;
    }

    /** {@link #recv(ByteBuffer, long, TimeUnit)} waiting as long as it takes. */
    public synchronized int recv(ByteBuffer b) throws ShmdevException, InterruptedException {
        return recv(b, FOREVER, TimeUnit.NANOSECONDS);
    }

    /** Reserve a message of {@code len} bytes: a slice to fill, then {@link #commit}. */
    public synchronized ByteBuffer reserve(int len) throws ShmdevException, InterruptedException {
        return reserve(len, FOREVER, TimeUnit.NANOSECONDS);
    }

    /** Reserve within the timeout; null when it passed. */
    public synchronized ByteBuffer reserve(int len, long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        if (len < 0)
            throw new IllegalArgumentException("negative length " + len);
        long off = wait((h, ns) -> Native.ringReserve(ring, h, len, ns),
                new Region.Deadline(timeout, unit), "ring_reserve");
        if (off < 0)
            return null;
        region.enter();
        try {
            ByteBuffer b = region.slice(off, len, false);
            reserved.put(b, off);
            return b;
        } finally {
            region.exit();
        }
    }

    /** Publish a message {@link #reserve} returned; the slice is invalid afterwards. */
    public synchronized void commit(ByteBuffer slice) throws ShmdevException {
        Long off = reserved.get(slice);
        if (off == null)
            throw new IllegalArgumentException("not an open reservation of this ring");
        long h = enter();
        try {
            Shmdev.check(Native.ringCommit(ring, h, off), "ring_commit");
            reserved.remove(slice);
        } finally {
            region.exit();
        }
    }

    /** The next message as a read-only slice, waiting as long as it takes; then {@link #release()}. */
    public synchronized ByteBuffer peek() throws ShmdevException, InterruptedException {
        return peek(FOREVER, TimeUnit.NANOSECONDS);
    }

    /** The next message within the timeout; null when it passed. */
    public synchronized ByteBuffer peek(long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        long[] out = new long[2];
        long ret = wait((h, ns) -> Native.ringPeek(ring, h, out, ns),
                new Region.Deadline(timeout, unit), "ring_peek");
        if (ret < 0)
            return null;
        region.enter();
        try {
            ByteBuffer b = region.slice(out[0], out[1], true);
            peeked = true;
            return b;
        } finally {
            region.exit();
        }
    }

    /** Drop the peeked message; its slice is invalid afterwards. */
    public synchronized void release() throws ShmdevException {
        enter();
        try {
            Shmdev.check(Native.ringRelease(ring), "ring_release");
            peeked = false;
        } finally {
            region.exit();
        }
    }

    private void checkNotPeeked() {
        if (peeked)
            throw new IllegalStateException("a peeked message is not released");
    }

    /** The ring's size and counters. */
    public synchronized RingStat stat() throws ShmdevException {
        enter();
        try {
            long[] v = new long[8];
            Shmdev.check(Native.ringStat(ring, v), "ring_stat");
            return new RingStat(v);
        } finally {
            region.exit();
        }
    }

    /* Under the region's write lock: no call of this ring is in native code. */
    void closeNative() {
        if (ring != 0) {
            Native.ringClose(ring);
            ring = 0;
        }
    }

    /**
     * Detach: give back the producer slot and the consumer role. A second
     * close does nothing. A call of another thread waiting on the ring ends
     * within a slice with {@link IllegalStateException}.
     */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            closeLocked();
        }
    }

    private void closeLocked() {
        /*
         * Off the region's list only with the view closed, inside the
         * region: until then resize() is refused, since it moves the
         * mapping the view points into.
         */
        boolean open = region.enterIfOpen();
        try {
            if (open)
                closeNative();
            region.forget(this);
        } finally {
            if (open)
                region.exit();
        }
        reserved.clear();
        peeked = false;
    }
}
