// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;

/**
 * The JNI functions of java/jni/shmdev_jni.c. Each returns a non-negative
 * result or -errno, as libshmdev does, and throws nothing; the public
 * classes check arguments first and turn errors into exceptions.
 */
final class Native {
    private Native() {
    }

    static {
        load();
    }

    /*
     * -Dshmdev.jni=PATH names the library; else java.library.path is
     * searched for libshmdev_jni.so; else it is looked for next to the jar
     * (or class directory) this class came from.
     */
    private static void load() {
        String path = System.getProperty("shmdev.jni");
        if (path != null) {
            System.load(path);
            return;
        }
        try {
            System.loadLibrary("shmdev_jni");
            return;
        } catch (UnsatisfiedLinkError e) {
            File here;
            try {
                here = new File(Native.class.getProtectionDomain().getCodeSource()
                        .getLocation().toURI());
            } catch (URISyntaxException | SecurityException | NullPointerException e2) {
                throw e;
            }
            for (File d = here.isDirectory() ? here : here.getParentFile(); d != null;
                    d = d.getParentFile()) {
                File so = new File(d, "libshmdev_jni.so");
                if (so.isFile()) {
                    System.load(so.getAbsolutePath());
                    return;
                }
            }
            throw e;
        }
    }

    static native long open(String name, long size, int flags, int mode);
    static native long openInit(String name, long size, int flags, int mode, Object arg);
    static native int close(long h);
    static native int create(String name, long size, int flags, int mode);
    static native int unlink(String name);
    static native long size(long h);
    static native int fd(long h);
    static native int handleId(long h);
    static native int resize(long h, long size);
    static native int remap(long h);
    static native long mmapRegion(long h, boolean writable);
    static native int retire(long addr, long size);
    static native int unmap(long addr, long size);
    static native ByteBuffer newBuffer(long addr, long cap);
    static native int fstat(long h, long[] out);
    static native int stat(String name, long[] out);
    static native int queryApi(long[] out);
    static native int waitWord(long h, long off, int expected, long timeoutNs);
    static native int wakeWord(long h, long off, int nr);
    static native int lock(long h, int id, int mode, long timeoutNs);
    static native int unlock(long h, int id);
    static native int mutex_init(long h, long off);
    static native int mutex_lock(long h, long off, long timeoutNs);
    static native int mutex_trylock(long h, long off);
    static native int mutex_unlock(long h, long off);
    static native int mutex_consistent(long h, long off);
    static native int mutex_destroy(long h, long off);
    static native int cond_init(long h, long off);
    static native int cond_waitUnlocked(long h, long coff, long moff, long timeoutNs,
            boolean writable);
    static native int cond_signal(long h, long off);
    static native int cond_broadcast(long h, long off);
    static native int notifyEvent(long h);
    static native int eventWait(long h, long[] seq, long timeoutNs);
    static native int ringInit(long h, long off, long size);
    static native long ringAttach(long h, long off);
    static native int ringClose(long ring);
    static native long ringReserve(long ring, long h, long len, long timeoutNs);
    static native int ringCommit(long ring, long h, long off);
    static native int ringSendArray(long ring, byte[] a, int off, int len, long timeoutNs);
    static native int ringSendDirect(long ring, ByteBuffer b, int off, int len, long timeoutNs);
    static native int ringPeek(long ring, long h, long[] out, long timeoutNs);
    static native int ringRelease(long ring);
    static native int ringRecvArray(long ring, byte[] a, int off, int cap, long timeoutNs);
    static native int ringRecvDirect(long ring, ByteBuffer b, int off, int cap, long timeoutNs);
    static native int ringStat(long ring, long[] out);

    /* The runInit callback lives in Region; openInit is called with this class. */
    static int runInit(long h, Object arg) {
        return Region.runInit(h, arg);
    }
}
