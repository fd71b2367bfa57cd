package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import java.util.function.Supplier;
import org.pacsmigrator.worker.Stage;

/**
 * Unhealthy, with the cause, once a consumer loop of the service's stage died (of any {@code Throwable}):
 * the loop takes no more studies, so the pod is neither ready nor alive and is restarted.
 */
final class StageHealthCheck extends HealthCheck {
    private final Supplier<Stage> stage;

    StageHealthCheck(Supplier<Stage> stage) {
        this.stage = stage;
    }

    @Override
    protected Result check() {
        Stage running = stage.get();
        if (running == null) {
            return Result.healthy("not started yet");
        }
        return running.workers().failure()
                .map(t -> Result.unhealthy("a consumer loop died: " + t))
                .orElseGet(() -> Result.healthy("consumer loops running"));
    }
}
