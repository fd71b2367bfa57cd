package org.pacsmigrator.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.dicom.StoreListener;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.forward.rules.RuleSetLoader;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceModification;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.PatientDemographics;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.Commands;
import org.pacsmigrator.testsupport.DelegatingDicomClient;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * The forwarder against a real Orthanc as the new PACS, with real Cassandra and Kafka. The new PACS
 * refuses Secondary Capture images (a Lua filter), as a real archive may refuse a SOP class.
 */
class ForwarderTest {
    private static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    private static OrthancServer newPacs;
    private static Path orthancDir;

    @TempDir
    Path dir;
    private StateStore state;
    private KafkaEventPublisher publisher;
    private Topics topics;
    private InstanceCache cache;
    private Path scratch;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ForwardMetrics metrics = new ForwardMetrics(meters);
    private SyntheticPacsGenerator.GeneratedStudy study;

    @BeforeAll
    static void startNewPacs() throws Exception {
        orthancDir = Files.createTempDirectory("forwarder-newpacs");
        Path lua = orthancDir.resolve("refuse-sc.lua");
        Files.writeString(lua, """
                function ReceivedInstanceFilter(dicom, origin, info)
                  if origin['RequestOrigin'] == 'DicomProtocol' then
                    local f = io.open('%s', 'a')
                    f:write((dicom['SOPInstanceUID'] or '?') .. '\\n')
                    f:close()
                  end
                  if dicom['SOPClassUID'] == '%s' then
                    error('this archive does not accept Secondary Capture')
                  end
                  return true
                end
                """.formatted(orthancDir.resolve("stores.log"), SECONDARY_CAPTURE));
        newPacs = OrthancServer.start("FWDPACS", orthancDir, 0, 0, Map.of(), Map.of("LuaScripts", List.of(lua.toString())));
    }

    @AfterAll
    static void stopNewPacs() {
        newPacs.close();
    }

