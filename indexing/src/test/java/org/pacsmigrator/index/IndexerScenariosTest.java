package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.testsupport.FakeTime;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.topics.StudyEvent;

/** The indexer's scenarios against a real Orthanc (one per test), Kafka and Cassandra. */
class IndexerScenariosTest {

    @Test
    void studiesWithoutStudyDateAreFound() throws Exception {
        try (IndexerFixture world = new IndexerFixture("undated", 3)) {
            LocalDate day = LocalDate.of(2023, 5, 1);
            SyntheticSeeding.sendTo(new SyntheticPacsGenerator(401, 6, day, 1, 1, 1, 6), world.client, world.pacs, world.dir.resolve("s"));
            // Orthanc's create-dicom writes no StudyDate unless asked to; one PatientID is a prefix of the others'.
            String undatedA = createUndated(world, "UND-1", "Ødegård^Åse");
            String undatedB = createUndated(world, "SYN", "Nodate^Nils");
            for (String uid : List.of(undatedA, undatedB)) {
                JsonNode study = world.orthanc.get("/studies/" + world.orthanc.post("/tools/lookup", uid).get(0).path("ID").asText());
                assertThat(study.path("MainDicomTags").path("StudyDate").asText("")).isEmpty();
            }

            Indexer indexer = world.indexer(world.settings(day, day, 3));
            Indexer.Summary summary = indexer.run();

            assertThat(summary.daysFailed()).isZero();
            assertThat(summary.daysDone()).isEqualTo(2); // the day and the undated bucket
            IndexDayRecord bucket = world.state.findIndexDay(Indexer.UNDATED).orElseThrow();
            assertThat(bucket.status()).isEqualTo(IndexDayRecord.Status.DONE);
            assertThat(bucket.studyCount()).isEqualTo(2);
            assertThat(bucket.split()).contains("patientId:");
            assertThat(world.state.studiesOfDay(Indexer.UNDATED)).containsExactlyInAnyOrder(undatedA, undatedB);
            StudyRecord a = world.state.findStudy(undatedA).orElseThrow();
            assertThat(a.patientName()).isEqualTo("Ødegård^Åse");
            assertThat(a.studyDate()).isEmpty();
            assertThat(world.state.findIndexDay(day).orElseThrow().studyCount()).isEqualTo(6);
            List<StudyEvent> events = world.events();
            assertThat(events).hasSize(8);
            assertThat(events.stream().map(StudyEvent::studyInstanceUid)).contains(undatedA, undatedB);
        }
    }

    private static String createUndated(IndexerFixture world, String patientId, String name) {
        JsonNode created = world.orthanc.post("/tools/create-dicom", """
                {"Tags": {"SpecificCharacterSet": "ISO_IR 100", "PatientID": "%s", "PatientName": "%s",
                 "Modality": "OT", "StudyDescription": "no date", "StudyDate": "", "StudyTime": ""}}""".formatted(patientId, name));
        JsonNode tags = world.orthanc.get("/instances/" + created.path("ID").asText() + "/simplified-tags");
        return tags.path("StudyInstanceUID").asText();
    }

    @Test
    void queriesOnlyInsideTheWindowsWithPauses() throws Exception {
        try (IndexerFixture world = new IndexerFixture("windows", 0)) {
            ZoneId zurich = ZoneId.of("Europe/Zurich");
            TimeWindows windows = TimeWindows.parse(List.of("MON-FRI 19:00-07:00", "SAT-SUN 00:00-24:00"), zurich);
            // Monday 2026-01-05 10:00 in Zurich: closed until 19:00
            FakeTime time = new FakeTime(Instant.parse("2026-01-05T09:00:00Z"));
            List<Instant> queriedAt = new ArrayList<>();
            IndexerFixture.SpyClient spy = new IndexerFixture.SpyClient(world.client, k -> queriedAt.add(time.instant()));
            LocalDate from = LocalDate.of(2023, 6, 1);
            IndexSettings settings = world.settings(from, from.plusDays(14), 0).withUndated(false)
                    .withWindows(windows, Duration.ofHours(1));
            IndexProgress progress = IndexProgress.standalone();
            Indexer.Summary summary = world.indexer(spy, settings, time, time, progress).run();

            assertThat(summary.daysDone()).isEqualTo(15);
            assertThat(queriedAt).hasSize(15);
            assertThat(queriedAt).allMatch(windows::isOpen);
            assertThat(queriedAt.get(0)).isEqualTo(Instant.parse("2026-01-05T18:00:00Z")); // Mon 19:00 Zurich
            assertThat(queriedAt.get(11)).isEqualTo(Instant.parse("2026-01-06T05:00:00Z")); // Tue 06:00, last before 07:00
            assertThat(queriedAt.get(12)).isEqualTo(Instant.parse("2026-01-06T18:00:00Z")); // resumes Tue 19:00
            for (int i = 1; i < queriedAt.size(); i++) {
                assertThat(Duration.between(queriedAt.get(i - 1), queriedAt.get(i))).isGreaterThanOrEqualTo(Duration.ofHours(1));
            }
            // oldest first by configuration
            assertThat(spy.finds.get(0).get("StudyDate")).isEqualTo("20230601");
            assertThat(spy.finds.get(14).get("StudyDate")).isEqualTo("20230615");
            assertThat(progress.snapshot().daysDone()).isEqualTo(15);
            assertThat(progress.snapshot().daysPending()).isZero();
        }
    }

