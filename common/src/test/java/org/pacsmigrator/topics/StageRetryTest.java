package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.RealServices;

/**
 * The one retry mechanism of the stages, against Kafka and Cassandra: how many attempts a failure gets, and that
 * a study given up on is FAILED in the state store with the category its dead letter carries.
 */
class StageRetryTest {
    private static final int ATTEMPTS = 5;
    private static final StageConsumer.RetryPolicy FAST = new StageConsumer.RetryPolicy(ATTEMPTS, Backoff.ofMillis(20, 100));
    private static StateStore state;

    private final KafkaSettings settings = KafkaSettings.of(RealServices.kafka(), "test", 1);
    private final Topics topics = new Topics(RealServices.unique("retry"));
    private StageConsumer consumer;

    @BeforeAll
    static void open() {
        state = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(),
                RealServices.unique("retrytest_")));
    }

    @AfterAll
    static void close() {
        state.close();
    }

    @AfterEach
    void stop() {
        if (consumer != null) {
            consumer.close();
        }
    }

    /** A transient failure that knows a permanent category (as a stage's own exception may). */
    static final class Categorized extends Exception implements CategorizedFailure {
        private final FailureCategory category;

        Categorized(FailureCategory category, String message) {
            super(message);
            this.category = category;
        }

        @Override
        public FailureCategory category() {
            return category;
        }
    }

    @Test
    void everyStageGetsFiveAttemptsBackingOffFromOneToThirtySeconds() {
        assertThat(StageConsumer.RetryPolicy.defaults())
                .isEqualTo(new StageConsumer.RetryPolicy(5, Backoff.ofMillis(1_000, 30_000)));
    }

    @Test
    void aTransientFailureIsTriedNTimesThenDeadLetteredWithItsCategoryAndTheStudyFailed() {
        String uid = indexedStudy();
        AtomicInteger calls = new AtomicInteger();
        DeadLetters.DeadLetter letter = failOnce(uid, e -> {
            calls.incrementAndGet();
            throw new DicomException(DicomException.Category.TIMEOUT, "no answer from the old PACS");
        });
        assertThat(calls).hasValue(ATTEMPTS);
        assertThat(letter.category()).isEqualTo("timeout");
        assertThat(letter.headers().get(DeadLetters.ATTEMPTS)).isEqualTo(Integer.toString(ATTEMPTS));
        StudyRecord failed = state.findStudy(uid).orElseThrow();
        assertThat(failed.state()).isEqualTo(StudyState.FAILED);
        assertThat(failed.failureCategory()).isEqualTo("timeout");
        assertThat(failed.failureMessage()).contains("retriever failed after 5 attempts", "no answer from the old PACS");
    }

    @Test
    void aPermanentCategoryIsDeadLetteredAfterOneAttemptAndTheStudyFailed() {
        String uid = indexedStudy();
        AtomicInteger calls = new AtomicInteger();
        DeadLetters.DeadLetter letter = failOnce(uid, e -> {
            calls.incrementAndGet();
            throw new Categorized(FailureCategory.MISSING_INSTANCES, "3 of 5 instances never came");
        });
        assertThat(calls).hasValue(1);
        assertThat(letter.category()).isEqualTo("missing instances");
        assertThat(letter.headers().get(DeadLetters.ATTEMPTS)).isEqualTo("1");
        StudyRecord failed = state.findStudy(uid).orElseThrow();
        assertThat(failed.state()).isEqualTo(StudyState.FAILED);
        assertThat(failed.failureCategory()).isEqualTo("missing instances");
    }

    @Test
    void aStageFailureIsDeadLetteredAfterOneAttemptAndLeftToItsHandlerToRecord() {
        String uid = indexedStudy();
        AtomicInteger calls = new AtomicInteger();
        DeadLetters.DeadLetter letter = failOnce(uid, e -> {
            calls.incrementAndGet();
            throw new StageFailure(FailureCategory.NOT_RETRIEVED, "not yet");
        });
        assertThat(calls).hasValue(1);
        assertThat(letter.category()).isEqualTo("not retrieved");
        assertThat(letter.headers().get(DeadLetters.ATTEMPTS)).isEqualTo("1");
        assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.INDEXED);
    }

    /** Runs the retrieve stage's consumer on one event for {@code uid}; returns the dead letter it wrote. */
    private DeadLetters.DeadLetter failOnce(String uid, StudyEventHandler handler) {
        TopicAdmin.ensureTopics(settings, topics.all());
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(settings)) {
            publisher.publish(topics.indexed(), StudyEvent.of(uid, "indexed"));
        }
        consumer = new StageConsumer(settings, StageId.RETRIEVE, topics, handler, FAST, null)
                .onGiveUp(StageConsumer.GiveUpListener.markingFailedIn(state));
        consumer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> consumer.deadLettered() == 1);
        List<DeadLetters.DeadLetter> letters = DeadLetters.pending(settings, StageId.RETRIEVE.deadLetterTopic(topics), 10);
        assertThat(letters).hasSize(1);
        return letters.get(0);
    }

    private static String indexedStudy() {
        String uid = "1.2.826.0.1.3680043.10.77." + System.nanoTime();
        state.insertStudyIfAbsent(StudyRecord.indexed(uid, "PID", null, "Doe^Jane", null, null, null, "20240102", null,
                null, "CT", 1, 1));
        return uid;
    }
}
