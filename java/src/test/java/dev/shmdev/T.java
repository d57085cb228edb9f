// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Helpers of the tests: unique region names, removed at the end; errno assertions. */
final class T {
    private T() {
    }

    private static int seq;
    private static final List<String> NAMES = new ArrayList<>();

    /** A region name no other test (or run) uses. */
    static synchronized String name(String what) {
        String n = "jt." + ProcessHandle.current().pid() + "." + what + "." + seq++;
        NAMES.add(n);
        return n;
    }

    /** A fresh read-write region of @size bytes. */
    static Region create(String what, long size) throws ShmdevException {
        return Shmdev.open(name(what), size, Shmdev.CREAT | Shmdev.EXCL, 0600);
    }

    /** Unlink every name handed out (those still there). */
    static synchronized void cleanup() {
        for (String n : NAMES) {
            try {
                Shmdev.unlink(n);
            } catch (ShmdevException e) {
                /* unlinked by the test */
            }
        }
        NAMES.clear();
    }

    /** @e throws a ShmdevException of exactly @type with @errno. */
    static <X extends ShmdevException> X errno(Class<X> type, int errno, Executable e) {
        X x = assertThrows(type, e);
        assertEquals(type, x.getClass());
        assertEquals(errno, x.errno(), x.getMessage());
        return x;
    }

    /** @e throws an UncheckedIOException whose cause has @errno. */
    static void uncheckedErrno(int errno, Executable e) {
        UncheckedIOException x = assertThrows(UncheckedIOException.class, e);
        assertEquals(errno, ((ShmdevException) x.getCause()).errno(), x.getMessage());
    }

    /** Run @r in a thread and wait for it; rethrow what it threw. */
    static void inThread(Executable r) throws Throwable {
        Throwable[] err = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                r.execute();
            } catch (Throwable x) {
                err[0] = x;
            }
        });
        t.start();
        t.join();
        if (err[0] != null)
            throw err[0];
    }
}
