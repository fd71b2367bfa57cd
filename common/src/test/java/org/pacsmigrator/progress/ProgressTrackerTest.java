package org.pacsmigrator.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StudyCounts;
import org.pacsmigrator.state.StudyProgress;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.StageId;

class ProgressTrackerTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final LocalDate FROM = LocalDate.of(2024, 3, 4);

    /** 100 studies of 10 images each: {@code verified} verified, {@code failed} failed, the rest indexed. */
    private static StudyProgress counts(long retrieved, long verified, long failed) {
        Map<StudyState, Long> byState = new TreeMap<>();
        byState.put(StudyState.VERIFIED, verified);
        byState.put(StudyState.RETRIEVED, retrieved - verified);
        byState.put(StudyState.FAILED, failed);
        byState.put(StudyState.INDEXED, 100 - retrieved - failed);
        StudyCounts c = new StudyCounts(100, byState, failed == 0 ? Map.of() : Map.of("missing instances", failed),
                1000, retrieved * 10, verified * 10, verified * 10, verified);
        return StudyProgress.of(new TreeMap<>(Map.of(FROM, c)), true);
    }

    private static ProgressTracker.IndexDays days(long done) {
        return new ProgressTracker.IndexDays(done, 0, 7);
    }

    @Test
    void eachStageHasItsCountsRateAndEta() {
        ProgressTracker tracker = new ProgressTracker(Duration.ofMinutes(5));
        tracker.update("m", T0, counts(0, 0, 0), days(7), Map.of());
        MigrationProgress p = tracker.update("m", T0.plusSeconds(60), counts(30, 10, 2), days(7), Map.of());

        StageProgress retrieve = p.stage(StageId.RETRIEVE);
        assertThat(retrieve.done()).isEqualTo(30);
        assertThat(retrieve.known()).isEqualTo(100);
        assertThat(retrieve.imagesDone()).isEqualTo(300);
        assertThat(retrieve.imagesKnown()).isEqualTo(1000);
        assertThat(retrieve.perMinute()).isCloseTo(30.0, within(1e-9));
        assertThat(retrieve.imagesPerSecond()).isCloseTo(5.0, within(1e-9));
        assertThat(retrieve.remaining()).as("failed studies are not left to do").isEqualTo(68);
        assertThat(retrieve.eta()).as("68 studies at 30 a minute").isEqualTo(Duration.ofSeconds(136));

        StageProgress verify = p.stage(StageId.VERIFY);
        assertThat(verify.done()).isEqualTo(10);
        assertThat(verify.eta()).as("88 at 10 a minute").isEqualTo(Duration.ofSeconds(528));
        assertThat(p.eta()).isEqualTo(verify.eta());
        assertThat(p.failuresByCategory()).containsEntry("missing instances", 2L);

        StageProgress index = p.stage(StageId.INDEX);
        assertThat(index.unit()).isEqualTo(StageProgress.Unit.DAYS);
        assertThat(index.finished()).isTrue();
        assertThat(index.imagesDone()).isEqualTo(-1);
    }

    @Test
    void aFinishedStageWaitsForNothingButAPauseIsAlwaysShown() {
        ProgressTracker tracker = new ProgressTracker();
        StageWait window = StageWait.window(T0.plusSeconds(3600), ZoneOffset.UTC);
        Map<StageId, List<StageWait>> waits = Map.of(StageId.INDEX, List.of(StageWait.paused(), window),
                StageId.RETRIEVE, List.of(window));
        MigrationProgress p = tracker.update("m", T0, counts(0, 0, 0), days(7), waits);
        assertThat(p.stage(StageId.INDEX).waits()).as("all days indexed").containsExactly(StageWait.paused());
        assertThat(p.stage(StageId.RETRIEVE).waits()).as("100 studies to retrieve").containsExactly(window);
        assertThat(p.stage(StageId.RETRIEVE).eta()).as("no rate yet").isNull();
    }

    @Test
    void nothingFoundYetHasNoEstimate() {
        ProgressTracker tracker = new ProgressTracker();
        StudyProgress none = StudyProgress.of(new TreeMap<>(), true);
        tracker.update("m", T0, none, days(0), Map.of());
        MigrationProgress p = tracker.update("m", T0.plusSeconds(10), none, days(0), Map.of());
        assertThat(p.stage(StageId.RETRIEVE).eta()).as("0 of 0 studies: not done, unknown").isNull();
        assertThat(ProgressText.eta(p.stage(StageId.VERIFY))).isEqualTo("--");
    }

    @Test
    void indexDaysCountOnlyTheRange() {
        List<IndexDayRecord> records = List.of(
                day(FROM, IndexDayRecord.Status.DONE), day(FROM.plusDays(1), IndexDayRecord.Status.FAILED),
                day(FROM.plusDays(2), IndexDayRecord.Status.PENDING), day(LocalDate.of(1, 1, 1), IndexDayRecord.Status.DONE),
                day(FROM.plusDays(30), IndexDayRecord.Status.DONE));
        assertThat(ProgressTracker.IndexDays.of(records, FROM, FROM.plusDays(6)))
                .isEqualTo(new ProgressTracker.IndexDays(1, 1, 7));
    }

    private static IndexDayRecord day(LocalDate day, IndexDayRecord.Status status) {
        return new IndexDayRecord(day, status, T0, 0, null, null, null);
    }
}
