package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.pacsmigrator.topics.ConsumerLag;
import org.pacsmigrator.topics.KafkaSettings;

/** Healthy when a Kafka broker of the cluster answers (describe cluster) within a few seconds. */
public final class KafkaHealthCheck extends HealthCheck implements AutoCloseable {
    private final Admin admin;
    private final String bootstrapServers;

    public KafkaHealthCheck(KafkaSettings kafka) {
        this.bootstrapServers = kafka.bootstrapServers();
        this.admin = ConsumerLag.admin(bootstrapServers);
    }

    @Override
    protected Result check() throws Exception {
        try {
            int brokers = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            return Result.healthy(brokers + " broker(s) at " + bootstrapServers);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return Result.unhealthy("Kafka at " + bootstrapServers + " does not answer: " + e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
