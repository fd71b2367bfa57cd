package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.index.ControlReport;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import picocli.CommandLine;

/**
 * An old PACS keeps receiving during a migration, also for days already indexed. After a complete
 * {@code run}, a study stored for an indexed day (and one more image of a migrated study) must be found
 * by the next run's control pass and migrated before that run says COMPLETE; likewise when the old PACS
 * caps its C-FIND answers below the studies of the day. The {@code control} command re-queries on demand
 * and exits 0 only when nothing is left to migrate; the console starts one with its token. Each test has an old PACS of its own (the shared one
 * holds the other tests' data set) and the shared new PACS, emptied first.
 */
class ControlPassMigrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final LocalDate D1 = LocalDate.of(2023, 5, 8);
    private static final LocalDate D2 = D1.plusDays(1);
    /** 6 studies over D1 and D2 (3 a day), 1 series of 2 small images each, one patient per study. */
    private static final SyntheticPacsGenerator ORIGINAL = new SyntheticPacsGenerator(8101, 6, D1, 2, 1, 2, 6).small();
    /** The same studies with 3 images per series: study 0 (on D1) gains one image in the old PACS. */
    private static final SyntheticPacsGenerator GROWN = new SyntheticPacsGenerator(8101, 6, D1, 2, 1, 3, 6).small();
    /** A study stored late, for D1. */
    private static final SyntheticPacsGenerator LATE = new SyntheticPacsGenerator(8102, 1, D1, 1, 1, 2, 1).small();

    @TempDir
    Path dir;

    @Test
    void lateStudyIsFoundByTheNextRunsControlPassAndMigratedBeforeItSaysComplete() throws Exception {
        try (OldPacs old = new OldPacs("LATE", dir, 0)) {
            lateStudyScenario(old, migration(old, "C-MOVE"));
        }
    }

    @Test
    void lateStudyIsFoundOnACappedOldPacs() throws Exception {
        // LimitFindResults 2, fewer than the 3 to 4 studies of each day: every day's query is split.
        try (OldPacs old = new OldPacs("LATECAP", dir, 2)) {
            Migration m = migration(old, "C-GET");
            // The undated pass of a 6-patient archive capped at 2 cannot be split by PatientID prefix (every
            // patient's studies share it): an artefact of the tiny archive, beside the point here.
            Files.writeString(m.file(), Files.readString(m.file()).replace("index: {", "index: {undatedStudies: false, "));
            lateStudyScenario(old, new Migration(m.file(), ConfigLoader.load(m.file())));
        }
    }

    private void lateStudyScenario(OldPacs old, Migration m) throws Exception {
        String first = EndToEndMigrationTest.runExpectingSuccess(m.config());
        assertThat(first).contains("Control pass 1: ").contains("0 new, 0 changed").contains("RESULT: COMPLETE")
                .doesNotContain("Control pass 2");
        assertNewPacsHoldsTheOldOnes(old);

        String late = old.storeLateStudyAndGrowStudy0();
        String grown = ORIGINAL.plan().findFirst().orElseThrow().studyInstanceUid();

        String second = EndToEndMigrationTest.runExpectingSuccess(m.config());
        assertThat(second).contains(": 0 days queried")
                .contains("Control pass 1: ").contains("1 new, 1 changed").contains("migrating them")
                .contains("Control pass 2: ").contains("0 new, 0 changed")
                .contains("last control pass: ").contains("RESULT: COMPLETE");
        assertThat(second.indexOf("Control pass 2: ")).isLessThan(second.indexOf("RESULT: COMPLETE"));
        assertNewPacsHoldsTheOldOnes(old);
        assertThat(MigrationFixture.services().newPacs().sopInstanceUids()).containsAll(LATE.plan().findFirst().orElseThrow()
                .sopInstanceUids()).containsAll(GROWN.plan().findFirst().orElseThrow().sopInstanceUids());

        try (StateStore state = state(m.config())) {
            assertThat(state.findStudy(late).orElseThrow().state()).isEqualTo(StudyState.VERIFIED);
            assertThat(state.findStudy(grown).orElseThrow().state()).isEqualTo(StudyState.VERIFIED);
            assertThat(state.findStudy(grown).orElseThrow().expectedInstances()).isEqualTo(3);
            ControlPassRecord last = state.lastControlPass().orElseThrow();
            assertThat(last.trigger()).isEqualTo("run, pass 2 of 3");
            assertThat(last.clean()).isTrue();
            assertThat(last.daysChecked()).isEqualTo(m.config().index.undatedStudies ? 3 : 2);
        }
        // The first pass's report lists what it found.
        List<ControlReport> reports = controlReports(m.config());
        assertThat(reports).anySatisfy(r -> {
            assertThat(r.uids(ControlReport.Kind.NEW)).containsExactly(late);
            assertThat(r.uids(ControlReport.Kind.CHANGED)).containsExactly(grown);
        });
        // The report shows the last pass: when, who, what it found.
        Path report = Path.of(m.config().storage.dataDirectory).resolve("report");
        assertThat(Files.readString(report.resolve("report.html"))).contains("Last control pass")
                .contains("(run, pass 2 of 3)").contains("0 new, 0 changed").doesNotContain("Not proven complete");
        assertThat(Files.readAllLines(report.resolve("control.csv"))).hasSize(1); // header only: it found nothing
    }

    @Test
    void controlCommandExitsZeroOnlyWhenNothingIsLeftToMigrate() throws Exception {
        try (OldPacs old = new OldPacs("CTRLCMD", dir, 0)) {
            Migration m = migration(old, "C-MOVE");
            assertThat(CliRun.of("control", "--config", m.file().toString(), "--from", D2.toString(), "--to", D1.toString()).exit())
                    .isEqualTo(MigratorCli.CONFIG_ERROR);
            CommandLine.Model.OptionSpec from = MigratorCli.commandLine().getSubcommands().get("control").getCommandSpec()
                    .findOption("--from");
            assertThat(from.defaultValue()).isEqualTo("index.from");
            assertThat(CliRun.of("control", "--help").out()).contains("Default: index.from").contains("Exit codes:");

            EndToEndMigrationTest.runExpectingSuccess(m.config());
            CliRun nothing = CliRun.of("control", "--config", m.file().toString());
            assertThat(nothing.exit()).as(nothing.out() + nothing.err()).isEqualTo(MigratorCli.COMPLETE);
            assertThat(nothing.out()).contains("(control command)").contains("0 new, 0 changed")
                    .contains("RESULT: COMPLETE");

            String late = old.storeLateStudyAndGrowStudy0();
            CliRun found = CliRun.of("control", "--config", m.file().toString());
            assertThat(found.exit()).as(found.out() + found.err()).isEqualTo(MigratorCli.INCOMPLETE);
            assertThat(found.out()).contains("1 new, 1 changed").contains("Published for migration: 2 studies")
                    .contains("RESULT: INCOMPLETE");

            // The report shows that pass and that its studies are not migrated yet.
            ByteArrayOutputStream reportOut = new ByteArrayOutputStream();
            int reportExit = ReportCommand.run(m.config(), null, false, new PrintStream(reportOut, true, StandardCharsets.UTF_8));
            assertThat(reportExit).isEqualTo(MigratorCli.INCOMPLETE);
            assertThat(reportOut.toString(StandardCharsets.UTF_8)).contains("(control command)")
                    .contains("2 of its studies not migrated now").contains("Not proven complete");
            Path report = Path.of(m.config().storage.dataDirectory).resolve("report");
            assertThat(Files.readAllLines(report.resolve("control.csv")))
                    .anySatisfy(l -> assertThat(l).startsWith("new in old PACS,,").contains(late).contains(",INDEXED,no,"));
            assertThat(Files.readString(report.resolve("report.html"))).contains("Not proven complete");

            // Again, before any run: nothing new in the old PACS, but what it found is not migrated: still 1.
            CliRun pending = CliRun.of("control", "--config", m.file().toString(), "--from", D1.toString(), "--to", D1.toString());
            assertThat(pending.exit()).as(pending.out()).isEqualTo(MigratorCli.INCOMPLETE);
            assertThat(pending.out()).contains("2 days re-queried").contains("0 new, 0 changed").contains("Not migrated yet");

            // The run migrates them; then control finds nothing and exits 0.
            String run = EndToEndMigrationTest.runExpectingSuccess(m.config());
            assertThat(run).contains("RESULT: COMPLETE");
            assertNewPacsHoldsTheOldOnes(old);
            CliRun after = CliRun.of("control", "--config", m.file().toString());
            assertThat(after.exit()).as(after.out()).isEqualTo(MigratorCli.COMPLETE);
        }
    }

    @Test
    void consoleStartsAControlPassOnlyWithItsToken() throws Exception {
        try (OldPacs old = new OldPacs("CTRLWEB", dir, 0)) {
            MigrationConfig config = migration(old, "C-MOVE").config();
            config.index.pauseMillis = 1000; // a pass of 3 days takes 2 s: long enough to be asked again meanwhile
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra,
                    RuleSet.EMPTY, meters);
                 EmbeddedConsole console = EmbeddedConsole.start(config, runner, meters)) {
                runner.startWorkers();
                runner.index();
                runner.awaitCompletion(Duration.ofSeconds(1));
                String late = old.storeLateStudyAndGrowStudy0();
                String base = console.url();
                String token = console.token().reveal();

                // Without the token, or not posted as JSON: refused, nothing started.
                assertThat(send(post(base).header("Content-Type", "application/json")).statusCode()).isEqualTo(401);
                assertThat(send(HttpRequest.newBuilder(URI.create(base + "api/control")).GET()).statusCode()).isEqualTo(401);
                assertThat(send(post(base).header("Authorization", "Bearer " + token).header("Content-Type", "text/plain"))
                        .statusCode()).isEqualTo(415);
                Thread.sleep(500);
                assertThat(runner.state().lastControlPass()).as("no pass was started").isEmpty();

                HttpResponse<String> started = send(post(base).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json"));
                assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                assertThat(JSON.readTree(started.body()).get("running").asBoolean()).isTrue();
                HttpResponse<String> again = send(post(base).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json"));
                assertThat(again.statusCode()).as("a second pass while one runs: %s", again.body()).isEqualTo(409);

                await().atMost(90, TimeUnit.SECONDS).until(() -> {
                    JsonNode c = get(base + "api/control", token);
                    return !c.get("running").asBoolean() && "console".equals(c.at("/last/trigger").asText());
                });
                JsonNode last = get(base + "api/control", token).get("last");
                assertThat(last.at("/found/NEW").asInt()).isEqualTo(1);
                assertThat(last.at("/found/CHANGED").asInt()).isEqualTo(1);
                assertThat(last.at("/studies/NEW/0").asText()).isEqualTo(late);
                assertThat(last.get("clean").asBoolean()).isFalse();
                assertThat(last.get("shortfall").asText()).contains("found 2 studies to migrate");

                // The workers migrate what it found; the console's progress then shows none of it left.
                runner.awaitCompletion(Duration.ofSeconds(1));
                await().atMost(60, TimeUnit.SECONDS).until(() ->
                        get(base + "api/progress", token).at("/control/last/unmigrated").asLong() == 0);
                assertNewPacsHoldsTheOldOnes(old);
            }
        }
    }

    private static HttpRequest.Builder post(String base) {
        return HttpRequest.newBuilder(URI.create(base + "api/control")).POST(HttpRequest.BodyPublishers.noBody());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token));
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    // ---------------------------------------------------------------------------------------------

    private record Migration(Path file, MigrationConfig config) {
    }

    private Migration migration(OldPacs old, String retrieveMethod) throws Exception {
        MigrationFixture.services().newPacs().deleteAll();
        Path file = Files.writeString(dir.resolve("migration.yaml"),
                MigrationFixture.yaml(retrieveMethod, dir.resolve("data"), old.orthanc, D1, D2));
        return new Migration(file, ConfigLoader.load(file));
    }



    private static StateStore state(MigrationConfig config) {
        return CassandraStateStore.open(config.services.cassandra, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId);
    }

    private static List<ControlReport> controlReports(MigrationConfig config) throws Exception {
        try (Stream<Path> files = Files.list(Path.of(config.storage.dataDirectory).resolve("reports"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("control-")).map(f -> {
                try {
                    return ControlReport.read(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    private static void assertNewPacsHoldsTheOldOnes(OldPacs old) {
        assertThat(MigrationFixture.sorted(MigrationFixture.services().newPacs().sopInstanceUids()))
                .isEqualTo(MigrationFixture.sorted(old.orthanc.sopInstanceUids()));
    }

    /** An Orthanc of the test's own as the old PACS, seeded with {@link #ORIGINAL}; {@code limitFindResults} 0: no cap. */
    static final class OldPacs implements AutoCloseable {
        final OrthancServer orthanc;
        final DicomNode node;
        final Path dir;
        final DicomClient client = Dicom.client("GENERATOR", DicomTimeouts.defaults());

        OldPacs(String aeTitle, Path parent, int limitFindResults) throws Exception {
            dir = Files.createDirectories(parent.resolve(aeTitle.toLowerCase()));
            var migrator = MigrationFixture.services().migrator();
            Map<String, Object> extra = limitFindResults > 0 ? Map.of("LimitFindResults", limitFindResults) : Map.of();
            orthanc = OrthancServer.start(aeTitle, dir.resolve("orthanc"), 0, 0, Map.of("migrator", migrator), extra);
            node = MigrationFixture.node(orthanc);
            SyntheticSeeding.sendTo(ORIGINAL, client, node, dir.resolve("seed"));
        }

        /** Stores {@link #LATE} and the third image of study 0; returns the late study's UID. */
        String storeLateStudyAndGrowStudy0() throws Exception {
            SyntheticSeeding.sendTo(LATE, client, node, dir.resolve("late"));
            SyntheticPacsGenerator.GeneratedStudy study0 = GROWN.plan().findFirst().orElseThrow();
            Set<String> had = Set.copyOf(orthanc.sopInstanceUids());
            List<Path> files = GROWN.writeStudy(study0, dir.resolve("grown"));
            client.store(node, files, (f, uid, status, detail) -> { });
            assertThat(orthanc.sopInstanceUids()).hasSize(had.size() + 1);
            return LATE.plan().findFirst().orElseThrow().studyInstanceUid();
        }

        @Override
        public void close() {
            orthanc.stop();
        }
    }
}
