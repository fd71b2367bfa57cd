package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pacsmigrator.retrieve.RetrieverFixture.node;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * A retriever worker (a child JVM) is killed with SIGKILL in the middle of a study. Nothing
 * half-written is visible in the cache, its association lease expires, and another worker
 * completes the study, fetching only what the dead one had not recorded.
 */
class RetrieverKillTest {
    @TempDir
    Path dir;

    @Test
    void aWorkerKilledMidStudyLeavesNothingHalfWrittenAndTheStudyCompletes() throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(99L, 1, RetrieverFixture.DAY, 1, 2, 20, 1);
        SyntheticPacsGenerator.GeneratedStudy study = generator.plan().toList().get(0);
        String uid = study.studyInstanceUid();
        String keyspace = RetrieverFixture.uniqueId("rtkill_");
        Path cacheDir = Files.createDirectories(dir.resolve("cache"));
        try (OrthancServer pacs = RetrieverFixture.startOrthanc("RTKILL", dir.resolve("orthanc"), Map.of(
                "child", new OrthancServer.Modality("RTKILLCHILD", "127.0.0.1", Ports.freePort()),
                "survivor", new OrthancServer.Modality("RTKILLW2", "127.0.0.1", Ports.freePort())), generator);
             CassandraStateStore state = RetrieverFixture.openState(keyspace);
             AutoCloseable dropKeyspace = () -> RetrieverFixture.drop(state);
             AssociationLeases leases = new AssociationLeases(state.session(), state.keyspace(), "survivor",
                     Duration.ofSeconds(3))) {
            RetrieverFixture.index(state, generator);
            var services = RetrieverFixture.services();
            Path log = dir.resolve("child.log");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), RetrieveWorkerMain.class.getName(),
                    services.cassandra().contactPoint(), services.cassandra().localDatacenter(), keyspace,
                    pacs.aeTitle(), pacs.host(), Integer.toString(pacs.dicomPort()), "RTKILLCHILD",
                    cacheDir.toString(), dir.resolve("child-scratch").toString(), uid, "100", "3")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                        .until(() -> retrievedRows(state, uid) >= CacheWritingReceiver.ROWS_PER_WRITE || !child.isAlive());
                assertThat(child.isAlive()).as("child still working; log: %s", Files.readString(log)).isTrue();
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            int recordedByTheDead = retrievedRows(state, uid);
            // Rows are written in batches: what the dead worker cached after its last batch is not recorded.
            assertThat(recordedByTheDead).isBetween(CacheWritingReceiver.ROWS_PER_WRITE, study.instanceCount() - 1);
            assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.RETRIEVING);
            assertThat(leases.holders(pacs.aeTitle())).as("the dead worker's lease is still there").hasSize(1);

            // Another worker takes over (the redelivered Kafka record), limited to one association.
            FileSystemCache cache = new FileSystemCache(cacheDir);
            Map<String, AtomicInteger> arrivals = new HashMap<>();
            CacheWritingReceiver writer = new CacheWritingReceiver(cache, state);
            ReceivedInstanceHandler counting = writer.andThen(in -> {
                synchronized (arrivals) {
                    arrivals.computeIfAbsent(in.sopInstanceUid(), k -> new AtomicInteger()).incrementAndGet();
                }
            });
            AssociationGate gate = new AssociationGate(node(pacs), leases, AdaptiveLimit.of(1, 1), TimeWindows.always(),
                    Duration.ZERO, Duration.ofSeconds(30));
            Retriever survivor = new Retriever(Dicom.client("RTKILLW2", DicomTimeouts.defaults()), node(pacs), state,
                    counting, new RetrieverFixture.RecordingPublisher(), new Topics("kill"),
                    RetrieverFixture.settings(true, "RTKILLW2", dir.resolve("scratch")), cache, gate,
                    new RetrieveMetrics(new SimpleMeterRegistry()));
            survivor.handle(StudyEvent.of(uid, "redelivered"));

            assertThat(state.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.RETRIEVED);
            // Only what the dead worker had not recorded was fetched again, each once.
            assertThat(arrivals).hasSize(study.instanceCount() - recordedByTheDead);
            assertThat(arrivals.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            // Every visible object is complete: its SHA-256 and size are those recorded for its instance.
            Map<String, InstanceRecord> byKey = new HashMap<>();
            state.instancesOf(uid).forEach(i -> byKey.put(i.cacheKey(), i));
            assertThat(byKey).hasSize(study.instanceCount());
            List<Path> visible;
            try (Stream<Path> walk = Files.walk(cacheDir)) {
                visible = walk.filter(Files::isRegularFile)
                        .filter(p -> !cacheDir.relativize(p).toString().startsWith(".")).toList();
            }
            assertThat(visible).hasSize(study.instanceCount());
            for (Path p : visible) {
                InstanceRecord row = byKey.get(cacheDir.relativize(p).toString());
                assertThat(row).as("row for %s", p).isNotNull();
                assertThat(Files.size(p)).isEqualTo(row.sizeBytes());
                try (InputStream in = Files.newInputStream(p)) {
                    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())))
                            .isEqualTo(row.sha256());
                }
            }
            assertThat(leases.holders(pacs.aeTitle())).isEmpty();
        }
    }

    private static int retrievedRows(CassandraStateStore state, String uid) {
        return (int) state.instancesOf(uid).stream().filter(InstanceRecord::retrieved).count();
    }
}
