package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pacsmigrator.retrieve.RetrieverFixture.node;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.cache.S3InstanceCache;
import org.pacsmigrator.cache.S3ProxyServer;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/** C-GET from Orthanc into the S3 cache (s3proxy, a real S3 server, in-process). */
class RetrieverS3CacheTest {
    @TempDir
    Path dir;

    @Test
    void cGetIntoS3RecordsSizeAndSha256AndRefetchesALostObject() throws Exception {
        SyntheticPacsGenerator generator = RetrieverFixture.generator(55L, 1);
        SyntheticPacsGenerator.GeneratedStudy study = generator.plan().toList().get(0);
        try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")));
             S3InstanceCache cache = new S3InstanceCache(s3.settings("retrieved").withPrefix("mig/"));
             OrthancServer pacs = RetrieverFixture.startOrthanc("RTS3", dir.resolve("orthanc"),
                     Map.of("w", new OrthancServer.Modality("RTS3WORKER", "127.0.0.1", Ports.freePort())), generator);
             CassandraStateStore state = RetrieverFixture.openState(RetrieverFixture.uniqueId("rts3_"));
             AutoCloseable dropKeyspace = () -> RetrieverFixture.drop(state)) {
            cache.createBucketIfAbsent();
            RetrieverFixture.index(state, generator);
            RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
            CacheWritingReceiver writer = new CacheWritingReceiver(cache, state, metrics);
            String lost = study.sopInstanceUids().get(0);
            AtomicBoolean deleted = new AtomicBoolean();
            AtomicInteger arrivals = new AtomicInteger();
            ReceivedInstanceHandler receiver = writer.andThen(in -> {
                arrivals.incrementAndGet();
                if (in.sopInstanceUid().equals(lost) && deleted.compareAndSet(false, true)) {
                    cache.delete(InstanceCache.keyFor(in.studyInstanceUid(), in.seriesInstanceUid(), in.sopInstanceUid()));
                }
            });
            Retriever r = new Retriever(Dicom.client("RTS3WORKER", DicomTimeouts.defaults()), node(pacs), state, receiver,
                    new RetrieverFixture.RecordingPublisher(), new Topics("s3"),
                    RetrieverFixture.settings(true, "RTS3WORKER", dir.resolve("scratch")), cache,
                    AssociationGate.unlimited(node(pacs), 2), metrics);
            r.handle(StudyEvent.of(study.studyInstanceUid(), "test"));

            assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.RETRIEVED);
            assertThat(arrivals.get()).isEqualTo(study.instanceCount() + 1);
            assertThat(cache.list()).hasSize(study.instanceCount());
            for (InstanceRecord i : state.instancesOf(study.studyInstanceUid())) {
                byte[] b;
                try (InputStream in = cache.open(i.cacheKey()).orElseThrow()) {
                    b = in.readAllBytes();
                }
                assertThat((long) b.length).isEqualTo(i.sizeBytes());
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
                assertThat(sha).isEqualTo(i.sha256());
                assertThat(cache.storedSha256(i.cacheKey())).contains(sha);
            }
            // Nothing left behind in the scratch directory: every received file was consumed by the upload.
            try (var files = Files.walk(dir.resolve("scratch"))) {
                assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
            }
        }
    }
}
