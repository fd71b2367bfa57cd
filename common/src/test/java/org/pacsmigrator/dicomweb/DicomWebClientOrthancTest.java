package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.StudyManifest;
import org.pacsmigrator.dicom.find.SplitSettings;
import org.pacsmigrator.dicom.find.SplittingFinder;
import org.pacsmigrator.dicom.find.StudyQuery;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedSeries;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * The DICOMweb client against a real archive (Orthanc with its DICOMweb plugin): QIDO-RS answers what a C-FIND to
 * the same archive answers, page by page; WADO-RS brings every instance byte for byte as the archive stores it.
 */
class DicomWebClientOrthancTest {
    private static final LocalDate DAY = LocalDate.of(2024, 5, 6);
    /** Several studies a day, series alternating CT and MR, patient names with non-ASCII letters (Müller, Åström). */
    private static final SyntheticPacsGenerator GENERATOR = new SyntheticPacsGenerator(23, 10, DAY, 2, 2, 3, 4)
            .small().mixedSeries();
    /** The indexer's return keys (Indexer), and the day. */
    private static final List<String> STUDY_KEYS = List.of("StudyInstanceUID", "PatientID", "IssuerOfPatientID",
            "PatientName", "PatientBirthDate", "PatientSex", "AccessionNumber", "StudyDate", "StudyTime",
            "StudyDescription", "ModalitiesInStudy", "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances");

    private static OrthancServer archive;
    private static DicomNode pacs;
    private static List<GeneratedStudy> plan;
    private static DicomClient dimse;
    private static DicomWebClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path home = Files.createTempDirectory("dicomweb-client-test");
        // a known modality: Orthanc answers C-FINDs (the reference) of known AEs only
        archive = OrthancServer.start("WEBPACS", home.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", 104)), OrthancServer.withDicomWeb(Map.of()));
        pacs = new DicomNode("WEBPACS", "127.0.0.1", archive.dicomPort());
        dimse = Dicom.client("MIGRATOR", DicomTimeouts.defaults());
        SyntheticSeeding.sendTo(GENERATOR, dimse, pacs, home.resolve("scratch"));
        plan = GENERATOR.plan().toList();
        client = new DicomWebClient(endpoint(archive.dicomWebUrl()), 2);
    }

    @AfterAll
    static void stop() {
        if (archive != null) {
            archive.close();
        }
    }

    static DicomWebEndpoint endpoint(String url) {
        return new DicomWebEndpoint(URI.create(url), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                null, Duration.ofSeconds(60));
    }

    private static DicomDataset keys(List<String> returnKeys, String... matching) {
        Map<String, String> keys = new LinkedHashMap<>();
        returnKeys.forEach(k -> keys.put(k, ""));
        for (int i = 0; i < matching.length; i += 2) {
            keys.put(matching[i], matching[i + 1]);
        }
        return DicomDataset.of(keys);
    }

    /** Matches by their UID at the level, each with the values of {@code keys} only (what the caller asked for). */
    private static Map<String, Map<String, String>> find(DicomClient c, QueryLevel level, DicomDataset keys, String uidKey)
            throws DicomException {
        Map<String, Map<String, String>> found = new TreeMap<>();
        FindOutcome outcome = c.find(pacs, level, keys, m -> {
            Map<String, String> asked = new TreeMap<>();
            keys.asMap().keySet().forEach(k -> asked.put(k, m.get(k).strip()));
            assertThat(found.put(m.get(uidKey), asked)).as("one match per UID").isNull();
        });
        assertThat(outcome.finalStatus()).isZero();
        assertThat(outcome.matches()).isEqualTo(found.size());
        return found;
    }

