package org.pacsmigrator.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.pacsmigrator.files.OwnerOnly;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.state.StudyStatusStore;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link CompletionTopology} (exactly-once) and answers status queries from its local store: the
 * "API object" of study completion. Statuses are also written to the state store (study_status), which is
 * what other processes and the report read.
 */
public final class CompletionService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionService.class);

    private final KafkaStreams streams;
    private final Completion criterion;

    /**
     * @param stateDirectory this instance's own Kafka Streams state directory (never shared between instances)
     */
    public CompletionService(KafkaSettings kafka, Topics topics, Completion criterion, StudyStatusStore state, Path stateDirectory) {
        this.criterion = criterion;
        Properties properties = streamsProperties(kafka, topics, stateDirectory);
        this.streams = new KafkaStreams(CompletionTopology.build(topics, criterion,
                state == null ? null : state::saveStudyStatus, properties), properties);
        // Kafka Streams made its directories 0750 just now: the store's study UIDs and counts are for our user only
        try {
            OwnerOnly.directory(stateDirectory);
            OwnerOnly.directory(stateDirectory.resolve(applicationId(topics)));
        } catch (IOException e) {
            streams.close(Duration.ZERO);
            throw new UncheckedIOException(e);
        }
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("completion topology failed, replacing the stream thread: {}", e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** The topology's Kafka Streams application id: also the consumer group of every verifier's topology. */
    public static String applicationId(Topics topics) {
        return topics.migrationId() + "-completion";
    }

    /** Package-private for the test that the configured group membership reaches the topology's consumers. */
    static Properties streamsProperties(KafkaSettings kafka, Topics topics, Path stateDirectory) {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(topics));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.CLIENT_ID_CONFIG, kafka.clientIdPrefix() + "-completion");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toAbsolutePath().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.replicationFactor());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // no global stores: set as Kafka 5 will by default, which spares every start its warning (Streams 4.4)
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // ...and for the copy of the config its partition assignor reads from the main consumer's settings
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        kafka.membership().consumerProperties().forEach((k, v) -> p.put(StreamsConfig.consumerPrefix(k), v));
        // A static member of its own, never reused, only so that close() can make it leave (see close()). A restarted
        // verifier comes back under another id: a killed one is taken over after the session timeout, as a dynamic one.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "completion-" + UUID.randomUUID());
        return p;
    }

    public CompletionService start() {
        streams.start();
        return this;
    }

    public Completion criterion() {
        return criterion;
    }

    public KafkaStreams.State streamsState() {
        return streams.state();
    }

    /** The study's status from the local store, or empty (unknown here, or the store is not ready yet). */
    public Optional<StudyStatus> status(String studyInstanceUid) {
        ReadOnlyKeyValueStore<String, StudyCompletion> store = store();
        if (store == null) {
            return Optional.empty();
        }
        StudyCompletion c = store.get(studyInstanceUid);
        return c == null ? Optional.empty() : Optional.of(c.toStatus(criterion));
    }

    /** Every status in the local store (this instance's partitions). */
    public List<StudyStatus> statuses() {
        List<StudyStatus> all = new ArrayList<>();
        ReadOnlyKeyValueStore<String, StudyCompletion> store = store();
        if (store != null) {
            try (KeyValueIterator<String, StudyCompletion> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, StudyCompletion> kv = it.next();
                    all.add(kv.value.toStatus(criterion));
                }
            }
        }
        return all;
    }

    private ReadOnlyKeyValueStore<String, StudyCompletion> store() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return null;
        }
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(CompletionTopology.STORE,
                    QueryableStoreTypes.<String, StudyCompletion>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            return null;
        }
    }

    /**
     * Leaves the group, so that the other verifiers take this one's partitions at once: Kafka Streams stays in the
     * group on a plain close, expecting a restart, and its partitions would wait for the session timeout (a
     * scale-down or a SIGTERM would stall them); its close with leaveGroup removes only a static member (Kafka
     * 4.1), hence the instance id of {@link #streamsProperties}. Waits until the stream thread has really stopped: a close that gave
     * up after a few seconds (a busy machine) left the thread running on, past the state directory's removal and
     * the broker's shutdown.
     */
    @Override
    public void close() {
        if (!streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(60)))) {
            LOG.warn("completion topology did not stop within 60 s");
        }
    }
}
