package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicomweb.DicomWebClient;
import org.pacsmigrator.dicomweb.DicomWebEndpoint;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.DicomWebProxy;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * The retriever over a DICOMweb old archive (Orthanc with its DICOMweb plugin) behind a proxy that answers busy:
 * the manifest by QIDO-RS and the study by WADO-RS, each 503 waited for as its Retry-After says, the study whole.
 */
class WadoRsRetrieverTest {
    @TempDir
    static Path dir;
    private static final SyntheticPacsGenerator GENERATOR = RetrieverFixture.generator(57L, 2);
    private static OrthancServer archive;
    private static CassandraStateStore state;

    @BeforeAll
    static void start() throws Exception {
        archive = OrthancServer.start("WADOOLD", dir.resolve("orthanc"), 0, 0, Map.of(), OrthancServer.withDicomWeb(Map.of()));
        SyntheticSeeding.sendTo(GENERATOR, Dicom.client("GENERATOR", DicomTimeouts.defaults()), RetrieverFixture.node(archive),
                dir.resolve("seed"));
        state = RetrieverFixture.openState(RetrieverFixture.uniqueId("wadotest_"));
        RetrieverFixture.index(state, GENERATOR);
    }

    @AfterAll
    static void stop() {
        RetrieverFixture.dropAndClose(state);
        archive.close();
    }

    @Test
    void aBusyArchiveIsWaitedForAndTheStudyArrivesWholeAndByteIdentical() throws Exception {
        try (DicomWebProxy proxy = new DicomWebProxy(URI.create("http://127.0.0.1:" + archive.httpPort())).busyGets(3, "1")) {
            MigrationConfig.DicomWeb web = new MigrationConfig.DicomWeb();
            web.url = proxy.url(OrthancServer.DICOMWEB_ROOT);
            DicomNode source = new DicomNode("WADOOLD", "127.0.0.1", URI.create(web.url).getPort());
            FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
            RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
            Retriever retriever = new Retriever(new DicomWebClient(DicomWebEndpoint.of(web), 100), source, state,
                    new CacheWritingReceiver(cache, state, metrics), new RetrieverFixture.RecordingPublisher(),
                    new Topics("wadotest"), RetrieverFixture.settings(true, "UNUSED", dir.resolve("scratch")), cache,
                    AssociationGate.unlimited(source, 4), metrics);
            SyntheticPacsGenerator.GeneratedStudy study = RetrieverFixture.plan(GENERATOR).get(0);

            retriever.handle(StudyEvent.of(study.studyInstanceUid(), "test"));

            assertThat(proxy.busyAnswered()).isEqualTo(3);
            assertThat(metrics.busyAnswers()).as("each busy answer waited for, none failed the study").isEqualTo(3);
            assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.RETRIEVED);
            List<InstanceRecord> rows = state.instancesOf(study.studyInstanceUid());
            assertThat(rows).extracting(InstanceRecord::sopInstanceUid).containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
            assertThat(metrics.instancesCached()).as("each instance once").isEqualTo(study.instanceCount());
            for (InstanceRecord row : rows) {
                try (InputStream cached = cache.open(row.cacheKey()).orElseThrow()) {
                    assertThat(cached.readAllBytes()).as("instance %s", row.sopInstanceUid())
                            .isEqualTo(archive.instanceFile(row.sopInstanceUid()));
                }
            }
        }
    }
}