    @Test
    void controlQueryFindsAndPublishesExactlyTheNewAndChangedStudies() throws Exception {
        try (IndexerFixture world = new IndexerFixture("control", 0)) {
            LocalDate day = LocalDate.of(2023, 7, 1);
            SyntheticPacsGenerator original = new SyntheticPacsGenerator(501, 3, day, 1, 1, 1, 3);
            SyntheticSeeding.sendTo(original, world.client, world.pacs, world.dir.resolve("s"));
            IndexSettings settings = world.settings(day, day, 0).withUndated(false);
            world.indexer(settings).run();
            assertThat(world.events()).hasSize(3);

            // the old PACS keeps receiving: two new studies that day, one more image for study 0, study 2 deleted
            SyntheticPacsGenerator later = new SyntheticPacsGenerator(502, 2, day, 1, 1, 1, 2);
            SyntheticSeeding.sendTo(later, world.client, world.pacs, world.dir.resolve("s2"));
            SyntheticPacsGenerator.GeneratedStudy grown = new SyntheticPacsGenerator(501, 3, day, 1, 1, 2, 3).plan()
                    .findFirst().orElseThrow();
            world.client.store(world.pacs, new SyntheticPacsGenerator(501, 3, day, 1, 1, 2, 3)
                    .writeStudy(grown, world.dir.resolve("grown")), (f, uid, status, detail) -> { });
            String vanished = original.plan().toList().get(2).studyInstanceUid();
            world.orthanc.delete("/studies/" + world.orthanc.post("/tools/lookup", vanished).get(0).path("ID").asText());

            ControlReport report = new ControlQuery(world.indexer(settings)).indexedDays(day, day);

            Set<String> added = later.plan().map(SyntheticPacsGenerator.GeneratedStudy::studyInstanceUid).collect(Collectors.toSet());
            assertThat(report.uids(ControlReport.Kind.NEW)).containsExactlyInAnyOrderElementsOf(added);
            assertThat(report.uids(ControlReport.Kind.CHANGED)).containsExactly(grown.studyInstanceUid());
            assertThat(report.uids(ControlReport.Kind.VANISHED)).containsExactly(vanished);
            assertThat(report.days()).singleElement().satisfies(d -> {
                assertThat(d.indexedCount()).isEqualTo(3);
                assertThat(d.foundCount()).isEqualTo(4);
                assertThat(d.matches()).isFalse();
            });
            assertThat(world.state.findStudy(grown.studyInstanceUid()).orElseThrow().expectedInstances()).isEqualTo(2);
            assertThat(world.state.findIndexDay(day).orElseThrow().studyCount()).isEqualTo(4);
            try (var files = Files.list(world.dir.resolve("reports"))) {
                assertThat(files.filter(f -> f.toString().endsWith(".json"))).hasSize(1);
            }

            List<StudyEvent> events = world.events();
            assertThat(events.stream().filter(e -> e.reason().equals("new")).map(StudyEvent::studyInstanceUid))
                    .hasSize(5).doesNotHaveDuplicates().containsAll(added);
            assertThat(events.stream().filter(e -> e.reason().equals("changed")).map(StudyEvent::studyInstanceUid))
                    .containsExactly(grown.studyInstanceUid());
            assertThat(events).hasSize(6);

            // a second control query: nothing new or changed, nothing published
            ControlReport again = new ControlQuery(world.indexer(settings)).indexedDays(day, day);
            assertThat(again.count(ControlReport.Kind.NEW)).isZero();
            assertThat(again.count(ControlReport.Kind.CHANGED)).isZero();
            assertThat(world.events()).hasSize(6);

            // catch-up of the last 2 days up to "today" (2023-07-02 on the clock): re-checks 07-01, indexes 07-02
            FakeTime today = new FakeTime(Instant.parse("2023-07-02T12:00:00Z"));
            Indexer catchingUp = world.indexer(world.client, settings, today, today, IndexProgress.standalone());
            ControlReport catchUp = new ControlQuery(catchingUp).catchUp(2);
            assertThat(catchUp.days()).extracting(ControlReport.DayCheck::day).containsExactly("2023-07-02", "2023-07-01");
            assertThat(catchUp.count(ControlReport.Kind.NEW) + catchUp.count(ControlReport.Kind.CHANGED)).isZero();
            assertThat(world.state.findIndexDay(LocalDate.of(2023, 7, 2)).orElseThrow().status())
                    .isEqualTo(IndexDayRecord.Status.DONE);
            assertThat(world.events()).hasSize(6);
        }
    }

