package org.pacsmigrator.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/progress} returns: one consistent picture of the migration, sampled in the background,
 * with the last control pass ({@code control.last} null before the first).
 */
public record ProgressSnapshot(String migrationId, Instant at, Studies studies, Instances instances, List<Day> days,
                               DeadLetterCounts deadLetters, List<StageView> stages, ControlView control) {

    public record Studies(long total, Map<String, Long> byState) {
    }

    /** Sums of the per-study completion statuses. */
    public record Instances(long expected, long retrieved, long sent, long confirmed) {
    }

    /** One source day: its index state (DONE, FAILED, PENDING, NOT_INDEXED) and its studies. */
    public record Day(String day, String indexState, long studies, long verified, long failed) {
    }

    public record DeadLetterCounts(long total, Map<String, Map<String, Long>> byStage) {
    }

    /** A stage: paused or not, and the lag of its consumer group (-1 when unknown; the index stage has none). */
    public record StageView(String stage, boolean paused, long lag) {
    }

    /** One point of {@code GET /api/history}. */
    public record HistoryPoint(Instant at, long total, long verified, long failed, long instancesSent,
                               Map<String, Long> lag) {
    }
}
