package org.pacsmigrator.verify;

import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * Per-study completion with Kafka Streams: the forwarded topic (the study was sent), the progress topic
 * (instance counts, C-FIND confirmations) and the commitment results topic are merged by study key into
 * a {@link StudyCompletion} aggregate (state store {@link #STORE}), whose {@link StudyStatus} under the
 * configured criterion goes to the status topic and to {@code sink} (the state store's study_status table).
 * All inputs are keyed by StudyInstanceUID, so no repartitioning is needed.
 */
public final class CompletionTopology {
    public static final String STORE = "study-completion";

    /** One input record, whichever topic it came from. */
    record Update(StudyEvent forwarded, ProgressEvent progress, CommitmentResultEvent commitment) {
    }

    private CompletionTopology() {
    }

    /** {@code streamsConfig}: the application's Streams properties, which the topology's own settings come from. */
    public static Topology build(Topics topics, Completion criterion, Consumer<StudyStatus> sink, Properties streamsConfig) {
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsConfig)));
        var key = Serdes.String();
        // both lanes of the forwarded topic: a prioritised study is forwarded on the priority one
        KStream<String, Update> forwarded = builder.stream(List.of(topics.forwarded(), Topics.priorityLaneOf(topics.forwarded())),
                        Consumed.with(key, lenient(StudyEvent.class)))
                .filter((k, v) -> k != null && v != null).mapValues(v -> new Update(v, null, null));
        KStream<String, Update> progress = builder.stream(topics.studyProgress(), Consumed.with(key, lenient(ProgressEvent.class)))
                .filter((k, v) -> k != null && v != null).mapValues(v -> new Update(null, v, null));
        KStream<String, Update> commitments = builder.stream(topics.commitmentResults(),
                        Consumed.with(key, lenient(CommitmentResultEvent.class)))
                .filter((k, v) -> k != null && v != null).mapValues(v -> new Update(null, null, v));
        KStream<String, StudyStatus> status = forwarded.merge(progress).merge(commitments)
                .groupByKey(Grouped.with(key, new JsonSerde<>(Update.class)))
                .aggregate(() -> null,
                        (study, update, agg) -> apply(agg == null ? StudyCompletion.empty(study) : agg, update, criterion),
                        Materialized.<String, StudyCompletion, KeyValueStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(key).withValueSerde(new JsonSerde<>(StudyCompletion.class)))
                .toStream()
                .mapValues(c -> c.toStatus(criterion));
        status.to(topics.studyStatus(), Produced.with(key, new JsonSerde<>(StudyStatus.class)));
        if (sink != null) {
            status.foreach((k, s) -> sink.accept(s));
        }
        return builder.build();
    }

    static StudyCompletion apply(StudyCompletion agg, Update u, Completion criterion) {
        if (u.forwarded() != null) {
            return agg.forwarded(u.forwarded(), criterion);
        }
        if (u.progress() != null) {
            return agg.progress(u.progress(), criterion);
        }
        if (u.commitment() != null) {
            return agg.commitment(u.commitment(), criterion);
        }
        return agg;
    }

    /** JSON values; an undecodable record becomes null and is filtered out instead of stopping the application. */
    private static <T> Serde<T> lenient(Class<T> type) {
        JsonSerde<T> json = new JsonSerde<>(type);
        return Serdes.serdeFrom(json.serializer(), (topic, bytes) -> {
            try {
                return json.fromBytes(bytes);
            } catch (SerializationException e) {
                return null;
            }
        });
    }
}
