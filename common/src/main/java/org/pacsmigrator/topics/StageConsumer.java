package org.pacsmigrator.topics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.state.StudyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop of every stage: one record at a time, at least once, in order per partition.
 *
 * <p>Why pause/resume rather than a huge {@code max.poll.interval.ms}: a study can take minutes
 * (plus retry back-off), and a poll interval large enough for the worst case would also hide a
 * stuck consumer and delay every rebalance by that long. Instead the handler runs on a worker
 * thread while this loop pauses its partitions and keeps polling (which returns nothing but keeps
 * the member alive); after the handler returned, the offset is committed and the partitions
 * resumed. {@code max.poll.records=1} keeps "the record in hand" to exactly one, so a revoked
 * partition never has fetched-but-unprocessed records behind it.
 *
 * <p>Outcomes, the one retry mechanism of every stage: handler returns → commit. {@link StageFailure} →
 * dead-letter with its category at once, commit. Any other exception is a failure of the category
 * {@link FailureCategory#of} gives it: a transient one is tried again after a back-off, up to {@link
 * RetryPolicy#maxAttempts()} attempts in all (default: 5, waiting 1 s, 2 s, 4 s, 8 s, at most 30 s); a permanent
 * one, or the last attempt, gives up: the {@link GiveUpListener} records it (a stage marks the study FAILED with
 * the category), then the record is dead-lettered under that category and committed.
 * Undecodable values are dead-lettered as "undecodable". The values are study events for a stage's input topic,
 * or any other {@link Payload} of a topic keyed by study (the verifier's commitment results). Closing during a back-off leaves the
 * record uncommitted (it is delivered again), never skipped. An {@link Error} of the handler (a
 * stack overflow, an assertion) is not retried: the loop dies, the record stays uncommitted, and
 * {@link #failure()} says why, so the process can turn its health red or stop with a crash code.
 * Anything else that breaks the loop itself ends it the same way.
 *
 * <p>A stage's consumer also reads the priority lane of its topic ({@link StageId#priorityTopic}): before each poll,
 * while a priority partition it owns has records left, its bulk partitions are paused, so priority work is taken
 * first (at most the one bulk record a poll had already returned goes before it). Both lanes are keyed by study and
 * assigned by partition number alike ({@link RangeAssignor}): a study's bulk and priority records are on one
 * consumer, taken one after the other, so the second finds the study done instead of racing the first. Dead letters
 * of both lanes go to the stage's one dead-letter topic.
 */
public final class StageConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StageConsumer.class);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Duration PAUSED_POLL = Duration.ofMillis(50);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration LANE_CHECK = Duration.ofSeconds(5);
    private static final int MAX_HEADER_MESSAGE = 2000;

    /** Attempts in total for a transient failure, exponential back-off between them. */
    public record RetryPolicy(int maxAttempts, Backoff backoff) {
        public RetryPolicy {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
        }

        /** Every stage's: 5 attempts, 1 s after the first failure, doubling up to 30 s. */
        public static RetryPolicy defaults() {
            return new RetryPolicy(5, Backoff.ofMillis(1_000, 30_000));
        }

        /**
         * Transient failures retried until they pass (1 s, doubling up to 30 s), permanent ones dead-lettered at
         * once: for records that only write the state store, where a store outage should be waited out.
         */
        public static RetryPolicy untilDone() {
            return new RetryPolicy(Integer.MAX_VALUE, Backoff.ofMillis(1_000, 30_000));
        }

        String attemptOf(int attempt) {
            return maxAttempts == Integer.MAX_VALUE ? Integer.toString(attempt) : attempt + "/" + maxAttempts;
        }
    }

    /** A topic's values as the loop sees them: decoded, belonging to a study, handled. */
    public interface Payload<E> {
        /** The value of one record; throws {@link SerializationException} (dead-lettered as undecodable) if it is none. */
        E decode(byte[] value);

        String studyOf(E value);

        /** Returning means done (commit); a {@link StageFailure} dead-letters at once; other exceptions are retried. */
        void handle(E value) throws Exception;

        /** A stage's input: study events, each handled by {@code handler}. */
        static Payload<StudyEvent> studyEvents(StudyEventHandler handler) {
            JsonSerde<StudyEvent> serde = JsonSerde.studyEvents();
            return new Payload<>() {
                @Override
                public StudyEvent decode(byte[] value) {
                    StudyEvent event = serde.fromBytes(value);
                    if (event == null || event.studyInstanceUid() == null) {
                        throw new SerializationException("empty event");
                    }
                    return event;
                }

                @Override
                public String studyOf(StudyEvent event) {
                    return event.studyInstanceUid();
                }

                @Override
                public void handle(StudyEvent event) throws Exception {
                    if (event.anyTime()) {
                        Schedule.waivingWindows(() -> handler.handle(event));
                    } else {
                        handler.handle(event);
                    }
                }
            };
        }
    }

    /** Told when the consumer gives up on a study whose handler failed (not for a {@link StageFailure}). */
    @FunctionalInterface
    public interface GiveUpListener {
        /** Throwing leaves the record uncommitted: it is processed again after a pause. */
        void gaveUp(String studyInstanceUid, FailureCategory category, String message) throws Exception;

        GiveUpListener NONE = (study, category, message) -> { };

        /** Marks the study FAILED with the category in the state store, so it never stays silently "in progress". */
        static GiveUpListener markingFailedIn(StudyStore state) {
            return (study, category, message) -> state.markFailed(study, category.label(), message);
        }
    }

    private enum Outcome { COMMIT, ABANDON }

    private record InFlight(ConsumerRecord<byte[], byte[]> record, Future<Outcome> result) {
        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    private final KafkaSettings settings;
    private final StageId stage;
    private final String groupId;
    private final String topic;
    /** The priority lane read before {@link #topic}, or null. */
    private final String priorityTopic;
    private final String deadLetterTopic;
    private final Payload<?> payload;
    private final RetryPolicy retry;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Counter processedMeter;
    private final Counter deadLetteredMeter;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final String name;

    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private ExecutorService worker;
    private Thread loop;
    private InFlight inFlight; // touched only by the loop thread (rebalance callbacks run there too)
    /** Offsets whose commit a rebalance interrupted, committed after it if the partition stayed ours (loop thread). */
    private final Map<TopicPartition, OffsetAndMetadata> commitAfterRebalance = new HashMap<>();
    private volatile BooleanSupplier paused = () -> false;
    /** Whether bulk work may be taken now (the stage's PACS is inside its time windows). */
    private volatile BooleanSupplier bulkOpen = () -> true;
    private volatile GiveUpListener giveUp = GiveUpListener.NONE;
    /** Why the loop died; null while it runs and after an orderly close. */
    private volatile Throwable failure;

    /** A consumer without meters, in any group (tests, tools). */
    public StageConsumer(KafkaSettings settings, String groupId, String topic, StudyEventHandler handler,
                         RetryPolicy retry) {
        this(settings, null, groupId, topic, null, Payload.studyEvents(handler), retry, null);
    }

    /**
     * A consumer of the stage's input topic in the stage's group; with a registry it also counts {@code
     * pacsmig.stage.processed} and {@code pacsmig.stage.dead.lettered}, tagged {@code stage=<the stage's label>}
     * and the topic. (Kafka's own client meters are not bound: their rates and averages are computed in the
     * client, and the lag they show stops while a stage is paused; the lag comes from the broker: {@link LagMonitor}.)
     */
    public StageConsumer(KafkaSettings settings, StageId stage, Topics topics, StudyEventHandler handler,
                         RetryPolicy retry, MeterRegistry registry) {
        this(settings, stage, stage.consumerGroup(topics), stage.inputTopic(topics), stage.priorityTopic(topics),
                Payload.studyEvents(handler), retry, registry);
    }

    /**
     * A consumer of another topic of a stage, in a group of its own (the verifier's commitment results): the same
     * loop, retries, dead letters ({@code <topic>.dlq}) and meters, tagged with the stage's label and the topic.
     */
    public static StageConsumer ofTopic(KafkaSettings settings, StageId stage, String groupId, String topic,
                                        Payload<?> payload, RetryPolicy retry, MeterRegistry registry) {
        return new StageConsumer(settings, stage, groupId, topic, null, payload, retry, registry);
    }

    private StageConsumer(KafkaSettings settings, StageId stage, String groupId, String topic, String priorityTopic,
                          Payload<?> payload, RetryPolicy retry, MeterRegistry registry) {
        this.settings = settings;
        this.stage = stage;
        this.groupId = groupId;
        this.topic = topic;
        this.priorityTopic = priorityTopic;
        this.deadLetterTopic = Topics.deadLetterOf(topic);
        this.payload = payload;
        this.retry = retry;
        this.name = groupId + "-" + SEQ.incrementAndGet();
        this.processedMeter = registry == null ? null : Counter.builder("pacsmig.stage.processed")
                .description("records of the topic the stage handled (committed without a dead letter)")
                .tags("stage", stage.label(), "topic", topic).register(registry);
        this.deadLetteredMeter = registry == null ? null : Counter.builder("pacsmig.stage.dead.lettered")
                .description("records of the topic the stage moved to its dead-letter topic")
                .tags("stage", stage.label(), "topic", topic).register(registry);
    }

    /** Creates the topic and its dead-letter topic if needed and starts consuming on its own thread. */
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("already started");
        }
        List<String> topics = new ArrayList<>(inputTopics());
        topics.add(deadLetterTopic);
        TopicAdmin.ensureTopics(settings, topics.toArray(String[]::new));
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(KafkaEventPublisher.producerProperties(settings, name + "-dlq"),
                new ByteArraySerializer(), new ByteArraySerializer());
        worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "stage-" + name + "-handler"));
        loop = new Thread(this::run, "stage-" + name);
        loop.start();
    }

    /** Package-private for the test that the configured group membership reaches the consumer. */
    Properties consumerProperties() {
        Properties p = settings.clientProperties(name);
        p.putAll(settings.membership().consumerProperties());
        p.put("group.id", groupId);
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("max.poll.records", "1");
        // With a priority lane, partitions are assigned by number across both topics (range); cooperative-sticky
        // stays second in the list so a group of older members keeps working through a rolling upgrade.
        p.put("partition.assignment.strategy", priorityTopic == null ? CooperativeStickyAssignor.class.getName()
                : RangeAssignor.class.getName() + "," + CooperativeStickyAssignor.class.getName());
        return settings.withOverrides(p);
    }

    /**
     * While {@code stagePaused} is true the loop takes no new record (the one in hand is finished)
     * but stays in the group, so partitions are not handed to other members and lag builds up.
     */
    public StageConsumer pausedWhile(BooleanSupplier stagePaused) {
        this.paused = stagePaused;
        return this;
    }

    /**
     * Takes bulk records only while {@code open} is true (its PACS's time windows): outside them a bulk study would sit
     * in hand until they open, and the priority lane behind it with it. Priority records are taken at any time (their
     * associations wait for the windows in the gate, unless the event waives them).
     */
    public StageConsumer bulkWhile(BooleanSupplier open) {
        this.bulkOpen = open;
        return this;
    }

    /** Who records a study the consumer gives up on (default: nobody). */
    public StageConsumer onGiveUp(GiveUpListener listener) {
        this.giveUp = listener;
        return this;
    }

    public long processed() {
        return processed.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    /** Transient failures that were retried. */
    public long retried() {
        return retried.get();
    }

    public boolean isRunning() {
        return loop != null && loop.isAlive();
    }

    /** What killed the loop (an {@link Error} of the handler, or a failure of the loop itself), or null. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            consumer.subscribe(inputTopics(), new Rebalance());
            while (!isClosing()) {
                if (paused.getAsBoolean()) {
                    holdWhilePaused();
                    continue;
                }
                preferPriorityLane();
                for (ConsumerRecord<byte[], byte[]> record : poll(IDLE_POLL)) {
                    if (!record.topic().equals(priorityTopic) && !bulkOpen.getAsBoolean()) {
                        // fetched from a partition assigned by this very poll: read again once the windows open
                        consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
                        continue;
                    }
                    handleInFlight(record);
                }
            }
        } catch (Throwable e) {
            failure = e;
            log.error("stage {} on {} died, the record in hand stays uncommitted: {}", groupId, topic, e.toString(), e);
        } finally {
            worker.shutdown();
            try {
                consumer.close();
            } finally {
                producer.close();
            }
        }
    }

    private void handleInFlight(ConsumerRecord<byte[], byte[]> record) {
        inFlight = new InFlight(record, worker.submit(() -> process(record)));
        consumer.pause(consumer.assignment());
        while (inFlight != null && !inFlight.result().isDone()) {
            for (ConsumerRecord<byte[], byte[]> early : poll(PAUSED_POLL)) {
                // From a partition assigned while we were busy: give it back, it is read after this one.
                consumer.seek(new TopicPartition(early.topic(), early.partition()), early.offset());
            }
            consumer.pause(consumer.assignment());
        }
        finishInFlight(true);
        consumer.resume(consumer.paused());
    }

    /** The input topic and its priority lane, if any. */
    private List<String> inputTopics() {
        return priorityTopic == null ? List.of(topic) : List.of(topic, priorityTopic);
    }

    /**
     * Pauses the bulk partitions while a priority partition of ours has records left or bulk work may not start now
     * (outside its windows), resumes them otherwise.
     */
    private void preferPriorityLane() {
        Set<TopicPartition> lane = new HashSet<>();
        Set<TopicPartition> bulk = new HashSet<>();
        for (TopicPartition tp : consumer.assignment()) {
            (tp.topic().equals(priorityTopic) ? lane : bulk).add(tp);
        }
        if (!bulkOpen.getAsBoolean() || priorityWaiting(lane)) {
            consumer.pause(bulk);
        } else {
            consumer.resume(bulk);
        }
    }

    private boolean priorityWaiting(Set<TopicPartition> lane) {
        if (lane.isEmpty()) {
            return false;
        }
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(lane, LANE_CHECK);
            for (TopicPartition tp : lane) {
                Long end = ends.get(tp);
                if (end != null && consumer.position(tp, LANE_CHECK) < end) {
                    return true;
                }
            }
            return false;
        } catch (WakeupException e) {
            markClosing();
            return false;
        } catch (RetriableException e) {
            return false; // the broker is slow: take whatever comes; asked again before the next poll
        }
    }

    private void holdWhilePaused() {
        log.info("stage {} on {} paused", groupId, topic);
        while (!isClosing() && paused.getAsBoolean()) {
            consumer.pause(consumer.assignment());
            for (ConsumerRecord<byte[], byte[]> early : poll(IDLE_POLL)) {
                // From a partition assigned during the pause: not taken, read again after the resume.
                consumer.seek(new TopicPartition(early.topic(), early.partition()), early.offset());
            }
        }
        consumer.resume(consumer.paused());
        log.info("stage {} on {} resumed", groupId, topic);
    }

    /** Commits the finished in-flight record (or rewinds to it if its processing broke down). */
    private void finishInFlight(boolean mayCommit) {
        if (inFlight == null) {
            return;
        }
        InFlight done = inFlight;
        inFlight = null;
        TopicPartition tp = done.partition();
        if (!done.result().isDone()) {
            log.warn("stage {}: gave up waiting for {}@{}; it will be delivered again", groupId, tp, done.record().offset());
            return;
        }
        Outcome outcome;
        try {
            outcome = done.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // not retried: the loop dies with it and the record is delivered again after a restart
            }
            // E.g. the dead-letter topic was unreachable: process the record again, after a pause.
            log.warn("stage {}: record {}@{} not finished ({}), will retry", groupId, tp, done.record().offset(),
                    e.getCause().toString());
            if (mayCommit && consumer.assignment().contains(tp)) {
                consumer.seek(tp, done.record().offset());
            }
            sleepUnlessClosing(retry.backoff().initial());
            return;
        }
        if (outcome == Outcome.COMMIT && mayCommit) {
            commit(tp, done.record().offset() + 1);
        }
    }

    private void commit(TopicPartition tp, long next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(tp, new OffsetAndMetadata(next));
        for (int i = 0; i < 2; i++) {
            try {
                consumer.commitSync(offsets);
                return;
            } catch (WakeupException e) {
                markClosing(); // close() woke us up: commit anyway, the second try is not woken again
            } catch (RebalanceInProgressException e) {
                // A cooperative rebalance usually leaves the partition with us, and then this record is
                // not delivered again: its commit would be lost until the partition's next record.
                commitAfterRebalance(offsets);
                log.info("stage {}: commit of {} at {} waits for the group's rebalance", groupId, tp, next);
                return;
            } catch (KafkaException e) {
                // The partition moved to another member: it will see this record again (at least once).
                log.warn("stage {}: commit of {} at {} failed: {}", groupId, tp, next, e.toString());
                return;
            }
        }
    }

    /** Commits what a rebalance interrupted, for the partitions still ours (the others' owners read them again). */
    private void commitInterrupted(Collection<TopicPartition> stillOurs) {
        if (commitAfterRebalance.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(commitAfterRebalance);
        offsets.keySet().retainAll(stillOurs);
        commitAfterRebalance.keySet().removeAll(offsets.keySet());
        commitAfterRebalance.keySet().retainAll(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (RebalanceInProgressException e) {
            commitAfterRebalance(offsets);
        } catch (WakeupException e) {
            markClosing();
            commitAfterRebalance(offsets);
        } catch (KafkaException e) {
            log.warn("stage {}: commit of {} failed: {}", groupId, offsets, e.toString());
        }
    }

    /** Keeps offsets for {@link #commitInterrupted}; of two for one partition, the later one. */
    private void commitAfterRebalance(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> commitAfterRebalance.merge(tp, o, (a, b) -> a.offset() >= b.offset() ? a : b));
    }

    /** Runs on the worker thread: decode, handle with retries, dead-letter if need be. */
    private Outcome process(ConsumerRecord<byte[], byte[]> record) throws Exception {
        return process(record, payload);
    }

    private <E> Outcome process(ConsumerRecord<byte[], byte[]> record, Payload<E> payload) throws Exception {
        E value;
        try {
            value = payload.decode(record.value());
        } catch (SerializationException e) {
            deadLetter(record, FailureCategory.UNDECODABLE, e.getMessage(), 1);
            return Outcome.COMMIT;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                payload.handle(value);
                processed.incrementAndGet();
                if (processedMeter != null) {
                    processedMeter.increment();
                }
                return Outcome.COMMIT;
            } catch (StageFailure f) {
                deadLetter(record, f.category(), f.getMessage(), attempt);
                return Outcome.COMMIT;
            } catch (InterruptedException e) {
                return Outcome.ABANDON; // forced close: not committed, delivered again later
            } catch (Exception e) {
                FailureCategory category = FailureCategory.of(e, stage);
                if (category.permanent() || attempt >= retry.maxAttempts()) {
                    String study = payload.studyOf(value);
                    String message = "study " + study + ": " + (stage == null ? groupId : stage.role())
                            + " failed after " + attempt + (attempt == 1 ? " attempt: " : " attempts: ") + e.getMessage();
                    giveUp.gaveUp(study, category, message);
                    deadLetter(record, category, message, attempt);
                    return Outcome.COMMIT;
                }
                retried.incrementAndGet();
                Duration backoff = retry.backoff().after(attempt);
                log.warn("stage {}: study {} failed (attempt {}), retrying in {} ms: {}", groupId,
                        payload.studyOf(value), retry.attemptOf(attempt), backoff.toMillis(), e.toString());
                if (!sleepUnlessClosing(backoff)) {
                    return Outcome.ABANDON;
                }
            }
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, FailureCategory category, String message, int attempts)
            throws ExecutionException, InterruptedException {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
        for (Header h : record.headers()) {
            if (!h.key().startsWith(DeadLetters.HEADER_PREFIX)) {
                letter.headers().add(h);
            }
        }
        String text = message == null ? "" : message.length() > MAX_HEADER_MESSAGE
                ? message.substring(0, MAX_HEADER_MESSAGE) : message;
        header(letter, DeadLetters.CATEGORY, category.label());
        header(letter, DeadLetters.MESSAGE, text);
        header(letter, DeadLetters.STAGE, groupId);
        header(letter, DeadLetters.ATTEMPTS, Integer.toString(attempts));
        header(letter, DeadLetters.FAILED_AT, Instant.now().toString());
        header(letter, DeadLetters.SOURCE_TOPIC, record.topic());
        header(letter, DeadLetters.SOURCE_PARTITION, Integer.toString(record.partition()));
        header(letter, DeadLetters.SOURCE_OFFSET, Long.toString(record.offset()));
        producer.send(letter).get();
        deadLettered.incrementAndGet();
        if (deadLetteredMeter != null) {
            deadLetteredMeter.increment();
        }
        log.warn("stage {}: dead-lettered {}@{} as '{}' after {} attempt(s)", groupId,
                new TopicPartition(record.topic(), record.partition()), record.offset(), category.label(), attempts);
    }

    private static void header(ProducerRecord<byte[], byte[]> r, String key, String value) {
        r.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
            commitInterrupted(consumer.assignment());
            return records;
        } catch (WakeupException e) {
            markClosing();
            return ConsumerRecords.empty();
        }
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private void markClosing() {
        closing.countDown();
    }

    /** Sleeps; returns false (early) when the consumer is being closed. */
    private boolean sleepUnlessClosing(Duration d) {
        try {
            return !closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops after the record in hand is finished and committed (waits up to 5 minutes). */
    @Override
    public void close() {
        close(Duration.ofMinutes(5));
    }

    public synchronized void close(Duration timeout) {
        if (loop == null) {
            return;
        }
        markClosing();
        consumer.wakeup();
        try {
            loop.join(timeout.toMillis());
            if (loop.isAlive()) {
                log.warn("stage {}: handler still busy after {}, interrupting it", groupId, timeout);
                worker.shutdownNow();
                loop.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inFlight != null && partitions.contains(inFlight.partition())) {
                // Finish and commit before the partition goes, so the next owner starts after it.
                awaitInFlight();
                finishInFlight(true);
            }
            commitInterrupted(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (inFlight != null && partitions.contains(inFlight.partition())) {
                awaitInFlight();
                finishInFlight(false); // no longer ours: the new owner processes it again
            }
            commitAfterRebalance.keySet().removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (inFlight != null) {
                consumer.pause(partitions);
            }
        }

        private void awaitInFlight() {
            try {
                inFlight.result().get(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // finishInFlight() reports it
            }
        }
    }
}
