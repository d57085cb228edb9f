// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The second JVM of the two-JVM tests, started once per run (JVMs are slow
 * to start under emulation): it reads commands on stdin and answers on
 * stdout. The test side (start, send, expect) is in the static methods.
 *
 *   sha NAME MODE MS   write as Sha.write for MS ms: "started", then "done N"
 *   turns ROUNDS       the odd side of examples/java/Turns: its lines, "turns STATUS"
 *   hold NAME          lock the Mutex at 0, store 1 at 4096: "holding", then sleep
 *   quit
 */
final class Peer {
    private Peer() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        PrintStream out = System.out;
        long ms = Sha.warmUp();
        out.println("ready " + ProcessHandle.current().pid() + " warm-up " + ms + " ms");
        out.flush();
        for (String line; (line = in.readLine()) != null;) {
            String[] w = line.split(" ");
            switch (w[0]) {
            case "sha":
                try (Region r = Shmdev.open(w[1])) {
                    out.println("started");
                    out.flush();
                    out.println("done " + Sha.write(r, Sha.Mode.valueOf(w[2]),
                            Long.parseLong(w[3])));
                }
                break;
            case "turns":
                int st = (int) Class.forName("Turns")
                        .getMethod("run", String.class, int.class, PrintStream.class)
                        .invoke(null, "odd", Integer.parseInt(w[1]), out);
                out.println("turns " + st);
                break;
            case "hold":
                Region r = Shmdev.open(w[1]);
                r.mutex(0).lock();
                r.buffer().put(4096, (byte) 1);
                out.println("holding");
                out.flush();
                Thread.sleep(Long.MAX_VALUE);
                break;
            case "quit":
                return;
            default:
                out.println("unknown " + line);
            }
            out.flush();
        }
    }

    /* The test side. */
    private static Process proc;
    private static BufferedReader from;
    private static Writer to;
    private static IOException failed;

    /** Start the peer JVM if it is not running, without waiting for it. */
    static synchronized void startEarly() {
        if (proc != null || failed != null)
            return;
        String cp = System.getProperty("shmdev.test.cp", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java"));
        String opts = System.getProperty("shmdev.test.jvmopts", "");
        for (String o : opts.split(" "))
            if (!o.isEmpty())
                cmd.add(o);
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(Peer.class.getName());
        try {
            proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            from = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                    StandardCharsets.UTF_8));
            to = new OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            failed = e;
        }
    }

    /** The running peer's process, after its "ready". */
    static synchronized Process get() throws IOException {
        startEarly();
        if (failed != null)
            throw failed;
        if (!ready) {
            String l = expect("ready ");
            ready = l != null;
        }
        return proc;
    }

    private static boolean ready;

    static synchronized void send(String line) throws IOException {
        get();
        to.write(line + "\n");
        to.flush();
    }

    /** Lines up to the first that starts with @prefix (returned), or IOException at EOF. */
    static synchronized String expect(String prefix, List<String> seen) throws IOException {
        for (String l; (l = from.readLine()) != null;) {
            if (l.startsWith(prefix))
                return l;
            if (seen != null)
                seen.add(l);
        }
        throw new IOException("peer JVM ended before '" + prefix + "'");
    }

    static String expect(String prefix) throws IOException {
        return expect(prefix, null);
    }

    /** kill -9 the peer and reap it. */
    static synchronized void kill() throws InterruptedException {
        proc.destroyForcibly();
        proc.waitFor(30, TimeUnit.SECONDS);
        proc = null;
        ready = false;
    }
}
