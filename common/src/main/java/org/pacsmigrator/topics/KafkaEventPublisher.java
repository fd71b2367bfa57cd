package org.pacsmigrator.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes study events keyed by StudyInstanceUID (one study stays on one partition, in order).
 * acks=all with idempotence: a retried send never duplicates or reorders within a partition.
 */
public final class KafkaEventPublisher implements EventPublisher {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final KafkaProducer<String, byte[]> producer;
    private final JsonSerde<StudyEvent> serde = JsonSerde.studyEvents();

    public KafkaEventPublisher(KafkaSettings settings) {
        this.producer = new KafkaProducer<>(producerProperties(settings, "publisher-" + SEQ.incrementAndGet()),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The one producer configuration of the project (every producer of ours uses it). */
    public static Properties producerProperties(KafkaSettings settings, String clientIdSuffix) {
        Properties p = settings.clientProperties(clientIdSuffix);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        // publish() waits for the ack, so lingering would only add latency; publishAll() batches anyway.
        p.put("linger.ms", "1");
        // One request in flight per broker. With more, a request rejected with NOT_LEADER_OR_FOLLOWER
        // on a just-created partition can be overtaken by the next one; the first then fails with
        // OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (KAFKA-15591 / KAFKA-19880, seen
        // here on 4.1.1). Events are small and few per study: throughput does not suffer.
        p.put("max.in.flight.requests.per.connection", "1");
        return settings.withOverrides(p);
    }

    @Override
    public void publish(String topic, StudyEvent event) {
        await(List.of(send(topic, event)), topic);
    }

    /** Sends all events, then waits for every ack: much faster than one publish() per event. */
    @Override
    public void publishAll(String topic, Collection<StudyEvent> events) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        for (StudyEvent e : events) {
            sent.add(send(topic, e));
        }
        await(sent, topic);
    }

    private Future<RecordMetadata> send(String topic, StudyEvent event) {
        return producer.send(new ProducerRecord<>(topic, event.studyInstanceUid(), serde.toBytes(event)));
    }

    private static void await(List<Future<RecordMetadata>> sent, String topic) {
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException e) {
            throw new PublishException("cannot publish to " + topic + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    /** The broker did not acknowledge a publication. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
