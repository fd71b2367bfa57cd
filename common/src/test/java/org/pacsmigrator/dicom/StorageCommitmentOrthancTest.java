package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/** Storage Commitment Push Model SCU against Orthanc's storage commitment SCP (report on a new association). */
class StorageCommitmentOrthancTest {
    private static final String OUR_AE = "MIGRATOR_SC";
    private static final SyntheticPacsGenerator GENERATOR = new SyntheticPacsGenerator(7, 2, LocalDate.of(2024, 5, 1), 1, 2, 2, 2);
    private static final Map<String, CommitmentResult> REPORTS = new ConcurrentHashMap<>();

    private static OrthancServer orthanc;
    private static StorageCommitment commitment;
    private static DicomNode pacs;
    private static final DicomClient CLIENT = Dicom.client(OUR_AE, DicomTimeouts.defaults());

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("commitment-test");
        commitment = Dicom.startStorageCommitment(OUR_AE, "127.0.0.1", 0, DicomTimeouts.defaults(), Duration.ofMillis(200),
                r -> REPORTS.put(r.transactionUid(), r));
        orthanc = OrthancServer.start("NEWPACS", dir.resolve("orthanc"),
                Map.of("migrator", new OrthancServer.Modality(OUR_AE, "127.0.0.1", commitment.port())));
        pacs = new DicomNode("NEWPACS", "127.0.0.1", orthanc.dicomPort());
        SyntheticSeeding.sendTo(GENERATOR, CLIENT, pacs, dir.resolve("scratch"));
    }

    @AfterAll
    static void stop() {
        if (commitment != null) {
            commitment.close();
        }
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    private static List<SopReference> referencesOf(String studyUid) throws DicomException {
        List<SopReference> references = new ArrayList<>(); // the manifest lists UIDs only
        CLIENT.find(pacs, QueryLevel.IMAGE, DicomDataset.of(Map.of("StudyInstanceUID", studyUid,
                        "SOPInstanceUID", "", "SOPClassUID", "")),
                m -> references.add(new SopReference(m.get("SOPClassUID"), m.get("SOPInstanceUID"))));
        return references;
    }

    private static CommitmentResult awaitReport(String transactionUid, CommitmentResult onSameAssociation) {
        if (onSameAssociation != null) {
            return onSameAssociation;
        }
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> REPORTS.containsKey(transactionUid));
        return REPORTS.get(transactionUid);
    }

    @Test
    void everyInstanceOfAStoredStudyIsCommitted() throws Exception {
        String study = GENERATOR.plan().toList().get(0).studyInstanceUid();
        List<SopReference> refs = referencesOf(study);
        assertThat(refs).isNotEmpty();
        String tx = "2.25." + Long.toUnsignedString(UUID.randomUUID().getMostSignificantBits());
        CommitmentResult r = awaitReport(tx, commitment.request(pacs, tx, refs));
        assertThat(r.transactionUid()).isEqualTo(tx);
        assertThat(r.eventTypeId()).isEqualTo(1);
        assertThat(r.failed()).isEmpty();
        assertThat(r.committed()).containsExactlyInAnyOrderElementsOf(refs);
        assertThat(r.reportingAeTitle()).isEqualTo("NEWPACS");
    }

    @Test
    void anInstanceDeletedBeforeTheRequestIsReportedFailedWithNoSuchObjectInstance() throws Exception {
        String study = GENERATOR.plan().toList().get(1).studyInstanceUid();
        List<SopReference> refs = referencesOf(study);
        SopReference gone = refs.get(0);
        String orthancId = orthanc.post("/tools/lookup", gone.sopInstanceUid()).get(0).path("ID").asText();
        orthanc.delete("/instances/" + orthancId);
        String tx = "2.25." + Long.toUnsignedString(UUID.randomUUID().getLeastSignificantBits());
        CommitmentResult r = awaitReport(tx, commitment.request(pacs, tx, refs));
        assertThat(r.eventTypeId()).isEqualTo(2);
        assertThat(r.failed()).containsExactly(new CommitmentResult.Failed(gone.sopClassUid(), gone.sopInstanceUid(),
                CommitmentResult.NO_SUCH_OBJECT_INSTANCE));
        assertThat(r.committed()).containsExactlyInAnyOrderElementsOf(refs.subList(1, refs.size()));
    }
}
