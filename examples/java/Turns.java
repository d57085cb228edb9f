// SPDX-License-Identifier: MIT
/*
 * Turns: two processes, in any languages with a shmdev binding, take turns
 * under one robust mutex and condition of region "demo.turns".
 *
 *   java -cp build/java/shmdev.jar:build/java/examples Turns --side even|odd --rounds N
 *
 * The region (4096 bytes, created by whoever comes first, mode 0600) is
 * set up once by Shmdev.openInit: a shmdev_mutex_t at 0, a shmdev_cond_t at
 * 8, uint32 turn at 16 (turns taken), uint32 rounds_done_mask at 20 (0),
 * char last[40] at 24 (who took the last turn, NUL-terminated). Each round:
 * lock; wait on the condition until turn % 2 is our side's (10 s at most);
 * print "java PID: turn T after LAST"; write our name into last; turn += 1;
 * broadcast; unlock. Whoever takes the last turn (2N) unlinks the region.
 * Exit status 0 only if every turn was the one expected.
 */
import dev.shmdev.Mutex;
import dev.shmdev.OwnerDiedException;
import dev.shmdev.Region;
import dev.shmdev.RegionNotFoundException;
import dev.shmdev.SharedCondition;
import dev.shmdev.Shmdev;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

public final class Turns {
    static final String NAME = "demo.turns";
    static final int SIZE = 4096, OFF_MUTEX = 0, OFF_COND = 8, OFF_TURN = 16, OFF_LAST = 24,
            LAST_BYTES = 40;

    private Turns() {
    }

    /* Take @rounds turns on @side ("even" or "odd"); 0 when all went as expected. */
    public static int run(String side, int rounds, PrintStream out)
            throws IOException, InterruptedException {
        int parity = side.equals("odd") ? 1 : 0;
        String me = "java " + ProcessHandle.current().pid();
        boolean good = true;
        ownerDied = false;
        try (Region r = Shmdev.openInit(NAME, SIZE, Shmdev.CREAT, 0600, init -> {
            init.mutex(OFF_MUTEX).init();
            init.mutex(OFF_MUTEX).newCondition(OFF_COND).init();
        })) {
            ByteBuffer b = r.buffer().order(ByteOrder.nativeOrder());
            Mutex m = r.mutex(OFF_MUTEX);
            SharedCondition c = m.newCondition(OFF_COND);
            for (int i = 0; i < rounds; i++) {
                int expect = 2 * i + parity, t;
                if (!lock(m)) {
                    System.err.println("turns: lock: timed out");
                    return 1;
                }
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (b.getInt(OFF_TURN) % 2 != parity) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            System.err.println("turns: waiting for my turn: timed out");
                            return 1;
                        }
                        try {
                            c.awaitNanos(left);
                        } catch (OwnerDiedException e) {
                            /* the other side died mid-turn: whole words only, carry on */
                            m.consistent();
                            good = false;
                        }
                    }
                    t = b.getInt(OFF_TURN);
                    good &= t == expect;
                    out.printf("java %d: turn %d after %s%n", ProcessHandle.current().pid(), t,
                            last(b));
                    out.flush();
                    byte[] name = me.getBytes(StandardCharsets.UTF_8);
                    int n = Math.min(name.length, LAST_BYTES - 1);
                    b.put(OFF_LAST, name, 0, n).put(OFF_LAST + n, (byte) 0);
                    b.putInt(OFF_TURN, t + 1);
                    c.signalAll();
                } finally {
                    m.unlock();
                }
                if (t + 1 == 2 * rounds) {
                    try {
                        Shmdev.unlink(NAME);
                    } catch (RegionNotFoundException e) {
                        /* gone already */
                    }
                }
            }
        }
        return good && !ownerDied ? 0 : 1;
    }

    /* Lock within 10 s; a holder that died is not our failure to lock, but a bad run. */
    private static boolean lock(Mutex m) throws InterruptedException {
        try {
            return m.tryLock(10, TimeUnit.SECONDS);
        } catch (OwnerDiedException e) {
            m.consistent();
            ownerDied = true;
            return true;
        }
    }

    private static volatile boolean ownerDied;

    private static String last(ByteBuffer b) {
        byte[] a = new byte[LAST_BYTES];
        b.get(OFF_LAST, a);
        int n = 0;
        while (n < LAST_BYTES && a[n] != 0)
            n++;
        return n == 0 ? "nobody" : new String(a, 0, n, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        String side = null;
        int rounds = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--side"))
                side = args[i + 1];
            else if (args[i].equals("--rounds"))
                rounds = Integer.parseInt(args[i + 1]);
        }
        if (side == null || !(side.equals("even") || side.equals("odd")) || rounds < 1
                || args.length != 4) {
            System.err.println("usage: Turns --side even|odd --rounds N");
            System.exit(2);
        }
        System.exit(run(side, rounds, System.out));
    }
}
