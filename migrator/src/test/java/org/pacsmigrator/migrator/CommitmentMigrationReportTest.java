package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;

/**
 * The demo data set migrated with completion "sent-and-committed" into a new PACS of this test's own
 * (it must know the commitment AE), then the final report: one row per study with the right counts, an
 * empty reconciliation; after an instance is deleted in the new PACS the reconciliation lists it and the
 * re-send action brings it back.
 */
class CommitmentMigrationReportTest {
    private static OrthancServer newPacs;
    private static int commitmentPort;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        Services s = MigrationFixture.services();
        commitmentPort = Ports.freePort();
        newPacs = OrthancServer.start("NEWPACS2", dir.resolve("new-pacs"), Map.of(
                "migrator", new OrthancServer.Modality(s.migrator().aeTitle(), "127.0.0.1", s.migrator().port()),
                "commitment", new OrthancServer.Modality("MIGRATOR_SC", "127.0.0.1", commitmentPort)));
    }

    @AfterAll
    static void stop() {
        if (newPacs != null) {
            newPacs.stop();
        }
    }

    private static MigrationConfig config() {
        MigrationConfig base = MigrationFixture.config("C-GET", dir.resolve("data"));
        String yaml = """
                migrationId: %s
                source: {aeTitle: %s, host: %s, port: %d, retrieveMethod: C-GET}
                destination: {aeTitle: NEWPACS2, host: 127.0.0.1, port: %d}
                migrator: {aeTitle: %s, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s}
                verify: {completion: sent-and-committed, commitment: {aeTitle: MIGRATOR_SC, port: %d, timeoutSeconds: 20}}
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 3}
                """.formatted(base.migrationId, base.source.aeTitle, base.source.host, base.source.port,
                newPacs.dicomPort(), base.migrator.aeTitle, base.migrator.port, base.index.from, base.index.to,
                commitmentPort, base.storage.dataDirectory, base.services.kafka, base.services.cassandra,
                base.services.cassandraDatacenter);
        return ConfigLoader.validate(ConfigLoader.parse(yaml));
    }

    @Test
    void committedMigrationReportsEveryStudyWithCorrectCountsAndResendsWhatIsMissing() throws Exception {
        MigrationConfig config = config();
        String output = EndToEndMigrationTest.runExpectingSuccess(config); // also: no ERROR, no stack trace
        // No console.token configured: the run made one up; its output (not a terminal) names the file, not the token.
        Path tokenFile = Path.of(config.storage.dataDirectory).resolve(EmbeddedConsole.TOKEN_FILE);
        String token = Files.readString(tokenFile).strip();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(Files.getPosixFilePermissions(tokenFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(output).contains("Console: http://127.0.0.1:").contains("Console token for this run: in " + tokenFile)
                .doesNotContain(token);
        assertThat(output).contains("RESULT: COMPLETE")
                .contains("completion (sent-and-committed): " + MigrationFixture.STUDIES + " of " + MigrationFixture.STUDIES);

        Path reportDir = Path.of(config.storage.dataDirectory).resolve("report");
        List<Map<String, String>> rows = readCsv(reportDir.resolve("report.csv"));
        Map<String, GeneratedStudy> plan = new HashMap<>();
        MigrationFixture.generator().plan().forEach(st -> plan.put(st.studyInstanceUid(), st));
        assertThat(rows).hasSize(MigrationFixture.STUDIES);
        for (Map<String, String> row : rows) {
            GeneratedStudy expected = plan.get(row.get("study_instance_uid"));
            assertThat(expected).as("study %s", row.get("study_instance_uid")).isNotNull();
            String n = Integer.toString(expected.instanceCount());
            assertThat(row).containsEntry("patient_id", expected.patient().patientId())
                    .containsEntry("accession_number", expected.accessionNumber())
                    .containsEntry("state", "VERIFIED")
                    .containsEntry("manifest_instances", n).containsEntry("retrieved", n).containsEntry("sent", n)
                    .containsEntry("committed", n).containsEntry("commit_failed", "0")
                    .containsEntry("old_pacs_instances", n).containsEntry("new_pacs_instances", n)
                    .containsEntry("old_pacs_series", Integer.toString(expected.series().size()))
                    .containsEntry("instances_missing_in_new", "0").containsEntry("instances_extra_in_new", "0")
                    .containsEntry("verification_method", "storage-commitment").containsEntry("complete", "true");
            assertThat(row.get("verified_at")).isNotEmpty();
        }
        assertThat(Files.readAllLines(reportDir.resolve("reconciliation.csv"))).hasSize(1); // header only
        String html = Files.readString(reportDir.resolve("report.html"));
        assertThat(html).contains(MigrationFixture.STUDIES + " of " + MigrationFixture.STUDIES + " studies complete");
        plan.keySet().forEach(uid -> assertThat(html).contains(uid));

        // An instance disappears from the new PACS: the reconciliation finds it, the re-send action restores it.
        GeneratedStudy victim = MigrationFixture.generator().plan().toList().get(3);
        String lost = victim.sopInstanceUids().get(2);
        newPacs.delete("/instances/" + newPacs.post("/tools/lookup", lost).get(0).path("ID").asText());
        ByteArrayOutputStream reportOut = new ByteArrayOutputStream();
        int reportExit = ReportCommand.run(config, null, true, new PrintStream(reportOut, true, StandardCharsets.UTF_8));
        assertThat(reportExit).isEqualTo(MigratorCli.INCOMPLETE);
        assertThat(reportOut.toString(StandardCharsets.UTF_8)).contains("1 instances missing in the new PACS")
                .contains("Re-send: 1 studies queued");
        List<Map<String, String>> findings = readCsv(reportDir.resolve("reconciliation.csv"));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f).containsEntry("level", "instance").containsEntry("side", "missing in new")
                    .containsEntry("study_instance_uid", victim.studyInstanceUid()).containsEntry("sop_instance_uid", lost);
        });

        try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
            runner.startWorkers();
            runner.awaitIdle(Duration.ofSeconds(90));
            MigrationSummary summary = runner.awaitCompletion(Duration.ofMillis(500));
            assertThat(summary.complete()).as("summary %s", summary).isTrue();
        }
        assertThat(newPacs.sopInstanceUids()).contains(lost).hasSize(MigrationFixture.TOTAL_INSTANCES);
    }

    /** A small CSV reader for the report's own output (quoted fields, no embedded newlines in these tests). */
    private static List<Map<String, String>> readCsv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.get(0).split(",");
        return lines.stream().skip(1).map(line -> {
            List<String> cells = splitCsv(line);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], i < cells.size() ? cells.get(i) : "");
            }
            return row;
        }).toList();
    }

    private static List<String> splitCsv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return Arrays.asList(cells.toArray(new String[0]));
    }
}
