package org.pacsmigrator.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.topics.StageId;

/**
 * The migration's progress at one moment, as the terminal and the console show it: every stage in flow order, the
 * studies found, the failed studies by category, and the time until the last stage (verify) is through.
 *
 * @param current false when a busy day's counts are those of its last recount (see the state store's progress)
 */
public record MigrationProgress(String migrationId, Instant at, long studiesFound, Map<String, Long> failuresByCategory,
                                List<StageProgress> stages, boolean current) {

    public MigrationProgress {
        failuresByCategory = Map.copyOf(failuresByCategory);
        stages = List.copyOf(stages);
    }

    public StageProgress stage(StageId id) {
        return stages.stream().filter(s -> s.stage() == id).findFirst().orElseThrow();
    }

    /** When the migration is through: the verify stage's ETA (null while unknown). */
    public Duration eta() {
        return stage(StageId.VERIFY).eta();
    }

    public long studiesFailed() {
        return failuresByCategory.values().stream().mapToLong(Long::longValue).sum();
    }
}
