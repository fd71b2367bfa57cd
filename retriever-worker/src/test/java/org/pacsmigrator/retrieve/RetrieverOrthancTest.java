package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pacsmigrator.retrieve.RetrieverFixture.node;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.StorageScp;
import org.pacsmigrator.dicom.net.AllowedSender;
import org.pacsmigrator.dicom.net.ListenerSettings;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.CountingProxy;
import org.pacsmigrator.testsupport.RawDicomPeer;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * The retriever against a real Orthanc as the old PACS (its own instance, seeded with small
 * synthetic studies), the shared Cassandra, and a filesystem cache.
 */
class RetrieverOrthancTest {
    private static final String MOVE_AE = "RTMOVE";     // the shared C-MOVE destination of all workers
    private static final String WORKER1 = "RTWORKER1";
    private static final String WORKER2 = "RTWORKER2";

    @TempDir
    static Path dir;
    private static SyntheticPacsGenerator generator;
    private static OrthancServer pacs;
    private static CassandraStateStore state;
    private static int scp2Port;

    @BeforeAll
    static void start() throws Exception {
        scp2Port = Ports.freePort();
        generator = RetrieverFixture.generator(41L, 11);
        pacs = RetrieverFixture.startOrthanc("RTOLD", dir.resolve("orthanc"), Map.of(
                "w1", new OrthancServer.Modality(WORKER1, "127.0.0.1", Ports.freePort()),
                "w2", new OrthancServer.Modality(WORKER2, "127.0.0.1", Ports.freePort()),
                // Behind a Kubernetes Service the destination reaches any pod: here worker 2's SCP.
                "move", new OrthancServer.Modality(MOVE_AE, "127.0.0.1", scp2Port)), generator);
        state = RetrieverFixture.openState(RetrieverFixture.uniqueId("retrtest_"));
        RetrieverFixture.index(state, generator);
    }

    @AfterAll
    static void stop() {
        RetrieverFixture.dropAndClose(state);
        if (pacs != null) {
            pacs.close();
        }
    }

    private static SyntheticPacsGenerator.GeneratedStudy study(int i) {
        return generator.plan().toList().get(i);
    }

    private static Retriever retriever(String callingAe, boolean cGet, InstanceCache cache, ReceivedInstanceHandler receiver,
                                       AssociationGate gate, RetrieveMetrics metrics, DicomNode source) throws Exception {
        DicomClient client = Dicom.client(callingAe, DicomTimeouts.defaults());
        return new Retriever(client, source, state, receiver, new RetrieverFixture.RecordingPublisher(),
                new Topics("retrtest"), RetrieverFixture.settings(cGet, MOVE_AE, dir.resolve("scratch-" + callingAe)),
                cache, gate, metrics);
    }