    @Test
    void indexerKilledMidRangeResumesWithoutRepublishingCompletedDays() throws Exception {
        try (IndexerFixture world = new IndexerFixture("resume", 0)) {
            LocalDate first = LocalDate.of(2023, 8, 1);
            SyntheticPacsGenerator gen = new SyntheticPacsGenerator(601, 10, first, 5, 1, 1, 10);
            SyntheticSeeding.sendTo(gen, world.client, world.pacs, world.dir.resolve("s"));
            IndexSettings settings = world.settings(first, first.plusDays(4), 0).withUndated(false);
            // The "kill": the process dies while querying the 4th day (an unchecked error out of the
            // DICOM layer ends indexRange like a crash would, with nothing recorded for that day).
            IndexerFixture.SpyClient dying = new IndexerFixture.SpyClient(world.client, keys -> {
                if (keys.get("StudyDate").equals("20230804")) {
                    throw new IllegalStateException("simulated kill");
                }
            });
            FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
            assertThatThrownBy(() -> world.indexer(dying, settings, time, time, IndexProgress.standalone()).run())
                    .hasMessageContaining("simulated kill");
            assertThat(world.state.findIndexDay(first.plusDays(2)).orElseThrow().status()).isEqualTo(IndexDayRecord.Status.DONE);
            assertThat(world.state.findIndexDay(first.plusDays(3))).isEmpty();
            List<StudyEvent> beforeRestart = world.events();
            assertThat(beforeRestart).hasSize(6);

            // restart: a new indexer (new publisher) over the same keyspace and topics
            IndexerFixture.SpyClient healthy = new IndexerFixture.SpyClient(world.client, keys -> { });
            Indexer.Summary summary = world.indexer(healthy, settings, time, time, IndexProgress.standalone()).run();

            assertThat(summary.daysSkipped()).isEqualTo(3);
            assertThat(summary.daysDone()).isEqualTo(2);
            assertThat(healthy.finds.stream().map(k -> k.get("StudyDate"))).containsExactly("20230804", "20230805");
            List<StudyEvent> events = world.events();
            assertThat(events).hasSize(10).allMatch(e -> e.reason().equals("new"));
            assertThat(events.stream().map(StudyEvent::studyInstanceUid)).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(gen.plan().map(SyntheticPacsGenerator.GeneratedStudy::studyInstanceUid).toList());
        }
    }

    @Test
    void refusedAssociationIsRetriedWithBackoffThenTheDayFailsAndOthersContinue() throws Exception {
        try (IndexerFixture world = new IndexerFixture("refused", 0)) {
            LocalDate first = LocalDate.of(2023, 9, 1);
            IndexSettings settings = world.settings(first, first.plusDays(1), 0).withUndated(false)
                    .withRetries(3, Duration.ofSeconds(2));
            int closedPort;
            try (var s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            DicomNode down = new DicomNode(world.pacs.aeTitle(), "127.0.0.1", closedPort);
            FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
            IndexProgress progress = IndexProgress.standalone();
            Indexer refused = new Indexer(world.client, IndexerFixture.gate(down), world.state, world.publisher(), world.topics, settings,
                    time, time, progress);
            Indexer.Summary summary = refused.run();

            assertThat(summary.daysFailed()).isEqualTo(2);
            assertThat(summary.daysDone()).isZero();
            assertThat(time.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(2), Duration.ofSeconds(4));
            IndexDayRecord day = world.state.findIndexDay(first).orElseThrow();
            assertThat(day.status()).isEqualTo(IndexDayRecord.Status.FAILED);
            assertThat(day.lastError()).isNotBlank();
            assertThat(progress.snapshot().lastError()).isNotBlank();
            assertThat(progress.snapshot().daysFailed()).isEqualTo(2);

            // the PACS is back: the failed days are queried again and done
            Indexer.Summary retried = world.indexer(settings).run();
            assertThat(retried.daysDone()).isEqualTo(2);
            assertThat(world.state.findIndexDay(first).orElseThrow().status()).isEqualTo(IndexDayRecord.Status.DONE);
            assertThat(world.state.findIndexDay(first).orElseThrow().lastError()).isNull();
        }
    }

    @Test
    void pacsThatNeverAnswersTimesOutIsRetriedAndTheDayFails() throws Exception {
        try (IndexerFixture world = new IndexerFixture("silent", 0);
             ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept, then say nothing
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            LocalDate day = LocalDate.of(2023, 11, 1);
            IndexSettings settings = world.settings(day, day, 0).withUndated(false).withRetries(2, Duration.ofSeconds(3));
            FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
            DicomClient impatient = Dicom.client(IndexerFixture.AE,
                    new DicomTimeouts(Duration.ofMillis(500), Duration.ofMillis(500)));
            Indexer indexer = new Indexer(impatient, IndexerFixture.gate(new DicomNode("SILENT", "127.0.0.1", silent.getLocalPort())),
                    world.state, world.publisher(), world.topics, settings, time, time, IndexProgress.standalone());

            Indexer.Summary summary = indexer.run();

            assertThat(summary.daysFailed()).isEqualTo(1);
            assertThat(accepted).hasSize(2);
            assertThat(time.sleeps).containsExactly(Duration.ofSeconds(3));
            IndexDayRecord record = world.state.findIndexDay(day).orElseThrow();
            assertThat(record.status()).isEqualTo(IndexDayRecord.Status.FAILED);
            assertThat(record.lastError()).containsIgnoringCase("timeout");
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
