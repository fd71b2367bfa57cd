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
 * {@code pacsmig.consumer.lag{group,topic,partition}} per partition and
 * {@code pacsmig.stage.lag{group,topic}}. Read from the broker, so the lag keeps rising
 * while a stage is paused (the autoscaler and the console see the backlog).
 */
public final class LagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    private record Watched(String group, String topic) {
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

    /** Watches the lag of {@code group} on {@code topic}. */
    public LagMonitor watch(String group, String topic) {
        Watched w = new Watched(group, topic);
        totals.computeIfAbsent(w, k -> {
            AtomicLong total = new AtomicLong(-1);
            Gauge.builder("pacsmig.stage.lag", total, AtomicLong::get).tags("group", group, "topic", topic)
                    .description("records of the topic the stage's group has not committed (-1: not read yet)")
                    .register(registry);
            return total;
        });
        lags.computeIfAbsent(w, k -> new ConcurrentHashMap<>());
        refresher.execute(this::refresh);
        return this;
    }

    /** The last lag read for the group on the topic, -1 before the first read. */
    public long total(String group, String topic) {
        AtomicLong total = totals.get(new Watched(group, topic));
        return total == null ? -1 : total.get();
    }

    private void refresh() {
        for (Map.Entry<Watched, Map<Integer, AtomicLong>> e : lags.entrySet()) {
            Watched w = e.getKey();
            try {
                Map<Integer, Long> byPartition = ConsumerLag.byPartition(admin, w.group(), w.topic());
                byPartition.forEach((partition, lag) -> e.getValue().computeIfAbsent(partition, p -> {
                    AtomicLong value = new AtomicLong();
                    Gauge.builder("pacsmig.consumer.lag", value, AtomicLong::get)
                            .tags("group", w.group(), "topic", w.topic(), "partition", Integer.toString(p))
                            .register(registry);
                    return value;
                }).set(lag));
                totals.get(w).set(byPartition.values().stream().mapToLong(Long::longValue).sum());
            } catch (RuntimeException ex) {
                LOG.warn("consumer lag of {} on {} not read: {}", w.group(), w.topic(), ex.getMessage());
            }
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
