package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageConsumer;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StageReplay;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * A source that refuses associations: a stopped Orthanc (connection refused) and a caller it does
 * not know (association aborted). The retriever backs off (stage retries, adaptive limit halves),
 * the studies end FAILED with "association refused" and in the dead-letter topic; a replay
 * after the source is back retrieves them.
 */
class RetrieverFailureReplayTest {
    private static final String WORKER = "RTFAILWORKER";

    @TempDir
    Path dir;

    @Test
    void stoppedSourceBacksOffDeadLettersAndAReplayAfterItIsBackCompletes() throws Exception {
        String id = RetrieverFixture.uniqueId("rtf");
        SyntheticPacsGenerator generator = RetrieverFixture.generator(77L, 2);
        List<SyntheticPacsGenerator.GeneratedStudy> studies = generator.plan().toList();
        Topics topics = new Topics(id);
        KafkaSettings kafka = RetrieverFixture.kafkaWithTopics(id, topics);
        try (OrthancServer pacs = RetrieverFixture.startOldPacs("RTFAIL", dir.resolve("orthanc"), WORKER, generator);
             CassandraStateStore state = RetrieverFixture.openState("pacsmig_" + id);
             AutoCloseable dropKeyspace = () -> RetrieverFixture.drop(state);
             AssociationLeases leases = new AssociationLeases(state.session(), state.keyspace(), "w", Duration.ofSeconds(10));
             KafkaEventPublisher publisher = new KafkaEventPublisher(kafka)) {
            RetrieverFixture.index(state, generator);
            FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            RetrieveMetrics metrics = new RetrieveMetrics(registry);
            AssociationGate gate = new AssociationGate(node(pacs), leases, AdaptiveLimit.of(1, 4), TimeWindows.always(),
                    Duration.ofMillis(20), Duration.ofMinutes(1)).register(registry, RetrieveMetrics.PREFIX);
            Retriever retriever = new Retriever(Dicom.client(WORKER, DicomTimeouts.defaults()), node(pacs), state,
                    new CacheWritingReceiver(cache, state, metrics), publisher, topics,
                    RetrieverFixture.settings(true, WORKER, dir.resolve("scratch")), cache, gate, metrics);

            // The old PACS goes down.
            pacs.stop();
            try (StageConsumer consumer = new StageConsumer(kafka, StageId.RETRIEVE, topics, retriever,
                    new StageConsumer.RetryPolicy(3, Backoff.ofMillis(100, 400)), null)
                    .onGiveUp(StageConsumer.GiveUpListener.markingFailedIn(state))) {
                consumer.start();
                for (SyntheticPacsGenerator.GeneratedStudy s : studies) {
                    publisher.publish(topics.indexed(), StudyEvent.of(s.studyInstanceUid(), "indexed"));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> consumer.deadLettered() == studies.size());
                for (SyntheticPacsGenerator.GeneratedStudy s : studies) {
                    StudyRecord r = state.findStudy(s.studyInstanceUid()).orElseThrow();
                    assertThat(r.state()).isEqualTo(StudyState.FAILED);
                    assertThat(r.failureCategory()).isEqualTo(FailureCategory.ASSOCIATION_REFUSED.label());
                    assertThat(r.failureMessage()).contains("failed after 3 attempts");
                }
                // Backed off: the adaptive limit (a gauge) went down; failures were counted by category.
                assertThat(registry.get(RetrieveMetrics.PREFIX + ".associations.limit").gauge().value()).isLessThan(4.0);
                assertThat(metrics.failures(FailureCategory.ASSOCIATION_REFUSED)).isGreaterThanOrEqualTo(2 * 3);

                // Back up; replay only that category.
                pacs.start();
                Map<StageId, Set<String>> replayed = StageReplay.replay(kafka, state, topics,
                        List.of(StageId.RETRIEVE),
                        new StageReplay.Selection(Set.of(FailureCategory.ASSOCIATION_REFUSED.label()), Set.of()));
                assertThat(replayed.get(StageId.RETRIEVE))
                        .containsExactlyInAnyOrderElementsOf(studies.stream().map(s -> s.studyInstanceUid()).toList());
                await().atMost(Duration.ofSeconds(60)).until(() -> studies.stream().allMatch(s ->
                        state.findStudy(s.studyInstanceUid()).orElseThrow().state() == StudyState.RETRIEVED));
                for (SyntheticPacsGenerator.GeneratedStudy s : studies) {
                    assertThat(state.instancesOf(s.studyInstanceUid())).hasSize(s.instanceCount())
                            .allSatisfy(i -> assertThat(cache.exists(i.cacheKey())).isTrue());
                }
                // A second replay finds nothing pending.
                assertThat(StageReplay.replay(kafka, state, topics, List.of(StageId.RETRIEVE),
                        StageReplay.Selection.all()).get(StageId.RETRIEVE)).isEmpty();
            }

            // A caller the source does not know: its association is aborted, "association rejected".
            Retriever stranger = new Retriever(Dicom.client("RTSTRANGER", DicomTimeouts.defaults()), node(pacs), state,
                    new CacheWritingReceiver(cache, state, metrics), publisher, topics,
                    RetrieverFixture.settings(true, WORKER, dir.resolve("scratch2")), cache,
                    AssociationGate.unlimited(node(pacs), 2), metrics);
            String uid = "1.2.826.0.1.3680043.10.998." + System.nanoTime();
            state.insertStudyIfAbsent(StudyRecord.indexed(uid, "P", null, "X^Y", null, null, null, "20250506", null, null,
                    "CT", 1, 1));
            assertThatThrownBy(() -> stranger.handle(StudyEvent.of(uid, "test")))
                    .isInstanceOfSatisfying(RetrieveException.class,
                            e -> assertThat(e.category()).isEqualTo(FailureCategory.ASSOCIATION_REJECTED));
        }
    }
}
