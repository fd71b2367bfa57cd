package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.testsupport.Commands;
import org.pacsmigrator.testsupport.CountingProxy;
import org.pacsmigrator.testsupport.DelegatingDicomClient;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/** The PixelMed DICOM layer against a real Orthanc. */
class PixelMedOrthancTest {
    private static final String OUR_AE = "MIGRATOR";
    private static final LocalDate DAY = LocalDate.of(2024, 3, 1);

    private static Path dir;
    private static OrthancServer orthanc;
    private static DicomNode pacs;
    private static StorageScp scp;
    private static final List<ReceivedInstance> moved = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean scpFails = new AtomicBoolean();
    private static final SyntheticPacsGenerator GENERATOR = new SyntheticPacsGenerator(42, 4, DAY, 3, 2, 3, 2);
    private static List<GeneratedStudy> plan;
    private static int sent;
    private final DicomClient client = Dicom.client(OUR_AE, new DicomTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60)));

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("pixelmed-orthanc-test");
        scp = Dicom.startStorageScp(OUR_AE, "127.0.0.1", 0, dir.resolve("scp"), instance -> {
            if (scpFails.get()) {
                throw new IllegalStateException("disk full (simulated)");
            }
            moved.add(instance);
        });
        orthanc = OrthancServer.start("OLDPACS", dir.resolve("orthanc"),
                Map.of("migrator", new OrthancServer.Modality(OUR_AE, "127.0.0.1", scp.port())));
        pacs = new DicomNode("OLDPACS", "127.0.0.1", orthanc.dicomPort());
        plan = GENERATOR.plan().toList();
        sent = SyntheticSeeding.sendTo(GENERATOR, Dicom.client(OUR_AE, DicomTimeouts.defaults()), pacs, dir.resolve("scratch"));
    }

    @AfterAll
    static void stop() {
        if (scp != null) {
            scp.close();
        }
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    @Test
    void echo() throws Exception {
        client.echo(pacs);
    }

    @Test
    void storedInstancesArriveWithIdenticalPixels() throws Exception {
        int expected = plan.stream().mapToInt(GeneratedStudy::instanceCount).sum();
        assertThat(sent).isEqualTo(expected).isEqualTo(4 * 6 + 1);
        List<String> all = plan.stream().flatMap(s -> s.sopInstanceUids().stream()).toList();
        assertThat(orthanc.sopInstanceUids()).containsAll(all);
        Path originals = dir.resolve("originals");
        for (Path original : GENERATOR.writeStudy(plan.get(2), originals)) {
            String uid = DicomFiles.readInfo(original).sopInstanceUid();
            Path copy = Files.write(dir.resolve("from-orthanc-" + uid + ".dcm"), orthanc.instanceFile(uid));
            assertThat(DicomFiles.pixelDataSha256(copy)).as(uid).isEqualTo(DicomFiles.pixelDataSha256(original));
        }
    }

    @Test
    void storeReportsEveryFile() throws Exception {
        Path files = dir.resolve("restore");
        List<Path> study = GENERATOR.writeStudy(plan.get(0), files);
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        client.store(pacs, study, (file, uid, status, detail) -> statuses.add(status));
        assertThat(statuses).hasSize(study.size()).containsOnly(0);
    }

    @Test
    void findStudiesOfADayDecodesNonAsciiNames() throws Exception {
        GeneratedStudy mueller = plan.stream().filter(s -> s.patient().name().equals("Müller^Jürgen")).findFirst().orElseThrow();
        LocalDate day = mueller.studyDate();
        List<GeneratedStudy> expected = plan.stream().filter(s -> s.studyDate().equals(day)).toList();
        List<DicomDataset> matches = new ArrayList<>();
        FindOutcome outcome = client.find(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of(
                "StudyDate", day.toString().replace("-", ""), "StudyInstanceUID", "", "PatientName", "",
                "PatientID", "", "NumberOfStudyRelatedInstances", "")), matches::add);
        assertThat(outcome.success()).isTrue();
        assertThat(outcome.matches()).isEqualTo(expected.size()).isEqualTo(matches.size());
        for (GeneratedStudy s : expected) {
            DicomDataset m = matches.stream().filter(d -> d.get("StudyInstanceUID").equals(s.studyInstanceUid())).findFirst().orElseThrow();
            assertThat(m.get("PatientName")).isEqualTo(s.patient().name());
            assertThat(m.get("PatientID")).isEqualTo(s.patient().patientId());
            assertThat(m.get("NumberOfStudyRelatedInstances")).isEqualTo(Integer.toString(s.instanceCount()));
        }
        assertThat(matches).anyMatch(d -> d.get("PatientName").equals("Müller^Jürgen"));
    }

    @Test
    void findSeriesAndImages() throws Exception {
        GeneratedStudy study = plan.get(2);
        List<DicomDataset> series = new ArrayList<>();
        FindOutcome s = client.find(pacs, QueryLevel.SERIES, DicomDataset.of(Map.of(
                "StudyInstanceUID", study.studyInstanceUid(), "SeriesInstanceUID", "", "Modality", "")), series::add);
        assertThat(s.success()).isTrue();
        assertThat(series).extracting(d -> d.get("SeriesInstanceUID"))
                .containsExactlyInAnyOrderElementsOf(study.series().stream().map(SyntheticPacsGenerator.GeneratedSeries::seriesInstanceUid).toList());
        assertThat(series).extracting(d -> d.get("Modality")).contains("OT", study.modality());

        List<DicomDataset> images = new ArrayList<>();
        FindOutcome i = client.find(pacs, QueryLevel.IMAGE, DicomDataset.of(Map.of(
                "StudyInstanceUID", study.studyInstanceUid(), "SeriesInstanceUID", "", "SOPInstanceUID", "", "SOPClassUID", "")),
                images::add);
        assertThat(i.matches()).isEqualTo(study.instanceCount());
        assertThat(images).extracting(d -> d.get("SOPInstanceUID")).containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
    }

    @Test
    void withTheCountKnownTheManifestIsOneRelationalQueryAndAnyOtherAnswerFallsBackToTheHierarchy() throws Exception {
        GeneratedStudy study = plan.get(0);
        Map<String, String> seriesBySop = new HashMap<>();
        study.series().forEach(s -> s.sopInstanceUids().forEach(sop -> seriesBySop.put(sop, s.seriesInstanceUid())));
        AtomicInteger queries = new AtomicInteger();
        DicomClient counting = new DelegatingDicomClient(client) {
            @Override
            public FindOutcome find(DicomNode remote, QueryLevel level, DicomDataset keys,
                                    Consumer<DicomDataset> onMatch) throws DicomException {
                queries.incrementAndGet();
                // Orthanc answers SOPClassUID at IMAGE level by reading every matching file: never ask for it
                assertThat(keys.has("SOPClassUID")).as("manifest queries ask for UIDs only").isFalse();
                return super.find(remote, level, keys, onMatch);
            }
        };

        List<StudyManifest.Entry> relational = StudyManifest.query(counting, pacs, study.studyInstanceUid(),
                study.instanceCount());
        assertThat(queries.get()).as("Orthanc answers the study-keyed IMAGE query").isEqualTo(1);
        assertThat(relational).hasSize(study.instanceCount()).allSatisfy(e ->
            assertThat(e.seriesInstanceUid()).isEqualTo(seriesBySop.get(e.sopInstanceUid())));

        queries.set(0);
        List<StudyManifest.Entry> hierarchical = StudyManifest.query(counting, pacs, study.studyInstanceUid(),
                study.instanceCount() + 1); // one more expected than the PACS holds: not trusted
        assertThat(queries.get()).as("relational, then series, then each series").isEqualTo(2 + study.series().size());
        assertThat(hierarchical).containsExactlyInAnyOrderElementsOf(relational);
    }

    @Test
    void manifestQueriesOfAStudyShareOneAssociation() throws Exception {
        GeneratedStudy study = plan.get(0); // a series query, then one image query per series
        List<String> expected = new ArrayList<>();
        client.find(pacs, QueryLevel.IMAGE, DicomDataset.of(Map.of("StudyInstanceUID", study.studyInstanceUid(),
                "SeriesInstanceUID", "", "SOPInstanceUID", "")), m -> expected.add(m.get("SOPInstanceUID")));
        try (CountingProxy proxy = new CountingProxy("127.0.0.1", orthanc.dicomPort())) {
            DicomNode viaProxy = new DicomNode(pacs.aeTitle(), "127.0.0.1", proxy.port());
            List<StudyManifest.Entry> manifest = StudyManifest.query(client, viaProxy, study.studyInstanceUid());
            assertThat(manifest).extracting(StudyManifest.Entry::sopInstanceUid)
                    .containsExactlyInAnyOrderElementsOf(study.sopInstanceUids())
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(manifest).extracting(StudyManifest.Entry::seriesInstanceUid).doesNotContainNull().doesNotContain("");
            assertThat(study.series()).hasSizeGreaterThan(1);
            assertThat(proxy.total()).as("associations opened for the manifest").isEqualTo(1);

            // Any number of queries in one session: still one association.
            try (DicomClient.FindSession session = client.findSession(viaProxy)) {
                int[] seen = {0};
                for (int i = 0; i < 3; i++) {
                    FindOutcome o = session.find(QueryLevel.SERIES, DicomDataset.of(Map.of(
                            "StudyInstanceUID", study.studyInstanceUid(), "SeriesInstanceUID", "")), m -> seen[0]++);
                    assertThat(o.success()).isTrue();
                }
                assertThat(seen[0]).isEqualTo(3 * study.series().size());
            }
            assertThat(proxy.total()).as("one more association for three queries").isEqualTo(2);
        }
    }

    @Test
    void moveStudyToOurStorageScp() throws Exception {
        GeneratedStudy study = plan.get(1);
        moved.clear();
        RetrieveOutcome outcome = client.move(pacs, QueryLevel.STUDY,
                DicomDataset.of(Map.of("StudyInstanceUID", study.studyInstanceUid())), OUR_AE);
        assertThat(outcome.success()).isTrue();
        assertThat(outcome.completed()).isEqualTo(study.instanceCount());
        assertThat(outcome.failed()).isZero();
        assertThat(moved).extracting(ReceivedInstance::sopInstanceUid).containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
        for (ReceivedInstance r : moved) {
            assertThat(r.studyInstanceUid()).isEqualTo(study.studyInstanceUid());
            assertThat(r.callingAeTitle()).isEqualTo("OLDPACS");
            assertThat(r.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1");
            assertThat(DicomFiles.readInfo(r.file()).seriesInstanceUid()).isEqualTo(r.seriesInstanceUid());
            Files.delete(r.file());
        }
    }

    @Test
    void moveCountsInstancesTheHandlerRefusedAsFailed() throws Exception {
        GeneratedStudy study = plan.get(3);
        scpFails.set(true);
        try {
            RetrieveOutcome outcome = client.move(pacs, QueryLevel.SERIES, DicomDataset.of(Map.of(
                    "StudyInstanceUID", study.studyInstanceUid(),
                    "SeriesInstanceUID", study.series().get(0).seriesInstanceUid())), OUR_AE);
            // Orthanc 1.10 aborts the whole move at the first refused sub-operation and answers a failure
            // status (0xC000 range) without counts, so only the status shows it.
            assertThat(outcome.success()).isFalse();
            assertThat(outcome.finalStatus() & 0xF000).isEqualTo(0xC000);
            assertThat(outcome.completed()).isZero();
        } finally {
            scpFails.set(false);
        }
        try (var files = Files.list(dir.resolve("scp"))) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("rcv-")).toList()).isEmpty();
        }
    }

    @Test
    void getStudyKeepsTransferSyntax() throws Exception {
        GeneratedStudy study = plan.get(2);
        List<ReceivedInstance> received = new ArrayList<>();
        RetrieveOutcome outcome = client.get(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", study.studyInstanceUid())),
                dir.resolve("get"), received::add);
        assertThat(outcome.success()).isTrue();
        assertThat(outcome.completed()).isEqualTo(study.instanceCount());
        assertThat(received).extracting(ReceivedInstance::sopInstanceUid).containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
        assertThat(received).extracting(ReceivedInstance::transferSyntaxUid).containsOnly("1.2.840.10008.1.2.1");
        assertThat(received).extracting(ReceivedInstance::callingAeTitle).containsOnly("OLDPACS");
        String original = DicomFiles.pixelDataSha256(GENERATOR.writeStudy(study, dir.resolve("get-originals")).get(0));
        ReceivedInstance first = received.stream()
                .filter(r -> r.sopInstanceUid().equals(study.series().get(0).sopInstanceUids().get(0))).findFirst().orElseThrow();
        assertThat(DicomFiles.pixelDataSha256(first.file())).isEqualTo(original);
    }

    @Test
    void storeAndGetKeepCompressedTransferSyntax() throws Exception {
        Path jpegLs = jpegLsStudy(dir.resolve("jpegls.dcm"));
        DicomFileInfo info = DicomFiles.readInfo(jpegLs);
        List<Integer> statuses = new ArrayList<>();
        client.store(pacs, List.of(jpegLs), (file, uid, status, detail) -> statuses.add(status));
        assertThat(statuses).containsExactly(0);
        List<ReceivedInstance> received = new ArrayList<>();
        RetrieveOutcome outcome = client.get(pacs, QueryLevel.IMAGE, DicomDataset.of(Map.of(
                "StudyInstanceUID", info.studyInstanceUid(), "SeriesInstanceUID", info.seriesInstanceUid(),
                "SOPInstanceUID", info.sopInstanceUid())), dir.resolve("get-jpegls"), received::add);
        assertThat(outcome.completed()).isEqualTo(1);
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.4.80");
            assertThat(DicomFiles.pixelDataSha256(r.file())).isEqualTo(DicomFiles.pixelDataSha256(jpegLs));
        });
    }

    /**
     * A JPEG-LS lossless copy of a generated image (DCMTK's dcmcjpls), as a study of its own on a day
     * no other test queries.
     */
    private static Path jpegLsStudy(Path target) throws Exception {
        Path source = GENERATOR.writeStudy(plan.get(1), dir.resolve("jpegls-source")).get(0);
        Commands.run("dcmcjpls", source.toString(), target.toString());
        Commands.run("dcmodify", "-nb", "-gst", "-gse", "-gin", "-m", "StudyDate=19990101", target.toString());
        assertThat(DicomFiles.readInfo(target).transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.4.80");
        return target;
    }

    @Test
    void unknownCallingAeIsRejected() {
        DicomClient stranger = Dicom.client("STRANGER", new DicomTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        assertThatThrownBy(() -> stranger.find(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", "")), d -> { }))
                .isInstanceOfSatisfying(DicomException.class,
                        e -> assertThat(e.category()).isEqualTo(DicomException.Category.ASSOCIATION_REJECTED));
    }

    @Test
    void closedPortIsConnectionRefused() throws Exception {
        DicomNode nobody = new DicomNode("NOBODY", "127.0.0.1", Ports.freePort());
        assertThatThrownBy(() -> client.echo(nobody)).isInstanceOfSatisfying(DicomException.class, e -> {
            assertThat(e.category()).isEqualTo(DicomException.Category.CONNECTION_REFUSED);
            assertThat(e.getMessage()).contains("NOBODY@127.0.0.1:" + nobody.port()).contains(OUR_AE);
        });
        List<Path> files = GENERATOR.writeStudy(plan.get(0), dir.resolve("refused"));
        assertThatThrownBy(() -> client.store(nobody, files, (f, u, s, d) -> { }))
                .isInstanceOfSatisfying(DicomException.class,
                        e -> assertThat(e.category()).isEqualTo(DicomException.Category.CONNECTION_REFUSED));
    }
}
