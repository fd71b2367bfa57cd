package org.pacsmigrator.retrieve;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/** Helpers of the retriever tests: own Orthanc, seeded studies, own keyspace, no-op publisher. */
final class RetrieverFixture {
    static final LocalDate DAY = LocalDate.of(2025, 5, 6);

    private RetrieverFixture() {
    }

    static Services services() {
        return TestServices.get();
    }

    static String uniqueId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Kafka settings of migration {@code id} on the shared broker, its topics created. */
    static KafkaSettings kafkaWithTopics(String id, Topics topics) {
        KafkaSettings kafka = KafkaSettings.of(services().kafka().bootstrapServers(), "pacsmig-" + id, 2);
        TopicAdmin.ensureTopics(kafka, topics.all());
        return kafka;
    }

    /** An Orthanc old PACS seeded by {@code generator} that knows the worker's AE title. */
    static OrthancServer startOldPacs(String aeTitle, Path dir, String workerAeTitle, SyntheticPacsGenerator generator)
            throws Exception {
        return startOrthanc(aeTitle, dir, Map.of("w", new OrthancServer.Modality(workerAeTitle, "127.0.0.1",
                Ports.freePort())), generator);
    }

    static CassandraStateStore openState(String keyspace) {
        Services s = services();
        return CassandraStateStore.open(CassandraSettings.of(s.cassandra().contactPoint(), s.cassandra().localDatacenter(),
                keyspace));
    }

    /** Drops the test's keyspace (the shared Cassandra has a small heap: every keyspace costs memory). */
    static void dropAndClose(CassandraStateStore state) {
        if (state == null) {
            return;
        }
        try {
            drop(state);
        } finally {
            state.close();
        }
    }

    static void drop(CassandraStateStore state) {
        try {
            state.session().execute(SimpleStatement
                    .newInstance("DROP KEYSPACE IF EXISTS " + state.keyspace()).setTimeout(Duration.ofSeconds(60)));
        } catch (RuntimeException e) {
            // best effort
        }
    }

    static DicomNode node(OrthancServer pacs) {
        return new DicomNode(pacs.aeTitle(), pacs.host(), pacs.dicomPort());
    }

    /** {@code studies} small studies (2 series × 3 images, some with an extra secondary capture). */
    static SyntheticPacsGenerator generator(long seed, int studies) {
        return new SyntheticPacsGenerator(seed, studies, DAY, 1, 2, 3, 2);
    }

    static OrthancServer startOrthanc(String aeTitle, Path dir, Map<String, OrthancServer.Modality> modalities,
                                      SyntheticPacsGenerator seed) throws Exception {
        OrthancServer pacs = OrthancServer.start(aeTitle, Files.createDirectories(dir), modalities);
        if (seed != null) {
            SyntheticSeeding.sendTo(seed, Dicom.client("GENERATOR", DicomTimeouts.defaults()), node(pacs),
                    Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-seed")));
        }
        return pacs;
    }

    /** Records the generator's studies as INDEXED, as the indexer would. */
    static void index(StateStore state, SyntheticPacsGenerator generator) {
        generator.plan().forEach(s -> state.insertStudyIfAbsent(StudyRecord.indexed(s.studyInstanceUid(),
                s.patient().patientId(), null, s.patient().name(), null, s.patient().sex(), s.accessionNumber(),
                s.studyDate().format(DateTimeFormatter.BASIC_ISO_DATE), null, "test", s.modality(),
                s.series().size(), s.instanceCount())));
    }

    static List<SyntheticPacsGenerator.GeneratedStudy> plan(SyntheticPacsGenerator generator) {
        return generator.plan().toList();
    }

    static RetrieveSettings settings(boolean cGet, String moveDestination, Path scratch) throws IOException {
        return new RetrieveSettings(cGet, moveDestination, true, 3, Duration.ofSeconds(3),
                Files.createDirectories(scratch));
    }

    /** Records publications in memory (tests that do not need Kafka). */
    static final class RecordingPublisher implements EventPublisher {
        final List<String> published = new CopyOnWriteArrayList<>();

        @Override
        public void publish(String topic, StudyEvent event) {
            published.add(topic + ":" + event.studyInstanceUid());
        }

        @Override
        public void close() {
        }
    }
}
