package org.pacsmigrator.verify;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verifier's consumer of the commitment results topic: marks each instance committed (and verified)
 * or not committed with its failure reason, then records the transaction as reported — the signal the
 * requesting verifier waits for. At least once: every write is idempotent, offsets are committed after
 * the writes. A state store failure leaves the offset uncommitted and is retried after a pause.
 */
public final class CommitmentResultConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitmentResultConsumer.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final StateStore state;
    private final String topic;
    private final JsonSerde<CommitmentResultEvent> serde = new JsonSerde<>(CommitmentResultEvent.class);
    private final AtomicLong applied = new AtomicLong();
    private final Thread loop;
    private volatile boolean closing;

    public CommitmentResultConsumer(KafkaSettings kafka, Topics topics, StateStore state) {
        this.state = state;
        this.topic = topics.commitmentResults();
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("client.id", kafka.clientIdPrefix() + "-commitment-results");
        p.put("group.id", topics.migrationId() + "-commitment-results");
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.putAll(kafka.clientProperties());
        TopicAdmin.ensureTopics(kafka, topic);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.loop = new Thread(this::run, "commitment-results-" + topics.migrationId());
    }

    public CommitmentResultConsumer start() {
        loop.start();
        return this;
    }

    /** Results applied so far by this consumer. */
    public long applied() {
        return applied.get();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (!closing) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(300));
                try {
                    for (ConsumerRecord<String, byte[]> r : records) {
                        apply(r);
                    }
                    if (!records.isEmpty()) {
                        consumer.commitSync();
                    }
                } catch (RuntimeException e) {
                    if (closing) {
                        break;
                    }
                    LOG.warn("commitment results: {}; will read them again", e.toString());
                    for (var tp : records.partitions()) {
                        consumer.seek(tp, records.records(tp).get(0).offset());
                    }
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        CommitmentResultEvent e;
        try {
            e = serde.fromBytes(record.value());
        } catch (SerializationException ex) {
            LOG.warn("commitment results: undecodable record at {}-{}@{} skipped: {}", record.topic(), record.partition(),
                    record.offset(), ex.getMessage());
            return;
        }
        if (e == null || e.studyInstanceUid() == null || e.transactionUid() == null) {
            return;
        }
        apply(state, e);
        applied.incrementAndGet();
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
        closing = true;
        consumer.wakeup();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
