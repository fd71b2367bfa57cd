package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.LogWatch;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * The walking skeleton, end to end against real services: Orthanc as old and new PACS, Kafka,
 * Cassandra. indexer → Kafka → retriever → cache → Kafka → forwarder → new PACS → verifier.
 */
class EndToEndMigrationTest {
    /** Attributes that must arrive unchanged (no rules are configured). */
    private static final List<String> PRESERVED = List.of("PatientID", "PatientName", "PatientBirthDate", "PatientSex",
            "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription", "SeriesInstanceUID",
            "Modality", "SOPClassUID", "SOPInstanceUID", "InstanceNumber", "Rows", "Columns", "BitsAllocated");

    private static OrthancServer oldPacs;
    private static OrthancServer newPacs;

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        oldPacs = MigrationFixture.services().oldPacs();
        newPacs = MigrationFixture.services().newPacs();
    }

    @BeforeEach
    void emptyNewPacs() {
        newPacs.deleteAll();
    }

    @Test
    void cMoveMigrationIsCompleteFaithfulAndNeverSendsTwice() throws Exception {
        MigrationConfig config = MigrationFixture.config("C-MOVE", dir.resolve("data"));
        String output = runExpectingSuccess(config);
        assertThat(output).contains("RESULT: COMPLETE");

        assertNewPacsHoldsExactlyTheOldOnes();
        assertContentEqual();
        assertStateStoreAllVerified(config);
        assertThat(newPacs.receivedStores()).hasSize(MigrationFixture.TOTAL_INSTANCES).doesNotHaveDuplicates();

        // The same migration again: every day is done, nothing is sent.
        assertThat(runExpectingSuccess(config)).contains("RESULT: COMPLETE");
        // Duplicate delivery of every indexed study while the workers run: still nothing is sent.
        try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra);
             KafkaEventPublisher publisher = new KafkaEventPublisher(runner.kafkaSettings())) {
            runner.startWorkers();
            for (StudyRecord s : runner.state().allStudies()) {
                publisher.publish(new Topics(config.migrationId).indexed(), StudyEvent.of(s.studyInstanceUid(), "duplicate"));
            }
            runner.awaitIdle(Duration.ofSeconds(60));
        }
        assertThat(newPacs.receivedStores()).hasSize(MigrationFixture.TOTAL_INSTANCES);
        assertNewPacsHoldsExactlyTheOldOnes();
    }

    @Test
    void cGetMigrationIsComplete() throws Exception {
        MigrationConfig config = MigrationFixture.config("C-GET", dir.resolve("data"));
        assertThat(runExpectingSuccess(config)).contains("RESULT: COMPLETE");
        assertNewPacsHoldsExactlyTheOldOnes();
        assertStateStoreAllVerified(config);
        assertThat(newPacs.receivedStores()).hasSize(MigrationFixture.TOTAL_INSTANCES).doesNotHaveDuplicates();
    }

    /** Runs the migration; it must succeed, and a healthy run logs no ERROR and no stack trace. */
    static String runExpectingSuccess(MigrationConfig config) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        try (LogWatch log = LogWatch.watch(); PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exit = SingleMachine.run(config, out, false);
            assertThat(log.errorsAndStackTraces()).as("ERROR lines and stack traces of a healthy run").isEmpty();
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code; output:%n%s", output).isZero();
        return output;
    }

    private static void assertNewPacsHoldsExactlyTheOldOnes() {
        List<String> old = MigrationFixture.sorted(oldPacs.sopInstanceUids());
        assertThat(old).hasSize(MigrationFixture.TOTAL_INSTANCES);
        assertThat(MigrationFixture.sorted(newPacs.sopInstanceUids())).isEqualTo(old);
    }

    /** Pixel data and patient/study attributes in the new PACS equal the originals, instance by instance. */
    private void assertContentEqual() throws Exception {
        Path files = Files.createDirectories(dir.resolve("compare"));
        for (String uid : oldPacs.sopInstanceUids()) {
            Path before = MigrationFixture.writeInstance(oldPacs, uid, files);
            Path after = MigrationFixture.writeInstance(newPacs, uid, files);
            assertThat(DicomFiles.pixelDataSha256(after)).as("pixel data of %s", uid).isEqualTo(DicomFiles.pixelDataSha256(before));
            DicomDataset a = DicomFiles.readAttributes(before);
            DicomDataset b = DicomFiles.readAttributes(after);
            for (String keyword : PRESERVED) {
                assertThat(b.get(keyword)).as("%s of %s", keyword, uid).isEqualTo(a.get(keyword));
            }
            Files.delete(before);
            Files.delete(after);
        }
    }

    private static void assertStateStoreAllVerified(MigrationConfig config) {
        try (StateStore state = CassandraStateStore.open(config.services.cassandra, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId)) {
            int studies = 0;
            int instances = 0;
            for (StudyRecord s : state.allStudies()) {
                studies++;
                assertThat(s.state()).as("state of study %s", s.studyInstanceUid()).isEqualTo(StudyState.VERIFIED);
                for (InstanceRecord i : state.instancesOf(s.studyInstanceUid())) {
                    instances++;
                    assertThat(i.retrieved() && i.forwarded() && i.verified()).as("instance %s", i.sopInstanceUid()).isTrue();
                    assertThat(i.sha256()).hasSize(64);
                }
            }
            assertThat(studies).isEqualTo(MigrationFixture.STUDIES);
            assertThat(instances).isEqualTo(MigrationFixture.TOTAL_INSTANCES);
        }
    }
}
