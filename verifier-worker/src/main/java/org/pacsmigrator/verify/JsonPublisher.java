package org.pacsmigrator.verify;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaSettings;

/**
 * Publishes the verifier's own JSON records (progress snapshots, commitment results) keyed by
 * StudyInstanceUID; returns once the broker acknowledged (acks=all, idempotent, in order).
 */
public final class JsonPublisher implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final KafkaProducer<String, byte[]> producer;

    public JsonPublisher(KafkaSettings kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("client.id", kafka.clientIdPrefix() + "-verifier-json-" + SEQ.incrementAndGet());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "1");
        p.put("max.in.flight.requests.per.connection", "1");
        p.putAll(kafka.clientProperties());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
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
