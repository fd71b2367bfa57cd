package org.pacsmigrator.harness;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The life cycle both server child JVMs share (Kafka broker, Cassandra node): graceful stop,
 * SIGKILL for fault tests, process facts. A service attached by address has no process and no
 * directory: stopping it does nothing.
 */
abstract class ChildJvmService implements AutoCloseable {
    protected final Path directory;
    protected Process process;

    protected ChildJvmService(Path directory) {
        this.directory = directory;
    }

    /** Graceful shutdown (SIGTERM runs the server's own shutdown hook), waiting for the process to exit. */
    public synchronized void stop() {
        ChildJvm.stop(process, Duration.ofSeconds(60));
        process = null;
    }

    /** SIGKILL, for fault tests: the server must recover its data directory on the next start. */
    public synchronized void kill() {
        ChildJvm.kill(process);
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    public Path directory() {
        return directory;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The child JVM's process id, or -1 when not started by us. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Resident memory of the process in KiB, -1 if unknown or not started here. */
    public long rssKiB() {
        return ChildJvm.rssKiB(process);
    }
}
