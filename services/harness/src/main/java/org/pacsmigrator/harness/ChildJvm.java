package org.pacsmigrator.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts Java child processes (Kafka, Cassandra) from the runtime classpath files the build writes
 * to {@code <repo root>/target/runtime/}. Child JVMs keep those servers' jars and logging off the
 * caller's classpath and let tests stop, kill and restart them.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The classpath in {@code target/runtime/<name>.classpath}, e.g. "kafka". */
    static String runtimeClasspath(String name) {
        Path file = repoRoot(name).resolve("target/runtime/" + name + ".classpath");
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code PACSMIG_HOME}, else the first directory above {@code user.dir} holding the classpath file. */
    static Path repoRoot(String name) {
        String relative = "target/runtime/" + name + ".classpath";
        String home = System.getenv("PACSMIG_HOME");
        if (home != null && !home.isBlank()) {
            Path root = Path.of(home).toAbsolutePath();
            if (!Files.isRegularFile(root.resolve(relative))) {
                throw new IllegalStateException("PACSMIG_HOME=" + root + " has no " + relative + ": run the build first (mvn -B -DskipTests package)");
            }
            return root;
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + relative + " in " + start + " or above: run the build first "
                + "(mvn -B -DskipTests package in the repository root) or set PACSMIG_HOME to the repository root");
    }

    /**
     * {@code PACSMIG_JAVA}, else the running JVM when it is Java 17 (Cassandra 5.0 runs on 11 and 17 only),
     * else {@code JAVA_HOME}, else "java" on the PATH.
     */
    static String javaExecutable() {
        String override = System.getenv("PACSMIG_JAVA");
        if (override != null && !override.isBlank()) {
            return override;
        }
        if (Runtime.version().feature() == 17 && ProcessHandle.current().info().command().isPresent()) {
            return ProcessHandle.current().info().command().get();
        }
        String javaHome = System.getenv("JAVA_HOME");
        return javaHome != null && !javaHome.isBlank() ? Path.of(javaHome, "bin", "java").toString() : "java";
    }

    /** The JVM options of a child: ours, the caller's, then PACSMIG_CHILD_JAVA_OPTS (last, so they win). */
    private static List<String> options(List<String> jvmArgs) {
        List<String> options = new ArrayList<>();
        // C1 only: the embedded broker and node serve a few requests per image, and C2 compiling their
        // code paths cost more CPU than it saved (measured: -40 % CPU of Kafka and Cassandra over a
        // 3,000-image migration) on the machine the PACS and the workers share.
        options.add("-XX:TieredStopAtLevel=1");
        options.addAll(jvmArgs);
        // e.g. -XX:TieredStopAtLevel=4, or -XX:StartFlightRecording=... to profile a service
        String extra = System.getenv("PACSMIG_CHILD_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return options;
    }

    /**
     * Starts {@code mainClass} through {@link ChildMain}, which exits the child when this JVM is gone,
     * so a killed test JVM does not leave a 1 GB Cassandra behind. Output goes to {@code log}.
     */
    static Process start(String classpath, List<String> jvmArgs, String mainClass, List<String> args, Path workDir, Path log) {
        String fullClasspath = classpath + File.pathSeparator + ownLocation();
        ClassDataArchive archive = archive(mainClass, fullClasspath);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(options(jvmArgs));
        command.addAll(archive == null ? List.of() : archive.options());
        command.add("-cp");
        command.add(fullClasspath);
        command.add(ChildMain.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(args);
        return promoted(exec(command, workDir, log), archive);
    }

    /** Runs a short-lived tool to completion; fails with the tail of its log unless it exits 0. */
    static void run(String classpath, List<String> jvmArgs, String mainClass, List<String> args, Path workDir, Path log,
                    Duration timeout) {
        ClassDataArchive archive = archive(mainClass, classpath);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(options(jvmArgs));
        command.addAll(archive == null ? List.of() : archive.options());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        Process process = promoted(exec(command, workDir, log), archive);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(mainClass + " did not finish within " + timeout + "; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        awaitPromotion(process);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(mainClass + " exited with " + process.exitValue() + ": " + tail(log));
        }
    }

    /** The class-data archive of a child of {@code mainClass}, kept beside the runtime classpath files. */
    private static ClassDataArchive archive(String mainClass, String classpath) {
        String kind = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        return ClassDataArchive.of(kind, javaExecutable(), classpath, repoRoot("harness").resolve("target/runtime/cds"));
    }

    private static Process promoted(Process process, ClassDataArchive archive) {
        if (archive != null) {
            PROMOTIONS.put(process, archive.promoteWhenDone(process));
        }
        return process;
    }

    /** Archives being renamed once their writer exited, waited for by stop/kill: this JVM may be about to exit. */
    private static final Map<Process, CompletableFuture<Void>> PROMOTIONS = new ConcurrentHashMap<>();

    private static void awaitPromotion(Process process) {
        CompletableFuture<Void> promotion = PROMOTIONS.remove(process);
        if (promotion != null) {
            try {
                promotion.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // not renamed: the next start writes the archive again
            }
        }
    }

    /** SIGTERM (the server's own shutdown hook runs), then SIGKILL if it has not exited in time. */
    static void stop(Process process, Duration timeout) {
        if (process == null) {
            return;
        }
        process.destroy();
        await(process, timeout);
        awaitPromotion(process);
    }

    static void kill(Process process) {
        if (process != null) {
            process.destroyForcibly();
            await(process, Duration.ofSeconds(30));
            awaitPromotion(process);
        }
    }

    /** Resident set size in KiB from /proc (Linux), or -1. */
    static long rssKiB(Process process) {
        if (process == null || !process.isAlive()) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or the process just exited
        }
        return -1;
    }

    /** The last lines of a log, for error messages. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log at " + log + ")";
        }
    }

    private static void await(Process process, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Process exec(List<String> command, Path workDir, Path log) {
        try {
            return ChildProcesses.started(ownerOnlyProcess(command, privateDirectory(workDir), log).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    /**
     * A process that creates what it writes readable by its user only ({@code umask 077}: the servers' data
     * holds patient names and IDs), with its output appended to {@code log} (itself 0600).
     */
    static ProcessBuilder ownerOnlyProcess(List<String> command, Path workDir, Path log) throws IOException {
        List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$@\"", "sh"));
        shell.addAll(command);
        if (!Files.exists(log)) {
            Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return new ProcessBuilder(shell).directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    /** Creates {@code dir} if need be and makes it accessible to its owner only (0700), so nothing below is reachable. */
    static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** Writes a config file readable by its owner only. */
    static void writePrivate(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static String ownLocation() {
        try {
            return Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