    @Test
    void aStudyQueryOfADayAnswersWhatCFindAnswersPageByPage() throws Exception {
        DicomDataset keys = keys(STUDY_KEYS, "StudyDate", DAY.format(DateTimeFormatter.BASIC_ISO_DATE));
        Map<String, Map<String, String>> overQido = find(client, QueryLevel.STUDY, keys, "StudyInstanceUID");
        Map<String, Map<String, String>> overCFind = find(dimse, QueryLevel.STUDY, keys, "StudyInstanceUID");

        Set<String> ofTheDay = new HashSet<>();
        plan.stream().filter(s -> s.studyDate().equals(DAY)).forEach(s -> ofTheDay.add(s.studyInstanceUid()));
        assertThat(ofTheDay.size()).as("more studies than a page").isGreaterThan(2);
        assertThat(overQido.keySet()).isEqualTo(ofTheDay);
        // the generator's mixed series disagree on their study's description: Orthanc answers one series' per protocol
        Stream.of(overQido, overCFind).forEach(found -> found.values().forEach(m -> m.remove("StudyDescription")));
        assertThat(overQido).isEqualTo(overCFind);
        assertThat(overQido.values()).anySatisfy(m -> assertThat(m.get("PatientName")).matches(".*[^\\x00-\\x7F].*"));
        assertThat(overQido.values()).allSatisfy(m -> assertThat(m.get("ModalitiesInStudy").split("\\\\"))
                .containsExactlyInAnyOrder("CT", "MR"));
    }

    /** PatientID wildcards, date and time ranges, UID lists, a modality: what SplittingFinder and the retriever send. */
    @Test
    void theMatchingKeysOfSplittingMatchAsInCFind() throws Exception {
        String two = plan.get(0).studyInstanceUid() + "\\" + plan.get(7).studyInstanceUid();
        List<DicomDataset> queries = List.of(
                keys(STUDY_KEYS, "PatientID", "SYN-N-1*"),
                keys(STUDY_KEYS, "PatientID", "SYN-?-2"),
                keys(STUDY_KEYS, "StudyDate", "20240506-20240507", "StudyTime", "120000-175959.999999"),
                keys(STUDY_KEYS, "StudyInstanceUID", two));
        for (DicomDataset keys : queries) {
            Map<String, Map<String, String>> overQido = find(client, QueryLevel.STUDY, keys, "StudyInstanceUID");
            Map<String, Map<String, String>> overCFind = find(dimse, QueryLevel.STUDY, keys, "StudyInstanceUID");
            assertThat(overQido.keySet()).as("%s", keys).isEqualTo(overCFind.keySet()).isNotEmpty();
        }
        // Orthanc pages a match on ModalitiesInStudy before matching: a second page would lose studies unseen, so such
        // a query is not paged; a full page is a capped answer (which a split by time or a larger page resolves)
        DicomDataset byModality = keys(STUDY_KEYS, "StudyDate", "20240507", "ModalitiesInStudy", "MR");
        Map<String, Map<String, String>> all = find(dimse, QueryLevel.STUDY, byModality, "StudyInstanceUID");
        assertThat(all).hasSizeGreaterThan(2);
        assertThat(client.find(pacs, QueryLevel.STUDY, byModality, m -> { })).isEqualTo(new FindOutcome(2, 0xFE00));
        DicomWebClient largerPages = new DicomWebClient(endpoint(archive.dicomWebUrl()), all.size() + 1);
        assertThat(find(largerPages, QueryLevel.STUDY, byModality, "StudyInstanceUID").keySet()).isEqualTo(all.keySet());
    }

