package org.pacsmigrator.harness;

import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Every process the harness starts (Orthanc, Kafka, Cassandra, their tools), stopped when this JVM ends: on
 * SIGINT/SIGTERM the JVM runs its shutdown hooks but no {@code finally} or {@code close()} of the thread that
 * started them (e.g. {@code demo --serve} waiting forever), and an Orthanc, unlike the child JVMs, does not watch
 * its parent. Each gets SIGTERM, so it shuts down cleanly, and SIGKILL if still running after the grace period.
 * The clients of those servers registered with {@link #stopFirst} are closed before: a Kafka consumer or Streams
 * client that outlives its broker logs a warning for every reconnection attempt until the JVM is gone.
 */
public final class ChildProcesses {
    /** As {@link ChildJvmService#stop()}: a Cassandra flushing its memtables may need it. */
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Deque<AutoCloseable> CLIENTS = new ConcurrentLinkedDeque<>();
    private static volatile boolean stopping;

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

    /**
     * Closes {@code client} before the processes when the JVM ends without its owner having closed it (a signal), the
     * last registered first; closing the returned handle unregisters it (its owner closes it itself).
     */
    public static Registration stopFirst(AutoCloseable client) {
        CLIENTS.push(client);
        return () -> CLIENTS.remove(client);
    }

    /** A client's place in the shutdown order; closing it unregisters the client. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** True once the JVM shuts down (a signal, or the end of main): what fails after that was stopped, not broken. */
    public static boolean stopping() {
        return stopping;
    }

    /** The clients first, one at a time; then the processes, all at once: each spends its shutdown on its own data. */
    static void stopAll() {
        stopping = true;
        for (AutoCloseable client = CLIENTS.poll(); client != null; client = CLIENTS.poll()) {
            try {
                client.close();
            } catch (Exception e) {
                System.err.println("stopping " + client + ": " + e);
            }
        }
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
