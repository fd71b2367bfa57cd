package org.pacsmigrator.migrator;

import java.nio.file.Path;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.harness.CassandraNode;
import org.pacsmigrator.harness.KafkaBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-machine default: a Kafka broker and a Cassandra node as child JVMs with their data
 * under the migration's data directory, so a restarted run resumes from the same state. Either
 * may instead be an external service given by address in the config.
 */
final class EmbeddedServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServices.class);

    private final KafkaBroker kafka;
    private final CassandraNode cassandra;
    private final String kafkaBootstrap;
    private final String cassandraContactPoint;

    private EmbeddedServices(KafkaBroker kafka, CassandraNode cassandra, String kafkaBootstrap, String cassandraContactPoint) {
        this.kafka = kafka;
        this.cassandra = cassandra;
        this.kafkaBootstrap = kafkaBootstrap;
        this.cassandraContactPoint = cassandraContactPoint;
    }

    static EmbeddedServices start(MigrationConfig config) {
        Path data = Path.of(config.storage.dataDirectory).toAbsolutePath();
        KafkaBroker kafka = null;
        CassandraNode cassandra = null;
        String bootstrap = config.services.kafka;
        String contactPoint = config.services.cassandra;
        if ("embedded".equals(bootstrap)) {
            LOG.info("starting embedded Kafka in {}", data.resolve("kafka"));
            kafka = KafkaBroker.start(data.resolve("kafka"));
            bootstrap = kafka.bootstrapServers();
        }
        if ("embedded".equals(contactPoint)) {
            LOG.info("starting embedded Cassandra in {}", data.resolve("cassandra"));
            cassandra = CassandraNode.start(data.resolve("cassandra"), false);
            contactPoint = cassandra.contactPoint();
        }
        return new EmbeddedServices(kafka, cassandra, bootstrap, contactPoint);
    }

    String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    String cassandraContactPoint() {
        return cassandraContactPoint;
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.stop();
        }
        if (cassandra != null) {
            cassandra.stop();
        }
    }
}
