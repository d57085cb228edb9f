// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One attach of a named region: a handle of /dev/shmdev and the region's
 * memory. Open it with {@link Shmdev#open} in a try-with-resources block.
 *
 * <p>Memory: {@link #buffer()} is a direct {@code ByteBuffer} over the
 * region. The binding maps the region a second time for the buffers, apart
 * from libshmdev's own mapping, so that {@link #close()} can release the
 * handle at once (its kernel locks, its robust mutexes, its ring slots)
 * without pulling memory from under a buffer that is still reachable:
 * close replaces the buffers' pages with private zero pages in one step,
 * and the address range is unmapped by a {@link Cleaner} once no buffer of
 * it can be reached. A buffer kept after close, or after {@link #resize},
 * reads zeros and its writes go nowhere; the JVM never crashes on it.
 *
 * <p>Every other method throws {@link IllegalStateException} after close,
 * and {@link IndexOutOfBoundsException} for an offset outside the mapping.
 * Blocking calls wait in slices of {@value #SLICE_MS} ms, between which they
 * look at {@link Thread#interrupted()} and at close: close waits for at
 * most one slice of a call in progress.
 *
 * <p>Thread safety: all methods may be called from several threads.
 */
public final class Region implements AutoCloseable {
    /** The longest a native wait lasts before Java looks at interrupts and close. */
    public static final long SLICE_MS = 100;
    static final long SLICE_NS = SLICE_MS * 1_000_000L;

    static final Cleaner CLEANER = Cleaner.create();

    /* The handle, shared with the cleaner that closes it if close() is never called. */
    private static final class Handle implements Runnable {
        long h;
        final boolean owned;

        Handle(long h, boolean owned) {
            this.h = h;
            this.owned = owned;
        }

        @Override
        public synchronized void run() {
            long x = h;
            h = 0;
            if (x != 0 && owned)
                Native.close(x);
        }
    }

    /*
     * One mapping of the region by the binding. Unmapped by the cleaner of
     * its root buffer; retired (made private zero pages) by close and
     * resize. The lock orders the two, so that retire never lands on an
     * address range already given back.
     */
    static final class MapState implements Runnable {
        final long addr, size;
        boolean unmapped, retired;

        MapState(long addr, long size) {
            this.addr = addr;
            this.size = size;
        }

        synchronized void retire() {
            if (!unmapped && !retired) {
                Native.retire(addr, size);
                retired = true;
            }
        }

        @Override
        public synchronized void run() {
            if (!unmapped) {
                Native.unmap(addr, size);
                unmapped = true;
            }
        }
    }

    private final String name;
    private final boolean writable;
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final List<MapState> maps = new ArrayList<>();
    private final List<Ring> rings = new ArrayList<>();
    private final Map<Integer, Integer> kernelLocks = new HashMap<>();  // id -> mode held
    private ByteBuffer base;            // under rw; null when not mapped
    private long size;                  // of base's mapping
    private boolean closed;             // under rw

    Region(String name, long h, int flags, boolean owned) throws ShmdevException {
        this.name = name;
        this.writable = (flags & Shmdev.RDONLY) == 0;
        this.handle = new Handle(h, owned);
        this.cleanable = CLEANER.register(this, handle);
        try {
            map();
        } catch (ShmdevException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /* A new mapping of the handle's current size; the caller holds rw for writing or owns this. */
    private void map() throws ShmdevException {
        long h = handle.h;
        long sz = Native.size(h);
        base = null;
        size = 0;
        if (sz == 0)
            return;
        long addr = Native.mmapRegion(h, writable);
        if (addr < 0)
            throw ShmdevException.of(addr, "mmap " + name);
        MapState st = new MapState(addr, sz);
        ByteBuffer root = Native.newBuffer(addr, Math.min(sz, Integer.MAX_VALUE));
        if (root == null) {
            Native.unmap(addr, sz);
            throw new ShmdevException("NewDirectByteBuffer failed", ShmdevException.ENOMEM);
        }
        CLEANER.register(root, st);
        synchronized (maps) {
            maps.removeIf(m -> m.unmapped);
            maps.add(st);
        }
        base = writable ? root : root.asReadOnlyBuffer();
        size = sz;
    }

    private void retireAll() {
        synchronized (maps) {
            for (MapState m : maps)
                m.retire();
            maps.clear();
        }
        base = null;
        size = 0;
    }

    /** Enter a call: the handle, held open until {@link #exit()}. */
    long enter() {
        rw.readLock().lock();
        if (closed) {
            rw.readLock().unlock();
            throw new IllegalStateException("region " + name + " is closed");
        }
        return handle.h;
    }

    /** Enter a call if the region is open: false (holding nothing) when closed. */
    boolean enterIfOpen() {
        rw.readLock().lock();
        if (closed) {
            rw.readLock().unlock();
            return false;
        }
        return true;
    }

    void exit() {
        rw.readLock().unlock();
    }

    /* Inside enter(): @off..@off+@len lies in the mapping. */
    void check(long off, long len) {
        if (off < 0 || len < 0 || off > size - len)
            throw new IndexOutOfBoundsException("offset " + off + " length " + len
                    + " outside the mapping of " + size + " bytes");
    }

    /* Inside enter(): a word of @len bytes at @off, 4-byte aligned. */
    void checkWord(long off, long len) {
        check(off, len);
        if ((off & 3) != 0)
            throw new IllegalArgumentException("offset " + off + " is not 4-byte aligned");
    }

    /** The region's name. */
    public String name() {
        return name;
    }

    /** Whether the region was attached for writing (not {@link Shmdev#RDONLY}). */
    public boolean writable() {
        return writable;
    }

    /**
     * A new direct buffer over the region (its first 2 GiB - 1 bytes at
     * most), position 0, big-endian as every new buffer; read-only for a
     * region attached with {@link Shmdev#RDONLY}. Each call returns a new
     * buffer object over the same memory.
     */
    public ByteBuffer buffer() {
        enter();
        try {
            if (base == null)
                throw new IllegalStateException("region " + name + " is not mapped");
            return base.duplicate();
        } finally {
            exit();
        }
    }

    /** The size of this handle's mapping, in bytes. */
    public long size() {
        enter();
        try {
            return size;
        } finally {
            exit();
        }
    }

    /** The handle's file descriptor (an open file of the region; owned by the region). */
    public int fd() {
        long h = enter();
        try {
            return Native.fd(h);
        } finally {
            exit();
        }
    }

    /** The handle's owner ID, as robust mutex words hold it. */
    public int handleId() throws ShmdevException {
        long h = enter();
        try {
            return (int) Shmdev.check(Native.handleId(h), "handle_id " + name);
        } finally {
            exit();
        }
    }

    /** The region's attributes and counters. */
    public RegionStat stat() throws ShmdevException {
        long h = enter();
        try {
            long[] v = new long[20];
            Shmdev.check(Native.fstat(h, v), "fstat " + name);
            return new RegionStat(v);
        } finally {
            exit();
        }
    }

    /**
     * Resize the region and map it again. Buffers from before are dead
     * (zeros) afterwards; call {@link #buffer()} again. Refused with
     * {@link IllegalStateException} while a {@link Ring} of this region is
     * open.
     */
    public void resize(long newSize) throws ShmdevException {
        if (newSize < 0)
            throw new IllegalArgumentException("negative size " + newSize);
        remapWith(true, newSize);
    }

    /** Map the region at its current size (another handle may have grown it). */
    public void remap() throws ShmdevException {
        remapWith(false, 0);
    }

    private void remapWith(boolean resize, long newSize) throws ShmdevException {
        rw.writeLock().lock();
        try {
            if (closed)
                throw new IllegalStateException("region " + name + " is closed");
            synchronized (rings) {
                if (!rings.isEmpty())
                    throw new IllegalStateException("close the region's rings first");
            }
            long h = handle.h;
            retireAll();
            int ret = resize ? Native.resize(h, newSize) : Native.remap(h);
            map();
            Shmdev.check(ret, (resize ? "resize " : "remap ") + name);
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** A robust mutex at {@code off} (8 bytes, 4-byte aligned); see {@link Mutex#init()}. */
    public Mutex mutex(long off) {
        enter();
        try {
            checkWord(off, 8);
            return new Mutex(this, off);
        } finally {
            exit();
        }
    }

    /**
     * Kernel lock {@code id} (0 to {@code Shmdev.api().nrLocks() - 1}) of
     * the region, owned by this handle: shared (read) or exclusive (write).
     */
    public KernelLock kernelLock(int id) {
        if (id < 0)
            throw new IllegalArgumentException("negative lock id " + id);
        enter();
        exit();
        return new KernelLock(this, id);
    }

    /** Bump the region's event counter and wake its waiters. */
    public void notifyEvent() throws ShmdevException {
        long h = enter();
        try {
            Shmdev.check(Native.notifyEvent(h), "notify " + name);
        } finally {
            exit();
        }
    }

    /** The region's event counter now. */
    public long eventSequence() throws ShmdevException {
        long h = enter();
        try {
            long[] s = { 0 };
            int ret = Native.eventWait(h, s, 0);
            if (ret != 0 && ret != -ShmdevException.ETIMEDOUT)
                throw ShmdevException.of(ret, "event_wait " + name);
            return s[0];
        } finally {
            exit();
        }
    }

    /** Wait for ever until the event counter differs from {@code seq}; returns it. */
    public long waitEvent(long seq) throws ShmdevException, InterruptedException {
        return waitEvent(seq, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Wait until the event counter differs from {@code seq}, at most the
     * timeout (0: just look); returns the counter, which equals {@code seq}
     * when the timeout passed.
     */
    public long waitEvent(long seq, long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        long[] s = { seq };
        Deadline d = new Deadline(timeout, unit);
        for (;;) {
            if (Thread.interrupted())
                throw new InterruptedException();
            long h = enter();
            int ret;
            try {
                s[0] = seq;
                ret = Native.eventWait(h, s, d.slice());
            } finally {
                exit();
            }
            if (ret == 0)
                return s[0];
            if (ret != -ShmdevException.ETIMEDOUT && ret != -ShmdevException.EINTR)
                throw ShmdevException.of(ret, "event_wait " + name);
            if (d.over())
                return s[0];
        }
    }

    /**
     * Sleep while the 32-bit word at {@code off} (4-byte aligned, native
     * order) equals {@code expected}, until {@link #wakeWord} wakes it or
     * the timeout passes. Returns true when woken, false when the word did
     * not equal {@code expected} (EAGAIN) or the timeout passed.
     */
    public boolean waitWord(long off, int expected, long timeout, TimeUnit unit)
            throws ShmdevException, InterruptedException {
        Deadline d = new Deadline(timeout, unit);
        for (;;) {
            if (Thread.interrupted())
                throw new InterruptedException();
            long h = enter();
            int ret;
            try {
                checkWord(off, 4);
                ret = Native.waitWord(h, off, expected, d.slice());
            } finally {
                exit();
            }
            if (ret == 0)
                return true;
            if (ret == -ShmdevException.EAGAIN)
                return false;
            if (ret != -ShmdevException.ETIMEDOUT && ret != -ShmdevException.EINTR)
                throw ShmdevException.of(ret, "wait " + name);
            if (d.over())
                return false;
        }
    }

    /** Wake up to {@code n} (&gt; 0) sleepers on the word at {@code off}; returns how many. */
    public int wakeWord(long off, int n) throws ShmdevException {
        long h = enter();
        try {
            checkWord(off, 4);
            return (int) Shmdev.check(Native.wakeWord(h, off, n), "wake " + name);
        } finally {
            exit();
        }
    }

    /**
     * Format a ring at {@code off} (a multiple of 64) of {@code size} bytes,
     * once, before anyone attaches.
     */
    public void initRing(long off, long size) throws ShmdevException {
        long h = enter();
        try {
            check(off, size);
            Shmdev.check(Native.ringInit(h, off, size), "ring_init " + name);
        } finally {
            exit();
        }
    }

    /** Attach to the ring at {@code off}: this process's view, for one thread at a time. */
    public Ring ring(long off) throws ShmdevException {
        long h = enter();
        try {
            check(off, 0);
            long p = Native.ringAttach(h, off);
            if (p < 0)
                throw ShmdevException.of(p, "ring_attach " + name);
            Ring ring = new Ring(this, p);
            synchronized (rings) {
                rings.add(ring);
            }
            return ring;
        } finally {
            exit();
        }
    }

    /* Kernel lock @id was taken in @mode through this handle. */
    void kernelLocked(int id, int mode) {
        synchronized (kernelLocks) {
            kernelLocks.put(id, mode);
        }
    }

    /*
     * Kernel lock @id is to be unlocked from its @mode side: false when the
     * handle holds it in the other mode (the module's unlock knows no mode
     * and would release it). Forgets it when @released.
     */
    boolean kernelUnlock(int id, int mode, boolean released) {
        synchronized (kernelLocks) {
            Integer held = kernelLocks.get(id);
            if (held != null && held != mode)
                return false;
            if (released)
                kernelLocks.remove(id);
            return true;
        }
    }

    void forget(Ring ring) {
        synchronized (rings) {
            rings.remove(ring);
        }
    }

    /* Inside enter(): a slice of the mapping for a ring's payload. */
    ByteBuffer slice(long off, long len, boolean readOnly) {
        if (base == null || off < 0 || len < 0 || off > base.capacity() - len)
            throw new IllegalStateException("ring payload at " + off + " beyond the buffer");
        ByteBuffer b = base.slice((int) off, (int) len);
        return readOnly ? b.asReadOnlyBuffer() : b;
    }

    /**
     * Close the handle: its kernel locks are released, its robust mutexes
     * still held are marked owner-died for the next locker, its rings are
     * closed. Buffers handed out stay safe to touch (they read zeros). A
     * second close does nothing.
     */
    @Override
    public void close() {
        rw.writeLock().lock();
        try {
            if (closed)
                return;
            closed = true;
            List<Ring> open;
            synchronized (rings) {
                open = new ArrayList<>(rings);
                rings.clear();
            }
            for (Ring ring : open)
                ring.closeNative();
            retireAll();
            handle.run();
            cleanable.clean();
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        rw.readLock().lock();
        try {
            return closed;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "Region[" + name + (isClosed() ? ", closed]" : ", " + size + " bytes]");
    }

    /* shmdev_open_init's initialiser, called from native code on this thread. */
    private static final ThreadLocal<Throwable> INIT_ERROR = new ThreadLocal<>();

    static final class InitArg {
        final String name;
        final int flags;
        final Initializer init;

        InitArg(String name, int flags, Initializer init) {
            this.name = name;
            this.flags = flags;
            this.init = init;
        }
    }

    static int runInit(long h, Object arg) {
        InitArg a = (InitArg) arg;
        Region tmp = null;
        try {
            tmp = new Region(a.name, h, a.flags, false);
            a.init.init(tmp);
            return 0;
        } catch (ShmdevException e) {
            INIT_ERROR.set(e);
            /* Anybody can make one with errno 0, which would mean success. */
            return e.errno() > 0 ? -e.errno() : -ShmdevException.ECANCELED;
        } catch (Throwable e) {
            INIT_ERROR.set(e);
            return -ShmdevException.ECANCELED;
        } finally {
            if (tmp != null)
                tmp.close();
        }
    }

    static Region openInit(String name, long size, int flags, int mode, Initializer init)
            throws IOException {
        INIT_ERROR.remove();
        long h = Native.openInit(name, size, flags, mode, new InitArg(name, flags, init));
        Throwable t = INIT_ERROR.get();
        INIT_ERROR.remove();
        if (h < 0) {
            if (t instanceof IOException)
                throw (IOException) t;
            if (t instanceof RuntimeException)
                throw (RuntimeException) t;
            if (t instanceof Error)
                throw (Error) t;
            throw ShmdevException.of(h, "open_init " + name);
        }
        return new Region(name, h, flags, true);
    }

    /* A timeout cut into slices. Long.MAX_VALUE ns (or more) is for ever. */
    static final class Deadline {
        private final long end;
        private final boolean forever;

        Deadline(long timeout, TimeUnit unit) {
            long ns = Math.max(0, unit.toNanos(timeout));
            forever = ns == Long.MAX_VALUE;
            end = System.nanoTime() + (forever ? 0 : ns);
        }

        /* The next slice to sleep: 0 once the time is up. */
        long slice() {
            if (forever)
                return SLICE_NS;
            long left = end - System.nanoTime();
            return Math.max(0, Math.min(left, SLICE_NS));
        }

        /* Whether the time is up. */
        boolean over() {
            return !forever && end - System.nanoTime() <= 0;
        }
    }
}
