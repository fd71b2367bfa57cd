package org.pacsmigrator.throttle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.pacsmigrator.state.StageControlStore;
import org.pacsmigrator.state.StateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pause and resume of each stage for every worker of a migration at once: the flags live in the
 * state store (set from the console), and each worker reads them at most every few seconds. A
 * paused stage finishes the study in hand and takes no new one; a paused indexer sends no C-FIND.
 * If the store cannot be read, the last known flags hold.
 */
public final class StagePauses {
    private static final Logger LOG = LoggerFactory.getLogger(StagePauses.class);
    public static final String INDEX = "index";
    public static final String RETRIEVE = "retrieve";
    public static final String FORWARD = "forward";
    public static final String VERIFY = "verify";
    public static final List<String> STAGES = List.of(INDEX, RETRIEVE, FORWARD, VERIFY);

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

    public boolean isPaused(String stage) {
        refreshIfStale();
        return flags.getOrDefault(check(stage), false);
    }

    /** The pause switch of one stage, for a consumer loop or the indexer's schedule. */
    public BooleanSupplier of(String stage) {
        check(stage);
        return () -> isPaused(stage);
    }

    public void set(String stage, boolean paused) {
        state.setStagePaused(check(stage), paused);
        LOG.info("stage {} {}", stage, paused ? "paused" : "resumed");
        readAt = Long.MIN_VALUE; // read back at once
    }

    /** {@code pacsmig.stage.paused{stage}}: 1 while a stage is paused. */
    public StagePauses register(MeterRegistry registry) {
        for (String stage : STAGES) {
            Gauge.builder("pacsmig.stage.paused", this, p -> p.isPaused(stage) ? 1 : 0).tag("stage", stage)
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

    private static String check(String stage) {
        if (!STAGES.contains(stage)) {
            throw new IllegalArgumentException("unknown stage '" + stage + "' (" + String.join(", ", STAGES) + ")");
        }
        return stage;
    }
}
