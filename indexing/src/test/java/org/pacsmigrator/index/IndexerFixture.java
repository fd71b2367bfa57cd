package org.pacsmigrator.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.testsupport.DelegatingDicomClient;
import org.pacsmigrator.testsupport.FakeTime;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * One scenario's world: its own Orthanc as the old PACS (the shared one holds other tests' data),
 * its own keyspace and topics on the shared Kafka and Cassandra.
 */
final class IndexerFixture implements AutoCloseable {
    static final String AE = "MIGRATOR";
    final Path dir;
    final OrthancServer orthanc;
    final DicomNode pacs;
    final DicomClient client = Dicom.client(AE, DicomTimeouts.defaults());
    final String migrationId;
    final Topics topics;
    final KafkaSettings kafka;
    final StateStore state;
    final List<AutoCloseable> closeables = new ArrayList<>();

    IndexerFixture(String name, int limitFindResults) throws IOException {
        Services services = TestServices.get();
        dir = Files.createTempDirectory("indexer-" + name);
        Map<String, Object> extra = limitFindResults > 0 ? Map.of("LimitFindResults", limitFindResults) : Map.of();
        orthanc = OrthancServer.start(name.toUpperCase(), dir.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality(AE, "127.0.0.1", 1)), extra);
        pacs = new DicomNode(name.toUpperCase(), "127.0.0.1", orthanc.dicomPort());
        migrationId = name + Long.toHexString(System.nanoTime()).substring(4);
        topics = new Topics(migrationId);
        kafka = KafkaSettings.of(services.kafka().bootstrapServers(), "indexer-test", 2);
        TopicAdmin.ensureTopics(kafka, topics.all());
        state = CassandraStateStore.open(services.cassandra().contactPoint(), services.cassandra().localDatacenter(),
                "pacsmig_" + migrationId);
    }

    KafkaEventPublisher publisher() {
        KafkaEventPublisher p = new KafkaEventPublisher(kafka);
        closeables.add(p);
        return p;
    }

    IndexSettings settings(LocalDate from, LocalDate to, int cap) {
        return IndexSettings.defaults(from, to, false, cap).withReportDirectory(dir.resolve("reports"))
                .withRetries(2, Duration.ofSeconds(1));
    }

    Indexer indexer(DicomClient dicom, IndexSettings settings, Clock clock, Sleeper sleeper, IndexProgress progress) {
        return new Indexer(dicom, gate(pacs), state, publisher(), topics, settings, clock, sleeper, progress);
    }

    Indexer indexer(IndexSettings settings) {
        FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
        return indexer(client, settings, time, time, IndexProgress.standalone());
    }

    /** An indexer with its own keyspace and topics (for scenarios that must not see each other's days). */
    Indexer isolated(String suffix, DicomClient dicom, IndexSettings settings) {
        Services services = TestServices.get();
        StateStore own = CassandraStateStore.open(services.cassandra().contactPoint(),
                services.cassandra().localDatacenter(), "pacsmig_" + migrationId + "_" + suffix);
        closeables.add(own);
        Topics ownTopics = new Topics(migrationId + "_" + suffix);
        TopicAdmin.ensureTopics(kafka, ownTopics.all());
        FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
        return new Indexer(dicom, gate(pacs), own, publisher(), ownTopics, settings, time, time, IndexProgress.standalone());
    }

    /** A gate of the PACS without a global limit (one indexer, nothing else queries this test's own Orthanc). */
    static AssociationGate gate(DicomNode pacs) {
        return AssociationGate.unlimited(pacs, 1);
    }

    /** Every event published to the indexed topic so far. */
    List<StudyEvent> events() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("enable.auto.commit", "false");
        List<StudyEvent> out = new ArrayList<>();
        JsonSerde<StudyEvent> serde = JsonSerde.studyEvents();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topics.indexed()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(serde.fromBytes(r.value()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        state.close();
        orthanc.stop();
    }

    /** A DicomClient that lets a test see (and break) every C-FIND. */
    static final class SpyClient extends DelegatingDicomClient {
        final Consumer<DicomDataset> beforeFind;
        final List<DicomDataset> finds = new CopyOnWriteArrayList<>();

        SpyClient(DicomClient delegate, Consumer<DicomDataset> beforeFind) {
            super(delegate);
            this.beforeFind = beforeFind;
        }

        @Override
        public FindOutcome find(DicomNode remote, QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch)
                throws DicomException {
            beforeFind.accept(keys);
            finds.add(keys);
            return super.find(remote, level, keys, onMatch);
        }
    }

    static long count(Collection<StudyEvent> events, String reason) {
        return events.stream().filter(e -> e.reason().equals(reason)).count();
    }
}
