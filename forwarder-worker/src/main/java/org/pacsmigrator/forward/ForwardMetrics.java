package org.pacsmigrator.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.pacsmigrator.metrics.Latency;

/**
 * The forwarder's meters: instances and bytes sent, C-STORE status codes, store latency per
 * association, busy answers, studies by outcome, failures by category. Association count and adaptive limit come
 * from the {@code AssociationGate}; consumer lag from the {@code LagMonitor}.
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
        associationLatency = Latency.histogram(PREFIX + ".association.latency",
                "duration of one C-STORE association (one batch)").register(registry);
        busy = Counter.builder(PREFIX + ".busy").description("batches the new PACS answered busy (HTTP 429/503), sent again "
                + "after its Retry-After").register(registry);
    }

    void stored(long size) {
        instances.increment();
        bytes.increment(size);
    }

    void status(int status) {
        Counter.builder(PREFIX + ".status").description("instances by the new PACS's C-STORE status (not-sent: never sent)")
                .tag("status", status < 0 ? "not-sent" : String.format("0x%04X", status)).register(registry).increment();
    }

    void study(String outcome) {
        Counter.builder(PREFIX + ".studies").description("studies the forwarder finished, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    void failure(String category) {
        Counter.builder(PREFIX + ".failures")
                .description("forward failures (per instance; per study for a patient ID conflict), by category")
                .tag("category", category).register(registry).increment();
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
