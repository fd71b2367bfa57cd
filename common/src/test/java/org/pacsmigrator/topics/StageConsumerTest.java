package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.testsupport.RealServices;

class StageConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final StageConsumer.RetryPolicy FAST = new StageConsumer.RetryPolicy(3,
            Backoff.ofMillis(50, 200));

    private final KafkaSettings settings = KafkaSettings.of(RealServices.kafka(), "test", 3);
    private final Topics topics = new Topics(RealServices.unique("m"));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private StageConsumer consumer(String group, StudyEventHandler handler, StageConsumer.RetryPolicy retry) {
        StageConsumer c = new StageConsumer(settings, group, topics.indexed(), handler, retry);
        toClose.add(c);
        c.start();
        return c;
    }

    private KafkaEventPublisher publisher() {
        TopicAdmin.ensureTopics(settings, topics.all());
        KafkaEventPublisher p = new KafkaEventPublisher(settings);
        toClose.add(p);
        return p;
    }

    @Test
    void consumesEveryEventInOrderPerStudy() {
        KafkaEventPublisher publisher = publisher();
        List<StudyEvent> events = new ArrayList<>();
        for (int seq = 0; seq < 10; seq++) {
            for (String study : List.of("1.1", "1.2", "1.3", "1.4")) {
                events.add(StudyEvent.of(study, Integer.toString(seq)));
            }
        }
        publisher.publishAll(topics.indexed(), events.subList(0, 20));
        events.subList(20, 40).forEach(e -> publisher.publish(topics.indexed(), e));

        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        StageConsumer c = consumer("order", e -> seen.computeIfAbsent(e.studyInstanceUid(), k -> new CopyOnWriteArrayList<>())
                .add(Integer.parseInt(e.reason())), FAST);

        await().atMost(WAIT).until(() -> c.processed() == 40);
        assertThat(seen).hasSize(4);
        seen.values().forEach(list -> assertThat(list).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThat(c.deadLettered()).isZero();
    }

    @Test
    void permanentFailuresAndUndecodableValuesAreDeadLetteredAndTheLoopGoesOn() throws Exception {
        KafkaEventPublisher publisher = publisher();
        publisher.publish(topics.indexed(), StudyEvent.of("2.bad", "new"));
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(rawProducer(), new StringSerializer(), new StringSerializer())) {
            raw.send(new ProducerRecord<>(topics.indexed(), "2.garbage", "not json")).get();
        }
        for (int i = 0; i < 5; i++) {
            publisher.publish(topics.indexed(), StudyEvent.of("2.good." + i, "new"));
        }
        StageConsumer c = consumer("dlq", e -> {
            if (e.studyInstanceUid().equals("2.bad")) {
                throw new StageFailure(FailureCategory.UNKNOWN_STUDY, "the old PACS does not know it");
            }
        }, FAST);

        await().atMost(WAIT).until(() -> c.processed() == 5 && c.deadLettered() == 2);
        Map<String, ConsumerRecord<byte[], byte[]>> letters = byKey(readAll(Topics.deadLetterOf(topics.indexed()), 2));
        ConsumerRecord<byte[], byte[]> bad = letters.get("2.bad");
        assertThat(header(bad, DeadLetters.CATEGORY)).isEqualTo("unknown study");
        assertThat(header(bad, DeadLetters.MESSAGE)).isEqualTo("the old PACS does not know it");
        assertThat(header(bad, DeadLetters.STAGE)).isEqualTo("dlq");
        assertThat(header(bad, DeadLetters.ATTEMPTS)).isEqualTo("1");
        assertThat(header(bad, DeadLetters.FAILED_AT)).isNotBlank();
        assertThat(JsonSerde.studyEvents().fromBytes(bad.value()).studyInstanceUid()).isEqualTo("2.bad");
        assertThat(header(letters.get("2.garbage"), DeadLetters.CATEGORY)).isEqualTo("undecodable");
        assertThat(new String(letters.get("2.garbage").value(), StandardCharsets.UTF_8)).isEqualTo("not json");
    }

    @Test
    void transientExceptionsAreRetriedThenDeadLetteredAsUnexpected() throws Exception {
        KafkaEventPublisher publisher = publisher();
        publisher.publish(topics.indexed(), StudyEvent.of("3.flaky", "new"));
        publisher.publish(topics.indexed(), StudyEvent.of("3.broken", "new"));
        AtomicInteger flakyCalls = new AtomicInteger();
        StageConsumer c = consumer("retry", e -> {
            if (e.studyInstanceUid().equals("3.broken")) {
                throw new IllegalStateException("always broken");
            }
            if (flakyCalls.incrementAndGet() <= 2) {
                throw new IOException("association refused");
            }
        }, FAST);

        await().atMost(WAIT).until(() -> c.processed() == 1 && c.deadLettered() == 1);
        assertThat(flakyCalls).hasValue(3);
        assertThat(c.retried()).isEqualTo(2 + 2);
        ConsumerRecord<byte[], byte[]> letter = readAll(Topics.deadLetterOf(topics.indexed()), 1).get(0);
        assertThat(header(letter, DeadLetters.CATEGORY)).isEqualTo("unexpected");
        assertThat(header(letter, DeadLetters.ATTEMPTS)).isEqualTo("3");
        assertThat(header(letter, DeadLetters.MESSAGE)).contains("always broken");
    }

    @Test
    void anErrorOfTheHandlerEndsTheLoopReportsItAndLeavesTheRecordForTheNextConsumer() {
        KafkaEventPublisher publisher = publisher();
        publisher.publish(topics.indexed(), StudyEvent.of("3.deep", "new"));
        AtomicInteger calls = new AtomicInteger();
        StageConsumer dying = consumer("error", e -> {
            calls.incrementAndGet();
            recurseForever(0); // a real StackOverflowError, not one thrown by hand
        }, FAST);

        await().atMost(WAIT).until(() -> !dying.isRunning());
        assertThat(dying.failure()).isInstanceOf(StackOverflowError.class);
        assertThat(calls).as("an Error is not retried").hasValue(1);
        assertThat(dying.processed()).isZero();
        assertThat(dying.deadLettered()).isZero();

        // not committed: the next consumer of the group takes the same record
        List<String> seen = new CopyOnWriteArrayList<>();
        StageConsumer next = consumer("error", e -> seen.add(e.studyInstanceUid()), FAST);
        await().atMost(WAIT).until(() -> next.processed() == 1);
        assertThat(seen).containsExactly("3.deep");
        assertThat(next.failure()).isNull();
        next.close();
        assertThat(next.failure()).as("an orderly close is no failure").isNull();
    }

    private static int recurseForever(int depth) {
        return recurseForever(depth + 1) + 1;
    }

    @Test
    void closingMidwayAndRestartingLosesNothing() {
        KafkaEventPublisher publisher = publisher();
        List<StudyEvent> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            events.add(StudyEvent.of("4." + i, "new"));
        }
        publisher.publishAll(topics.indexed(), events);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        StudyEventHandler slow = e -> {
            Thread.sleep(30);
            seen.add(e.studyInstanceUid());
        };
        StageConsumer first = new StageConsumer(settings, "restart", topics.indexed(), slow, FAST);
        first.start();
        await().atMost(WAIT).until(() -> first.processed() >= 10);
        first.close();
        long before = first.processed();
        assertThat(before).isLessThan(60);

        StageConsumer second = consumer("restart", slow, FAST);
        await().atMost(WAIT).until(() -> seen.size() == 60);
        // At least once: the second consumer starts after the last commit of the first.
        assertThat(before + second.processed()).isGreaterThanOrEqualTo(60);
    }

    @Test
    void replayMovesChosenDeadLettersBackAndKeepsTheOthers() {
        KafkaEventPublisher publisher = publisher();
        for (int i = 0; i < 6; i++) {
            publisher.publish(topics.indexed(), StudyEvent.of("5." + i, "new"));
        }
        StageConsumer failing = consumer("replay", e -> {
            int n = Integer.parseInt(e.studyInstanceUid().substring(2));
            throw new StageFailure(n % 3 == 0 ? FailureCategory.TIMEOUT : FailureCategory.ASSOCIATION_REJECTED, "study " + n);
        }, FAST);
        await().atMost(WAIT).until(() -> failing.deadLettered() == 6);
        failing.close(); // otherwise replayed letters fail again and come straight back
        String dlq = Topics.deadLetterOf(topics.indexed());

        assertThat(DeadLetters.replay(settings, dlq, l -> "timeout".equals(l.category()))).isEqualTo(2);
        List<ConsumerRecord<byte[], byte[]>> source = readAll(topics.indexed(), 8);
        List<String> replayed = source.stream().filter(r -> "replay".equals(JsonSerde.studyEvents().fromBytes(r.value()).reason()))
                .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
        assertThat(replayed).containsExactlyInAnyOrder("5.0", "5.3");
        source.stream().filter(r -> r.headers().lastHeader(DeadLetters.REPLAYED_AT) != null)
                .forEach(r -> assertThat(r.headers().lastHeader(DeadLetters.CATEGORY)).isNull());

        assertThat(DeadLetters.replay(settings, dlq, l -> "timeout".equals(l.category()))).isZero();
        assertThat(DeadLetters.replay(settings, dlq, l -> l.event() != null && l.category().equals("association rejected")))
                .isEqualTo(4);
        assertThat(DeadLetters.replay(settings, dlq, l -> true)).isZero();
        assertThat(readAll(topics.indexed(), 12)).hasSize(12);
    }

    private Properties rawProducer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", settings.bootstrapServers());
        return p;
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        Properties p = new Properties();
        p.put("bootstrap.servers", settings.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> byKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, ConsumerRecord<byte[], byte[]>> m = new HashMap<>();
        records.forEach(r -> m.put(new String(r.key(), StandardCharsets.UTF_8), r));
        return m;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Members joining while records are handled: commits in the middle of the (cooperative)
     * rebalance fail, and the partitions usually stay where they were, so nothing delivers those
     * records again. Every committed offset must still reach the end once the work is done.
     */
    @Test
    void commitsInterruptedByRebalancesAreMadeAfterThem() throws Exception {
        KafkaEventPublisher publisher = publisher();
        for (int i = 0; i < 30; i++) {
            publisher.publish(topics.indexed(), StudyEvent.of("5." + i, "r"));
        }
        AtomicInteger handled = new AtomicInteger();
        StudyEventHandler slow = e -> {
            Thread.sleep(150);
            handled.incrementAndGet();
        };
        consumer("joiners", slow, FAST);
        await().atMost(WAIT).until(() -> handled.get() >= 3);
        consumer("joiners", slow, FAST);
        await().atMost(WAIT).until(() -> handled.get() >= 10);
        consumer("joiners", slow, FAST);
        await().atMost(WAIT).until(() -> handled.get() >= 30);
        try (Admin admin = Admin.create(
                Map.of("bootstrap.servers", settings.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ConsumerLag.total(admin, "joiners", topics.indexed()) == 0);
        }
    }
}
