package org.pacsmigrator.verify;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.errors.SerializationException;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageConsumer;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.Topics;

/**
 * The verifier's consumer of the commitment results topic, on the one consumer loop of every stage
 * ({@link StageConsumer}, group {@code <migrationId>-commitment-results}): marks each instance committed (and
 * verified) or not committed with its failure reason, then records the transaction as reported — the signal the
 * requesting verifier waits for. At least once: every write is idempotent, the offset is committed after the
 * writes. A state store failure is retried until the store answers again ({@link StageConsumer.RetryPolicy#untilDone});
 * an undecodable or incomplete result is dead-lettered ({@code <topic>.dlq}, "undecodable"), and the study's
 * verifier then times out waiting for it ("commitment timeout").
 */
public final class CommitmentResultConsumer implements AutoCloseable {
    private final StageConsumer loop;

    public CommitmentResultConsumer(KafkaSettings kafka, Topics topics, StateStore state, MeterRegistry registry) {
        this.loop = StageConsumer.ofTopic(kafka, StageId.VERIFY, topics.migrationId() + "-commitment-results",
                topics.commitmentResults(), new Results(state), StageConsumer.RetryPolicy.untilDone(), registry);
    }

    public CommitmentResultConsumer start() {
        loop.start();
        return this;
    }

    /** Results applied so far by this consumer. */
    public long applied() {
        return loop.processed();
    }

    /** Results dead-lettered so far by this consumer. */
    public long deadLettered() {
        return loop.deadLettered();
    }

    public boolean isRunning() {
        return loop.isRunning();
    }

    /** Applies one result to the state store (also used directly by tests). */
    static void apply(StateStore state, CommitmentResultEvent e) {
        for (String sop : e.committed()) {
            state.recordInstanceCommitment(e.studyInstanceUid(), sop, e.transactionUid(), null);
        }
        state.recordVerified(e.studyInstanceUid(), e.committed());
        for (CommitmentResultEvent.Failed f : e.failed()) {
            state.recordInstanceCommitment(e.studyInstanceUid(), f.sopInstanceUid(), e.transactionUid(), f.failureReason());
        }
        state.recordCommitmentReport(e.studyInstanceUid(), e.transactionUid(), e.eventTypeId(), e.committed().size(),
                e.failed().size());
    }

    @Override
    public void close() {
        loop.close();
    }

    /** The topic's values: commitment reports, each applied to the state store. */
    private record Results(StateStore state, JsonSerde<CommitmentResultEvent> serde)
            implements StageConsumer.Payload<CommitmentResultEvent> {
        Results(StateStore state) {
            this(state, new JsonSerde<>(CommitmentResultEvent.class));
        }

        @Override
        public CommitmentResultEvent decode(byte[] value) {
            CommitmentResultEvent e = serde.fromBytes(value);
            if (e == null || e.studyInstanceUid() == null || e.transactionUid() == null) {
                throw new SerializationException("commitment result without study or transaction UID");
            }
            return e;
        }

        @Override
        public String studyOf(CommitmentResultEvent e) {
            return e.studyInstanceUid();
        }

        @Override
        public void handle(CommitmentResultEvent e) {
            apply(state, e);
        }
    }
}
