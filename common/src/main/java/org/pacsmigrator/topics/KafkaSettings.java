package org.pacsmigrator.topics;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.pacsmigrator.config.MigrationConfig;

/**
 * How to reach Kafka, how to create topics and how consumers keep their group membership. {@code
 * clientProperties} are added to every client (e.g. security.protocol, sasl.*) and win over the defaults of
 * this package.
 */
public record KafkaSettings(String bootstrapServers, String clientIdPrefix, int partitions,
                            short replicationFactor, GroupMembership membership, Map<String, String> clientProperties) {

    public static final int DEFAULT_PARTITIONS = 6;

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
        Objects.requireNonNull(membership, "membership");
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("partitions and replication factor must be positive");
        }
        clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
    }

    /** Single broker: 6 partitions per topic, replication factor 1. */
    public static KafkaSettings of(String bootstrapServers, String clientIdPrefix) {
        return of(bootstrapServers, clientIdPrefix, DEFAULT_PARTITIONS);
    }

    public static KafkaSettings of(String bootstrapServers, String clientIdPrefix, int partitions) {
        return new KafkaSettings(bootstrapServers, clientIdPrefix, partitions, (short) 1, GroupMembership.FAST_TAKEOVER,
                Map.of());
    }

    /** A migration's clients: its topics' partitions and its consumers' group membership from {@code services}. */
    public static KafkaSettings of(String bootstrapServers, MigrationConfig config) {
        MigrationConfig.Services s = config.services;
        return of(bootstrapServers, "pacsmig-" + config.migrationId, s.partitions)
                .withMembership(GroupMembership.ofSeconds(s.kafkaSessionTimeoutSeconds, s.kafkaHeartbeatSeconds));
    }

    public KafkaSettings withReplicationFactor(int factor) {
        return new KafkaSettings(bootstrapServers, clientIdPrefix, partitions, (short) factor, membership, clientProperties);
    }

    public KafkaSettings withMembership(GroupMembership m) {
        return new KafkaSettings(bootstrapServers, clientIdPrefix, partitions, replicationFactor, m, clientProperties);
    }

    /** Base properties of every client: bootstrap servers, a client id, then the overrides. */
    Properties clientProperties(String clientIdSuffix) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientIdPrefix + "-" + clientIdSuffix);
        return p;
    }

    Properties withOverrides(Properties p) {
        p.putAll(clientProperties);
        return p;
    }
}
