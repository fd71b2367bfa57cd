package org.pacsmigrator.migrator;

import java.time.Instant;
import java.util.function.Supplier;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.progress.MigrationProgress;
import org.pacsmigrator.progress.ProgressTracker;
import org.pacsmigrator.progress.StageWaits;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyProgress;
import org.pacsmigrator.worker.MigrationContext;

/**
 * One sample of the run's progress for the terminal: the per-day aggregates and the index days (one row per day,
 * whatever the number of studies), the stages' waits, through the tracker that turns samples into rates and ETAs.
 */
final class ProgressProbe implements Supplier<MigrationProgress> {
    private final MigrationConfig config;
    private final StateStore state;
    private final StageWaits waits;
    private final ProgressTracker tracker = new ProgressTracker();

    ProgressProbe(MigrationContext context) {
        this.config = context.config();
        this.state = context.state();
        this.waits = StageWaits.of(context);
    }

    @Override
    public MigrationProgress get() {
        StudyProgress counted = state.progress();
        Instant countedAt = Instant.now();
        ProgressTracker.IndexDays days = ProgressTracker.IndexDays.of(state.allIndexDays(), config.index.from, config.index.to);
        return tracker.update(config.migrationId, countedAt, counted, days, waits.at(Instant.now()));
    }
}
