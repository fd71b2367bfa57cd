package org.pacsmigrator.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The forwarder's meters: instances and bytes sent, C-STORE status codes, store latency per
 * association, busy answers, studies by outcome, failures by category. Association count and adaptive limit come
 * from the {@code AssociationGate}; consumer lag from Kafka's client metrics.
 */
public final class ForwardMetrics {
    public static final String PREFIX = "pacsmig.forward";

    private final MeterRegistry registry;
    private final Counter instances;
    private final Counter bytes;
    private final Timer associationLatency;
    private final Counter busy;

    public ForwardMetrics(MeterRegistry registry) {
        this.registry = registry;
        instances = Counter.builder(PREFIX + ".instances").description("instances stored by the new PACS").register(registry);
        bytes = Counter.builder(PREFIX + ".bytes").baseUnit("bytes").description("bytes sent and stored").register(registry);
        associationLatency = Timer.builder(PREFIX + ".association.latency")
                .description("duration of one C-STORE association (one batch)").publishPercentiles(0.5, 0.95).register(registry);
        busy = Counter.builder(PREFIX + ".busy").description("batches the new PACS answered busy (HTTP 429/503), sent again "
                + "after its Retry-After").register(registry);
    }

    void stored(long size) {
        instances.increment();
        bytes.increment(size);
    }

    void status(int status) {
        registry.counter(PREFIX + ".status", "status", status < 0 ? "not-sent" : String.format("0x%04X", status)).increment();
    }

    void study(String outcome) {
        registry.counter(PREFIX + ".studies", "outcome", outcome).increment();
    }

    void failure(String category) {
        registry.counter(PREFIX + ".failures", "category", category).increment();
    }

    void busy() {
        busy.increment();
    }

    public double busyAnswers() {
        return busy.count();
    }

    Timer associationLatency() {
        return associationLatency;
    }

    public double instancesStored() {
        return instances.count();
    }

    public double failures(String category) {
        Counter c = registry.find(PREFIX + ".failures").tag("category", category).counter();
        return c == null ? 0 : c.count();
    }
}
