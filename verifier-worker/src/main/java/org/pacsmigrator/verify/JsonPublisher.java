package org.pacsmigrator.verify;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;

/**
 * Publishes the verifier's own JSON records (progress snapshots, commitment results) keyed by
 * StudyInstanceUID; returns once the broker acknowledged (acks=all, idempotent, in order).
 */
public final class JsonPublisher implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final KafkaProducer<String, byte[]> producer;

    public JsonPublisher(KafkaSettings kafka) {
        producer = new KafkaProducer<>(KafkaEventPublisher.producerProperties(kafka, "verifier-json-" + SEQ.incrementAndGet()),
                new StringSerializer(), new ByteArraySerializer());
    }

    @SuppressWarnings("unchecked")
    public <T> void publish(String topic, String studyInstanceUid, T value) {
        JsonSerde<T> serde = new JsonSerde<>((Class<T>) value.getClass());
        try {
            producer.send(new ProducerRecord<>(topic, studyInstanceUid, serde.toBytes(value))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + topic + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
