package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;
import org.pacsmigrator.metrics.Latency;
import org.pacsmigrator.topics.FailureCategory;

/**
 * The retriever's meters (Micrometer): studies by outcome, instances and bytes written to the
 * cache, study and association latency, studies in progress, failures by category. The current
 * association count and adaptive limit come from the {@code AssociationGate}; consumer lag from
 * the {@code LagMonitor} (read from the broker).
 */
public final class RetrieveMetrics {
    public static final String PREFIX = "pacsmig.retrieve";

    private final MeterRegistry registry;
    private final Counter instances;
    private final Counter bytes;
    private final Counter cacheWriteFailures;
    private final Counter busy;
    private final Timer studyLatency;
    private final Timer associationLatency;
    private final AtomicInteger inProgress = new AtomicInteger();

    public RetrieveMetrics(MeterRegistry registry) {
        this.registry = registry;
        instances = Counter.builder(PREFIX + ".instances").description("instances written to the cache")
                .register(registry);
        bytes = Counter.builder(PREFIX + ".bytes").baseUnit("bytes").description("bytes written to the cache")
                .register(registry);
        cacheWriteFailures = Counter.builder(PREFIX + ".cache.write.failures")
                .description("received instances that could not be written to the cache").register(registry);
        studyLatency = Latency.histogram(PREFIX + ".study.latency", "time to retrieve a whole study").register(registry);
        associationLatency = Latency.histogram(PREFIX + ".association.latency",
                "duration of one C-MOVE / C-GET / C-FIND association to the source").register(registry);
        busy = Counter.builder(PREFIX + ".busy").description("retrieves the old PACS answered busy (HTTP 429/503), asked "
                + "again after its Retry-After").register(registry);
        Gauge.builder(PREFIX + ".studies.in.progress", inProgress, AtomicInteger::get)
                .description("studies this worker is retrieving now").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    void instanceCached(long size) {
        instances.increment();
        bytes.increment(size);
    }

    void busy() {
        busy.increment();
    }

    void cacheWriteFailed() {
        cacheWriteFailures.increment();
    }

    void instanceRefused(String category) {
        Counter.builder(PREFIX + ".instances.refused").description("instances the storage SCP refused, by reason")
                .tag("category", category).register(registry).increment();
    }

    public double instancesRefused(String category) {
        Counter c = registry.find(PREFIX + ".instances.refused").tag("category", category).counter();
        return c == null ? 0 : c.count();
    }

    void study(String outcome) {
        Counter.builder(PREFIX + ".studies").description("studies the retriever finished, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    void failure(FailureCategory category) {
        Counter.builder(PREFIX + ".failures").description("failed retrieve attempts, by category")
                .tag("category", category.label()).register(registry).increment();
    }

    Timer studyLatency() {
        return studyLatency;
    }

    Timer associationLatency() {
        return associationLatency;
    }

    AtomicInteger inProgress() {
        return inProgress;
    }

    public double busyAnswers() {
        return busy.count();
    }

    public double instancesCached() {
        return instances.count();
    }

    public double bytesCached() {
        return bytes.count();
    }

    public double failures(FailureCategory category) {
        Counter c = registry.find(PREFIX + ".failures").tag("category", category.label()).counter();
        return c == null ? 0 : c.count();
    }
}
