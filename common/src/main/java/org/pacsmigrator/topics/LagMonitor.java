package org.pacsmigrator.topics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag of stage groups as gauges, refreshed in the background:
 * {@code pacsmig.consumer.lag{stage,group,topic,partition}} per partition and
 * {@code pacsmig.stage.lag{stage,group,topic}}. Read from the broker, so the lag keeps rising
 * while a stage is paused (the autoscaler and the console see the backlog). A gauge appears with
 * the first successful read: an unknown lag is no series, never a made-up value.
 */
public final class LagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    private record Watched(String stage, String group, String topic) {
    }

    private final Admin admin;
    private final MeterRegistry registry;
    private final Map<Watched, Map<Integer, AtomicLong>> lags = new ConcurrentHashMap<>();
    private final Map<Watched, AtomicLong> totals = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lag-monitor");
        t.setDaemon(true);
        return t;
    });

    /** @param admin the process's admin client (not closed by the monitor) */
    public LagMonitor(Admin admin, MeterRegistry registry, Duration refresh) {
        this.admin = admin;
        this.registry = registry;
        refresher.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Watches the lag of the stage's consumer group on its input topic. */
    public LagMonitor watch(StageId stage, Topics topics) {
        lags.computeIfAbsent(new Watched(stage.label(), stage.consumerGroup(topics), stage.inputTopic(topics)),
                k -> new ConcurrentHashMap<>());
        refresher.execute(this::refresh);
        return this;
    }

    private void refresh() {
        for (Map.Entry<Watched, Map<Integer, AtomicLong>> e : lags.entrySet()) {
            Watched w = e.getKey();
            try {
                Map<Integer, Long> byPartition = ConsumerLag.byPartition(admin, w.group(), w.topic());
                byPartition.forEach((partition, lag) -> e.getValue().computeIfAbsent(partition, p -> gauge(
                        "pacsmig.consumer.lag", "records of the partition the stage's group has not committed", w,
                        Integer.toString(p), lag)).set(lag));
                long total = byPartition.values().stream().mapToLong(Long::longValue).sum();
                totals.computeIfAbsent(w, k -> gauge("pacsmig.stage.lag",
                        "records of the topic the stage's group has not committed", w, null, total)).set(total);
            } catch (RuntimeException ex) {
                LOG.warn("consumer lag of {} on {} not read: {}", w.group(), w.topic(), ex.getMessage());
            }
        }
    }

    /** A gauge of the watched group (and partition, unless null), registered with its first value read. */
    private AtomicLong gauge(String name, String description, Watched w, String partition, long first) {
        AtomicLong value = new AtomicLong(first);
        Gauge.Builder<AtomicLong> gauge = Gauge.builder(name, value, AtomicLong::get).description(description)
                .tags("stage", w.stage(), "group", w.group(), "topic", w.topic());
        if (partition != null) {
            gauge.tag("partition", partition);
        }
        gauge.register(registry);
        return value;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
