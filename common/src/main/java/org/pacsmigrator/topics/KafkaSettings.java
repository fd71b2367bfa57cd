package org.pacsmigrator.topics;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * How to reach Kafka and how to create topics. {@code clientProperties} are added to every
 * client (e.g. security.protocol, sasl.*) and win over the defaults of this package.
 */
public record KafkaSettings(String bootstrapServers, String clientIdPrefix, int partitions,
                            short replicationFactor, Map<String, String> clientProperties) {

    public static final int DEFAULT_PARTITIONS = 6;

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(clientIdPrefix, "clientIdPrefix");
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
        return new KafkaSettings(bootstrapServers, clientIdPrefix, partitions, (short) 1, Map.of());
    }

    public KafkaSettings withReplicationFactor(int factor) {
        return new KafkaSettings(bootstrapServers, clientIdPrefix, partitions, (short) factor, clientProperties);
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
