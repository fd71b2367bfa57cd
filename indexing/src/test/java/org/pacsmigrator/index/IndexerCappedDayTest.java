package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.topics.StudyEvent;

/**
 * Orthanc with LimitFindResults 5 as the old PACS: a day with 30 studies comes back capped (0xFE00)
 * and must be split by StudyTime until complete; a day that cannot be split by time is split by
 * modality; a day that stays capped fails visibly and is never marked done.
 */
class IndexerCappedDayTest {
    private static final LocalDate BUSY = LocalDate.of(2023, 3, 1);
    private static final LocalDate QUIET = LocalDate.of(2023, 3, 2);
    private static final LocalDate MIXED = LocalDate.of(2023, 3, 4);
    private static IndexerFixture world;
    private static List<SyntheticPacsGenerator.GeneratedStudy> busy;
    private static List<SyntheticPacsGenerator.GeneratedStudy> quiet;
    private static List<SyntheticPacsGenerator.GeneratedStudy> mixed;

    @BeforeAll
    static void seed() throws Exception {
        world = new IndexerFixture("capped", 5);
        SyntheticPacsGenerator busyDay = new SyntheticPacsGenerator(301, 30, BUSY, 1, 1, 1, 10);
        SyntheticPacsGenerator quietDay = new SyntheticPacsGenerator(302, 3, QUIET, 1, 1, 1, 3);
        SyntheticPacsGenerator mixedDay = new SyntheticPacsGenerator(306, 8, MIXED, 1, 1, 1, 8);
        busy = busyDay.plan().toList();
        quiet = quietDay.plan().toList();
        mixed = mixedDay.plan().toList();
        SyntheticSeeding.sendTo(busyDay, world.client, world.pacs, world.dir.resolve("scratch"));
        SyntheticSeeding.sendTo(quietDay, world.client, world.pacs, world.dir.resolve("scratch"));
        SyntheticSeeding.sendTo(mixedDay, world.client, world.pacs, world.dir.resolve("scratch"));
    }

    @AfterAll
    static void stop() throws Exception {
        world.close();
    }

    @Test
    void rangeWithCappedDayIsIndexedCompletely() throws Exception {
        Indexer indexer = world.indexer(world.settings(BUSY, MIXED, 5).withUndated(false));
        Indexer.Summary summary = indexer.run();

        assertThat(summary.daysDone()).isEqualTo(4);
        assertThat(summary.daysFailed()).isZero();
        IndexDayRecord day = world.state.findIndexDay(BUSY).orElseThrow();
        assertThat(day.status()).isEqualTo(IndexDayRecord.Status.DONE);
        assertThat(day.studyCount()).isEqualTo(30);
        assertThat(day.split()).startsWith("time:");
        TreeSet<String> expected = busy.stream().map(SyntheticPacsGenerator.GeneratedStudy::studyInstanceUid)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(day.uidSetHash()).isEqualTo(Indexer.hash(expected));
        assertThat(world.state.studiesOfDay(BUSY)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(world.state.findIndexDay(QUIET).orElseThrow().split()).startsWith("none");
        assertThat(world.state.findIndexDay(LocalDate.of(2023, 3, 3)).orElseThrow().studyCount()).isZero();

        // every attribute the issue lists, names decoded from their character set
        SyntheticPacsGenerator.GeneratedStudy first = busy.get(0);
        StudyRecord stored = world.state.findStudy(first.studyInstanceUid()).orElseThrow();
        assertThat(stored.patientName()).isEqualTo("Müller^Jürgen");
        assertThat(stored.patientId()).isEqualTo(first.patient().patientId());
        assertThat(stored.accessionNumber()).isEqualTo(first.accessionNumber());
        assertThat(stored.studyDate()).isEqualTo("20230301");
        assertThat(stored.studyTime()).startsWith(first.studyTime().format(DateTimeFormatter.ofPattern("HHmmss")));
        assertThat(stored.modalitiesInStudy()).contains(first.modality());
        assertThat(stored.expectedInstances()).isEqualTo(first.instanceCount());
        assertThat(stored.expectedSeries()).isEqualTo(first.series().size());
        assertThat(stored.patientSex()).isEqualTo(first.patient().sex());

        List<StudyEvent> events = world.events();
        int total = busy.size() + quiet.size() + mixed.size();
        assertThat(events).hasSize(total).allMatch(e -> e.reason().equals("new"));
        assertThat(events.stream().map(StudyEvent::studyInstanceUid).distinct()).hasSize(total);

        // a second run skips every done day and publishes nothing
        Indexer.Summary again = world.indexer(world.settings(BUSY, MIXED, 5).withUndated(false)).run();
        assertThat(again.daysSkipped()).isEqualTo(4);
        assertThat(world.events()).hasSize(total);
    }

    @Test
    void dayThatCannotBeSplitByTimeIsSplitByModality() throws Exception {
        Map<String, Long> perModality = mixed.stream().collect(Collectors.groupingBy(
                SyntheticPacsGenerator.GeneratedStudy::modality, Collectors.counting()));
        assertThat(mixed).hasSizeGreaterThan(5);
        assertThat(perModality.values()).allMatch(n -> n < 5); // the seed gives a mixed day

        IndexSettings oneSpan = new IndexSettings(MIXED, MIXED, false, 5, Duration.ofDays(1), List.of("CT", "MR"),
                TimeWindows.always(), Duration.ZERO, 1, Duration.ZERO, false, "0123456789",
                0, Duration.ofHours(1), Duration.ZERO, world.dir.resolve("reports"));
        IndexerFixture.SpyClient spy = new IndexerFixture.SpyClient(world.client, k -> { });
        Indexer.DayOutcome outcome = world.isolated("mod", spy, oneSpan).indexDay(MIXED);

        assertThat(outcome.done()).isTrue();
        assertThat(outcome.record().studyCount()).isEqualTo(mixed.size());
        assertThat(outcome.record().split()).contains("modality:");
        assertThat(spy.finds.stream().map(k -> k.get("ModalitiesInStudy")).filter(s -> !s.isEmpty()))
                .contains("CT", "MR");
    }

    @Test
    void dayStillCappedAfterSplittingFailsAndIsNotDone() throws Exception {
        IndexSettings tooCoarse = new IndexSettings(BUSY, BUSY, false, 5, Duration.ofDays(1), List.of("CT", "MR"),
                TimeWindows.always(), Duration.ZERO, 1, Duration.ZERO, false, "0123456789",
                0, Duration.ofHours(1), Duration.ZERO, world.dir.resolve("reports"));
        Indexer indexer = world.isolated("coarse", world.client, tooCoarse);
        Indexer.Summary summary = indexer.run();
        assertThat(summary.daysFailed()).isEqualTo(1);
        assertThat(summary.daysDone()).isZero();
        IndexDayRecord day = indexer.state().findIndexDay(BUSY).orElseThrow();
        assertThat(day.status()).isEqualTo(IndexDayRecord.Status.FAILED);
        assertThat(day.lastError()).contains("capped").contains("still capped");
        assertThat(indexer.progress().snapshot().daysFailed()).isEqualTo(1);
        assertThat(indexer.progress().snapshot().lastError()).contains("2023-03-01");
    }
}
