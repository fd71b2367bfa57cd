package org.pacsmigrator.console;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.progress.ProgressText;
import org.pacsmigrator.progress.StageProgress;

/**
 * What {@code GET /api/progress} returns: one consistent picture of the migration, sampled in the background,
 * with the last control pass ({@code control.last} null before the first) and the time until the migration is
 * through ({@code etaSeconds} null and {@code eta} "--" while unknown; the terminal's figure, see {@link ProgressText}).
 */
public record ProgressSnapshot(String migrationId, Instant at, Studies studies, Instances instances, List<Day> days,
                               DeadLetterCounts deadLetters, List<StageView> stages, ControlView control,
                               Long etaSeconds, String eta) {

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

    /**
     * A stage: paused or not, the lag of its consumer group (-1 when unknown; the index stage has none), and its
     * progress as the terminal shows it: {@code done} of {@code known} {@code unit}s (days for the index stage,
     * studies for the others), images (-1 for the index stage), rates over the sliding window (null until known),
     * the ETA ({@code etaSeconds} null while unknown) and what it waits for, in words.
     */
    public record StageView(String stage, boolean paused, long lag, String unit, long done, long known, long imagesDone,
                            long imagesKnown, Double perMinute, Double imagesPerSecond, Long etaSeconds, String eta,
                            List<String> waits) {

        static StageView of(StageProgress p, boolean paused, long lag, Instant now, ZoneId local) {
            return new StageView(p.stage().label(), paused, lag, p.unit().label(), p.done(), p.known(), p.imagesDone(),
                    p.imagesKnown(), known(p.perMinute()), known(p.imagesPerSecond()),
                    p.eta() == null ? null : p.eta().getSeconds(), ProgressText.eta(p), ProgressText.waits(p, now, local));
        }

        private static Double known(double rate) {
            return Double.isNaN(rate) ? null : rate;
        }
    }

    /** One point of {@code GET /api/history}. */
    public record HistoryPoint(Instant at, long total, long verified, long failed, long instancesSent,
                               Map<String, Long> lag) {
    }
}
