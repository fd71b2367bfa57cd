package org.pacsmigrator.progress;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StudyCounts;
import org.pacsmigrator.state.StudyProgress;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.StageId;

/**
 * Turns samples of the migration's counts (the per-day aggregates and the index days: never a scan of the studies)
 * into each stage's progress, with rates and ETAs over a sliding window. The terminal display and the console each
 * keep one and feed it their samples, so both compute the same figures the same way.
 */
public final class ProgressTracker {
    /** Long enough to smooth whole studies finishing in bursts, short enough to follow a change of pace. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

    private final Map<StageId, RateWindow> units = new EnumMap<>(StageId.class);
    private final Map<StageId, RateWindow> images = new EnumMap<>(StageId.class);

    public ProgressTracker(Duration window) {
        for (StageId stage : StageId.values()) {
            units.put(stage, new RateWindow(window));
            images.put(stage, new RateWindow(window));
        }
    }

    public ProgressTracker() {
        this(DEFAULT_WINDOW);
    }

    /** The index days of the configured range: done, failed (after their attempts) and all of them. */
    public record IndexDays(long done, long failed, long known) {
        /** From the index day records and the configured range {@code from..to}. */
        public static IndexDays of(Collection<IndexDayRecord> records, LocalDate from, LocalDate to) {
            long done = 0;
            long failed = 0;
            for (IndexDayRecord r : records) {
                if (r.day().isBefore(from) || r.day().isAfter(to)) {
                    continue; // the undated bucket, catch-up days past the range
                }
                if (r.status() == IndexDayRecord.Status.DONE) {
                    done++;
                } else if (r.status() == IndexDayRecord.Status.FAILED) {
                    failed++;
                }
            }
            return new IndexDays(done, failed, ChronoUnit.DAYS.between(from, to) + 1);
        }
    }

    /** Adds a sample taken at {@code at} and returns the progress it shows. */
    public synchronized MigrationProgress update(String migrationId, Instant at, StudyProgress counted, IndexDays days,
                                                 Map<StageId, List<StageWait>> waits) {
        StudyCounts total = counted.total();
        long failed = total.count(StudyState.FAILED);
        List<StageProgress> stages = new ArrayList<>();
        stages.add(stage(StageId.INDEX, StageProgress.Unit.DAYS, at, days.done(), days.known(), days.failed(), -1, -1,
                waits));
        stages.add(stage(StageId.RETRIEVE, StageProgress.Unit.STUDIES, at, atLeast(total, StudyState.RETRIEVED),
                total.studies(), failed, total.retrievedInstances(), total.expectedInstances(), waits));
        stages.add(stage(StageId.FORWARD, StageProgress.Unit.STUDIES, at, atLeast(total, StudyState.FORWARDED),
                total.studies(), failed, total.sentInstances(), total.expectedInstances(), waits));
        stages.add(stage(StageId.VERIFY, StageProgress.Unit.STUDIES, at, total.count(StudyState.VERIFIED),
                total.studies(), failed, total.confirmedInstances(), total.expectedInstances(), waits));
        return new MigrationProgress(migrationId, at, total.studies(), total.failuresByCategory(), stages, counted.current());
    }

    private StageProgress stage(StageId id, StageProgress.Unit unit, Instant at, long done, long known, long failed,
                                long imagesDone, long imagesKnown, Map<StageId, List<StageWait>> waits) {
        RateWindow unitRate = units.get(id);
        RateWindow imageRate = images.get(id);
        unitRate.add(at, done);
        if (imagesDone >= 0) {
            imageRate.add(at, imagesDone);
        }
        long remaining = Math.max(0, known - done - failed);
        Duration eta = known == 0 ? null : unitRate.eta(remaining).orElse(null); // nothing known yet: no estimate
        // a finished stage waits for nothing; a pause is shown all the same (the operator may have forgotten it)
        List<StageWait> holding = waits.getOrDefault(id, List.of()).stream()
                .filter(w -> remaining > 0 || w.kind() == StageWait.Kind.PAUSED).toList();
        return new StageProgress(id, unit, done, known, failed, imagesDone, imagesKnown,
                unitRate.perSecond().orElse(Double.NaN) * 60, imagesDone < 0 ? Double.NaN : imageRate.perSecond().orElse(Double.NaN),
                eta, holding);
    }

    private static long atLeast(StudyCounts counts, StudyState state) {
        return counts.byState().entrySet().stream().filter(e -> e.getKey().atLeast(state)).mapToLong(Map.Entry::getValue).sum();
    }
}
