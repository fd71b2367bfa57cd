package org.pacsmigrator.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pacsmigrator.harness.ChildMain;

/**
 * One role of the distributed deployment as its own JVM: the worker service's main class with
 * {@code server <role>.yaml} (README "Operations"), started through the harness's {@link ChildMain}
 * so that it exits if the test JVM dies. Each start writes a log of its own
 * ({@code <name>-<n>.log}, the name being the role's or a replica's); {@link #kill()} is SIGKILL,
 * {@link #stop()} SIGTERM (graceful).
 */
final class RoleProcess implements AutoCloseable {
    enum Role {
        INDEXER("org.pacsmigrator.index.service.IndexerApplication"),
        RETRIEVER("org.pacsmigrator.retrieve.service.RetrieverApplication"),
        FORWARDER("org.pacsmigrator.forward.service.ForwarderApplication"),
        VERIFIER("org.pacsmigrator.verify.service.VerifierApplication"),
        CONSOLE("org.pacsmigrator.console.ConsoleApplication");

        /** The roles that move studies (the console only watches). */
        static final List<Role> WORKERS = List.of(INDEXER, RETRIEVER, FORWARDER, VERIFIER);

        final String mainClass;

        Role(String mainClass) {
            this.mainClass = mainClass;
        }

        String lower() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Role role;
    private final String name;
    private final Path yaml;
    private final Path logDirectory;
    private Process process;
    private Path log;
    private int starts;
    private int kills;

    RoleProcess(Role role, Path yaml, Path logDirectory) {
        this(role, role.lower(), yaml, logDirectory);
    }

    /** A replica of its role, e.g. "retriever-2": its own name in its logs. */
    RoleProcess(Role role, String name, Path yaml, Path logDirectory) {
        this.role = role;
        this.name = name;
        this.yaml = yaml;
        this.logDirectory = logDirectory;
    }

    /**
     * The service's Dropwizard YAML: the migration config, ports 0 (free ones, logged by Jetty's connectors as
     * they start: {@link #adminPort()}), loopback, INFO logs.
     */
    static Path writeServiceYaml(Path file, Path migrationConfig) {
        try {
            return Files.writeString(file, """
                    migrationConfig: %s
                    server:
                      applicationConnectors: [{type: http, port: 0}]
                      adminConnectors: [{type: http, port: 0}]
                      requestLog: {appenders: []}
                    logging:
                      level: INFO
                      loggers: {org.apache.kafka: WARN, com.datastax: WARN, com.pixelmed: WARN, org.eclipse.jetty: WARN,
                                org.eclipse.jetty.server.AbstractConnector: INFO}
                    """.formatted(migrationConfig.toAbsolutePath()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Role role() {
        return role;
    }

    String name() {
        return name;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        starts++;
        log = logDirectory.resolve(name + "-" + starts + ".log");
        List<String> command = new ArrayList<>(List.of(FaultEnvironment.java(), "-Xmx384m", "-XX:+UseSerialGC", "-cp", FaultEnvironment.classpath(), ChildMain.class.getName(),
                Long.toString(ProcessHandle.current().pid()), role.mainClass, "server", yaml.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(FaultEnvironment.workingDirectory())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TCP_NODELAY", "1");
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** SIGKILL: no shutdown hook, no graceful hand-over; waits until the process is gone. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        await(process, 30);
        kills++;
    }

    /** SIGTERM: the service finishes the study in hand and stops. */
    synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!await(process, 120)) {
            process.destroyForcibly();
            await(process, 30);
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The exit code if the process ended by itself (not killed by us), else null. */
    synchronized Integer exitedOnItsOwn() {
        return process != null && !process.isAlive() ? process.exitValue() : null;
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    int kills() {
        return kills;
    }

    int starts() {
        return starts;
    }

    synchronized Path log() {
        return log;
    }

    /** The admin port once the server runs (read from the log), or -1. */
    int adminPort() {
        return port("admin");
    }

    /** The application port (REST) once the server runs (read from the log), or -1. */
    int applicationPort() {
        return port("application");
    }

    /** Dropwizard logs each connector as {@code Started <connector>@...{...}{host:port}}. */
    private synchronized int port(String connector) {
        try {
            if (log == null || !Files.exists(log)) {
                return -1;
            }
            Matcher m = Pattern.compile("Started " + connector + "@[^{]*\\{[^}]*\\}\\{[^}]*:(\\d+)\\}")
                    .matcher(Files.readString(log));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The last lines of the current log (for failure messages). */
    synchronized String tail(int lines) {
        try {
            if (log == null || !Files.exists(log)) {
                return "";
            }
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static boolean await(Process p, int seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
