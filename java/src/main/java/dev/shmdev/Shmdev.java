// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.IOException;

/**
 * Entry points: open, create, unlink and stat regions by name, and ask the
 * module what it supports.
 *
 * <pre>{@code
 * try (Region r = Shmdev.open("cache", 1 << 20, Shmdev.CREAT, 0600)) {
 *     ByteBuffer b = r.buffer();
 *     ...
 * }
 * }</pre>
 */
public final class Shmdev {
    private Shmdev() {
    }

    /** Create the region if it does not exist. */
    public static final int CREAT = 0x01;
    /** With CREAT: fail with {@link RegionExistsException} if it exists. */
    public static final int EXCL = 0x02;
    /** Attach for reading only: buffers are read-only, mutexes refuse (EACCES). */
    public static final int RDONLY = 0x04;
    /** At create: free the region with its last user. */
    public static final int AUTODESTROY = 0x08;
    /** At create: allocate all its memory now. */
    public static final int POPULATE = 0x10;

    /* Kernel lock modes (SHMDEV_LOCK_SH, _EX), for KernelLock. */
    static final int LOCK_SH = 0x01, LOCK_EX = 0x02;

    /** What the module supports. */
    public record Api(int abiVersion, int nrLocks, long features, int nameMax, int pageSize) {
    }

    static long check(long ret, String what) throws ShmdevException {
        if (ret < 0)
            throw ShmdevException.of(ret, what);
        return ret;
    }

    private static String name(String name) {
        if (name == null)
            throw new NullPointerException("name");
        return name;
    }

    /**
     * Attach to region {@code name}, creating it with {@code size} bytes and
     * {@code mode} under {@link #CREAT}; an existing region must be at least
     * {@code size} bytes (0: any). Errors: {@link RegionNotFoundException},
     * {@link RegionExistsException}, {@link LimitException}, else a
     * {@link ShmdevException} with the errno of shmdev_open(3).
     */
    public static Region open(String name, long size, int flags, int mode)
            throws ShmdevException {
        if (size < 0)
            throw new IllegalArgumentException("negative size " + size);
        long h = Native.open(name(name), size, flags, mode);
        check(h, "open " + name);
        return new Region(name, h, flags, true);
    }

    /** {@link #open(String, long, int, int)} with mode 0600. */
    public static Region open(String name, long size, int flags) throws ShmdevException {
        return open(name, size, flags, 0600);
    }

    /** Attach to an existing region, read-write. */
    public static Region open(String name) throws ShmdevException {
        return open(name, 0, 0, 0);
    }

    /**
     * As {@link #open(String, long, int, int)}, and the first opener runs
     * {@code init} on the region before anyone else can use it (the others
     * wait in the module); see shmdev_open_init(3). An exception of
     * {@code init} is rethrown here.
     */
    public static Region openInit(String name, long size, int flags, int mode,
            Initializer init) throws IOException {
        if (size < 0)
            throw new IllegalArgumentException("negative size " + size);
        if (init == null)
            throw new NullPointerException("init");
        return Region.openInit(name(name), size, flags, mode, init);
    }

    /** Create a region without attaching to it (CREAT is implied). */
    public static void create(String name, long size, int flags, int mode)
            throws ShmdevException {
        if (size < 0)
            throw new IllegalArgumentException("negative size " + size);
        check(Native.create(name(name), size, flags, mode), "create " + name);
    }

    /** Remove a region's name; attached handles keep it until they close. */
    public static void unlink(String name) throws ShmdevException {
        check(Native.unlink(name(name)), "unlink " + name);
    }

    /** A region's attributes by name. */
    public static RegionStat stat(String name) throws ShmdevException {
        long[] v = new long[20];
        check(Native.stat(name(name), v), "stat " + name);
        return new RegionStat(v);
    }

    /** The module's ABI version, lock count, features, name length and page size. */
    public static Api api() throws ShmdevException {
        long[] v = new long[5];
        check(Native.queryApi(v), "query_api");
        return new Api((int) v[0], (int) v[1], v[2], (int) v[3], (int) v[4]);
    }
}
