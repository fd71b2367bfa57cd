package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.pacsmigrator.topics.KafkaSettings;

/** Healthy when a Kafka broker of the cluster answers (describe cluster) within a few seconds. */
public final class KafkaHealthCheck extends HealthCheck {
    private final Admin admin;
    private final String bootstrapServers;

    /** @param admin the process's admin client (not closed by the check) */
    public KafkaHealthCheck(KafkaSettings kafka, Admin admin) {
        this.bootstrapServers = kafka.bootstrapServers();
        this.admin = admin;
    }

    @Override
    protected Result check() throws Exception {
        try {
            int brokers = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            return Result.healthy(brokers + " broker(s) at " + bootstrapServers);
        } catch (TimeoutException | ExecutionException e) {
            return Result.unhealthy("Kafka at " + bootstrapServers + " does not answer: " + e);
        }
    }
}
