package org.pacsmigrator.harness;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the harness starts (Orthanc, Kafka, Cassandra, their tools), stopped when this JVM ends: on
 * SIGINT/SIGTERM the JVM runs its shutdown hooks but no {@code finally} or {@code close()} of the thread that
 * started them (e.g. {@code demo --serve} waiting forever), and an Orthanc, unlike the child JVMs, does not watch
 * its parent. Each gets SIGTERM, so it shuts down cleanly, and SIGKILL if still running after the grace period.
 */
final class ChildProcesses {
    /** As {@link ChildJvmService#stop()}: a Cassandra flushing its memtables may need it. */
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "child-processes-stop"));
    }

    private ChildProcesses() {
    }

    /** Registers a process just started; it leaves the registry when it exits, however it was stopped. */
    static Process started(Process process) {
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        return process;
    }

    /** All at once: each spends its shutdown on its own data. */
    static void stopAll() {
        List<Process> alive = List.copyOf(RUNNING);
        alive.forEach(Process::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        try {
            for (Process process : alive) {
                if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