    @Test
    void seriesAndImageQueriesAnswerWhatCFindAnswersAndMakeAStudysManifest() throws Exception {
        GeneratedStudy study = plan.get(3);
        DicomDataset seriesKeys = keys(List.of("SeriesInstanceUID", "Modality", "SeriesNumber",
                "NumberOfSeriesRelatedInstances"), "StudyInstanceUID", study.studyInstanceUid());
        Map<String, Map<String, String>> series = find(client, QueryLevel.SERIES, seriesKeys, "SeriesInstanceUID");
        assertThat(series).isEqualTo(find(dimse, QueryLevel.SERIES, seriesKeys, "SeriesInstanceUID"));
        assertThat(series.keySet()).containsExactlyInAnyOrderElementsOf(
                study.series().stream().map(GeneratedSeries::seriesInstanceUid).toList());

        GeneratedSeries one = study.series().get(1);
        DicomDataset imageKeys = keys(List.of("SOPInstanceUID", "SOPClassUID", "InstanceNumber"),
                "StudyInstanceUID", study.studyInstanceUid(), "SeriesInstanceUID", one.seriesInstanceUid());
        Map<String, Map<String, String>> images = find(client, QueryLevel.IMAGE, imageKeys, "SOPInstanceUID");
        assertThat(images).isEqualTo(find(dimse, QueryLevel.IMAGE, imageKeys, "SOPInstanceUID"));
        assertThat(images.keySet()).containsExactlyInAnyOrderElementsOf(one.sopInstanceUids());

        assertThat(StudyManifest.query(client, pacs, study.studyInstanceUid(), study.instanceCount()))
                .extracting(StudyManifest.Entry::sopInstanceUid)
                .containsExactlyInAnyOrderElementsOf(study.sopInstanceUids());
    }

    @Test
    void aSplittingFinderOverQidoWithACapSplitsTheDayAndFindsEveryStudy() throws Exception {
        int cap = 3;
        List<String> queried = new CopyOnWriteArrayList<>();
        StudyQuery query = keys -> {
            List<DicomDataset> matches = new ArrayList<>();
            FindOutcome outcome = client.find(pacs, QueryLevel.STUDY, keys, matches::add);
            queried.add(keys.get("StudyTime"));
            return new StudyQuery.Answer(matches, outcome, outcome.cappedAt(cap));
        };
        SplittingFinder.Found found = new SplittingFinder(query, STUDY_KEYS,
                new SplitSettings(Duration.ofMinutes(1), List.of(), "0123456789")).findDay(DAY);
        assertThat(found.studies().keySet()).containsExactlyInAnyOrderElementsOf(plan.stream()
                .filter(s -> s.studyDate().equals(DAY)).map(GeneratedStudy::studyInstanceUid).toList());
        assertThat(queried).as("the day was split by StudyTime").anyMatch(t -> !t.isEmpty());
    }

    /** Keeps what it is handed; refuses (at admission) the SOP instances it is told to. */
    private static class Keeper implements ReceivedInstanceHandler {
        final List<ReceivedInstance> received = new CopyOnWriteArrayList<>();
        final List<InstanceRefusal> refusals = new CopyOnWriteArrayList<>();
        final Set<String> notAdmitted = new HashSet<>();
        int deliveries;

        @Override
        public void onReceived(ReceivedInstance instance) {
            received.add(instance);
        }

        @Override
        public Admission admit(String studyInstanceUid, String sopInstanceUid) {
            return notAdmitted.contains(sopInstanceUid) ? Admission.NOT_IN_MANIFEST : Admission.ACCEPTED;
        }

        @Override
        public void refused(InstanceRefusal refusal) {
            refusals.add(refusal);
        }

        @Override
        public void deliveryEnded() {
            deliveries++;
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Every instance byte for byte as the archive keeps it, hashed right, named right. */
    private static void assertArrivedAsStored(Keeper keeper, GeneratedStudy study, List<String> sops) throws Exception {
        assertThat(keeper.received).extracting(ReceivedInstance::sopInstanceUid).containsExactlyInAnyOrderElementsOf(sops);
        for (ReceivedInstance i : keeper.received) {
            byte[] stored = archive.instanceFile(i.sopInstanceUid());
            assertThat(Files.readAllBytes(i.file())).isEqualTo(stored);
            assertThat(i.sha256()).isEqualTo(sha256(stored)).isEqualTo(Sha256.of(i.file()));
            assertThat(i.studyInstanceUid()).isEqualTo(study.studyInstanceUid());
            assertThat(i.transferSyntaxUid()).isNotEmpty();
            assertThat(i.sopClassUid()).isNotEmpty();
            assertThat(i.patient()).isNotNull();
            assertThat(i.patient().patientId()).isEqualTo(study.patient().patientId());
        }
    }

    @Test
    void aStudyASeriesAndAnInstanceArriveByteForByteAsStored() throws Exception {
        GeneratedStudy study = plan.get(5);
        Keeper whole = new Keeper();
        RetrieveOutcome outcome = client.get(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID",
                study.studyInstanceUid())), dir, whole);
        assertThat(outcome).isEqualTo(new RetrieveOutcome(0x0000, study.instanceCount(), 0, 0));
        assertArrivedAsStored(whole, study, study.sopInstanceUids());
        assertThat(whole.deliveries).isEqualTo(1);

