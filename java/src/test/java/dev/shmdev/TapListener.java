// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Reports each test as a TAP line and the kselftest totals at the end, as
 * the other selftests do (registered through META-INF/services, so the
 * JUnit console launcher picks it up).
 */
public class TapListener implements TestExecutionListener {
    private int n, pass, fail, skip;
    private long start;

    private static String name(TestIdentifier id) {
        if (id.getSource().orElse(null) instanceof MethodSource) {
            MethodSource m = (MethodSource) id.getSource().get();
            String c = m.getClassName();
            return c.substring(c.lastIndexOf('.') + 1) + "." + m.getMethodName();
        }
        return id.getDisplayName();
    }

    @Override
    public synchronized void testPlanExecutionStarted(TestPlan plan) {
        start = System.nanoTime();
    }

    @Override
    public synchronized void executionStarted(TestIdentifier id) {
        if (id.isTest())
            start = System.nanoTime();
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier id, String reason) {
        if (!id.isTest())
            return;
        n++;
        skip++;
        System.out.println("ok " + n + " " + name(id) + " # SKIP " + reason);
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult r) {
        if (!id.isTest()) {
            /* a failed class set-up fails the run too */
            if (r.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                n++;
                fail++;
                System.out.println("not ok " + n + " " + id.getDisplayName() + " (set-up)");
                report(r);
            }
            return;
        }
        n++;
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
            pass++;
            System.out.println("ok " + n + " " + name(id) + " # " + ms + " ms");
        } else {
            fail++;
            System.out.println("not ok " + n + " " + name(id));
            report(r);
        }
        System.out.flush();
    }

    private static void report(TestExecutionResult r) {
        r.getThrowable().ifPresent(t -> {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            String[] lines = w.toString().split("\n");
            for (int i = 0; i < Math.min(lines.length, 12); i++)
                System.out.println("# " + lines[i]);
        });
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        System.out.println("1.." + n);
        System.out.printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0%n", pass,
                fail, skip);
        System.out.flush();
    }
}