    /** Every manifest instance is in the cache with the recorded size, SHA-256 and patient, byte-identical to the source. */
    private static void assertCompleteAndIntact(SyntheticPacsGenerator.GeneratedStudy s, InstanceCache cache) throws Exception {
        assertThat(state.findStudy(s.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.RETRIEVED);
        List<InstanceRecord> rows = state.instancesOf(s.studyInstanceUid());
        assertThat(rows).extracting(InstanceRecord::sopInstanceUid).containsExactlyInAnyOrderElementsOf(s.sopInstanceUids());
        for (InstanceRecord r : rows) {
            assertThat(r.retrieved()).isTrue();
            byte[] cached;
            try (InputStream in = cache.open(r.cacheKey()).orElseThrow()) {
                cached = in.readAllBytes();
            }
            assertThat((long) cached.length).isEqualTo(r.sizeBytes());
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cached))).isEqualTo(r.sha256());
            // The data set (after each side's own File Meta Information) is byte-identical: no transcoding.
            byte[] original = pacs.instanceFile(r.sopInstanceUid());
            assertThat(Arrays.equals(dataSet(cached), dataSet(original)))
                    .as("data set of %s identical to the source's", r.sopInstanceUid()).isTrue();
            // The patient attributes picked at receipt are those a read of the cached image gives.
            Path image = cache.localCopy(r.cacheKey(), dir.resolve("patient-check"));
            assertThat(r.patient()).as("patient of %s", r.sopInstanceUid()).isNotNull().usingRecursiveComparison()
                    .isEqualTo(PatientAttributes.of(DicomFiles.readPatientAttributes(image)));
            assertThat(r.patient().patientName()).isEqualTo(s.patient().name()); // study 0's is ISO_IR 100
        }
    }

    /** The bytes after the Part 10 preamble and File Meta Information group. */
    static byte[] dataSet(byte[] part10) {
        int groupLength = ByteBuffer.wrap(part10, 132 + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = 132 + 12 + groupLength;
        return Arrays.copyOfRange(part10, start, part10.length);
    }

    @Test
    void cMoveLandsAtTheOtherWorkersScpAndCompletesFromTheStateStore() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache-move"));
        RetrieveMetrics metrics2 = new RetrieveMetrics(new SimpleMeterRegistry());
        // Worker 2's storage SCP receives everything; worker 1 issues the C-MOVE and decides completeness.
        try (StorageScp scp2 = Dicom.startStorageScp(MOVE_AE, "127.0.0.1", scp2Port, dir.resolve("scp2"),
                new CacheWritingReceiver(cache, state, metrics2))) {
            RetrieveMetrics metrics1 = new RetrieveMetrics(new SimpleMeterRegistry());
            Retriever worker1 = retriever(WORKER1, false, cache, new CacheWritingReceiver(cache, state, metrics1),
                    AssociationGate.unlimited(node(pacs), 4), metrics1, node(pacs));
            SyntheticPacsGenerator.GeneratedStudy s = study(0);
            worker1.handle(StudyEvent.of(s.studyInstanceUid(), "test"));
            assertCompleteAndIntact(s, cache);
            assertThat(metrics1.instancesCached()).isZero();
            assertThat(metrics2.instancesCached()).isEqualTo(s.instanceCount());
            // Delivered again: skipped, nothing retrieved twice.
            worker1.handle(StudyEvent.of(s.studyInstanceUid(), "again"));
            assertThat(metrics2.instancesCached()).isEqualTo(s.instanceCount());
        }
    }

    @Test
    void aSaturatedStorageScpIsNotBlamedOnTheSource() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache-saturated"));
        RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
        ListenerSettings one = ListenerSettings.of("saturated-scp", MOVE_AE, "127.0.0.1", scp2Port,
                List.of(AllowedSender.parse("*"))).withLimits(1, 4, Duration.ofSeconds(10), Duration.ofSeconds(60));
        try (StorageScp scp = Dicom.startStorageScp(one, dir.resolve("scp-saturated"),
                new CacheWritingReceiver(cache, state, metrics), null);
             RawDicomPeer holder = RawDicomPeer.connect("127.0.0.1", scp2Port, 10_000)) {
            // the listener's only association is taken: the source's C-STOREs are turned away
            assertThat(holder.associate(pacs.aeTitle(), MOVE_AE, RawDicomPeer.VERIFICATION, RawDicomPeer.IMPLICIT_LE)
                    .accepted()).isTrue();
            Retriever r = new Retriever(Dicom.client(WORKER1, DicomTimeouts.defaults()), node(pacs), state,
                    new CacheWritingReceiver(cache, state, metrics), new RetrieverFixture.RecordingPublisher(),
                    new Topics("retrtest"), RetrieverFixture.settings(false, MOVE_AE, dir.resolve("scratch-saturated")),
                    cache, AssociationGate.unlimited(node(pacs), 4), metrics, scp::rejectedForLimit);
            SyntheticPacsGenerator.GeneratedStudy s = study(10); // a study no other test retrieves
            assertThatThrownBy(() -> r.handle(StudyEvent.of(s.studyInstanceUid(), "test")))
                    .isInstanceOfSatisfying(RetrieveException.class,
                            e -> assertThat(e.category()).isEqualTo(FailureCategory.STORAGE_SCP_SATURATED));
            assertThat(scp.rejectedForLimit()).isPositive();
            holder.release();
        }
    }

    @Test
    void cGetCompletesWithTheManifestMatched() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache-get"));
        RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
        Retriever r = retriever(WORKER1, true, cache, new CacheWritingReceiver(cache, state, metrics),
                AssociationGate.unlimited(node(pacs), 4), metrics, node(pacs));
        SyntheticPacsGenerator.GeneratedStudy s = study(1);
        r.handle(StudyEvent.of(s.studyInstanceUid(), "test"));
        assertCompleteAndIntact(s, cache);
        assertThat(metrics.instancesCached()).isEqualTo(s.instanceCount());
        assertThat(metrics.bytesCached()).isPositive();
        assertThat(metrics.registry().get("pacsmig.retrieve.studies").tag("outcome", "retrieved").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void anInstanceDeletedFromTheCacheBeforeTheCompletionCheckIsFetchedAgainAlone() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache-deleted"));
        SyntheticPacsGenerator.GeneratedStudy s = study(2);
        String victim = s.sopInstanceUids().get(s.instanceCount() / 2);
        Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
        AtomicBoolean deleted = new AtomicBoolean();
        CacheWritingReceiver writer = new CacheWritingReceiver(cache, state);
        ReceivedInstanceHandler receiver = writer.andThen(in -> {
            arrivals.computeIfAbsent(in.sopInstanceUid(), k -> new AtomicInteger()).incrementAndGet();
            if (in.sopInstanceUid().equals(victim) && deleted.compareAndSet(false, true)) {
                // The object vanishes after its state row was written (a purge, a lost disk, an operator).
                cache.delete(InstanceCache.keyFor(in.studyInstanceUid(), in.seriesInstanceUid(), in.sopInstanceUid()));
            }
        });
        Retriever r = retriever(WORKER1, true, cache, receiver, AssociationGate.unlimited(node(pacs), 4),
                new RetrieveMetrics(new SimpleMeterRegistry()), node(pacs));
        r.handle(StudyEvent.of(s.studyInstanceUid(), "test"));
        assertCompleteAndIntact(s, cache);
        assertThat(arrivals.get(victim).get()).isEqualTo(2);
        assertThat(arrivals.entrySet()).filteredOn(e -> !e.getKey().equals(victim))
                .allSatisfy(e -> assertThat(e.getValue().get()).isEqualTo(1))
                .hasSize(s.instanceCount() - 1);
    }

    @Test
    void twoWorkersNeverExceedTheGlobalAssociationLimitAtTheSource() throws Exception {
        int limit = 2;
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache-limit"));
        try (CountingProxy proxy = new CountingProxy(pacs.host(), pacs.dicomPort());
             AssociationLeases leases1 = new AssociationLeases(state.session(), state.keyspace(), "worker1", Duration.ofSeconds(10));
             AssociationLeases leases2 = new AssociationLeases(state.session(), state.keyspace(), "worker2", Duration.ofSeconds(10))) {
            DicomNode viaProxy = new DicomNode(pacs.aeTitle(), "127.0.0.1", proxy.port());
            List<Retriever> workers = new ArrayList<>();
            List<AssociationGate> gates = new ArrayList<>();
            for (AssociationLeases leases : List.of(leases1, leases2)) {
                AssociationGate gate = new AssociationGate(viaProxy, leases, AdaptiveLimit.of(1, limit),
                        TimeWindows.always(), Duration.ZERO, Duration.ofMinutes(2));
                gates.add(gate);
                RetrieveMetrics m = new RetrieveMetrics(new SimpleMeterRegistry());
                workers.add(retriever(leases == leases1 ? WORKER1 : WORKER2, true, cache,
                        new CacheWritingReceiver(cache, state, m), gate, m, viaProxy));
            }
            // Three threads per worker (retrieve.concurrency 3), six studies at once.
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> futures = new ArrayList<>();
            List<SyntheticPacsGenerator.GeneratedStudy> studies = generator.plan().toList().subList(3, 9);
            for (int i = 0; i < studies.size(); i++) {
                Retriever w = workers.get(i % 2);
                String uid = studies.get(i).studyInstanceUid();
                futures.add(pool.submit(() -> {
                    w.handle(StudyEvent.of(uid, "test"));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            for (SyntheticPacsGenerator.GeneratedStudy s : studies) {
                assertCompleteAndIntact(s, cache);
            }
            // Manifest C-FIND + C-GET per study: at least 12 associations, never more than 2 at once.
            assertThat(proxy.total()).isGreaterThanOrEqualTo(2 * studies.size());
            assertThat(proxy.peak()).isBetween(1, limit);
            assertThat(leases1.holders(pacs.aeTitle())).isEmpty();
            assertThat(gates).allSatisfy(g -> assertThat(g.active()).isZero());
        }
    }

    @Test
    void aCacheThatRefusesWritesFailsTheStudyAsCacheWriteFailed() throws Exception {
        InstanceCache broken = new InstanceCache() {
            @Override
            public CachedObject put(String key, Path localFile) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public Optional<InputStream> open(String key) {
                return Optional.empty();
            }

            @Override
            public Path localCopy(String key, Path scratchDirectory) throws IOException {
                throw new NoSuchFileException(key);
            }

            @Override
            public boolean exists(String key) {
                return false;
            }

            @Override
            public void delete(String key) {
            }
        };
        RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
        Retriever r = retriever(WORKER1, true, broken, new CacheWritingReceiver(broken, state, metrics),
                AssociationGate.unlimited(node(pacs), 4), metrics, node(pacs));
        SyntheticPacsGenerator.GeneratedStudy s = study(9);
        Assertions.assertThatThrownBy(() -> r.handle(StudyEvent.of(s.studyInstanceUid(), "test")))
                .isInstanceOfSatisfying(StageFailure.class,
                        e -> assertThat(e.category()).isEqualTo(FailureCategory.CACHE_WRITE_FAILED));
        var record = state.findStudy(s.studyInstanceUid()).orElseThrow();
        assertThat(record.state()).isEqualTo(StudyState.FAILED);
        assertThat(record.failureCategory()).isEqualTo(FailureCategory.CACHE_WRITE_FAILED.label());
        assertThat(record.failureMessage()).contains("disk full");
        assertThat(metrics.failures(FailureCategory.CACHE_WRITE_FAILED)).isEqualTo(1.0);
        // Nothing is left in the scratch directory: refused files are deleted.
        try (var files = Files.walk(dir.resolve("scratch-" + WORKER1))) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void aStudyTheSourceDoesNotHoldFailsPermanentlyAsRefused() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache-unknown"));
        String uid = "1.2.826.0.1.3680043.10.999." + System.nanoTime();
        state.insertStudyIfAbsent(StudyRecord.indexed(uid, "P", null, "X^Y", null, null, null,
                "20250506", null, null, "CT", 1, 1));
        RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
        Retriever r = retriever(WORKER1, true, cache, new CacheWritingReceiver(cache, state, metrics),
                AssociationGate.unlimited(node(pacs), 4), metrics, node(pacs));
        Assertions.assertThatThrownBy(() -> r.handle(StudyEvent.of(uid, "test")))
                .isInstanceOfSatisfying(RetrieveException.class,
                        e -> assertThat(e.category()).isEqualTo(FailureCategory.REFUSED_BY_SOURCE));
        assertThat(metrics.failures(FailureCategory.REFUSED_BY_SOURCE)).isEqualTo(1.0);
        Set<String> none = new HashSet<>();
        state.instancesOf(uid).forEach(i -> none.add(i.sopInstanceUid()));
        assertThat(none).isEmpty();
    }
}
