// SPDX-License-Identifier: MIT
/*
 * Counter: the Java counterpart of examples/counter.c. A number in a named
 * region, incremented under a robust shmdev mutex.
 *
 *   java -cp build/java/shmdev.jar:build/java/examples Counter inc NAME
 *   ... Counter get NAME     print the value
 *   ... Counter hold NAME    take the mutex and keep it until killed
 *   ... Counter run N        N threads each add 1 to a fresh region, then
 *                            succeed if the counter reads N
 *
 * The layout is counter.c's (a shmdev_mutex_t at 0, a uint64 value at 8),
 * so the C and the Java programs count on the same region. What it shows:
 * the once-only set-up of Shmdev.openInit; a Mutex used as any Lock, whose
 * OwnerDiedException after a holder was killed is repaired with
 * consistent(); a whole 64-bit value read without the lock through a
 * VarHandle view of the mapped buffer (getAcquire).
 */
import dev.shmdev.Mutex;
import dev.shmdev.OwnerDiedException;
import dev.shmdev.Region;
import dev.shmdev.Shmdev;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

public final class Counter {
    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int SIZE = 16, OFF_VALUE = 8;

    private Counter() {
    }

    static Region open(String name, int flags) throws IOException {
        return Shmdev.openInit(name, SIZE, flags | Shmdev.CREAT, 0666, r -> r.mutex(0).init());
    }

    /* Lock, repairing the mutex if its last holder died with it. */
    static void lock(Mutex m) {
        try {
            m.lock();
        } catch (OwnerDiedException e) {
            /* value is a single aligned store: nothing was half done */
            System.err.println("counter: the last holder died holding the lock; "
                    + "the counter is consistent, carrying on");
            m.consistent();
        }
    }

    static long inc(Region r) {
        Mutex m = r.mutex(0);
        ByteBuffer b = r.buffer();
        lock(m);
        try {
            long v = (long) LONG.get(b, OFF_VALUE) + 1;
            LONG.set(b, OFF_VALUE, v);
            return v;
        } finally {
            m.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("inc")) {
            try (Region r = open(args[1], 0)) {
                System.out.println(inc(r));
            }
        } else if (args.length == 2 && args[0].equals("get")) {
            try (Region r = Shmdev.open(args[1], SIZE, Shmdev.RDONLY, 0)) {
                System.out.println((long) LONG.getAcquire(r.buffer(), OFF_VALUE));
            }
        } else if (args.length == 2 && args[0].equals("hold")) {
            Region r = open(args[1], 0);
            lock(r.mutex(0));
            System.out.printf("holding the lock of '%s' as pid %d%n", args[1],
                    ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        } else if (args.length == 2 && args[0].equals("run") && Integer.parseInt(args[1]) > 0) {
            System.exit(run(Integer.parseInt(args[1])));
        } else {
            System.err.println("usage: Counter inc NAME | get NAME | hold NAME | run N");
            System.exit(2);
        }
    }

    /* N threads, one increment each, on a region gone once closed. */
    static int run(int n) throws IOException, InterruptedException {
        String name = "counter." + ProcessHandle.current().pid();
        try (Region r = open(name, Shmdev.AUTODESTROY)) {
            Thread[] t = new Thread[n];
            for (int i = 0; i < n; i++) {
                t[i] = new Thread(() -> inc(r));
                t[i].start();
            }
            for (Thread x : t)
                x.join();
            long v = (long) LONG.getAcquire(r.buffer(), OFF_VALUE);
            System.out.printf("%d threads incremented '%s': it reads %d%n", n, name, v);
            return v == n ? 0 : 1;
        }
    }
}