    @BeforeEach
    void prepareRetrievedStudy() throws Exception {
        newPacs.deleteAll();
        Services services = TestServices.get();
        String id = "f" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        state = CassandraStateStore.open(services.cassandra().contactPoint(), services.cassandra().localDatacenter(), "pacsmig_" + id);
        KafkaSettings kafka = KafkaSettings.of(services.kafka().bootstrapServers(), id, 1);
        topics = new Topics(id);
        TopicAdmin.ensureTopics(kafka, topics.forwarded());
        publisher = new KafkaEventPublisher(kafka);
        cache = new FileSystemCache(Files.createDirectories(dir.resolve("cache")));
        scratch = Files.createDirectories(dir.resolve("scratch"));
        // Study index 2 has two CT/MR series of three images and one Secondary Capture.
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(99, 3, LocalDate.of(2023, 6, 1), 1, 2, 3, 1);
        study = generator.plan().toList().get(2);
        Path files = Files.createDirectories(dir.resolve("generated"));
        state.insertStudyIfAbsent(StudyRecord.indexed(study.studyInstanceUid(), study.patient().patientId(), "",
                study.patient().name(), study.patient().birthDate().format(DateTimeFormatter.BASIC_ISO_DATE),
                study.patient().sex(), study.accessionNumber(), "", "", "", study.modality(), 3, 7));
        for (Path file : generator.writeStudy(study, files)) {
            DicomFileInfo info = DicomFiles.readInfo(file);
            CachedObject stored = cache.put(InstanceCache.keyFor(info.studyInstanceUid(), info.seriesInstanceUid(),
                    info.sopInstanceUid()), file);
            state.recordRetrieved(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(), info.seriesInstanceUid(),
                    info.sopClassUid(), info.transferSyntaxUid(), stored.sizeBytes(), stored.sha256(), stored.key(),
                    Instant.now(), null, null, null));
        }
        state.transition(study.studyInstanceUid(), StudyState.RETRIEVED, StudyState.INDEXED);
    }

    @AfterEach
    void close() {
        publisher.close();
        ((CassandraStateStore) state).dropKeyspace();
        state.close();
    }

    private Forwarder forwarder(DicomClient client, RuleSet rules) {
        return forwarder(client, rules, PatientConflictPolicy.STOP);
    }

    private Forwarder forwarder(DicomClient client, RuleSet rules, PatientConflictPolicy policy) {
        return forwarder(client, rules, policy, 3, 2);
    }

    private Forwarder forwarder(DicomClient client, RuleSet rules, PatientConflictPolicy policy, int batchSize,
                                int parallelAssociations) {
        return forwarder(client, rules, CacheCheck.HASH, policy, batchSize, parallelAssociations);
    }

    private Forwarder forwarder(DicomClient client, RuleSet rules, CacheCheck cacheCheck, PatientConflictPolicy policy,
                                int batchSize, int parallelAssociations) {
        DicomNode node = new DicomNode(newPacs.aeTitle(), newPacs.host(), newPacs.dicomPort());
        CassandraStateStore store = (CassandraStateStore) state;
        AssociationGate gate = new AssociationGate(node, new AssociationLeases(store.session(), store.keyspace(), "test",
                Duration.ofSeconds(30)), AdaptiveLimit.of(1, 2), TimeWindows.always(), Duration.ZERO, Duration.ofMinutes(1));
        return new Forwarder(client, node, state, cache, publisher, topics, batchSize, scratch, rules, cacheCheck, "OLDPACS",
                policy, parallelAssociations, gate, metrics, TransferSyntaxConversions.NONE);
    }

    private static DicomClient client() {
        return Dicom.client("MIGRATOR", DicomTimeouts.defaults());
    }

    private List<String> imageUids() {
        return study.series().stream().filter(s -> !s.sopClassUid().equals(SECONDARY_CAPTURE))
                .flatMap(s -> s.sopInstanceUids().stream()).sorted().toList();
    }

    @Test
    void refusedSopClassIsReportedWithItsStatusAndTheRestIsSent() {
        assertThatThrownBy(() -> forwarder(client(), RuleSet.EMPTY).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("rejected by destination"))
                .hasMessageContaining("status 0x");
        assertThat(newPacs.sopInstanceUids().stream().sorted().toList()).isEqualTo(imageUids());
        StudyRecord after = state.findStudy(study.studyInstanceUid()).orElseThrow();
        assertThat(after.state()).isEqualTo(StudyState.FAILED);
        assertThat(after.failureCategory()).isEqualTo("rejected by destination");
        InstanceRecord sc = state.instancesOf(study.studyInstanceUid()).stream()
                .filter(i -> i.sopClassUid().equals(SECONDARY_CAPTURE)).findFirst().orElseThrow();
        assertThat(sc.forwarded()).isFalse();
        assertThat(sc.forwardStatus()).isNotNull().isNotZero();
        assertThat(state.forwardAttempts(study.studyInstanceUid(), sc.sopInstanceUid())).isEqualTo(1);
        assertThat(metrics.instancesStored()).isEqualTo(imageUids().size());
        assertThat(metrics.failures("rejected by destination")).isEqualTo(1);
        assertThat(meters.get("pacsmig.forward.status").tag("status", "0x0000").counter().count()).isEqualTo(imageUids().size());
    }

    @Test
    void corruptCacheObjectIsNotSent() throws Exception {
        InstanceRecord victim = state.instancesOf(study.studyInstanceUid()).stream()
                .filter(i -> !i.sopClassUid().equals(SECONDARY_CAPTURE)).findFirst().orElseThrow();
        Path object = cache.localCopy(victim.cacheKey(), dir);
        try (var channel = Files.newByteChannel(object, StandardOpenOption.WRITE)) {
            channel.position(Files.size(object) - 10).write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        assertThatThrownBy(() -> forwarder(client(), RuleSet.EMPTY).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class);
        assertThat(newPacs.sopInstanceUids()).doesNotContain(victim.sopInstanceUid()).hasSize(imageUids().size() - 1);
        assertThat(newPacs.receivedStores()).doesNotContain(victim.sopInstanceUid());
        assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().failureMessage()).contains("cache object corrupt");
        assertThat(cache.exists(victim.cacheKey())).as("the corrupt object is removed, so a replay retrieves it again")
                .isFalse();
    }

    @Test
    void corruptCacheObjectOfTheSameSizeIsNotSentWhenTheRulesEditIt() throws Exception {
        InstanceRecord victim = anImage();
        Path object = cache.localCopy(victim.cacheKey(), dir);
        long middle = Files.size(object) / 2; // in the pixel data: the edit itself succeeds, only the hash can tell
        byte[] one = new byte[1];
        try (var channel = Files.newByteChannel(object, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.position(middle).read(ByteBuffer.wrap(one));
            one[0] ^= 0x01;
            channel.position(middle).write(ByteBuffer.wrap(one));
        }
        assertThat(Files.size(object)).isEqualTo(victim.sizeBytes());

        assertThatThrownBy(() -> forwarder(client(), oneEditRule()).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category()).isEqualTo(FailureCategory.CACHE_OBJECT_CORRUPT));

        assertThat(newPacs.receivedStores()).doesNotContain(victim.sopInstanceUid()).hasSize(study.instanceCount() - 1);
        assertThat(cache.exists(victim.cacheKey())).isFalse();
        try (var left = Files.list(scratch)) {
            assertThat(left.toList()).as("the edited scratch copy is deleted").isEmpty();
        }
    }

    @Test
    void underTheSizeCheckATruncatedCacheObjectIsNotSent() throws Exception {
        InstanceRecord victim = anImage();
        Path object = cache.localCopy(victim.cacheKey(), dir);
        try (var channel = Files.newByteChannel(object, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(object) - 2);
        }

        assertThatThrownBy(() -> forwarder(client(), RuleSet.EMPTY, CacheCheck.SIZE, PatientConflictPolicy.STOP, 3, 2)
                .handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category()).isEqualTo(FailureCategory.CACHE_OBJECT_CORRUPT))
                .hasMessageContaining("size of the cached object");

        assertThat(newPacs.receivedStores()).doesNotContain(victim.sopInstanceUid()).hasSize(study.instanceCount() - 1);
    }

    @Test
    void theRecordedHashOfAnEditedImageIsThatOfTheFileSent() throws Exception {
        Map<String, String> sentHashes = new ConcurrentHashMap<>();
        DicomClient real = client();
        DicomClient hashing = new DelegatingDicomClient(real) {
            @Override
            public void storeInstances(DicomNode remote, List<OutgoingInstance> instances, StoreListener listener)
                    throws DicomException {
                for (OutgoingInstance i : instances) {
                    try {
                        sentHashes.put(DicomFiles.readInfo(i.file()).sopInstanceUid(), Sha256.of(i.file()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                real.storeInstances(remote, instances, listener);
            }
        };

        assertThatThrownBy(() -> forwarder(hashing, oneEditRule()).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class); // the Secondary Capture is refused

        List<InstanceModification> mods = state.modificationsOf(study.studyInstanceUid());
        assertThat(mods).hasSize(study.instanceCount());
        for (InstanceModification m : mods) {
            InstanceRecord row = state.instancesOf(study.studyInstanceUid()).stream()
                    .filter(i -> i.sopInstanceUid().equals(m.sopInstanceUid())).findFirst().orElseThrow();
            assertThat(m.originalSha256()).isEqualTo(row.sha256());
            assertThat(m.sentSha256()).as("sent %s", m.sopInstanceUid()).isEqualTo(sentHashes.get(m.sopInstanceUid()))
                    .isNotEqualTo(m.originalSha256());
        }
    }

    private InstanceRecord anImage() {
        return state.instancesOf(study.studyInstanceUid()).stream()
                .filter(i -> !i.sopClassUid().equals(SECONDARY_CAPTURE)).findFirst().orElseThrow();
    }

    private RuleSet oneEditRule() throws IOException {
        Path rulesFile = dir.resolve("one-edit.yaml");
        Files.writeString(rulesFile, "rules:\n  - {name: institution, set: {InstitutionName: \"Migrated\"}}\n");
        return RuleSetLoader.load(rulesFile);
    }

    @Test
    void rulesProduceExactlyTheExpectedDatasets() throws Exception {
        Path rulesFile = dir.resolve("rules.yaml");
        Files.writeString(rulesFile, """
                rules:
                  - {name: domain, patientIdDomain: {prefix: "MIG-", issuer: "NEWDOMAIN"}}
                  - {name: no-private, removePrivateTags: true}
                  - {name: spelling, replace: {attribute: InstitutionName, pattern: "Klinikum Süd", with: "Klinikum Sued"}}
                  - {name: only-images, validate: {required: [PatientID]}, when: {sopClassUid: "%s"}, onFailure: flag}
                """.formatted(SECONDARY_CAPTURE));
        RuleSet rules = RuleSetLoader.load(rulesFile);
        List<Path> originals = new ArrayList<>();
        for (InstanceRecord i : state.instancesOf(study.studyInstanceUid())) {
            originals.add(cache.localCopy(i.cacheKey(), dir));
        }
        assertThatThrownBy(() -> forwarder(client(), rules).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class); // the Secondary Capture is still refused
        for (Path original : originals) {
            DicomDataset before = DicomFiles.readAttributes(original);
            String sop = before.get("SOPInstanceUID");
            if (before.get("SOPClassUID").equals(SECONDARY_CAPTURE)) {
                continue;
            }
            Path sent = dir.resolve("sent.dcm");
            Files.write(sent, newPacs.instanceFile(sop));
            DicomDataset after = DicomFiles.readAttributes(sent);
            for (var e : before.asMap().entrySet()) {
                String k = e.getKey();
                String expected = switch (k) {
                    case "PatientID" -> "MIG-" + e.getValue();
                    case "InstitutionName" -> "Klinikum Sued";
                    default -> e.getValue();
                };
                if (k.startsWith("(0x0009") || k.startsWith("MediaStorage") || k.startsWith("Implementation")
                        || k.startsWith("SourceApplication") || k.equals("FileMetaInformationGroupLength")
                        || k.equals("FileMetaInformationVersion") || k.equals("TransferSyntaxUID")) {
                    continue;
                }
                assertThat(after.get(k)).as("%s of %s", k, sop).isEqualTo(expected);
            }
            assertThat(after.get("IssuerOfPatientID")).isEqualTo("NEWDOMAIN");
            assertThat(after.asMap().keySet()).noneMatch(k -> k.startsWith("(0x0009"));
            assertThat(DicomFiles.pixelDataSha256(sent)).isEqualTo(DicomFiles.pixelDataSha256(original));
        }
        List<InstanceModification> mods = state.modificationsOf(study.studyInstanceUid());
        assertThat(mods).hasSize(7);
        InstanceModification image = mods.stream().filter(m -> imageUids().contains(m.sopInstanceUid())).findFirst().orElseThrow();
        assertThat(image.rulesApplied()).containsExactly("domain", "no-private", "spelling");
        assertThat(image.changes()).anyMatch(c -> c.startsWith("PatientID: "));
        assertThat(image.sentSha256()).isNotEqualTo(image.originalSha256()).hasSize(64);
    }

    @Test
    void forwarderFailingMidStudyResumesWithoutSendingAnyImageTwice() throws Exception {
        // The association dies after three images (as if the worker were killed); the retry, with
        // parallel associations, sends only what was not stored.
        AtomicInteger stores = new AtomicInteger();
        DicomClient real = client();
        DicomClient dying = new DelegatingDicomClient(real) {
            @Override
            public void storeInstances(DicomNode remote, List<OutgoingInstance> instances, StoreListener listener)
                    throws DicomException {
                real.storeInstances(remote, instances, (file, sop, status, detail) -> {
                    listener.onStored(file, sop, status, detail);
                    if (stores.incrementAndGet() == 3) {
                        throw new IllegalStateException("killed mid-study");
                    }
                });
            }
        };
        assertThatThrownBy(() -> forwarder(dying, RuleSet.EMPTY, PatientConflictPolicy.STOP, 50, 1).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .hasMessageContaining("killed mid-study");
        assertThat(newPacs.receivedStores()).hasSize(3);
        assertThatThrownBy(() -> forwarder(real, RuleSet.EMPTY).handle(StudyEvent.of(study.studyInstanceUid(), "retry")))
                .isInstanceOf(StageFailure.class); // only the refused Secondary Capture
        List<String> received = newPacs.receivedStores();
        List<String> imageStores = received.stream().filter(imageUids()::contains).toList();
        assertThat(imageStores).hasSize(imageUids().size()).doesNotHaveDuplicates();
    }

    @Test
    void samePatientIdWithOtherDemographicsInAnotherStudyStopsTheStudyBeforeAnythingIsSent() {
        state.claimPatient(new PatientDemographics(study.patient().patientId(), "", "Someone^Else", "19700101", "O",
                "2.25.1234567890"));
        assertThatThrownBy(() -> forwarder(client(), RuleSet.EMPTY).handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("patient ID conflict"))
                .hasMessageContaining("2.25.1234567890").hasMessageContaining("PatientName")
                .hasMessageNotContaining("Someone");
        assertThat(newPacs.receivedStores()).isEmpty();
    }

    @Test
    void thePatientAttributesRecordedAtReceiptAreCheckedWithoutOpeningTheImages() throws Exception {
        // The rows (as the retriever records them) say another birth date than the cached images and the index:
        // the check uses the rows, so the study stops; had it read the images, it would find no conflict.
        String uid = study.studyInstanceUid();
        for (InstanceRecord i : state.instancesOf(uid)) {
            PatientAttributes image = PatientAttributes.of(DicomFiles.readPatientAttributes(cache.localCopy(i.cacheKey(), scratch)));
            assertThat(image.patientBirthDate()).isNotEqualTo("18000101");
            state.recordRetrieved(new InstanceRecord(i.studyInstanceUid(), i.sopInstanceUid(), i.seriesInstanceUid(),
                    i.sopClassUid(), i.transferSyntaxUid(), i.sizeBytes(), i.sha256(), i.cacheKey(), i.retrievedAt(), null,
                    null, null, new PatientAttributes(image.patientId(), image.issuerOfPatientId(), image.patientName(),
                    "18000101", image.patientSex())));
        }
        assertThatThrownBy(() -> forwarder(client(), RuleSet.EMPTY).handle(StudyEvent.of(uid, "test")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("patient ID conflict"))
                .hasMessageContaining("PatientBirthDate differ from its study as indexed")
                .hasMessageNotContaining("18000101");
        assertThat(newPacs.receivedStores()).isEmpty();
    }

    @Test
    void imagesDisagreeingWithTheirStudyAreSentAsIsWhenConfigured() throws Exception {
        String uid = study.studyInstanceUid();
        // The study as indexed says another sex than its images: under "stop" nothing is sent ...
        StudyRecord indexed = state.findStudy(uid).orElseThrow();
        String otherUid = "2.25.99" + System.nanoTime();
        state.insertStudyIfAbsent(StudyRecord.indexed(otherUid, indexed.patientId() + "X", "", indexed.patientName(),
                indexed.patientBirthDate(), "O", "", "", "", "", "", 0, 0));
        PatientConflicts conflicts = new PatientConflicts(state);
        DicomDataset image = DicomFiles.readAttributes(cache.localCopy(state.instancesOf(uid).get(0).cacheKey(), scratch));
        assertThat(conflicts.withIndex(state.findStudy(otherUid).orElseThrow(), "x", image, new HashSet<>()))
                .anyMatch(p -> p.contains("PatientSex")).anyMatch(p -> p.contains("PatientID"));
        // ... and under "send" the conflicting study (here: another patient's demographics) is sent.
        state.claimPatient(new PatientDemographics(study.patient().patientId(), "", "Someone^Else", "19700101", "O",
                "2.25.1234567890"));
        assertThatThrownBy(() -> forwarder(client(), RuleSet.EMPTY, PatientConflictPolicy.SEND).handle(StudyEvent.of(uid, "test")))
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("rejected by destination"));
        assertThat(newPacs.sopInstanceUids()).hasSize(imageUids().size());
    }

    @Test
    void compressedImageTheDestinationCannotTakeFailsAsTransferSyntaxNotAcceptedAndIsNeverConverted() throws Exception {
        // DCMTK's storescp accepts only uncompressed transfer syntaxes by default.
        int port = Ports.freePort();
        Path received = Files.createDirectories(dir.resolve("storescp"));
        ProcessBuilder pb = new ProcessBuilder("storescp", "-aet", "DCMNEW", "-od", received.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("storescp.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process storescp = pb.start();
        try {
            Ports.awaitOpen("storescp", "127.0.0.1", port, storescp, Duration.ofSeconds(10));
            // Replace one cached image by its JPEG Lossless compression (dcmcjpeg), keeping the state consistent.
            InstanceRecord victim = state.instancesOf(study.studyInstanceUid()).stream()
                    .filter(i -> !i.sopClassUid().equals(SECONDARY_CAPTURE)).findFirst().orElseThrow();
            Path object = cache.localCopy(victim.cacheKey(), scratch);
            Path jpeg = dir.resolve("jpeg.dcm");
            Commands.run("dcmcjpeg", object.toString(), jpeg.toString());
            CachedObject replaced = cache.put(victim.cacheKey(), jpeg);
            state.recordRetrieved(new InstanceRecord(victim.studyInstanceUid(), victim.sopInstanceUid(), victim.seriesInstanceUid(),
                    victim.sopClassUid(), "1.2.840.10008.1.2.4.70", replaced.sizeBytes(), replaced.sha256(), replaced.key(),
                    Instant.now(), null, null, null));
            DicomNode node = new DicomNode("DCMNEW", "127.0.0.1", port);
            Forwarder forwarder = new Forwarder(client(), node, state, cache, publisher, topics, 50, scratch, RuleSet.EMPTY,
                    CacheCheck.HASH, "OLDPACS", PatientConflictPolicy.STOP, 1, AssociationGate.unlimited(node, 1), metrics,
                    TransferSyntaxConversions.NONE);
            assertThatThrownBy(() -> forwarder.handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                    .isInstanceOf(StageFailure.class)
                    .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("transfer syntax not accepted"))
                    .hasMessageContaining(victim.sopInstanceUid());
            try (var files = Files.walk(received)) {
                List<String> names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
                assertThat(names).hasSize(study.instanceCount() - 1).noneMatch(n -> n.contains(victim.sopInstanceUid()));
            }
        } finally {
            storescp.destroy();
            storescp.waitFor();
        }
    }

    @Test
    void conflictingStudyIsSentWithTheConflictRulesApplied() throws Exception {
        state.claimPatient(new PatientDemographics(study.patient().patientId(), "", "Someone^Else", "19700101", "O",
                "2.25.1234567890"));
        Path rulesFile = dir.resolve("conflict-rules.yaml");
        Files.writeString(rulesFile, """
                rules:
                  - {name: quarantine-domain, onPatientIdConflict: true, patientIdDomain: {prefix: "CONFLICT-"}}
                  - {name: always, set: {InstitutionName: "Migrated"}}
                """);
        assertThatThrownBy(() -> forwarder(client(), RuleSetLoader.load(rulesFile), PatientConflictPolicy.RULE)
                .handle(StudyEvent.of(study.studyInstanceUid(), "test")))
                .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("rejected by destination"));
        String sop = imageUids().get(0);
        Path sent = dir.resolve("conflict.dcm");
        Files.write(sent, newPacs.instanceFile(sop));
        assertThat(DicomFiles.readAttributes(sent).get("PatientID")).isEqualTo("CONFLICT-" + study.patient().patientId());
        assertThat(DicomFiles.readAttributes(sent).get("InstitutionName")).isEqualTo("Migrated");
    }

    @Test
    void refusedTransferSyntaxIsConvertedOnlyWhenAConversionIsConfigured() throws Exception {
        // storescp +xi accepts implicit VR little endian only; the cached images are explicit VR little endian.
        int port = Ports.freePort();
        Path received = Files.createDirectories(dir.resolve("implicit-only"));
        ProcessBuilder pb = new ProcessBuilder("storescp", "+xi", "-aet", "IMPLICIT", "-od", received.toString(),
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(dir.resolve("storescp-xi.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process storescp = pb.start();
        try {
            Ports.awaitOpen("storescp", "127.0.0.1", port, storescp, Duration.ofSeconds(10));
            DicomNode node = new DicomNode("IMPLICIT", "127.0.0.1", port);
            Forwarder strict = new Forwarder(client(), node, state, cache, publisher, topics, 50, scratch, RuleSet.EMPTY,
                    CacheCheck.HASH, "OLDPACS", PatientConflictPolicy.STOP, 1, AssociationGate.unlimited(node, 1), metrics,
                    TransferSyntaxConversions.NONE);
            assertThatThrownBy(() -> strict.handle(StudyEvent.of(study.studyInstanceUid(), "strict")))
                    .satisfies(e -> assertThat(((StageFailure) e).category().label()).isEqualTo("transfer syntax not accepted"));
            try (var files = Files.walk(received)) {
                assertThat(files.filter(Files::isRegularFile).count()).isZero();
            }
            Forwarder converting = new Forwarder(client(), node, state, cache, publisher, topics, 50, scratch, RuleSet.EMPTY,
                    CacheCheck.HASH, "OLDPACS", PatientConflictPolicy.STOP, 1, AssociationGate.unlimited(node, 1), metrics,
                    TransferSyntaxConversions.of(List.of(Map.entry("1.2.840.10008.1.2.1", "1.2.840.10008.1.2"))));
            converting.handle(StudyEvent.of(study.studyInstanceUid(), "converting"));
            assertThat(state.findStudy(study.studyInstanceUid()).orElseThrow().state()).isEqualTo(StudyState.FORWARDED);
            try (var files = Files.walk(received)) {
                List<Path> stored = files.filter(Files::isRegularFile).toList();
                assertThat(stored).hasSize(study.instanceCount());
                for (Path f : stored) {
                    assertThat(DicomFiles.readInfo(f).transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2");
                }
            }
            assertThat(state.modificationsOf(study.studyInstanceUid())).hasSize(study.instanceCount())
                    .allMatch(m -> m.changes().get(0).startsWith("TransferSyntaxUID"));
        } finally {
            storescp.destroy();
            storescp.waitFor();
        }
    }
}
