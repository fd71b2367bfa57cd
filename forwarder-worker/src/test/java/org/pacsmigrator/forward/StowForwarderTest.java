package org.pacsmigrator.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.InstanceSender;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicomweb.DicomWebEndpoint;
import org.pacsmigrator.dicomweb.QidoRsListing;
import org.pacsmigrator.dicomweb.StowRsSender;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.DicomWebProxy;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * The forwarder storing by STOW-RS in a real DICOMweb archive (Orthanc with its DICOMweb plugin), with real
 * Cassandra and Kafka, verified by QIDO-RS. The archive refuses Secondary Capture images (a Lua filter that fails
 * them: Orthanc's plugin then stops reading the request there and names neither that instance nor the ones after it).
 */
class StowForwarderTest {
    private static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    private static OrthancServer archive;

    @TempDir
    Path dir;
    private StateStore state;
    private KafkaEventPublisher publisher;
    private Topics topics;
    private InstanceCache cache;
    private Path scratch;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ForwardMetrics metrics = new ForwardMetrics(meters);

    @BeforeAll
    static void startArchive() throws Exception {
        Path orthancDir = Files.createTempDirectory("stow-archive");
        Path lua = orthancDir.resolve("refuse-sc.lua");
        Files.writeString(lua, """
                function ReceivedInstanceFilter(dicom, origin, info)
                  local f = io.open('%s', 'a')
                  f:write((dicom['SOPInstanceUID'] or '?') .. '\\n')
                  f:close()
                  if dicom['SOPClassUID'] == '%s' then
                    error('this archive does not accept Secondary Capture')
                  end
                  return true
                end
                """.formatted(orthancDir.resolve("stores.log"), SECONDARY_CAPTURE));
        archive = OrthancServer.start("WEBPACS", orthancDir, 0, 0, Map.of(),
                OrthancServer.withDicomWeb(Map.of("LuaScripts", List.of(lua.toString()), "DicomServerEnabled", false)));
    }

    @AfterAll
    static void stopArchive() {
        archive.close();
    }

    @BeforeEach
    void openState() throws Exception {
        archive.deleteAll();
        Services services = TestServices.get();
        String id = "w" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        state = CassandraStateStore.open(services.cassandra().contactPoint(), services.cassandra().localDatacenter(), "pacsmig_" + id);
        KafkaSettings kafka = KafkaSettings.of(services.kafka().bootstrapServers(), id, 1);
        topics = new Topics(id);
        TopicAdmin.ensureTopics(kafka, topics.forwarded());
        publisher = new KafkaEventPublisher(kafka);
        cache = new FileSystemCache(Files.createDirectories(dir.resolve("cache")));
        scratch = Files.createDirectories(dir.resolve("scratch"));
    }

    @AfterEach
    void close() {
        publisher.close();
        ((CassandraStateStore) state).dropKeyspace();
        state.close();
    }

    /** Study {@code index} of {@code generator}, in the cache and RETRIEVED in the state store. */
    private SyntheticPacsGenerator.GeneratedStudy retrieved(SyntheticPacsGenerator generator, int index) throws Exception {
        SyntheticPacsGenerator.GeneratedStudy study = generator.plan().toList().get(index);
        Path files = Files.createDirectories(dir.resolve("generated-" + index));
        state.insertStudyIfAbsent(StudyRecord.indexed(study.studyInstanceUid(), study.patient().patientId(), "",
                study.patient().name(), study.patient().birthDate().format(DateTimeFormatter.BASIC_ISO_DATE),
                study.patient().sex(), study.accessionNumber(), "", "", "", study.modality(), study.series().size(),
                study.instanceCount()));
        for (Path file : generator.writeStudy(study, files)) {
            DicomFileInfo info = DicomFiles.readInfo(file);
            CachedObject stored = cache.put(InstanceCache.keyFor(info.studyInstanceUid(), info.seriesInstanceUid(),
                    info.sopInstanceUid()), file);
            state.recordRetrieved(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(), info.seriesInstanceUid(),
                    info.sopClassUid(), info.transferSyntaxUid(), stored.sizeBytes(), stored.sha256(), stored.key(),
                    Instant.now(), null, null, null));
        }
        state.transition(study.studyInstanceUid(), StudyState.RETRIEVED, StudyState.INDEXED);
        return study;
    }

    private static SyntheticPacsGenerator generator() {
        // study 2 holds one Secondary Capture besides its two series of three images
        return new SyntheticPacsGenerator(23, 3, LocalDate.of(2023, 6, 1), 1, 2, 3, 1);
    }

    private static DicomWebEndpoint endpoint(String url) {
        MigrationConfig.DicomWeb c = new MigrationConfig.DicomWeb();
        c.url = url;
        return DicomWebEndpoint.of(c);
    }

    private AssociationGate gate(AdaptiveLimit limit) {
        CassandraStateStore store = (CassandraStateStore) state;
        return new AssociationGate(new DicomNode("WEBPACS", "127.0.0.1", archive.httpPort()), new AssociationLeases(store.session(),
                store.keyspace(), "test", Duration.ofSeconds(30)), limit, TimeWindows.always(), Duration.ZERO, Duration.ofMinutes(1));
    }

    private Forwarder forwarder(InstanceSender sender, AssociationGate gate, int batchSize) {
        return new Forwarder(sender, state, cache, publisher, topics, batchSize, scratch, RuleSet.EMPTY, CacheCheck.HASH, "OLDPACS",
                PatientConflictPolicy.STOP, 2, gate, metrics, TransferSyntaxConversions.NONE);
    }

    @Test
    void aStudyIsStoredByStowRsOnceAndListedByQidoRs() throws Exception {
        SyntheticPacsGenerator.GeneratedStudy study = retrieved(generator(), 0);
        DicomWebEndpoint web = endpoint(archive.dicomWebUrl());
        forwarder(new StowRsSender(web, 64L << 20), gate(AdaptiveLimit.of(1, 2)), 2)
                .handle(StudyEvent.of(study.studyInstanceUid(), "test"));

        assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.FORWARDED);
        assertThat(archive.receivedStores()).as("each instance arrived once").containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
        assertThat(state.instancesOf(study.studyInstanceUid())).allMatch(InstanceRecord::forwarded);
        assertThat(meters.get("pacsmig.forward.status").tag("status", "0x0000").counter().count()).isEqualTo(study.instanceCount());
        // pages of 2: the listing reads on to the end
        assertThat(new QidoRsListing(web, 2).sopInstanceUids(study.studyInstanceUid(), 0))
                .containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
        assertThat(new QidoRsListing(web, 1000).sopInstanceUids("1.2.3.4", 0)).as("an unknown study").isEmpty();
    }

    @Test
    void anInstanceTheArchiveRefusesFailsInItsCategoryAndTheRestIsStoredOnce() throws Exception {
        SyntheticPacsGenerator.GeneratedStudy study = retrieved(generator(), 2);
        List<String> images = study.series().stream().filter(s -> !s.sopClassUid().equals(SECONDARY_CAPTURE))
                .flatMap(s -> s.sopInstanceUids().stream()).toList();
        String refused = study.series().stream().filter(s -> s.sopClassUid().equals(SECONDARY_CAPTURE))
                .flatMap(s -> s.sopInstanceUids().stream()).findFirst().orElseThrow();

        assertThatThrownBy(() -> forwarder(new StowRsSender(endpoint(archive.dicomWebUrl()), 64L << 20), gate(AdaptiveLimit.of(1, 2)), 50)
                .handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category()).isEqualTo(FailureCategory.REJECTED_BY_DESTINATION))
                .hasMessageContaining(refused).hasMessageContaining("not in the STOW-RS answer");

        assertThat(archive.sopInstanceUids()).containsExactlyInAnyOrderElementsOf(images);
        assertThat(archive.receivedStores().stream().filter(images::contains).toList()).as("no image arrived twice")
                .containsExactlyInAnyOrderElementsOf(images);
        StudyRecord after = state.findStudy(study.studyInstanceUid()).orElseThrow();
        assertThat(after.state()).isEqualTo(StudyState.FAILED);
        assertThat(after.failureCategory()).isEqualTo("rejected by destination");
        InstanceRecord sc = state.instancesOf(study.studyInstanceUid()).stream()
                .filter(i -> i.sopInstanceUid().equals(refused)).findFirst().orElseThrow();
        assertThat(sc.forwarded()).isFalse();
        assertThat(sc.forwardStatus()).isEqualTo(0x0110);
        assertThat(metrics.failures("rejected by destination")).isEqualTo(1);
    }

    @Test
    void theInstancesAfterARefusedOneInARequestAreSentAgainOnTheirOwn() throws Exception {
        SyntheticPacsGenerator.GeneratedStudy study = generator().plan().toList().get(2);
        List<Path> files = generator().writeStudy(study, Files.createDirectories(dir.resolve("files")));
        Path sc = null;
        List<Path> images = new ArrayList<>();
        for (Path f : files) {
            if (DicomFiles.readInfo(f).sopClassUid().equals(SECONDARY_CAPTURE)) {
                sc = f;
            } else {
                images.add(f);
            }
        }
        List<OutgoingInstance> request = List.of(OutgoingInstance.of(images.get(0)), OutgoingInstance.of(sc),
                OutgoingInstance.of(images.get(1)));
        Map<Path, Integer> statuses = new ConcurrentHashMap<>();
        new StowRsSender(endpoint(archive.dicomWebUrl()), 64L << 20).send(request, (file, sop, status, detail) -> statuses.put(file, status));

        assertThat(statuses).isEqualTo(Map.of(images.get(0), 0, sc, 0x0110, images.get(1), 0));
        assertThat(archive.sopInstanceUids()).containsExactlyInAnyOrder(DicomFiles.readInfo(images.get(0)).sopInstanceUid(),
                DicomFiles.readInfo(images.get(1)).sopInstanceUid());
    }

    @Test
    void busyAnswersLowerTheLimitAndNothingIsLost() throws Exception {
        SyntheticPacsGenerator.GeneratedStudy study = retrieved(generator(), 1);
        try (DicomWebProxy proxy = new DicomWebProxy(URI.create("http://127.0.0.1:" + archive.httpPort())).busyPosts(3, "1")) {
            AdaptiveLimit limit = AdaptiveLimit.of(1, 2);
            forwarder(new StowRsSender(endpoint(proxy.url(OrthancServer.DICOMWEB_ROOT)), 64L << 20), gate(limit), 2)
                    .handle(StudyEvent.of(study.studyInstanceUid(), "test"));

            assertThat(proxy.busyAnswered()).isEqualTo(3);
            assertThat(metrics.busyAnswers()).isEqualTo(3);
            assertThat(limit.decreases()).as("busy counts as overload of the archive").isGreaterThanOrEqualTo(1);
            assertThat(limit.current()).isEqualTo(1);
        }
        assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.FORWARDED);
        assertThat(archive.receivedStores()).as("each instance arrived once").containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
    }

    @Test
    void credentialsGoWithEveryRequestAndARefusedOneIsNamed() throws Exception {
        try (DicomWebProxy proxy = new DicomWebProxy(URI.create("http://127.0.0.1:" + archive.httpPort()))
                .requireAuthorization("Bearer right-token")) {
            MigrationConfig.DicomWeb c = new MigrationConfig.DicomWeb();
            c.url = proxy.url(OrthancServer.DICOMWEB_ROOT);
            c.authentication = "bearer";
            c.token = "right-token";
            QidoRsListing.probe(DicomWebEndpoint.of(c));
            c.token = "wrong-token";
            assertThatThrownBy(() -> QidoRsListing.probe(DicomWebEndpoint.of(c)))
                    .isInstanceOf(DicomException.class)
                    .hasMessageContaining("HTTP 401").hasMessageContaining("destination.dicomweb.authentication")
                    .satisfies(e -> assertThat(((DicomException) e).category()).isEqualTo(DicomException.Category.ASSOCIATION_REJECTED));
            assertThat(proxy.authorizations()).containsExactly("Bearer right-token", "Bearer wrong-token");
        }
    }

    @Test
    void aStudyOfTwoThousandImagesIsStreamedInRequestsOfBoundedSize() throws Exception {
        SyntheticPacsGenerator big = new SyntheticPacsGenerator(2000, 1, LocalDate.of(2023, 7, 1), 1, 4, 500, 1).small();
        SyntheticPacsGenerator.GeneratedStudy study = retrieved(big, 0);
        assertThat(study.instanceCount()).isEqualTo(2000);
        long imageBytes = state.instancesOf(study.studyInstanceUid()).stream().mapToLong(InstanceRecord::sizeBytes).max().orElseThrow();
        long maxRequest = 20 * imageBytes; // a batch of 50 goes as three requests
        AtomicLong largest = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        StowRsSender sender = new StowRsSender(endpoint(archive.dicomWebUrl()), maxRequest, size -> {
            requests.incrementAndGet();
            largest.accumulateAndGet(size, Math::max);
        });
        forwarder(sender, gate(AdaptiveLimit.of(1, 2)), 50).handle(StudyEvent.of(study.studyInstanceUid(), "test"));

        assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.FORWARDED);
        assertThat(archive.countInstances()).isEqualTo(2000);
        assertThat(new HashSet<>(archive.receivedStores())).hasSize(2000);
        assertThat(archive.receivedStores()).as("each instance arrived once").hasSize(2000);
        assertThat(requests.get()).isEqualTo(40 * 3);
        assertThat(largest.get()).as("no request holds more than its byte limit (plus multipart headers)")
                .isLessThanOrEqualTo(maxRequest + 20 * 200);
    }
}
