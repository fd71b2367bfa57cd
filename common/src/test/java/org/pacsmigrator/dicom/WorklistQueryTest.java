package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.WorklistFolder;

/** Modality Worklist C-FIND against Orthanc's ModalityWorklists plugin playing the RIS. */
class WorklistQueryTest {
    private static final LocalDate TODAY = LocalDate.now();
    private static OrthancServer ris;
    private static DicomNode node;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("worklist-test");
        WorklistFolder worklist = new WorklistFolder(dir.resolve("worklists"));
        worklist.schedule("tomorrow", "PAT-TOMORROW", "Doe^Jane", "ACC-1", TODAY.plusDays(1));
        worklist.schedule("in-three-days", "PAT-LATER", "Roe^Richard", "ACC-2", TODAY.plusDays(3));
        worklist.schedule("next-month", "PAT-NEXT-MONTH", "Poe^Edgar", "ACC-3", TODAY.plusDays(30));
        ris = OrthancServer.start("RIS", dir.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", 1)), worklist.orthancConfig());
        node = new DicomNode("RIS", "127.0.0.1", ris.dicomPort());
    }

    @AfterAll
    static void stop() {
        if (ris != null) {
            ris.stop();
        }
    }

    @Test
    void answersTheStepsScheduledInTheRangeWithTheirPatientsAndDates() throws Exception {
        List<WorklistItem> items = new ArrayList<>();
        FindOutcome outcome = Dicom.client("MIGRATOR", DicomTimeouts.defaults())
                .findWorklist(node, TODAY, TODAY.plusDays(7), items::add);

        assertThat(outcome.success()).isTrue();
        assertThat(items).containsExactlyInAnyOrder(
                new WorklistItem("PAT-TOMORROW", "ACC-1", TODAY.plusDays(1).format(DateTimeFormatter.BASIC_ISO_DATE)),
                new WorklistItem("PAT-LATER", "ACC-2", TODAY.plusDays(3).format(DateTimeFormatter.BASIC_ISO_DATE)));
    }
}
