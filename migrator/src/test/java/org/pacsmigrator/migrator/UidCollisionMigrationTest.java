package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.UidCollision;
import org.pacsmigrator.topics.FailureCategory;

/**
 * An old PACS that uses one UID for two different things (issue 18): a StudyInstanceUID under two PatientIDs
 * (two patients' studies, SOP Instance UIDs reused too), and a SOP Instance UID with two contents in one study.
 * Both stop as "UID collision" without anything overwritten or sent, the report lists them with both patients
 * and the action, and once resolved in the old PACS a replay migrates them.
 */
class UidCollisionMigrationTest {
    private static final LocalDate DAY = LocalDate.of(2019, 5, 6);
    private static OrthancServer oldPacs;
    private static OrthancServer newPacs;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        Services s = MigrationFixture.services();
        Map<String, OrthancServer.Modality> migrator = Map.of("migrator",
                new OrthancServer.Modality(s.migrator().aeTitle(), "127.0.0.1", s.migrator().port()));
        oldPacs = OrthancServer.start("COLLOLD", dir.resolve("old"), migrator);
        newPacs = OrthancServer.start("COLLNEW", dir.resolve("new"), migrator);
    }

    @AfterAll
    static void stop() {
        if (oldPacs != null) {
            oldPacs.close();
        }
        if (newPacs != null) {
            newPacs.close();
        }
    }

    @Test
    void collisionsStopTheirStudiesKeepBothCopiesAndAreReportedWithTheAction() throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(1805L, 3, DAY, 1, 2, 2, 3).small();
        List<SyntheticPacsGenerator.GeneratedStudy> studies = generator.plan().toList();
        SyntheticPacsGenerator.GeneratedStudy twoPatients = studies.get(0);
        SyntheticPacsGenerator.GeneratedStudy twoContents = studies.get(1);
        SyntheticPacsGenerator.GeneratedStudy plain = studies.get(2);
        List<Path> files = new ArrayList<>();
        for (SyntheticPacsGenerator.GeneratedStudy study : studies) {
            files.addAll(generator.writeStudy(study, dir.resolve("seed").resolve(study.studyInstanceUid())));
        }
        // The same study UID and the same SOP Instance UIDs, for another patient.
        List<Path> otherPatient = new ArrayList<>();
        for (Path f : generator.writeStudy(twoPatients, dir.resolve("seed-other"))) {
            Path edited = dir.resolve("seed-other").resolve("edited-" + f.getFileName());
            DicomFiles.edit(f, edited, d -> {
                d.set("PatientID", "OTHER-PATIENT-7");
                d.set("PatientName", "Other^Patient");
            });
            otherPatient.add(edited);
        }
        // One instance of the second study again, in another series, with other content under the same SOP UID.
        Path original = dir.resolve("seed").resolve(twoContents.studyInstanceUid())
                .resolve(twoContents.series().get(0).sopInstanceUids().get(0) + ".dcm");
        Path twin = dir.resolve("twin.dcm");
        String twinSeries = twoContents.series().get(0).seriesInstanceUid() + ".9";
        DicomFiles.edit(original, twin, d -> {
            d.set("SeriesInstanceUID", twinSeries);
            d.set("SeriesNumber", "99");
        });
        String twinSop = twoContents.series().get(0).sopInstanceUids().get(0);
        DicomNode old = new DicomNode(oldPacs.aeTitle(), oldPacs.host(), oldPacs.dicomPort());
        var client = Dicom.client("SEEDER", DicomTimeouts.defaults());
        List<Path> all = new ArrayList<>(files);
        all.addAll(otherPatient);
        all.add(twin);
        int[] failed = {0};
        client.store(old, all, (file, sop, status, detail) -> failed[0] += status == 0 ? 0 : 1);
        assertThat(failed[0]).isZero();

        MigrationConfig config = config(dir.resolve("data"));
        Run first = run(config);
        assertThat(first.exit()).as(first.output()).isEqualTo(MigratorCli.INCOMPLETE);

        try (StateStore state = CassandraStateStore.open(config.services.cassandra,
                config.services.cassandraDatacenter, "pacsmig_" + config.migrationId)) {
            StudyRecord a = state.findStudy(twoPatients.studyInstanceUid()).orElseThrow();
            StudyRecord b = state.findStudy(twoContents.studyInstanceUid()).orElseThrow();
            assertThat(a.state()).isEqualTo(StudyState.FAILED);
            assertThat(a.failureCategory()).isEqualTo(FailureCategory.UID_COLLISION.label());
            assertThat(b.state()).isEqualTo(StudyState.FAILED);
            assertThat(b.failureCategory()).isEqualTo(FailureCategory.UID_COLLISION.label());
            assertThat(state.findStudy(plain.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.VERIFIED);

            List<UidCollision> ofA = state.collisionsOf(a.studyInstanceUid());
            assertThat(ofA).singleElement().satisfies(c -> {
                assertThat(c.studyLevel()).isTrue();
                assertThat(c.patientIds()).containsExactlyInAnyOrder(twoPatients.patient().patientId(), "OTHER-PATIENT-7");
            });
            assertThat(state.instancesOf(a.studyInstanceUid())).as("nothing of the two patients' study retrieved").isEmpty();

            List<UidCollision> ofB = state.collisionsOf(b.studyInstanceUid());
            assertThat(ofB).singleElement().satisfies(c -> {
                assertThat(c.sopInstanceUid()).isEqualTo(twinSop);
                assertThat(c.keptKeys()).hasSize(2);
            });
            // Both copies are in the cache, different, and the instance row is still the first one's.
            Set<String> shas = new HashSet<>();
            for (String key : ofB.get(0).keptKeys()) {
                Path object = Path.of(config.storage.dataDirectory).resolve("cache").resolve(key);
                assertThat(object).as(key).isRegularFile();
                shas.add(Sha256.of(object));
            }
            assertThat(shas).hasSize(2);
            var row = state.instancesOf(b.studyInstanceUid()).stream()
                    .filter(i -> i.sopInstanceUid().equals(twinSop)).findFirst().orElseThrow();
            assertThat(ofB.get(0).keptKeys()).contains(row.cacheKey());
        }
        // Nothing of either study reached the new PACS; the plain one did.
        assertThat(newPacs.sopInstanceUids()).containsExactlyInAnyOrderElementsOf(plain.sopInstanceUids());

        String reconciliation = Files.readString(Path.of(config.storage.dataDirectory).resolve("report")
                .resolve("reconciliation.csv"));
        assertThat(reconciliation.lines().filter(l -> l.contains(FailureCategory.UID_COLLISION.label())))
                .anySatisfy(l -> assertThat(l).contains(twoPatients.studyInstanceUid()).contains("OTHER-PATIENT-7")
                        .contains(twoPatients.patient().patientId()).contains("replay --category 'UID collision'"))
                .anySatisfy(l -> assertThat(l).contains(twoContents.studyInstanceUid()).contains(twinSop)
                        .contains("replay --category 'UID collision'"));

        // The console shows the collision, both patients and what to do, on the study and on its dead letters.
        try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra);
             EmbeddedConsole console = EmbeddedConsole.start(config, runner,
                     new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            var http = HttpClient.newHttpClient();
            var json = new ObjectMapper();
            var study = json.readTree(http.send(HttpRequest.newBuilder(URI.create(console.url()
                    + "api/studies/" + twoPatients.studyInstanceUid())).header("Authorization", "Bearer "
                    + console.token().reveal()).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(study.path("action").asText()).isEqualTo(FailureCategory.UID_COLLISION_ACTION);
            assertThat(study.path("collisions").get(0).path("patientIds").toString()).contains("OTHER-PATIENT-7");
            var failures = json.readTree(http.send(HttpRequest.newBuilder(URI.create(console.url()
                    + "api/failures")).header("Authorization", "Bearer " + console.token().reveal()).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(failures.findValuesAsText("action")).contains(FailureCategory.UID_COLLISION_ACTION);
        }

        // Resolved in the old PACS (the stray copies deleted), a replay migrates both studies.
        deletePatient("OTHER-PATIENT-7");
        deleteSeries(twinSeries);
        Path yaml = Files.writeString(dir.resolve("m.yaml"), yaml(dir.resolve("data"), config.migrationId));
        CliRun replay = CliRun.of("replay", "--config", yaml.toString(), "--category", FailureCategory.UID_COLLISION.label());
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("retrieve: 2 studies sent back");
        Run second = run(config);
        assertThat(second.exit()).as(second.output()).isEqualTo(MigratorCli.COMPLETE);
        Set<String> expected = new HashSet<>();
        studies.forEach(st -> expected.addAll(st.sopInstanceUids()));
        assertThat(new HashSet<>(newPacs.sopInstanceUids())).isEqualTo(expected);
    }

    private static void deletePatient(String patientId) {
        for (var id : oldPacs.get("/patients")) {
            var tags = oldPacs.get("/patients/" + id.asText()).path("MainDicomTags");
            if (tags.path("PatientID").asText().equals(patientId)) {
                oldPacs.delete("/patients/" + id.asText());
            }
        }
    }

    private static void deleteSeries(String seriesUid) {
        for (var id : oldPacs.get("/series")) {
            var tags = oldPacs.get("/series/" + id.asText()).path("MainDicomTags");
            if (tags.path("SeriesInstanceUID").asText().equals(seriesUid)) {
                oldPacs.delete("/series/" + id.asText());
            }
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(MigrationConfig config) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exit = SingleMachine.run(config, out, false);
        }
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private static String yaml(Path data, String id) {
        Services s = MigrationFixture.services();
        return """
                migrationId: %s
                source: {aeTitle: %s, host: %s, port: %d}
                destination: {aeTitle: %s, host: %s, port: %d}
                migrator: {aeTitle: %s, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s}
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 2}
                """.formatted(id, oldPacs.aeTitle(), oldPacs.host(), oldPacs.dicomPort(),
                newPacs.aeTitle(), newPacs.host(), newPacs.dicomPort(), s.migrator().aeTitle(), s.migrator().port(),
                DAY, DAY, data, s.kafka().bootstrapServers(), s.cassandra().contactPoint(), s.cassandra().localDatacenter());
    }

    private static MigrationConfig config(Path data) {
        String id = "uc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        return ConfigLoader.validate(ConfigLoader.parse(yaml(data, id)));
    }
}
