package org.pacsmigrator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/** The completion topology with TopologyTestDriver: no broker. */
class CompletionTopologyTest {
    private static final Topics TOPICS = new Topics("unit");
    private static final String STUDY = "1.2.3";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private final List<StudyStatus> sink = new ArrayList<>();
    private TestInputTopic<String, StudyEvent> forwarded;
    private TestInputTopic<String, ProgressEvent> progress;
    private TestInputTopic<String, CommitmentResultEvent> commitments;
    private TestOutputTopic<String, StudyStatus> status;

    private void start(Completion criterion) throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "unit-completion");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve(criterion.key())).toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(CompletionTopology.build(TOPICS, criterion, sink::add, p), p);
        var key = new StringSerializer();
        forwarded = driver.createInputTopic(TOPICS.forwarded(), key, new JsonSerde<>(StudyEvent.class).serializer());
        progress = driver.createInputTopic(TOPICS.studyProgress(), key, new JsonSerde<>(ProgressEvent.class).serializer());
        commitments = driver.createInputTopic(TOPICS.commitmentResults(), key,
                new JsonSerde<>(CommitmentResultEvent.class).serializer());
        status = driver.createOutputTopic(TOPICS.studyStatus(), new StringDeserializer(),
                new JsonSerde<>(StudyStatus.class).deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static CommitmentResultEvent committed(String tx, List<String> uids, List<CommitmentResultEvent.Failed> failed) {
        return new CommitmentResultEvent(STUDY, tx, "NEWPACS", failed.isEmpty() ? 1 : 2, uids, failed, Instant.now());
    }

    @Test
    void sentAndCommittedFlipsExactlyWhenTheLastInstanceIsCommitted() throws Exception {
        start(Completion.SENT_AND_COMMITTED);
        forwarded.pipeInput(STUDY, StudyEvent.of(STUDY, "forwarded"));
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 3, 3, 3, -1, Instant.now()));
        commitments.pipeInput(STUDY, committed("2.25.1", List.of("a", "b"), List.of()));
        StudyStatus before = status.readValuesToList().get(2);
        assertThat(before.complete()).isFalse();
        assertThat(before.confirmed()).isEqualTo(2);
        assertThat(before.completedAt()).isNull();
        commitments.pipeInput(STUDY, committed("2.25.2", List.of("c"), List.of()));
        StudyStatus after = status.readValue();
        assertThat(after.complete()).isTrue();
        assertThat(after.confirmed()).isEqualTo(3);
        assertThat(after.expected()).isEqualTo(3);
        assertThat(after.sent()).isEqualTo(3);
        assertThat(after.method()).isEqualTo("storage-commitment");
        assertThat(after.completedAt()).isNotNull();
        // The sink (state store) saw every step, the last one complete.
        assertThat(sink).hasSize(4);
        assertThat(sink.get(3).complete()).isTrue();
        // A redelivered report changes nothing.
        commitments.pipeInput(STUDY, committed("2.25.2", List.of("c"), List.of()));
        assertThat(status.readValue()).satisfies(s -> {
            assertThat(s.confirmed()).isEqualTo(3);
            assertThat(s.completedAt()).isEqualTo(after.completedAt());
        });
        KeyValueStore<String, StudyCompletion> store = driver.getKeyValueStore(CompletionTopology.STORE);
        assertThat(store.get(STUDY).committed()).containsExactly("a", "b", "c");
    }

    @Test
    void aFailedInstanceKeepsTheStudyIncompleteUntilALaterTransactionCommitsIt() throws Exception {
        start(Completion.SENT_AND_COMMITTED);
        forwarded.pipeInput(STUDY, StudyEvent.of(STUDY, "forwarded"));
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, -1, Instant.now()));
        commitments.pipeInput(STUDY, committed("2.25.1", List.of("a"), List.of(new CommitmentResultEvent.Failed("b", 0x0112))));
        StudyStatus failed = status.readValuesToList().get(2);
        assertThat(failed.complete()).isFalse();
        assertThat(failed.failed()).isEqualTo(1);
        commitments.pipeInput(STUDY, committed("2.25.2", List.of("a", "b"), List.of()));
        StudyStatus ok = status.readValue();
        assertThat(ok.complete()).isTrue();
        assertThat(ok.failed()).isZero();
    }

    @Test
    void sentCriterionNeedsOnlyTheSentCountAndCFindCriterionTheCFindCount() throws Exception {
        start(Completion.SENT);
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, -1, Instant.now()));
        assertThat(status.readValue().complete()).as("not complete before the forwarded event").isFalse();
        forwarded.pipeInput(STUDY, StudyEvent.of(STUDY, "forwarded"));
        assertThat(status.readValue().complete()).isTrue();
        driver.close();

        start(Completion.SENT_AND_CFIND);
        forwarded.pipeInput(STUDY, StudyEvent.of(STUDY, "forwarded"));
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, -1, Instant.now()));
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, 1, Instant.now()));
        List<StudyStatus> steps = status.readValuesToList();
        assertThat(steps).extracting(StudyStatus::complete).containsExactly(false, false, false);
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, 2, Instant.now()));
        StudyStatus done = status.readValue();
        assertThat(done.complete()).isTrue();
        assertThat(done.method()).isEqualTo("c-find");
        // A later snapshot without a C-FIND count keeps the confirmation.
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, -1, Instant.now()));
        assertThat(status.readValue().complete()).isTrue();
    }

    @Test
    void aStudyForwardedOnThePriorityLaneCompletesToo() throws Exception {
        start(Completion.SENT);
        TestInputTopic<String, StudyEvent> priorityLane = driver.createInputTopic(Topics.priorityLaneOf(TOPICS.forwarded()),
                new StringSerializer(), new JsonSerde<>(StudyEvent.class).serializer());
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 2, 2, 2, -1, Instant.now()));
        priorityLane.pipeInput(STUDY, StudyEvent.priority(STUDY, "priority:now"));
        assertThat(status.readValuesToList()).extracting(StudyStatus::complete).containsExactly(false, true);
    }

    @Test
    void undecodableRecordsAreSkipped() throws Exception {
        start(Completion.SENT);
        driver.createInputTopic(TOPICS.studyProgress(), new StringSerializer(), new StringSerializer()).pipeInput(STUDY, "not json");
        assertThat(status.isEmpty()).isTrue();
        progress.pipeInput(STUDY, new ProgressEvent(STUDY, 1, 1, 1, -1, Instant.now()));
        assertThat(status.readValue().expected()).isEqualTo(1);
    }
}
