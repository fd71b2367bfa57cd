package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * Orthanc with LimitFindResults (and LimitFindInstances): the cap must be visible in the outcome, and a study
 * with more series than the cap still gets its complete manifest.
 */
class OrthancFindLimitTest {
    private static OrthancServer orthanc;
    private static DicomNode pacs;
    /** 4 series (CT, MR, CT, MR) of 2 instances: more series than LimitFindResults, more instances than LimitFindInstances. */
    private static final SyntheticPacsGenerator MANY_SERIES = new SyntheticPacsGenerator(98, 2, LocalDate.of(2023, 1, 11),
            1, 4, 2, 2).small().mixedSeries();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("orthanc-limit-test");
        orthanc = OrthancServer.start("CAPPED", dir.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", 1)), Map.of("LimitFindResults", 2,
                        "LimitFindInstances", 5));
        pacs = new DicomNode("CAPPED", "127.0.0.1", orthanc.dicomPort());
        SyntheticSeeding.sendTo(new SyntheticPacsGenerator(99, 5, LocalDate.of(2023, 1, 10), 1, 1, 1, 3),
                Dicom.client("MIGRATOR", DicomTimeouts.defaults()), pacs, dir.resolve("scratch"));
        SyntheticSeeding.sendTo(MANY_SERIES, Dicom.client("MIGRATOR", DicomTimeouts.defaults()), pacs, dir.resolve("scratch"));
    }

    @AfterAll
    static void stop() {
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    @Test
    void cappedFindReportsCancel() throws Exception {
        List<DicomDataset> matches = new ArrayList<>();
        FindOutcome outcome = Dicom.client("MIGRATOR", DicomTimeouts.defaults()).find(pacs, QueryLevel.STUDY,
                DicomDataset.of(Map.of("StudyDate", "20230110", "StudyInstanceUID", "")), matches::add);
        assertThat(orthanc.countInstances()).isEqualTo(5 + 1 + 2 * 8); // study index 2 has an extra secondary capture
        assertThat(outcome.matches()).isEqualTo(2).isEqualTo(matches.size());
        assertThat(outcome.cancelled()).isTrue();
        assertThat(outcome.success()).isFalse();
    }

    @Test
    void aStudyWithMoreSeriesThanTheCapHasItsCompleteManifest() throws Exception {
        DicomClient client = Dicom.client("MIGRATOR", DicomTimeouts.defaults());
        for (SyntheticPacsGenerator.GeneratedStudy study : MANY_SERIES.plan().toList()) {
            List<String> expected = study.sopInstanceUids();
            assertThat(study.series()).extracting(SyntheticPacsGenerator.GeneratedSeries::modality).containsOnly("CT", "MR");
            // the relational answer is cancelled (8 > 5 instances), the series answer too (4 > 2 series)
            assertThat(StudyManifest.query(client, pacs, study.studyInstanceUid(), expected.size(), 0))
                    .extracting(StudyManifest.Entry::sopInstanceUid).containsExactlyInAnyOrderElementsOf(expected);
            // with a configured cap of 2, the exactly-2 answers per modality count as capped and the relational
            // answer is cancelled: loudly incomplete, never partial
            assertThatThrownBy(() -> StudyManifest.query(client, pacs, study.studyInstanceUid(), 0, 2))
                    .isInstanceOf(DicomException.class).hasMessageContaining("manifest incomplete")
                    .hasMessageContaining("modality");
        }
    }
}
