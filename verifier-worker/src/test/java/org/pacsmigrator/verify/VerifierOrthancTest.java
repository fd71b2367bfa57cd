package org.pacsmigrator.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.dicom.StudyManifest;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceCommitment;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.DeadLetters;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * The verifier against a real Orthanc (own instance, as the new PACS) with the shared Kafka and Cassandra:
 * storage commitment (all committed; a deleted instance fails the study; no report → "commitment timeout"),
 * C-FIND verification of a deleted instance, and the completion status computed by Kafka Streams.
 */
class VerifierOrthancTest {
    private static final String SC_AE = "MIGRATOR_SC";
    private static final String LOST_AE = "MIGRATOR_LOST";
    private static final SyntheticPacsGenerator GENERATOR = new SyntheticPacsGenerator(99, 5, LocalDate.of(2024, 6, 3), 2, 2, 3, 3);
    private static final DicomClient CLIENT = Dicom.client("VERIFIER", DicomTimeouts.defaults());

    private static Path dir;
    private static OrthancServer orthanc;
    private static DicomNode pacs;
    private static StateStore state;
    private static Topics topics;
    private static KafkaSettings kafka;
    private static KafkaEventPublisher publisher;
    private static JsonPublisher json;
    private static StorageCommitment scu;
    private static StorageCommitment lostScu;
    private static CommitmentResultConsumer results;
    private static CompletionService completion;
    private static List<GeneratedStudy> studies;

    @BeforeAll
    static void start() throws Exception {
        Services services = TestServices.get();
        dir = Files.createTempDirectory("verifier-test");
        String id = "v" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        topics = new Topics(id);
        kafka = KafkaSettings.of(services.kafka().bootstrapServers(), "pacsmig-" + id, 2);
        TopicAdmin.ensureTopics(kafka, topics.all());
        state = CassandraStateStore.open(services.cassandra().contactPoint(), services.cassandra().localDatacenter(), "pacsmig_" + id);
        publisher = new KafkaEventPublisher(kafka);
        json = new JsonPublisher(kafka);
        CommitmentReports reports = new CommitmentReports(state, json, topics);
        scu = Dicom.startStorageCommitment(SC_AE, "127.0.0.1", 0, DicomTimeouts.defaults(), Duration.ofMillis(200), reports);
        lostScu = Dicom.startStorageCommitment(LOST_AE, "127.0.0.1", 0, DicomTimeouts.defaults(), Duration.ZERO, reports);
        orthanc = OrthancServer.start("NEWPACS", dir.resolve("orthanc"), Map.of(
                "migrator", new OrthancServer.Modality(SC_AE, "127.0.0.1", scu.port()),
                // Orthanc accepts this AE's requests but its reports go to a port where nobody listens.
                "lost", new OrthancServer.Modality(LOST_AE, "127.0.0.1", Ports.freePort()),
                "verifier", new OrthancServer.Modality("VERIFIER", "127.0.0.1", 104)));
        pacs = new DicomNode("NEWPACS", "127.0.0.1", orthanc.dicomPort());
        SyntheticSeeding.sendTo(GENERATOR, CLIENT, pacs, dir.resolve("scratch"));
        studies = GENERATOR.plan().toList();
        for (GeneratedStudy s : studies) {
            recordAsForwarded(s);
        }
        results = new CommitmentResultConsumer(kafka, topics, state, null).start();
        completion = new CompletionService(kafka, topics, Completion.SENT_AND_COMMITTED, state, dir.resolve("streams")).start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {completion, results, scu, lostScu, json, publisher, state}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    /** The state a study has after the forwarder: indexed, every instance retrieved and stored, FORWARDED. */
    private static void recordAsForwarded(GeneratedStudy s) throws Exception {
        state.insertStudyIfAbsent(StudyRecord.indexed(s.studyInstanceUid(), s.patient().patientId(), null, "TEST^PATIENT",
                null, null, s.accessionNumber(), "20240603", null, null, s.modality(), s.series().size(), s.instanceCount()));
        Map<String, String> sopClassOfSeries = new HashMap<>();
        s.series().forEach(series -> sopClassOfSeries.put(series.seriesInstanceUid(), series.sopClassUid()));
        for (StudyManifest.Entry e : StudyManifest.query(CLIENT, pacs, s.studyInstanceUid())) {
            state.recordRetrieved(new InstanceRecord(s.studyInstanceUid(), e.sopInstanceUid(), e.seriesInstanceUid(),
                    sopClassOfSeries.get(e.seriesInstanceUid()), "1.2.840.10008.1.2.1", 1000, "0".repeat(64), "cache/" + e.sopInstanceUid(), Instant.now(),
                    null, null, null));
            state.recordForwarded(s.studyInstanceUid(), e.sopInstanceUid(), 0, true);
        }
        state.transition(s.studyInstanceUid(), StudyState.FORWARDED, StudyState.INDEXED);
    }

    private static Verifier verifier(Completion criterion, StorageCommitment commitmentScu, Duration timeout, int maxRequests) {
        return verifier(criterion, commitmentScu, timeout, maxRequests, AssociationGate.unlimited(pacs, 2));
    }

    /** A verifier whose associations to the new PACS (C-FIND and N-ACTION) pass {@code gate}. */
    private static Verifier verifier(Completion criterion, StorageCommitment commitmentScu, Duration timeout, int maxRequests,
                                     AssociationGate gate) {
        CommitmentRequester requester = new CommitmentRequester(commitmentScu, gate, state, timeout, maxRequests);
        return new Verifier(CLIENT, gate, state, publisher, topics, 2, Duration.ofMillis(200), criterion, false, requester, json);
    }

    private static void forwarded(String uid) {
        publisher.publish(topics.forwarded(), StudyEvent.of(uid, "forwarded"));
    }

    private static void deleteFromNewPacs(String sopInstanceUid) {
        String id = orthanc.post("/tools/lookup", sopInstanceUid).get(0).path("ID").asText();
        orthanc.delete("/instances/" + id);
    }

    private static StudyStatus awaitStatus(String uid, Predicate<StudyStatus> condition) {
        Awaitility.await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> state.findStudyStatus(uid).filter(condition).isPresent());
        return state.findStudyStatus(uid).orElseThrow();
    }