        GeneratedSeries series = study.series().get(0);
        Keeper ofSeries = new Keeper();
        outcome = client.get(pacs, QueryLevel.SERIES, DicomDataset.of(Map.of("StudyInstanceUID", study.studyInstanceUid(),
                "SeriesInstanceUID", series.seriesInstanceUid())), dir, ofSeries);
        assertThat(outcome).isEqualTo(new RetrieveOutcome(0x0000, series.sopInstanceUids().size(), 0, 0));
        assertArrivedAsStored(ofSeries, study, series.sopInstanceUids());

        String sop = series.sopInstanceUids().get(1);
        Keeper ofOne = new Keeper();
        outcome = client.get(pacs, QueryLevel.IMAGE, DicomDataset.of(Map.of("StudyInstanceUID", study.studyInstanceUid(),
                "SeriesInstanceUID", series.seriesInstanceUid(), "SOPInstanceUID", sop)), dir, ofOne);
        assertThat(outcome).isEqualTo(new RetrieveOutcome(0x0000, 1, 0, 0));
        assertArrivedAsStored(ofOne, study, List.of(sop));
    }

    @Test
    void instancesTheHandlerRefusesOrCannotKeepCountFailedAndAreNotLeftBehind() throws Exception {
        GeneratedStudy study = plan.get(6);
        List<String> sops = study.sopInstanceUids();
        Keeper keeper = new Keeper() {
            @Override
            public void onReceived(ReceivedInstance instance) {
                if (instance.sopInstanceUid().equals(sops.get(1))) {
                    throw new IllegalStateException("cache full (simulated)");
                }
                super.onReceived(instance);
            }
        };
        keeper.notAdmitted.add(sops.get(0));
        Path work = Files.createDirectories(dir.resolve("work"));
        RetrieveOutcome outcome = client.get(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID",
                study.studyInstanceUid())), work, keeper);
        assertThat(outcome).isEqualTo(new RetrieveOutcome(0xB000, sops.size() - 2, 2, 0));
        assertThat(keeper.refusals).singleElement().satisfies(r -> {
            assertThat(r.sopInstanceUid()).isEqualTo(sops.get(0));
            assertThat(r.studyInstanceUid()).isEqualTo(study.studyInstanceUid());
            assertThat(r.category()).isEqualTo(Admission.NOT_IN_MANIFEST.reason());
        });
        assertThat(keeper.received).extracting(ReceivedInstance::sopInstanceUid).doesNotContain(sops.get(0), sops.get(1));
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left.toList()).containsExactlyInAnyOrderElementsOf(
                    keeper.received.stream().map(ReceivedInstance::file).toList());
        }
    }

    @Test
    void anUnknownStudyIsARefusalWithNothingCountedAndAMoveOrStoreIsNoOperationOfDicomweb() throws Exception {
        Keeper keeper = new Keeper();
        RetrieveOutcome outcome = client.get(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", "1.2.3.4.5")),
                dir, keeper);
        assertThat(outcome).isEqualTo(new RetrieveOutcome(0xC000, 0, 0, 0));
        assertThat(keeper.deliveries).isEqualTo(1);
        client.echo(pacs);
        assertThatThrownBy(() -> client.move(pacs, QueryLevel.STUDY, DicomDataset.of(Map.of("StudyInstanceUID", "1.2")), "X"))
                .isInstanceOf(DicomException.class).hasMessageContaining("C-MOVE");
        assertThatThrownBy(() -> client.store(pacs, List.of(), (f, s, st, c) -> { }))
                .isInstanceOf(DicomException.class).hasMessageContaining("STOW-RS");
    }
}
