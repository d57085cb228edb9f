// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegionTest {
    @BeforeAll
    static void peer() {
        Peer.startEarly();
    }

    @AfterAll
    static void cleanup() {
        T.cleanup();
    }

    /** What one handle writes through its buffer, another handle's buffer reads. */
    @Test
    void twoHandlesShareMemory() throws Exception {
        String n = T.name("share");
        try (Region a = Shmdev.open(n, 8192, Shmdev.CREAT, 0600);
                Region b = Shmdev.open(n)) {
            a.buffer().putLong(4000, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, b.buffer().getLong(4000));
            assertEquals(8192, b.size());
            assertEquals(8192, b.buffer().capacity());
            assertTrue(b.buffer().isDirect());
        }
    }

    /** Opening a missing region without CREAT: RegionNotFoundException, ENOENT. */
    @Test
    void openMissing() {
        T.errno(RegionNotFoundException.class, 2, () -> Shmdev.open(T.name("missing")));
    }

    /** CREAT|EXCL of an existing region: RegionExistsException, EEXIST. */
    @Test
    void createExclusiveExisting() throws Exception {
        String n = T.name("excl");
        Shmdev.create(n, 4096, 0, 0600);
        T.errno(RegionExistsException.class, 17,
                () -> Shmdev.open(n, 4096, Shmdev.CREAT | Shmdev.EXCL, 0600));
    }

    /** A name with a slash, an empty name or a NUL in the name: EINVAL. */
    @Test
    void badNames() {
        T.errno(ShmdevException.class, 22, () -> Shmdev.open("a/b", 4096, Shmdev.CREAT, 0600));
        T.errno(ShmdevException.class, 22, () -> Shmdev.open("", 4096, Shmdev.CREAT, 0600));
        T.errno(ShmdevException.class, 22, () -> Shmdev.open("a\0b", 4096, Shmdev.CREAT, 0600));
        assertThrows(NullPointerException.class, () -> Shmdev.open(null));
    }

    /** A negative size is refused before any call; an existing region smaller than asked: EINVAL. */
    @Test
    void sizes() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Shmdev.open("x", -1, Shmdev.CREAT, 0600));
        String n = T.name("small");
        Shmdev.create(n, 4096, 0, 0600);
        T.errno(ShmdevException.class, 22, () -> Shmdev.open(n, 8192, 0, 0));
    }

    /** unlink removes the name (then ENOENT); stat by name reports size and mode. */
    @Test
    void statAndUnlink() throws Exception {
        String n = T.name("stat");
        Shmdev.create(n, 12288, 0, 0640);
        RegionStat st = Shmdev.stat(n);
        assertEquals(12288, st.size());
        assertEquals(0640, st.mode() & 0777);
        assertEquals(0, st.handles());
        Shmdev.unlink(n);
        T.errno(RegionNotFoundException.class, 2, () -> Shmdev.stat(n));
        T.errno(RegionNotFoundException.class, 2, () -> Shmdev.unlink(n));
    }

    /** fstat through a handle counts this handle; handleId and fd are valid. */
    @Test
    void fstatHandle() throws Exception {
        try (Region r = T.create("fstat", 4096)) {
            RegionStat st = r.stat();
            assertEquals(1, st.handles());
            assertTrue(r.handleId() > 0);
            assertTrue(r.fd() >= 0);
        }
    }

    /** The module reports its ABI: version 1 or later, 64 kernel locks, 4 KiB pages. */
    @Test
    void api() throws Exception {
        Shmdev.Api a = Shmdev.api();
        assertTrue(a.abiVersion() >= 1);
        assertEquals(64, a.nrLocks());
        assertEquals(4096, a.pageSize());
        assertEquals(255, a.nameMax());
    }

    /** A read-only attach gives a read-only buffer and refuses mutexes with EACCES. */
    @Test
    void readOnly() throws Exception {
        String n = T.name("ro");
        try (Region w = Shmdev.open(n, 4096, Shmdev.CREAT, 0600);
                Region r = Shmdev.open(n, 0, Shmdev.RDONLY, 0)) {
            w.buffer().put(7, (byte) 42);
            assertEquals(42, r.buffer().get(7));
            assertTrue(r.buffer().isReadOnly());
            assertFalse(r.writable());
            assertThrows(ReadOnlyBufferException.class, () -> r.buffer().put(0, (byte) 1));
            T.uncheckedErrno(13, () -> r.mutex(0).lock());
        }
    }

    /** After close every call throws IllegalStateException, and close twice is harmless. */
    @Test
    void useAfterClose() throws Exception {
        Region r = T.create("closed", 4096);
        r.close();
        r.close();
        assertTrue(r.isClosed());
        assertThrows(IllegalStateException.class, r::buffer);
        assertThrows(IllegalStateException.class, r::size);
        assertThrows(IllegalStateException.class, () -> r.mutex(0));
        assertThrows(IllegalStateException.class, r::notifyEvent);
        assertThrows(IllegalStateException.class, () -> r.ring(0));
    }

    /**
     * A buffer kept after close does not crash the JVM: it reads zeros and
     * its writes do not reach the region, which still holds its data.
     */
    @Test
    void bufferAfterClose() throws Exception {
        String n = T.name("deadbuf");
        ByteBuffer b;
        try (Region r = Shmdev.open(n, 4096, Shmdev.CREAT, 0600)) {
            b = r.buffer();
            b.putInt(0, 0xabcdef);
        }
        assertEquals(0, b.getInt(0));
        b.putInt(0, 7);
        b.putInt(4092, 7);
        try (Region r = Shmdev.open(n)) {
            assertEquals(0xabcdef, r.buffer().getInt(0));
            assertEquals(0, r.buffer().getInt(4092));
        }
    }

    /** close releases the handle at once, though a buffer of it is still reachable. */
    @Test
    void closeReleasesHandleWithLiveBuffer() throws Exception {
        String n = T.name("release");
        Region r = Shmdev.open(n, 4096, Shmdev.CREAT, 0600);
        ByteBuffer b = r.buffer();
        assertEquals(1, Shmdev.stat(n).handles());
        r.close();
        assertEquals(0, Shmdev.stat(n).handles());
        assertEquals(0, Shmdev.stat(n).mappings());
        assertEquals(0, b.get(0));
    }

    /** Offsets outside the mapping are IndexOutOfBoundsException, misaligned IllegalArgument. */
    @Test
    void offsetsChecked() throws Exception {
        try (Region r = T.create("bounds", 4096)) {
            assertThrows(IndexOutOfBoundsException.class, () -> r.mutex(4092));
            assertThrows(IndexOutOfBoundsException.class, () -> r.mutex(-8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.mutex(Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> r.mutex(2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.wakeWord(4096, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.initRing(0, 1L << 40));
            assertThrows(IndexOutOfBoundsException.class, () -> r.buffer().get(4096));
        }
    }

    /**
     * resize grows the region and maps it again: the new buffer sees the
     * data and the new size; a buffer from before reads zeros, no crash.
     */
    @Test
    void resizeWithLiveBuffer() throws Exception {
        try (Region r = T.create("resize", 4096)) {
            ByteBuffer old = r.buffer();
            old.putInt(100, 99);
            r.resize(16384);
            assertEquals(16384, r.size());
            assertEquals(99, r.buffer().getInt(100));
            assertEquals(0, old.getInt(100));
            old.putInt(100, 5);
            assertEquals(99, r.buffer().getInt(100));
            r.resize(8192);
            assertEquals(8192, r.buffer().capacity());
            assertThrows(IllegalArgumentException.class, () -> r.resize(-1));
        }
    }

    /** remap maps the size another handle grew the region to. */
    @Test
    void remap() throws Exception {
        String n = T.name("remap");
        try (Region a = Shmdev.open(n, 4096, Shmdev.CREAT, 0600); Region b = Shmdev.open(n)) {
            a.resize(8192);
            assertEquals(4096, b.size());
            b.remap();
            assertEquals(8192, b.size());
        }
    }

    /** openInit runs the initialiser once, in the creator only. */
    @Test
    void openInitOnce() throws Exception {
        String n = T.name("init");
        AtomicInteger runs = new AtomicInteger();
        Initializer init = r -> {
            runs.incrementAndGet();
            r.buffer().putInt(0, 1234);
        };
        try (Region a = Shmdev.openInit(n, 4096, Shmdev.CREAT, 0600, init);
                Region b = Shmdev.openInit(n, 4096, Shmdev.CREAT, 0600, init)) {
            assertEquals(1, runs.get());
            assertEquals(1234, b.buffer().getInt(0));
            assertEquals(1234, a.buffer().getInt(0));
        }
    }

    /** An initialiser's exception fails the open, is rethrown, and the next opener initialises. */
    @Test
    void openInitFailure() throws Exception {
        String n = T.name("initfail");
        IOException boom = new IOException("boom");
        assertSame(boom, assertThrows(IOException.class,
                () -> Shmdev.openInit(n, 4096, Shmdev.CREAT, 0600, r -> {
                    throw boom;
                })));
        ShmdevException e = new ShmdevException("mine", 28);
        assertSame(e, assertThrows(ShmdevException.class,
                () -> Shmdev.openInit(n, 4096, Shmdev.CREAT, 0600, r -> {
                    throw e;
                })));
        try (Region r = Shmdev.openInit(n, 4096, Shmdev.CREAT, 0600,
                x -> x.buffer().put(0, (byte) 9))) {
            assertEquals(9, r.buffer().get(0));
        }
    }

    /*
     * An initialiser's ShmdevException of errno 0 fails the open as well,
     * and is rethrown (runInit returned -0: success, a region initialised
     * by nobody).
     */
    @Test
    void openInitFailureErrnoZero() throws Exception {
        String n = T.name("initzero");
        ShmdevException e = new ShmdevException("zero", 0);
        assertSame(e, assertThrows(ShmdevException.class,
                () -> Shmdev.openInit(n, 4096, Shmdev.CREAT, 0600, r -> {
                    throw e;
                })));
    }

    /*
     * A name goes to the module in UTF-8, as from C or any other binding: a
     * character beyond U+FFFF is its 4 bytes (it was modified UTF-8's two
     * 3-byte surrogates), and an unpaired surrogate is EINVAL.
     */
    @Test
    void nameIsUtf8() throws Exception {
        String n = T.name("utf8");
        Shmdev.create(n + "\uD83D\uDCE6\u00e9", 4096, 0, 0600);
        try {
            String proc = new String(java.nio.file.Files.readAllBytes(
                    java.nio.file.Path.of("/proc/shmdev")), StandardCharsets.ISO_8859_1);
            assertTrue(proc.contains(n + "\\360\\237\\223\\246\\303\\251"), proc);
        } finally {
            Shmdev.unlink(n + "\uD83D\uDCE6\u00e9");
        }
        T.errno(ShmdevException.class, 22, () -> Shmdev.open(n + "\uD83D", 4096, Shmdev.CREAT, 0600));
    }

    /** The initialiser's region is dead after it returns: IllegalStateException, no crash. */
    @Test
    void openInitRegionEscapes() throws Exception {
        Region[] kept = new Region[1];
        ByteBuffer[] buf = new ByteBuffer[1];
        try (Region r = Shmdev.openInit(T.name("escape"), 4096, Shmdev.CREAT, 0600, x -> {
            kept[0] = x;
            buf[0] = x.buffer();
        })) {
            assertThrows(IllegalStateException.class, kept[0]::buffer);
            assertEquals(0, buf[0].get(0));
            assertNotEquals(null, r.buffer());
        }
    }

    private static long vmSizeKiB() throws IOException {
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
            if (l.startsWith("VmSize:"))
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
        throw new IOException("no VmSize");
    }

    /**
     * The address range of a closed region's buffers is given back once
     * they are unreachable: 100 opens and closes of a 1 MiB region, buffers
     * dropped, leave well under 100 MiB of address space after a GC.
     */
    @Test
    void buffersUnmapped() throws Exception {
        String n = T.name("reclaim");
        Shmdev.create(n, 1 << 20, 0, 0600);
        System.gc();
        long before = vmSizeKiB();
        for (int i = 0; i < 100; i++) {
            try (Region r = Shmdev.open(n)) {
                r.buffer().put(i, (byte) 1);
            }
        }
        long grown = 0;
        for (int i = 0; i < 40; i++) {
            System.gc();
            Thread.sleep(50);
            grown = (vmSizeKiB() - before) / 1024;
            if (grown < 50)
                break;
        }
        assertTrue(grown < 50, "address space grew by " + grown + " MiB");
        try (Region r = Shmdev.open(n)) {
            for (int i = 0; i < 100; i++)
                assertEquals(1, r.buffer().get(i));
        }
    }
}
