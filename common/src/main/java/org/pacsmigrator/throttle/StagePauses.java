package org.pacsmigrator.throttle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.pacsmigrator.state.StageControlStore;
import org.pacsmigrator.state.StateStoreException;
import org.pacsmigrator.topics.StageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pause and resume of each stage for every worker of a migration at once: the flags live in the
 * state store (set from the console), and each worker reads them at most every few seconds. A
 * paused stage finishes the study in hand and takes no new one; a paused indexer sends no C-FIND.
 * If the store cannot be read, the last known flags hold. The flags are stored under each stage's
 * {@link StageId#label() label}.
 */
public final class StagePauses {
    private static final Logger LOG = LoggerFactory.getLogger(StagePauses.class);

    private final StageControlStore state;
    private final long refreshNanos;
    private volatile Map<String, Boolean> flags = Map.of();
    private volatile long readAt = Long.MIN_VALUE;

    public StagePauses(StageControlStore state, Duration refresh) {
        this.state = state;
        this.refreshNanos = refresh.toNanos();
    }

    public static StagePauses of(StageControlStore state) {
        return new StagePauses(state, Duration.ofSeconds(2));
    }

    public boolean isPaused(StageId stage) {
        refreshIfStale();
        return flags.getOrDefault(stage.label(), false);
    }

    /** The pause switch of one stage, for a consumer loop or the indexer's schedule. */
    public BooleanSupplier of(StageId stage) {
        return () -> isPaused(stage);
    }

    public void set(StageId stage, boolean paused) {
        state.setStagePaused(stage.label(), paused);
        LOG.info("stage {} {}", stage.label(), paused ? "paused" : "resumed");
        readAt = Long.MIN_VALUE; // read back at once
    }

    /** {@code pacsmig.stage.paused{stage}}: 1 while a stage is paused. */
    public StagePauses register(MeterRegistry registry) {
        for (StageId stage : StageId.values()) {
            Gauge.builder("pacsmig.stage.paused", this, p -> p.isPaused(stage) ? 1 : 0).tag("stage", stage.label())
                    .description("1 while the stage is paused from the console").register(registry);
        }
        return this;
    }

    private void refreshIfStale() {
        long now = System.nanoTime();
        if (readAt != Long.MIN_VALUE && now - readAt < refreshNanos) {
            return;
        }
        try {
            flags = Map.copyOf(state.stagePauses());
        } catch (StateStoreException e) {
            LOG.warn("cannot read the stage pauses (keeping the last known): {}", e.getMessage());
        }
        readAt = now;
    }
}
