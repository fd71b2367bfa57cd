package org.pacsmigrator.topics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.pacsmigrator.metrics.Latency;

/**
 * The same meters for every stage: {@code pacsmig.stage.study.latency{stage,outcome}} (time per
 * study handled, a histogram) and {@code pacsmig.stage.failures{stage,category}} (final failures by category,
 * plus {@code retried} for failures the stage retries).
 */
public final class MeteredStage implements StudyEventHandler {
    private final StudyEventHandler inner;
    private final MeterRegistry registry;
    private final String stage;

    public MeteredStage(String stage, StudyEventHandler inner, MeterRegistry registry) {
        this.stage = stage;
        this.inner = inner;
        this.registry = registry;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        Timer.Sample sample = Timer.start(registry);
        String outcome = "done";
        try {
            inner.handle(event);
        } catch (StageFailure f) {
            outcome = "failed";
            failures(f.category().label()).increment();
            throw f;
        } catch (InterruptedException e) {
            outcome = "interrupted";
            throw e;
        } catch (Exception e) {
            outcome = "retried";
            failures("retried").increment();
            throw e;
        } finally {
            sample.stop(Latency.histogram("pacsmig.stage.study.latency", "time to handle one study in the stage")
                    .tags("stage", stage, "outcome", outcome).register(registry));
        }
    }

    private Counter failures(String category) {
        return Counter.builder("pacsmig.stage.failures").tags("stage", stage, "category", category)
                .description("studies the stage failed, by category").register(registry);
    }
}
