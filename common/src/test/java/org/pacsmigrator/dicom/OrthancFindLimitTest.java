package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Orthanc with LimitFindResults: the cap must be visible in the outcome. */
class OrthancFindLimitTest {
    private static OrthancServer orthanc;
    private static DicomNode pacs;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("orthanc-limit-test");
        orthanc = OrthancServer.start("CAPPED", dir.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", 1)), Map.of("LimitFindResults", 2));
        pacs = new DicomNode("CAPPED", "127.0.0.1", orthanc.dicomPort());
        new SyntheticPacsGenerator(99, 5, LocalDate.of(2023, 1, 10), 1, 1, 1, 3)
                .sendTo(Dicom.client("MIGRATOR", DicomTimeouts.defaults()), pacs, dir.resolve("scratch"));
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
        assertThat(orthanc.countInstances()).isEqualTo(5 + 1); // study index 2 has an extra secondary capture
        assertThat(outcome.matches()).isEqualTo(2).isEqualTo(matches.size());
        assertThat(outcome.cancelled()).isTrue();
        assertThat(outcome.success()).isFalse();
    }
}
