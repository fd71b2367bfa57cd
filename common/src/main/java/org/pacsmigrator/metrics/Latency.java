package org.pacsmigrator.metrics;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Every latency of the product as a Prometheus histogram with one fixed set of buckets: quantiles are computed
 * by Prometheus ({@code histogram_quantile} over the {@code _bucket} series summed across pods), never in the
 * process, where they could not be aggregated. One bucket set for all: the work measured (a C-FIND, an
 * association, a study in a stage) takes from milliseconds to tens of minutes, and equal buckets let the
 * latencies of different stages and pods be compared and summed. Explicit buckets rather than Micrometer's
 * generated percentile histogram: 18 series per label set instead of ~50 for the same range.
 */
public final class Latency {
    /** 10 ms .. 1 h: the steps an operator reads (sub-second answers, seconds per study, minutes for large ones). */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
            Duration.ofHours(1)};

    private Latency() {
    }

    /** A timer published as a histogram with the common buckets (and no client-side percentiles). */
    public static Timer.Builder histogram(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS);
    }
}
