package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pacsmigrator.retrieve.RetrieverFixture.node;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageConsumer;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StageReplay;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * The remedy for a corrupt cache object: the forwarder removes it and fails the study as "cache
 * object corrupt"; replaying that forward dead letter sends the study to the retrieve stage (not
 * the forward stage, where it would fail again), and the retriever fetches exactly the removed
 * image from the old PACS again.
 */
class CorruptCacheObjectReplayTest {
    private static final String WORKER = "RTCORRUPT";
    private static final String CORRUPT = FailureCategory.CACHE_OBJECT_CORRUPT.label();

    @TempDir
    Path dir;

    @Test
    void replayedCorruptObjectFailureIsRetrievedAgain() throws Exception {
        String id = RetrieverFixture.uniqueId("rtc");
        SyntheticPacsGenerator generator = RetrieverFixture.generator(91L, 1);
        SyntheticPacsGenerator.GeneratedStudy study = generator.plan().findFirst().orElseThrow();
        String uid = study.studyInstanceUid();
        Topics topics = new Topics(id);
        KafkaSettings kafka = RetrieverFixture.kafkaWithTopics(id, topics);
        try (OrthancServer pacs = RetrieverFixture.startOldPacs("RTCPACS", dir.resolve("orthanc"), WORKER, generator);
             CassandraStateStore state = RetrieverFixture.openState("pacsmig_" + id);
             AutoCloseable dropKeyspace = () -> RetrieverFixture.drop(state);
             KafkaEventPublisher publisher = new KafkaEventPublisher(kafka)) {
            RetrieverFixture.index(state, generator);
            FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
            RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
            Retriever retriever = new Retriever(Dicom.client(WORKER, DicomTimeouts.defaults()), node(pacs), state,
                    new CacheWritingReceiver(cache, state, metrics), publisher, topics,
                    RetrieverFixture.settings(true, WORKER, dir.resolve("scratch")), cache,
                    AssociationGate.unlimited(node(pacs), 2), metrics);
            retriever.handle(StudyEvent.of(uid, "indexed"));
            assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.RETRIEVED);

            // What the forwarder does with a corrupt object: removes it, fails the study, dead-letters it.
            InstanceRecord victim = state.instancesOf(uid).get(1);
            cache.delete(victim.cacheKey());
            StageConsumer forward = new StageConsumer(kafka, id + "-forwarder", topics.retrieved(), e -> {
                state.markFailed(e.studyInstanceUid(), CORRUPT, "SHA-256 differs");
                throw new StageFailure(FailureCategory.CACHE_OBJECT_CORRUPT, "SHA-256 differs");
            }, new StageConsumer.RetryPolicy(1, Backoff.ofMillis(100, 100)));
            try (forward) {
                forward.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> forward.deadLettered() == 1);
            }
            assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.FAILED);

            Map<StageId, Set<String>> replayed = StageReplay.replay(kafka, state, topics,
                    List.of(StageId.FORWARD), new StageReplay.Selection(Set.of(CORRUPT), Set.of()));
            assertThat(replayed.get(StageId.FORWARD)).containsExactly(uid);
            assertThat(state.findStudy(uid).orElseThrow().state()).as("reset for the retrieve stage")
                    .isEqualTo(StudyState.INDEXED);

            double before = metrics.instancesCached();
            try (StageConsumer retrieve = new StageConsumer(kafka, id + "-retriever", topics.indexed(), retriever,
                    new StageConsumer.RetryPolicy(1, Backoff.ofMillis(100, 100)))) {
                retrieve.start();
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        state.findStudy(uid).orElseThrow().state() == StudyState.RETRIEVED);
            }
            assertThat(cache.exists(victim.cacheKey())).isTrue();
            assertThat(metrics.instancesCached() - before).as("only the removed image is fetched again").isEqualTo(1.0);
            assertThat(state.instancesOf(uid)).hasSize(study.instanceCount());
        }
    }
}
