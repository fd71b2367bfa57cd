package org.pacsmigrator.topics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Dead-letter topics: header names, and the replay that moves chosen dead letters back to the
 * topic they came from.
 */
public final class DeadLetters {
    public static final String HEADER_PREFIX = "dlq.";
    public static final String CATEGORY = "dlq.category";
    public static final String MESSAGE = "dlq.message";
    public static final String STAGE = "dlq.stage";
    public static final String ATTEMPTS = "dlq.attempts";
    public static final String FAILED_AT = "dlq.failed-at";
    public static final String SOURCE_TOPIC = "dlq.source-topic";
    public static final String SOURCE_PARTITION = "dlq.source-partition";
    public static final String SOURCE_OFFSET = "dlq.source-offset";
    public static final String REPLAYED_AT = "replayed-at";

    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(10);

    private DeadLetters() {
    }

    /** A dead letter as the replay filter sees it; {@code event} is null when the value was undecodable. */
    public record DeadLetter(String key, StudyEvent event, Map<String, String> headers) {
        public String category() {
            return headers.get(CATEGORY);
        }

        public String message() {
            return headers.get(MESSAGE);
        }

        public String stage() {
            return headers.get(STAGE);
        }

        /** The study the letter is about: its event's, or the record key when the value was undecodable. */
        public String study() {
            return event != null ? event.studyInstanceUid() : key;
        }
    }

    /**
     * Moves the dead letters accepted by {@code filter} back to the source topic (as events with
     * reason "replay") and returns how many were moved.
     *
     * <p>Kafka cannot delete single records, so "the dead letters still pending" are those after
     * the offsets committed by the group {@code <dead-letter topic>.replay}. A replay reads every
     * pending letter up to the end offsets seen at its start; rejected letters are appended to the
     * dead-letter topic again (headers intact) so a later replay with another filter still finds
     * them. Offsets are committed only after the republished records were acknowledged, so a crash
     * can duplicate but never lose a letter. Do not run two replays of one topic at the same time.
     */
    public static int replay(KafkaSettings settings, String deadLetterTopic, Predicate<DeadLetter> filter) {
        String source = sourceOf(deadLetterTopic);
        return reroute(settings, deadLetterTopic, letter -> filter.test(letter) ? source : null);
    }

    /**
     * {@link #replay} with a destination per letter: each pending letter goes to the topic {@code
     * destination} names for it (null: it stays pending), e.g. to an earlier stage whose work must
     * be done again.
     */
    public static int reroute(KafkaSettings settings, String deadLetterTopic, Function<DeadLetter, String> destination) {
        sourceOf(deadLetterTopic); // only a dead-letter topic is read as letters
        JsonSerde<StudyEvent> serde = JsonSerde.studyEvents();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(replayConsumer(settings, deadLetterTopic),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                     KafkaEventPublisher.producerProperties(settings, "replay"),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic).stream()
                    .map(p -> new TopicPartition(deadLetterTopic, p.partition())).toList();
            consumer.assign(partitions); // manual assignment: no group rebalance wait, offsets still committed
            Map<TopicPartition, Long> end = seekToPending(consumer, partitions);
            long deadline = System.nanoTime() + REPLAY_TIMEOUT.toNanos();
            int moved = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replay of " + deadLetterTopic + " did not finish in " + REPLAY_TIMEOUT);
                }
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue; // appended after the start (possibly by this replay)
                    }
                    DeadLetter letter = letter(r, serde);
                    String target = destination.apply(letter);
                    if (target != null) {
                        sent.add(producer.send(replayed(target, r, letter, serde)));
                        moved++;
                    } else {
                        sent.add(producer.send(new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), r.headers())));
                    }
                    done.put(tp, new OffsetAndMetadata(r.offset() + 1));
                }
                for (Future<RecordMetadata> f : sent) {
                    f.get();
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
            }
            return moved;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("replay could not republish: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The dead letters still pending on a topic (those a replay would see), oldest first, at most
     * {@code max}; read without committing anything.
     */
    public static List<DeadLetter> pending(KafkaSettings settings, String deadLetterTopic, int max) {
        JsonSerde<StudyEvent> serde = JsonSerde.studyEvents();
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(replayConsumer(settings, deadLetterTopic),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(deadLetterTopic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = seekToPending(consumer, partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < max && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + deadLetterTopic + " took more than 30 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && out.size() < max) {
                        out.add(letter(r, serde));
                    }
                }
            }
        }
        return out;
    }

    /** The group whose committed offsets mark the letters already replayed: its lag is the pending count. */
    public static String replayGroup(String deadLetterTopic) {
        return deadLetterTopic + ".replay";
    }

    /** Positions each partition at the first pending letter (after the replay group's offset); returns the end offsets. */
    private static Map<TopicPartition, Long> seekToPending(KafkaConsumer<byte[], byte[]> consumer,
                                                          List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            if (c == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, c.offset());
            }
        }
        return end;
    }

    private static Properties replayConsumer(KafkaSettings settings, String deadLetterTopic) {
        Properties p = settings.clientProperties("replay-" + deadLetterTopic);
        p.put("group.id", replayGroup(deadLetterTopic));
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        return settings.withOverrides(p);
    }

    private static DeadLetter letter(ConsumerRecord<byte[], byte[]> r, JsonSerde<StudyEvent> serde) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            if (h.value() != null) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)); // last one wins
            }
        }
        StudyEvent event;
        try {
            event = serde.fromBytes(r.value());
        } catch (SerializationException e) {
            event = null;
        }
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        return new DeadLetter(key, event, Collections.unmodifiableMap(headers));
    }

    /** The topic whose dead letters {@code deadLetterTopic} holds. */
    private static String sourceOf(String deadLetterTopic) {
        if (!deadLetterTopic.endsWith(".dlq")) {
            throw new IllegalArgumentException("not a dead-letter topic: " + deadLetterTopic);
        }
        return deadLetterTopic.substring(0, deadLetterTopic.length() - ".dlq".length());
    }

    private static ProducerRecord<byte[], byte[]> replayed(String target, ConsumerRecord<byte[], byte[]> r,
                                                         DeadLetter letter, JsonSerde<StudyEvent> serde) {
        // Decodable events say why they come again; undecodable ones go back unchanged.
        byte[] value = letter.event() == null ? r.value()
                : serde.toBytes(new StudyEvent(letter.event().studyInstanceUid(), "replay", Instant.now()));
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(target, null, r.key(), value);
        for (Header h : r.headers()) {
            if (!h.key().startsWith(HEADER_PREFIX)) {
                out.headers().add(h);
            }
        }
        out.headers().add(REPLAYED_AT, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
