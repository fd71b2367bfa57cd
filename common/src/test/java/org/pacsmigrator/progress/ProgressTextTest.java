package org.pacsmigrator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.topics.StageId;

class ProgressTextTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void durationsHaveTwoUnitsAtMost() {
        assertThat(ProgressText.duration(Duration.ZERO)).isEqualTo("0s");
        assertThat(ProgressText.duration(Duration.ofMillis(1200))).as("rounded up").isEqualTo("2s");
        assertThat(ProgressText.duration(Duration.ofSeconds(185))).isEqualTo("3m 05s");
        assertThat(ProgressText.duration(Duration.ofSeconds(2 * 3600 + 10 * 60 + 59))).isEqualTo("2h 10m");
        assertThat(ProgressText.duration(Duration.ofHours(76))).isEqualTo("3d 4h");
        assertThat(ProgressText.duration(Duration.ofSeconds(-5))).isEqualTo("0s");
    }

    @Test
    void ratesAndCounts() {
        assertThat(ProgressText.rate(Double.NaN)).isEqualTo("--");
        assertThat(ProgressText.rate(6.04)).isEqualTo("6.0");
        assertThat(ProgressText.rate(1234.5)).isEqualTo("1,235");
        assertThat(ProgressText.count(1234567)).isEqualTo("1,234,567");
    }

    @Test
    void aStageLineSaysDoneOfKnownRatesAndEta() {
        StageProgress retrieve = new StageProgress(StageId.RETRIEVE, StageProgress.Unit.STUDIES, 12, 20, 1, 180, 300, 0.6,
                6.0, Duration.ofSeconds(65), List.of());
        assertThat(ProgressText.line(retrieve))
                .isEqualTo("retrieve   12/20 studies, 180/300 images, 0.6 studies/min, 6.0 images/s, ETA 1m 05s");
        StageProgress index = new StageProgress(StageId.INDEX, StageProgress.Unit.DAYS, 7, 7, 0, -1, -1, Double.NaN,
                Double.NaN, Duration.ZERO, List.of());
        assertThat(ProgressText.line(index)).isEqualTo("index      7/7 days, -- days/min, ETA done");
        StageProgress stalled = new StageProgress(StageId.FORWARD, StageProgress.Unit.STUDIES, 0, 20, 0, 0, 0, 0, 0, null,
                List.of());
        assertThat(ProgressText.eta(stalled)).isEqualTo("--");
    }

    @Test
    void theWholePictureHasAHeadingStagesTheirWaitsAndFailures() {
        StageWait window = StageWait.window(AT.plusSeconds(3600), ZoneOffset.UTC);
        List<StageProgress> stages = List.of(
                new StageProgress(StageId.INDEX, StageProgress.Unit.DAYS, 7, 7, 0, -1, -1, 1, Double.NaN, Duration.ZERO, List.of()),
                new StageProgress(StageId.RETRIEVE, StageProgress.Unit.STUDIES, 5, 20, 2, 50, 80, 0, 0, null, List.of(window)),
                new StageProgress(StageId.FORWARD, StageProgress.Unit.STUDIES, 5, 20, 2, 50, 80, 1, 1, null, List.of()),
                new StageProgress(StageId.VERIFY, StageProgress.Unit.STUDIES, 4, 20, 2, 40, 80, 1, 1, Duration.ofSeconds(840),
                        List.of()));
        MigrationProgress p = new MigrationProgress("demo", AT, 20, Map.of("missing instances", 2L), stages, true);
        List<String> lines = ProgressText.lines(p, AT, ZoneOffset.UTC);
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).isEqualTo("[10:00:00] migration demo: 20 studies found, 4 verified, 2 failed, ETA 14m 00s");
        assertThat(lines.get(2)).startsWith("retrieve   5/20 studies");
        assertThat(lines.get(3)).startsWith("           waiting: outside its time windows: the next opens at 11:00")
                .endsWith("(in 1h 00m)");
        assertThat(lines.get(6)).isEqualTo("failed     2 missing instances");
    }
}
