package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.RealServices;

/** A stage's consumer takes its priority lane first, and a study's records of both lanes on one consumer. */
class StagePriorityLaneTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final StageConsumer.RetryPolicy FAST = new StageConsumer.RetryPolicy(3, Backoff.ofMillis(50, 200));

    private final KafkaSettings settings = KafkaSettings.of(RealServices.kafka(), "test", 3);
    private final Topics topics = new Topics(RealServices.unique("lane"));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private KafkaEventPublisher publisher() {
        TopicAdmin.ensureTopics(settings, topics.all());
        KafkaEventPublisher p = new KafkaEventPublisher(settings);
        toClose.add(p);
        return p;
    }

    private StageConsumer retriever(StudyEventHandler handler) {
        StageConsumer c = new StageConsumer(settings, StageId.RETRIEVE, topics, handler, FAST, null);
        toClose.add(c);
        c.start();
        return c;
    }

    @Test
    void priorityEventsOvertakeTheBulkWaitingBeforeThem() throws Exception {
        KafkaEventPublisher publisher = publisher();
        for (int i = 0; i < 20; i++) {
            publisher.publish(topics.indexed(), StudyEvent.of("1.bulk." + i, "new"));
        }
        CountDownLatch priorityPublished = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        retriever(e -> {
            order.add(e.studyInstanceUid());
            priorityPublished.await(30, TimeUnit.SECONDS); // the first study is in hand when the priority comes
        });
        await().atMost(WAIT).until(() -> order.size() == 1);
        for (int i = 0; i < 3; i++) {
            publisher.publish(Topics.lane(topics.indexed(), StudyEvent.priority("1.prio." + i, "now")),
                    StudyEvent.priority("1.prio." + i, "now"));
        }
        priorityPublished.countDown();
        await().atMost(WAIT).until(() -> order.size() == 23);

        // the bulk study in hand is finished, then the three priority ones come before the 19 bulk ones left
        assertThat(order.subList(1, 4)).allMatch(uid -> uid.startsWith("1.prio."));
    }

    @Test
    void outsideItsWindowsAStageTakesPriorityWorkOnlyAndAnyTimeEventsWaiveTheWindows() throws Exception {
        KafkaEventPublisher publisher = publisher();
        for (int i = 0; i < 5; i++) {
            publisher.publish(topics.indexed(), StudyEvent.of("1.bulk." + i, "new"));
        }
        StudyEvent now = StudyEvent.priorityAnyTime("1.now.0", "priority:now");
        publisher.publish(Topics.lane(topics.indexed(), now), now);
        // the stage's PACS is closed tonight: a schedule that is never open, as the handler sees it
        Schedule closed = Schedule.perThread(TimeWindows.parse(List.of("DAILY 00:00-00:01"), ZoneOffset.UTC)
                .withClock(Clock.fixed(Instant.parse("2026-01-05T12:00:00Z"), ZoneOffset.UTC)),
                Duration.ZERO, Sleeper.real());
        AtomicBoolean open = new AtomicBoolean(false);
        Map<String, Boolean> couldStart = new ConcurrentHashMap<>();
        List<String> order = new CopyOnWriteArrayList<>();
        StageConsumer c = new StageConsumer(settings, StageId.RETRIEVE, topics, e -> {
            couldStart.put(e.studyInstanceUid(), closed.openNow());
            order.add(e.studyInstanceUid());
        }, FAST, null).bulkWhile(open::get);
        toClose.add(c);
        c.start();
        await().atMost(WAIT).until(() -> order.contains(now.studyInstanceUid()));
        Thread.sleep(2_000); // several polls with the windows closed
        assertThat(order).as("closed: only the priority event was taken").containsExactly(now.studyInstanceUid());
        assertThat(couldStart.get(now.studyInstanceUid())).as("its handler may pass the closed windows").isTrue();

        open.set(true);
        await().atMost(WAIT).until(() -> order.size() == 6);
        assertThat(order.subList(1, 6)).allMatch(uid -> uid.startsWith("1.bulk."));
        assertThat(couldStart.get("1.bulk.0")).as("a bulk event's handler does not pass them").isFalse();
    }

    @Test
    void aReplayedPriorityStudyGoesBackToThePriorityLaneAndABulkOneToTheBulk() throws Exception {
        KafkaEventPublisher publisher = publisher();
        StudyEvent urgent = StudyEvent.priority("1.failed.prio", "priority:now");
        publisher.publish(Topics.lane(topics.indexed(), urgent), urgent);
        publisher.publish(topics.indexed(), StudyEvent.of("1.failed.bulk", "new"));
        StageConsumer failing = retriever(e -> {
            throw new StageFailure(FailureCategory.UNKNOWN_STUDY, "not in the old PACS yet");
        });
        await().atMost(WAIT).until(() -> failing.deadLettered() == 2);
        try (CassandraStateStore state = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(),
                RealServices.cassandraDatacenter(), RealServices.unique("replaylane_")))) {
            StageReplay.replay(settings, state, topics, List.of(StageId.RETRIEVE), StageReplay.Selection.all());
            state.dropKeyspace();
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", settings.bootstrapServers()))) {
            assertThat(records(admin, Topics.priorityLaneOf(topics.indexed()))).as("the lane: the event and its replay")
                    .isEqualTo(2);
            assertThat(records(admin, topics.indexed())).as("the bulk topic: the event and its replay").isEqualTo(2);
        }
    }

    /** Records ever written to {@code topic} (the sum of its partitions' end offsets). */
    private static long records(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }

    @Test
    void aStudysBulkAndPriorityRecordsAreHandledByTheSameMemberOneAfterTheOther() throws Exception {
        KafkaEventPublisher publisher = publisher();
        Map<String, List<String>> handledBy = new ConcurrentHashMap<>();
        Map<String, Boolean> inHand = new ConcurrentHashMap<>();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        for (String member : List.of("a", "b")) {
            retriever(e -> {
                if (inHand.putIfAbsent(e.studyInstanceUid(), true) != null) {
                    overlaps.add(e.studyInstanceUid());
                }
                Thread.sleep(50);
                handledBy.computeIfAbsent(e.studyInstanceUid(), k -> new CopyOnWriteArrayList<>()).add(member);
                inHand.remove(e.studyInstanceUid());
            });
        }
        String group = StageId.RETRIEVE.consumerGroup(topics);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", settings.bootstrapServers()))) {
            await().atMost(WAIT).until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count() == 2);
        }
        for (int i = 0; i < 12; i++) {
            String uid = "2.study." + i;
            publisher.publish(topics.indexed(), StudyEvent.of(uid, "new"));
            publisher.publish(Topics.priorityLaneOf(topics.indexed()), StudyEvent.priority(uid, "now"));
        }
        await().atMost(WAIT).until(() -> handledBy.values().stream().mapToInt(List::size).sum() == 24);

        assertThat(overlaps).isEmpty();
        assertThat(handledBy.values()).allSatisfy(members -> assertThat(members).hasSize(2).containsOnly(members.get(0)));
    }
}