    @Test
    void commitmentOfAMigratedStudyReturnsEveryInstanceCommittedAndCompletesTheStudy() throws Exception {
        GeneratedStudy s = studies.get(0);
        String uid = s.studyInstanceUid();
        forwarded(uid);
        AssociationGate gate = AssociationGate.unlimited(pacs, 2);
        verifier(Completion.SENT_AND_COMMITTED, scu, Duration.ofSeconds(20), 2, gate).handle(StudyEvent.of(uid, "forwarded"));
        assertThat(gate.lastOutcome()).as("the N-ACTION passed the new PACS's gate").isNotNull()
                .satisfies(o -> assertThat(o.ok()).isTrue());

        assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.VERIFIED);
        Map<String, InstanceCommitment> commitments = state.instanceCommitmentsOf(uid);
        assertThat(commitments).hasSize(s.instanceCount());
        assertThat(commitments.values()).allMatch(InstanceCommitment::committed);
        assertThat(state.instancesOf(uid)).allMatch(InstanceRecord::verified);
        assertThat(state.commitmentsOf(uid)).singleElement().satisfies(tx -> {
            assertThat(tx.reported()).isTrue();
            assertThat(tx.committed()).isEqualTo(s.instanceCount());
            assertThat(tx.failed()).isZero();
        });
        StudyStatus status = awaitStatus(uid, StudyStatus::complete);
        assertThat(status.expected()).isEqualTo(s.instanceCount());
        assertThat(status.sent()).isEqualTo(s.instanceCount());
        assertThat(status.confirmed()).isEqualTo(s.instanceCount());
        assertThat(status.method()).isEqualTo("storage-commitment");
        // The API object answers from the topology's own store.
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> completion.status(uid).filter(StudyStatus::complete).isPresent());
    }

    @Test
    void anInstanceRemovedFromTheNewPacsIsReportedFailedAndTheStudyIsNotComplete() throws Exception {
        GeneratedStudy s = studies.get(1);
        String uid = s.studyInstanceUid();
        String removed = s.sopInstanceUids().get(0);
        deleteFromNewPacs(removed);
        forwarded(uid);
        Verifier verifier = verifier(Completion.SENT_AND_COMMITTED, scu, Duration.ofSeconds(20), 2);
        assertThatThrownBy(() -> verifier.handle(StudyEvent.of(uid, "forwarded")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("not committed"))
                .hasMessageContaining("1 of " + s.instanceCount())
                .hasMessageContaining("no such object instance");
        StudyRecord study = state.findStudy(uid).orElseThrow();
        assertThat(study.state()).isEqualTo(StudyState.FAILED);
        assertThat(study.failureCategory()).isEqualTo("not committed");
        InstanceCommitment failed = state.instanceCommitmentsOf(uid).get(removed);
        assertThat(failed.committed()).isFalse();
        assertThat(failed.failureReason()).isEqualTo(0x0112);
        StudyStatus status = awaitStatus(uid, st -> st.failed() == 1);
        assertThat(status.complete()).isFalse();
        assertThat(status.confirmed()).isEqualTo(s.instanceCount() - 1);
        assertThat(status.completedAt()).isNull();
    }

    @Test
    void cFindVerificationDetectsADeletedInstance() throws Exception {
        GeneratedStudy s = studies.get(2);
        String uid = s.studyInstanceUid();
        deleteFromNewPacs(s.sopInstanceUids().get(1));
        AssociationGate gate = AssociationGate.unlimited(pacs, 2);
        Verifier verifier = verifier(Completion.SENT_AND_CFIND, scu, Duration.ofSeconds(5), 1, gate);
        assertThatThrownBy(() -> verifier.handle(StudyEvent.of(uid, "forwarded")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("missing in destination"))
                .hasMessageContaining("1 of " + s.instanceCount() + " instances not found");
        assertThat(state.findStudy(uid).orElseThrow().failureCategory()).isEqualTo("missing in destination");
        assertThat(state.instancesOf(uid).stream().filter(InstanceRecord::verified).count()).isEqualTo(s.instanceCount() - 1);
        assertThat(gate.lastOutcome()).as("the C-FIND verification passed the new PACS's gate").isNotNull();
    }

    @Test
    void aReportThatNeverComesIsRequestedAgainThenTheStudyFailsWithCommitmentTimeout() throws Exception {
        GeneratedStudy s = studies.get(3);
        String uid = s.studyInstanceUid();
        Verifier verifier = verifier(Completion.SENT_AND_COMMITTED, lostScu, Duration.ofSeconds(1), 2);
        assertThatThrownBy(() -> verifier.handle(StudyEvent.of(uid, "forwarded")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("commitment timeout"));
        assertThat(state.findStudy(uid).orElseThrow().failureCategory()).isEqualTo("commitment timeout");
        assertThat(state.commitmentsOf(uid)).hasSize(2).noneMatch(tx -> tx.reported());
    }

    @Test
    void completionFlipsExactlyWhenTheLastInstanceIsConfirmed() throws Exception {
        GeneratedStudy s = studies.get(4);
        String uid = s.studyInstanceUid();
        List<InstanceRecord> instances = state.instancesOf(uid);
        forwarded(uid);
        json.publish(topics.studyProgress(), uid, new ProgressEvent(uid, instances.size(), instances.size(), instances.size(), -1,
                Instant.now()));
        // Commit all but the last instance: counted, not complete.
        CommitmentRequester requester = new CommitmentRequester(scu, AssociationGate.unlimited(pacs, 1), state,
                Duration.ofSeconds(20), 1);
        requester.requestAndAwait(uid, instances.subList(0, instances.size() - 1));
        StudyStatus partial = awaitStatus(uid, st -> st.confirmed() == instances.size() - 1);
        assertThat(partial.complete()).isFalse();
        assertThat(partial.completedAt()).isNull();
        requester.requestAndAwait(uid, instances.subList(instances.size() - 1, instances.size()));
        StudyStatus done = awaitStatus(uid, st -> st.confirmed() == instances.size());
        assertThat(done.complete()).isTrue();
        assertThat(done.completedAt()).isNotNull();
    }

    @Test
    void undecodableCommitmentResultsAreDeadLetteredAndTheOnesBehindThemApplied() throws Exception {
        String study = "2.25." + UUID.randomUUID().getMostSignificantBits() + "1";
        String tx = "2.25.99" + System.nanoTime();
        long dead = results.deadLettered();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaEventPublisher.producerProperties(kafka, "raw"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = study.getBytes(StandardCharsets.UTF_8);
            raw.send(new ProducerRecord<>(topics.commitmentResults(), key, "{not json".getBytes(StandardCharsets.UTF_8))).get();
            raw.send(new ProducerRecord<>(topics.commitmentResults(), key,
                    "{\"studyInstanceUid\":\"1.2\"}".getBytes(StandardCharsets.UTF_8))).get(); // no transaction
        }
        json.publish(topics.commitmentResults(), study, new CommitmentResultEvent(study, tx, "NEWPACS", 1,
                List.of("2.25.7"), List.of(), Instant.now()));

        Awaitility.await().atMost(30, TimeUnit.SECONDS)
                .until(() -> state.instanceCommitmentsOf(study).containsKey("2.25.7"));
        assertThat(results.deadLettered() - dead).isEqualTo(2);
        List<DeadLetters.DeadLetter> letters = DeadLetters.pending(kafka, Topics.deadLetterOf(topics.commitmentResults()), 100);
        assertThat(letters).filteredOn(l -> study.equals(l.key())).extracting(DeadLetters.DeadLetter::category)
                .containsExactly("undecodable", "undecodable");
        assertThat(results.isRunning()).isTrue();
    }
}
