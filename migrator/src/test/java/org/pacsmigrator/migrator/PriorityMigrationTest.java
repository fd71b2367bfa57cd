package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.WorklistFolder;
import org.pacsmigrator.state.PriorityPatient;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clinical priority during a running bulk migration of 36 small studies over 6 days (indexed newest first): a
 * worklist entry for a patient whose studies are on the oldest day (the end of the date order) puts them first,
 * and they are verified before half the bulk is; "migrate now" for a patient whose studies are outside the indexed
 * range (never indexed by the bulk) indexes them on demand and completes them before the bulk is done. Order is
 * asserted from the state store's VERIFIED times, never a duration.
 */
class PriorityMigrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(PriorityMigrationTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final LocalDate D1 = LocalDate.of(2022, 9, 5);
    private static final int DAYS = 6;
    private static final SyntheticPacsGenerator BULK = new SyntheticPacsGenerator(9301, 36, D1, DAYS, 1, 2, 12).small();
    /** The worklist's patient: 3 studies on the oldest day, indexed last. */
    private static final SyntheticPacsGenerator SCHEDULED = new SyntheticPacsGenerator(9302, 3, D1, 1, 1, 2, 1).small();
    /** "Migrate now": 2 studies a month before the indexed range. */
    private static final SyntheticPacsGenerator NOT_INDEXED = new SyntheticPacsGenerator(9303, 2, D1.minusDays(30), 1, 1, 2, 1)
            .small();

    @TempDir
    Path dir;

    @Test
    void worklistAndMigrateNowPatientsOvertakeTheBulk() throws Exception {
        // a storage SCP port of its own: the shared one may be another test's
        OrthancServer.Modality shared = MigrationFixture.services().migrator();
        OrthancServer.Modality migrator = new OrthancServer.Modality(shared.aeTitle(), shared.host(), Ports.freePort());
        WorklistFolder worklist = new WorklistFolder(dir.resolve("worklists"));
        OrthancServer old = OrthancServer.start("PRIOOLD", dir.resolve("old"), 0, 0, Map.of("migrator", migrator), Map.of());
        OrthancServer ris = OrthancServer.start("RIS", dir.resolve("ris"), 0, 0, Map.of("migrator", migrator),
                worklist.orthancConfig());
        // a new PACS of its own too: the shared one receives other tests' images meanwhile
        OrthancServer target = OrthancServer.start("PRIONEW", dir.resolve("new"), 0, 0, Map.of("migrator", migrator), Map.of());
        OrthancServer sharedNew = MigrationFixture.services().newPacs();
        try (old; ris; target) {
            DicomClient client = Dicom.client("GENERATOR", DicomTimeouts.defaults());
            DicomNode oldNode = MigrationFixture.node(old);
            for (SyntheticPacsGenerator g : List.of(BULK, SCHEDULED, NOT_INDEXED)) {
                SyntheticSeeding.sendTo(g, client, oldNode, Files.createTempDirectory(dir, "seed"));
            }
            String yaml = MigrationFixture.yaml("C-MOVE", dir.resolve("data"), old, D1, D1.plusDays(DAYS - 1))
                    .replace("port: " + shared.port() + "}", "port: " + migrator.port() + "}")
                    .replace("destination: {aeTitle: %s, host: %s, port: %d}".formatted(sharedNew.aeTitle(), sharedNew.host(),
                            sharedNew.dicomPort()), "destination: {aeTitle: PRIONEW, host: 127.0.0.1, port: %d}"
                            .formatted(target.dicomPort()))
                    + "priority: {intervalSeconds: 1, worklist: {aeTitle: RIS, host: 127.0.0.1, port: %d, daysAhead: 2}}\n"
                    .formatted(ris.dicomPort());
            MigrationConfig config = ConfigLoader.load(Files.writeString(dir.resolve("migration.yaml"), yaml));
            assertThat(config.destination.port).isEqualTo(target.dicomPort());
            assertThat(config.migrator.port).isEqualTo(migrator.port());
            String scheduledPatient = SCHEDULED.patient(0).patientId();
            String nowPatient = NOT_INDEXED.patient(0).patientId();

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra,
                    RuleSet.EMPTY, meters);
                 EmbeddedConsole console = EmbeddedConsole.start(config, runner, meters)) {
                StateStore state = runner.state();
                runner.startWorkers();
                CompletableFuture<?> indexing = CompletableFuture.runAsync(runner::index);
                // the bulk is running: a few of its studies are through
                await().atMost(2, TimeUnit.MINUTES).until(() -> verified(state, BULK).size() >= 2);
                worklist.schedule("tomorrow", scheduledPatient, "Scheduled^Patient", "ACC-PRIO-1", LocalDate.now().plusDays(1));
                String now = console.url() + "api/priority/now?patient=" + nowPatient;
                assertThat(send(now, null).statusCode()).as("without the console's token").isEqualTo(401);
                Instant askedNow = Instant.now();
                HttpResponse<String> queued = send(now, console.token().reveal());
                assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
                await().atMost(2, TimeUnit.MINUTES).until(() -> verified(state, NOT_INDEXED).size() == 2);
                LOG.info("'migrate now' of a patient not indexed: indexed and verified in {} ms (2 studies, 4 images)",
                        Duration.between(askedNow, latest(verified(state, NOT_INDEXED))).toMillis());
                indexing.get(2, TimeUnit.MINUTES);
                runner.awaitCompletion(Duration.ofSeconds(1));

                List<Instant> bulkDone = verified(state, BULK);
                assertThat(bulkDone).hasSize(36);
                assertThat(verified(state, SCHEDULED)).hasSize(3);
                Instant halfTheBulk = bulkDone.get(bulkDone.size() / 2 - 1);
                assertThat(latest(verified(state, SCHEDULED))).as("the worklist patient's last study verified")
                        .isBefore(halfTheBulk);
                assertThat(latest(verified(state, NOT_INDEXED))).as("the 'migrate now' patient's last study verified")
                        .isBefore(latest(bulkDone));

                PriorityPatient scheduled = state.findPriorityPatient(scheduledPatient).orElseThrow();
                assertThat(scheduled.source()).isEqualTo("worklist");
                assertThat(scheduled.studyInstanceUids()).containsExactlyInAnyOrderElementsOf(uids(SCHEDULED));
                assertThat(state.findPriorityPatient(nowPatient).orElseThrow().studyInstanceUids())
                        .containsExactlyInAnyOrderElementsOf(uids(NOT_INDEXED));
                // the console's queue: both patients, their studies newest first, complete
                JsonNode queue = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(console.url() + "api/priority"))
                        .header("Authorization", "Bearer " + console.token().reveal()).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(queue).hasSize(2);
                for (JsonNode patient : queue) {
                    assertThat(patient.get("complete").asBoolean()).as(patient.toString()).isTrue();
                    assertThat(patient.get("completedAt").isNull()).isFalse();
                    assertThat(patient.get("source").asText()).isIn("worklist", "now");
                }
                assertThat(target.sopInstanceUids()).hasSize((36 + 3 + 2) * 2);
                // the completion statuses count the studies forwarded on the priority lane too
                for (SyntheticPacsGenerator g : List.of(SCHEDULED, NOT_INDEXED)) {
                    assertThat(uids(g)).allSatisfy(uid -> assertThat(state.findStudyStatus(uid).orElseThrow().complete())
                            .as("completion status of %s", uid).isTrue());
                }
            }
        }
    }

    /**
     * Retrieve and forward windows closed (they open in hours), {@code priority.outsideWindows}: the bulk is indexed and
     * waits; "migrate now" for a patient not yet indexed indexes, retrieves, forwards and verifies that patient's
     * studies at once, and nothing of the bulk moves.
     */
    @Test
    void migrateNowOutsideTheWindowsCompletesThePatientWhileTheBulkWaits() throws Exception {
        SyntheticPacsGenerator bulk = new SyntheticPacsGenerator(9311, 6, D1, 2, 1, 2, 6).small();
        SyntheticPacsGenerator urgent = new SyntheticPacsGenerator(9313, 2, D1.minusDays(30), 1, 1, 2, 1).small();
        Map<String, OrthancServer.Modality> knowsUs = Map.of("migrator", MigrationFixture.services().migrator());
        OrthancServer old = OrthancServer.start("WINOLD", dir.resolve("old"), 0, 0, knowsUs, Map.of());
        OrthancServer target = OrthancServer.start("WINNEW", dir.resolve("new"), 0, 0, knowsUs, Map.of());
        OrthancServer sharedNew = MigrationFixture.services().newPacs();
        try (old; target) {
            DicomClient client = Dicom.client("GENERATOR", DicomTimeouts.defaults());
            for (SyntheticPacsGenerator g : List.of(bulk, urgent)) {
                SyntheticSeeding.sendTo(g, client, MigrationFixture.node(old), Files.createTempDirectory(dir, "seed"));
            }
            java.time.LocalTime opens = java.time.LocalTime.now(java.time.ZoneOffset.UTC).plusHours(3).withSecond(0).withNano(0);
            String closed = "{windows: ['%tR-%tR'], timeZone: UTC}".formatted(opens, opens.plusHours(1));
            String yaml = MigrationFixture.yaml("C-GET", dir.resolve("data"), old, D1, D1.plusDays(1))
                    .replace("destination: {aeTitle: %s, host: %s, port: %d}".formatted(sharedNew.aeTitle(), sharedNew.host(),
                            sharedNew.dicomPort()), "destination: {aeTitle: WINNEW, host: 127.0.0.1, port: %d}"
                            .formatted(target.dicomPort()))
                    + "retrieve: " + closed + "\nforward: " + closed + "\npriority: {outsideWindows: true}\n";
            MigrationConfig config = ConfigLoader.load(Files.writeString(dir.resolve("migration.yaml"), yaml));
            String patient = urgent.patient(0).patientId();

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra,
                    RuleSet.EMPTY, meters);
                 EmbeddedConsole console = EmbeddedConsole.start(config, runner, meters)) {
                StateStore state = runner.state();
                runner.startWorkers();
                runner.index();
                assertThat(uids(bulk)).allSatisfy(uid -> assertThat(state.findStudy(uid)).isPresent());
                HttpResponse<String> queued = send(console.url() + "api/priority/now?patient=" + patient,
                        console.token().reveal());
                assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
                await().atMost(2, TimeUnit.MINUTES).until(() -> verified(state, urgent).size() == 2);

                assertThat(uids(bulk)).as("the bulk waits for its windows").allSatisfy(uid ->
                        assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.INDEXED));
                assertThat(MigrationFixture.sorted(target.sopInstanceUids())).isEqualTo(MigrationFixture.sorted(
                        urgent.plan().flatMap(st -> st.sopInstanceUids().stream()).toList()));
            }
        }
    }

    private static HttpResponse<String> send(String url, String token) throws Exception {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            post.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(post.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> uids(SyntheticPacsGenerator g) {
        return g.plan().map(SyntheticPacsGenerator.GeneratedStudy::studyInstanceUid).toList();
    }

    /** When each VERIFIED study of {@code g} became VERIFIED (its last update), in order. */
    private static List<Instant> verified(StateStore state, SyntheticPacsGenerator g) {
        List<Instant> out = new ArrayList<>();
        for (String uid : uids(g)) {
            state.findStudy(uid).filter(s -> s.state() == StudyState.VERIFIED).map(StudyRecord::updatedAt).ifPresent(out::add);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static Instant latest(List<Instant> times) {
        return times.get(times.size() - 1);
    }
}
