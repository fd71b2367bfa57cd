package org.pacsmigrator.migrator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.harness.ChildMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Kafka and Cassandra recorded by an earlier run on the same data directory. After a crash of that run
 * (even SIGKILL) they notice their parent is gone and shut down cleanly; new ones on the same data before that would
 * fail on the data directories' locks. So they are waited for; one that stays, or one whose run is still going, is the
 * user's to stop: a one-line {@link ConfigException}, not a crash.
 */
final class PreviousServices {
    private static final Logger LOG = LoggerFactory.getLogger(PreviousServices.class);
    static final String KEY = "storage.dataDirectory";
    /** {@code ChildMain <parentPid> <mainClass> ...}, as the harness starts a child JVM. */
    private static final String CHILD_MAIN = ChildMain.class.getName();

    private PreviousServices() {
    }

    /** One recorded process still running as an embedded service, with the pid of the run that started it. */
    record Service(ProcessHandle process, long parentPid, String name) {
        @Override
        public String toString() {
            return "embedded " + name + " (process " + process.pid() + ")";
        }
    }

    /** Waits up to {@code timeout} for each recorded service still running to exit. */
    static void awaitGone(Path pids, Duration timeout) {
        Path data = pids.getParent();
        for (Service service : running(pids)) {
            if (ProcessHandle.of(service.parentPid()).isPresent()) {
                throw new ConfigException(KEY, data + " is in use by a pacs-migrator still running (process " + service.parentPid()
                        + ", its " + service + "): stop it first, or give this migration another data directory");
            }
            LOG.info("waiting for the {} of the previous run to exit", service);
            try {
                service.process().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new ConfigException(KEY, "the " + service + " of a previous run still holds " + data + " after "
                        + timeout.toSeconds() + " s: stop it (kill " + service.process().pid() + ") and start again");
            } catch (Exception e) {
                throw new IllegalStateException("waiting for the " + service + " to exit", e);
            }
        }
    }

    /** The recorded processes that still run as embedded services (a pid reused by something else is not one). */
    static List<Service> running(Path pids) {
        List<Service> running = new ArrayList<>();
        if (!Files.exists(pids)) {
            return running;
        }
        try {
            for (String line : Files.readAllLines(pids)) {
                if (line.isBlank()) {
                    continue;
                }
                Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(line.strip()));
                process.flatMap(PreviousServices::asService).ifPresent(running::add);
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot read {}: {}", pids, e.toString());
        }
        return running;
    }

    private static Optional<Service> asService(ProcessHandle process) {
        List<String> args = arguments(process);
        int main = args.indexOf(CHILD_MAIN);
        if (main < 0 || main + 2 >= args.size()) {
            return Optional.empty();
        }
        try {
            long parent = Long.parseLong(args.get(main + 1));
            String server = args.get(main + 2);
            return Optional.of(new Service(process, parent, server.contains("cassandra") ? "Cassandra"
                    : server.startsWith("kafka") ? "Kafka" : server));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** From /proc: {@link ProcessHandle.Info} cuts a child JVM's long command line before its main class. */
    private static List<String> arguments(ProcessHandle process) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    StandardCharsets.UTF_8);
            return List.of(cmdline.split("\0"));
        } catch (IOException | SecurityException e) {
            return process.info().arguments().map(List::of).orElse(List.of());
        }
    }
}
