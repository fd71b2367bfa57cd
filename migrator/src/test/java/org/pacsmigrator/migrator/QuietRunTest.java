package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * A healthy {@code run} as a user starts it: the command line in a JVM of its own with the product's logging
 * configuration, its own embedded Kafka (stopped after the stages that use it), the console on. In each verification
 * mode: exit 0, no ERROR, no stack trace, no WARN after the summary; the INFO lines go on after the console started.
 * Stopped by SIGTERM while it migrates, it stops its stages before its Kafka, quietly.
 */
class QuietRunTest {
    private static final LocalDate FIRST_DAY = LocalDate.of(2024, 5, 6);
    private static final int STUDIES = 4;
    private static final Pattern LEVEL = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) .*");
    /** A stack trace's frames and causes, and an exception printed on its own line. */
    private static final Pattern STACK_TRACE = Pattern.compile("^(\\s+at |\\s*Caused by: |\\s*\\.\\.\\. \\d+ more|[\\w.$]+(Exception|Error)\\b).*");

    @TempDir
    static Path dir;
    private static OrthancServer oldPacs;
    private static OrthancServer newPacs;
    private static int migratorPort;
    private static int commitmentPort;

    @BeforeAll
    static void startPacs() throws Exception {
        migratorPort = Ports.freePort();
        commitmentPort = Ports.freePort();
        OrthancServer.Modality migrator = new OrthancServer.Modality("MIGRATOR", "127.0.0.1", migratorPort);
        oldPacs = OrthancServer.start("QUIETOLD", dir.resolve("old-pacs"), Map.of("migrator", migrator));
        newPacs = OrthancServer.start("QUIETNEW", dir.resolve("new-pacs"), Map.of("migrator", migrator,
                "commitment", new OrthancServer.Modality("MIGRATOR_SC", "127.0.0.1", commitmentPort)));
        SyntheticSeeding.sendTo(new SyntheticPacsGenerator(22, STUDIES, FIRST_DAY, 2, 1, 3, 2).small(),
                Dicom.client("GENERATOR", DicomTimeouts.defaults()), MigrationFixture.node(oldPacs), Files.createTempDirectory("seed"));
    }

    @AfterAll
    static void stopPacs() {
        for (OrthancServer pacs : new OrthancServer[] {oldPacs, newPacs}) {
            if (pacs != null) {
                pacs.stop();
            }
        }
    }

    @Test
    void storageCommitmentRunOverCMoveIsQuiet() throws Exception {
        assertQuiet(run("C-MOVE", "verify: {completion: sent-and-committed, commitment: {aeTitle: MIGRATOR_SC, port: "
                + commitmentPort + ", timeoutSeconds: 30}}"));
    }

    @Test
    void cFindRunOverCGetIsQuiet() throws Exception {
        assertQuiet(run("C-GET", "verify: {completion: sent-and-cfind}"));
    }

    @Test
    void sigtermWhileItMigratesStopsTheStagesBeforeKafkaAndSaysSoInOneLine() throws Exception {
        Path log = dir.resolve("run-sigterm.log");
        Process cli = start("sigterm", "C-GET", "verify: {completion: sent-and-cfind}", log);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!readIfExists(log).contains("retrieved study")) {
                assertThat(cli.isAlive()).as("the run ended before it migrated; log:%n%s", readIfExists(log)).isTrue();
                assertThat(System.nanoTime()).as("no study retrieved in 4 minutes; log:%n%s", readIfExists(log)).isLessThan(deadline);
                Thread.sleep(100);
            }
            int signalled = Files.readString(log).length();
            cli.destroy(); // SIGTERM
            assertThat(cli.waitFor(3, TimeUnit.MINUTES)).as("the run exits on SIGTERM").isTrue();
            String output = Files.readString(log);
            List<String> after = output.substring(signalled).lines().toList();
            assertThat(after).as("what the run logged after SIGTERM; log:%n%s", output)
                    .noneMatch(l -> l.matches("^(\\S+ )?(WARN|ERROR)\\s.*") || STACK_TRACE.matcher(l).matches());
        } finally {
            cli.destroyForcibly();
        }
    }

    /** The run's output, stdout and stderr in order, one line each; the run must have completed. */
    private static List<String> run(String retrieveMethod, String verify) throws Exception {
        Path log = dir.resolve("run-" + retrieveMethod + ".log");
        Process cli = start(retrieveMethod, retrieveMethod, verify, log);
        assertThat(cli.waitFor(6, TimeUnit.MINUTES)).as("the run ended; log:%n%s", readIfExists(log)).isTrue();
        String output = Files.readString(log);
        assertThat(cli.exitValue()).as("exit code; log:%n%s", output).isZero();
        assertThat(output).contains("RESULT: COMPLETE");
        return output.lines().toList();
    }

    /** A fresh migration named {@code name} (own data directory, topics and keyspace) of the old PACS into the new one. */
    private static Process start(String name, String retrieveMethod, String verify, Path log) throws Exception {
        newPacs.deleteAll();
        Path data = dir.resolve("data-" + name);
        Path config = Files.writeString(dir.resolve("quiet-" + name + ".yaml"), """
                migrationId: q%s
                source: {aeTitle: %s, host: 127.0.0.1, port: %d, retrieveMethod: %s}
                destination: {aeTitle: %s, host: 127.0.0.1, port: %d}
                migrator: {aeTitle: MIGRATOR, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s}
                %s
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: embedded, cassandra: "%s", cassandraDatacenter: %s, partitions: 2}
                """.formatted(UUID.randomUUID().toString().replace("-", "").substring(0, 12), oldPacs.aeTitle(),
                oldPacs.dicomPort(), retrieveMethod, newPacs.aeTitle(), newPacs.dicomPort(), migratorPort, FIRST_DAY,
                FIRST_DAY.plusDays(1), verify, data, MigrationFixture.services().cassandra().contactPoint(),
                MigrationFixture.services().cassandra().localDatacenter()));
        return CliProcess.start(log, "run", "--config", config.toString());
    }

    private static void assertQuiet(List<String> lines) {
        String all = String.join("\n", lines);
        assertThat(lines.stream().filter(l -> l.matches("^(\\S+ )?ERROR\\s.*") || STACK_TRACE.matcher(l).matches()))
                .as("ERROR lines and stack traces of a healthy run; log:%n%s", all).isEmpty();
        int summary = indexOf(lines, "RESULT: ");
        assertThat(lines.subList(summary, lines.size()).stream().filter(l -> l.matches("^(\\S+ )?WARN\\s.*")))
                .as("WARN lines after the summary; log:%n%s", all).isEmpty();
        // the console starts on its own thread: its Dropwizard bootstrap must not have cut the run's INFO lines off (it
        // may come up after the control pass in a small run: the services' last line comes after it in any case)
        int console = indexOf(lines, "Console: http");
        List<String> infoAfterConsole = new ArrayList<>();
        for (String line : lines.subList(console, lines.size())) {
            if (LEVEL.matcher(line).matches() && line.contains(" INFO ")) {
                infoAfterConsole.add(line);
            }
        }
        assertThat(infoAfterConsole).as("INFO lines after the console started; log:%n%s", all)
                .anyMatch(l -> l.contains("control query of") || l.contains("embedded services stopped"));
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with '" + text + "' in:\n" + String.join("\n", lines));
    }

    private static String readIfExists(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file) : "(no output)";
    }
}
