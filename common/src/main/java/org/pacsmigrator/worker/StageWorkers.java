package org.pacsmigrator.worker;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.pacsmigrator.topics.StageConsumer;

/**
 * The consumers of one stage in this process: alive while all loops run; closing finishes the studies in hand.
 * A loop that died (of any {@link Throwable}) is reported by {@link #failure()}: the process's health check
 * turns red and the all-in-one run stops with its crash code.
 */
public final class StageWorkers implements AutoCloseable {
    private final List<StageConsumer> consumers;

    StageWorkers(List<StageConsumer> consumers) {
        this.consumers = List.copyOf(consumers);
    }

    public boolean alive() {
        return consumers.stream().allMatch(StageConsumer::isRunning);
    }

    /** What killed the first of the loops that died, if one did. */
    public Optional<Throwable> failure() {
        return consumers.stream().map(StageConsumer::failure).filter(Objects::nonNull).findFirst();
    }

    public long processed() {
        return consumers.stream().mapToLong(StageConsumer::processed).sum();
    }

    public long deadLettered() {
        return consumers.stream().mapToLong(StageConsumer::deadLettered).sum();
    }

    /** Closes all consumers in parallel: each finishes (and commits) the study in hand first. */
    @Override
    public void close() {
        consumers.parallelStream().forEach(StageConsumer::close);
    }
}
