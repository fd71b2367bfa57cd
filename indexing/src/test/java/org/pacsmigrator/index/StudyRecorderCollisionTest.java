package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.FailureCategory;

/** A StudyInstanceUID under two PatientIDs is recorded as a UID collision, whichever way it is found. */
class StudyRecorderCollisionTest {
    private static DicomDataset match(String uid, String patientId, String date) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("StudyInstanceUID", uid);
        m.put("PatientID", patientId);
        m.put("StudyDate", date);
        m.put("NumberOfStudyRelatedInstances", "2");
        return DicomDataset.of(m);
    }

    @Test
    void twoPatientsInOneAnswerOrOnTwoDaysAreACollisionAndNotSilentlyMerged() throws Exception {
        try (IndexerFixture f = new IndexerFixture("collide", 0)) {
            StudyRecorder recorder = new StudyRecorder(f.state, f.publisher(), f.topics);
            String inOneAnswer = "1.2.826.0.1.3680043.2.1." + System.nanoTime();
            String onTwoDays = "1.2.826.0.1.3680043.2.2." + System.nanoTime();
            String plain = "1.2.826.0.1.3680043.2.3." + System.nanoTime();

            // One C-FIND answer with the UID under two PatientIDs (what SplittingFinder reports).
            StudyRecorder.Recorded first = recorder.record(LocalDate.of(2020, 1, 1),
                    List.of(match(inOneAnswer, "A1", "20200101"), match(onTwoDays, "B1", "20200101"),
                            match(plain, "C1", "20200101")),
                    Map.of(inOneAnswer, Set.of("A1", "A2")));
            assertThat(first.fresh()).containsExactlyInAnyOrder(inOneAnswer, onTwoDays, plain);
            assertThat(f.state.collisionsOf(inOneAnswer)).singleElement()
                    .satisfies(c -> assertThat(c.patientIds()).containsExactlyInAnyOrder("A1", "A2"));
            assertThat(f.state.collisionsOf(onTwoDays)).isEmpty();
            assertThat(f.state.collisionsOf(plain)).isEmpty();

            // The same UID found on another day under another PatientID; the study had been migrated meanwhile.
            f.state.transition(onTwoDays, StudyState.VERIFIED, StudyState.INDEXED);
            recorder.record(LocalDate.of(2020, 1, 2), List.of(match(onTwoDays, "B2", "20200102")));
            assertThat(f.state.collisionsOf(onTwoDays)).singleElement().satisfies(c -> {
                assertThat(c.studyLevel()).isTrue();
                assertThat(c.patientIds()).containsExactlyInAnyOrder("B1", "B2");
            });
            assertThat(f.state.findStudy(onTwoDays).orElseThrow().failureCategory()).isEqualTo(FailureCategory.UID_COLLISION.label());
            assertThat(f.state.findStudy(onTwoDays).orElseThrow().patientId()).as("the first patient's record is kept")
                    .isEqualTo("B1");

            // The same patient again is no collision.
            recorder.record(LocalDate.of(2020, 1, 1), List.of(match(plain, "C1", "20200101")));
            assertThat(f.state.collisionsOf(plain)).isEmpty();
        }
    }
}
