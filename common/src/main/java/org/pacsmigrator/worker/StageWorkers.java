package org.pacsmigrator.worker;

import java.util.List;
import org.pacsmigrator.topics.StageConsumer;

/** The consumers of one stage in this process: alive while all loops run; closing finishes the studies in hand. */
public final class StageWorkers implements AutoCloseable {
    private final List<StageConsumer> consumers;

    StageWorkers(List<StageConsumer> consumers) {
        this.consumers = List.copyOf(consumers);
    }

    public boolean alive() {
        return consumers.stream().allMatch(StageConsumer::isRunning);
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
