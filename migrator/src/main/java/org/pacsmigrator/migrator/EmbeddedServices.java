package org.pacsmigrator.migrator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.files.OwnerOnly;
import org.pacsmigrator.harness.CassandraNode;
import org.pacsmigrator.harness.KafkaBroker;
import org.pacsmigrator.harness.StartTogether;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-machine default: a Kafka broker and a Cassandra node as child JVMs with their data
 * under the migration's data directory, so a restarted run resumes from the same state. Either
 * may instead be an external service given by address in the config.
 */
final class EmbeddedServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServices.class);
    /** A Cassandra of a crashed run flushing its memtables may take a while. */
    private static final Duration PREVIOUS_RUN_EXIT = Duration.ofSeconds(120);

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

    static EmbeddedServices start(MigrationConfig config) throws IOException {
        // patient data from here on (Kafka's topics, Cassandra's tables, the cache, the reports): its user's only
        Path data = OwnerOnly.directory(Path.of(config.storage.dataDirectory).toAbsolutePath());
        Path pids = data.resolve("embedded-services.pids");
        PreviousServices.awaitGone(pids, PREVIOUS_RUN_EXIT);
        // Both at once: each spends most of its start-up waiting on its own JVM's class loading and disk.
        long startedAt = System.nanoTime();
        StartTogether starting = new StartTogether();
        CompletableFuture<KafkaBroker> kafka = CompletableFuture.completedFuture(null);
        CompletableFuture<CassandraNode> cassandra = CompletableFuture.completedFuture(null);
        if ("embedded".equals(config.services.kafka)) {
            LOG.info("starting embedded Kafka in {}", data.resolve("kafka"));
            kafka = starting.start(() -> KafkaBroker.start(data.resolve("kafka")));
        }
        if ("embedded".equals(config.services.cassandra)) {
            LOG.info("starting embedded Cassandra in {}", data.resolve("cassandra"));
            cassandra = starting.start(() -> CassandraNode.start(data.resolve("cassandra"), false));
        }
        starting.await();
        KafkaBroker broker = kafka.join();
        CassandraNode node = cassandra.join();
        if (broker != null || node != null) {
            LOG.info("embedded services ready in {} ms", (System.nanoTime() - startedAt) / 1_000_000);
        }
        String bootstrap = broker == null ? config.services.kafka : broker.bootstrapServers();
        String contactPoint = node == null ? config.services.cassandra : node.contactPoint();
        recordPids(pids, broker == null ? -1 : broker.pid(), node == null ? -1 : node.pid());
        return new EmbeddedServices(broker, node, bootstrap, contactPoint);
    }

    private static void recordPids(Path pids, long... values) {
        try {
            StringBuilder text = new StringBuilder();
            for (long pid : values) {
                if (pid > 0) {
                    text.append(pid).append('\n');
                }
            }
            OwnerOnly.writeString(pids, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    String cassandraContactPoint() {
        return cassandraContactPoint;
    }

    /** Both at once: each spends its shutdown flushing its own data. */
    @Override
    public void close() {
        long stoppingAt = System.nanoTime();
        CompletableFuture<Void> kafkaStopped = kafka == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(kafka::stop);
        if (cassandra != null) {
            cassandra.stop();
        }
        kafkaStopped.join();
        LOG.info("embedded services stopped in {} ms", (System.nanoTime() - stoppingAt) / 1_000_000);
    }
}
