package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/migrate.sh demo --serve} as a user runs it, stopped with SIGTERM once the console is serving: no
 * process it started (its two Orthancs, its embedded Kafka and Cassandra) is left running when it has exited, and
 * its stages stopped before the broker did (no warning of a client reconnecting to it, no stack trace).
 */
class DemoSigtermTest {
    @TempDir
    Path dir;

    @Test
    void sigtermLeavesNoProcessOfTheDemoRunning() throws Exception {
        Path demo = dir.resolve("demo");
        Path log = dir.resolve("demo.log");
        Process cli = new ProcessBuilder(repoRoot().resolve("scripts/migrate.sh").toString(), "demo", "--dir", demo.toString(),
                "--studies", "2", "--days", "1", "--series", "1", "--instances", "1", "--console-port", "0", "--serve")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<ProcessHandle> started = List.of();
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!Files.readString(log).contains("the console stays up")) {
                assertThat(cli.isAlive()).as("the demo ended before serving; log:%n%s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("the demo is not serving after 5 minutes; log:%n%s", Files.readString(log))
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
            started = cli.descendants().toList();
            assertThat(started.stream().filter(p -> commandLine(p).contains("Orthanc"))).as("its Orthancs").hasSize(2);
            assertThat(started.stream().filter(p -> commandLine(p).contains("ChildMain"))).as("its Kafka and Cassandra").hasSize(2);
            assertThat(processesNaming(demo)).as("the /proc scan finds them").isNotEmpty();

            cli.destroy(); // SIGTERM to the JVM: migrate.sh execs java
            assertThat(cli.waitFor(3, TimeUnit.MINUTES)).as("the demo exits on SIGTERM").isTrue();
            assertThat(started.stream().filter(ProcessHandle::isAlive).map(p -> shortened(commandLine(p))))
                    .as("processes of the demo still running after it exited").isEmpty();
            assertThat(processesNaming(demo).stream().map(DemoSigtermTest::shortened)).as("processes naming the demo's directory")
                    .isEmpty();
            String output = Files.readString(log);
            List<String> afterServing = output.substring(output.indexOf("the console stays up")).lines().toList();
            assertThat(afterServing).as("what the demo logged after SIGTERM; log:%n%s", output)
                    .noneMatch(line -> line.matches("^(\\S+ )?(WARN|ERROR)\\s.*") || line.matches("^\\s+at .*")
                            || line.contains("Exception"));
        } finally {
            // a failed run's leftovers: the demo's children outlive it once it has exited
            Stream.concat(cli.descendants(), started.stream()).forEach(ProcessHandle::destroyForcibly);
            cli.destroyForcibly();
        }
    }

    /** From /proc: ProcessHandle.Info cuts a child JVM's long command line before its main class. */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | SecurityException gone) {
            return "";
        }
    }

    /** A child JVM's command line without its class path. */
    private static String shortened(String commandLine) {
        return commandLine.replaceAll("-cp \\S+", "-cp ...");
    }

    /** Command lines in /proc that name {@code dir} (an Orthanc's config, a server's data directory). */
    private static List<String> processesNaming(Path dir) {
        return ProcessHandle.allProcesses().map(DemoSigtermTest::commandLine).filter(line -> line.contains(dir.toString())).toList();
    }

    /** PACSMIG_HOME, else the first directory above the working directory holding scripts/migrate.sh. */
    private static Path repoRoot() {
        String home = System.getenv("PACSMIG_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/migrate.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("no scripts/migrate.sh above " + System.getProperty("user.dir"));
    }
}
