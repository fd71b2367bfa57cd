package org.pacsmigrator.forward;

import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.state.PatientDemographics;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;

/**
 * Detects patient identity conflicts before a study is sent: the same PatientID (within its
 * issuer) with different demographics in another study, or images of the study whose patient
 * attributes disagree with the study as indexed. Problems name attributes and UIDs, never values.
 */
final class PatientConflicts {
    private final StateStore state;

    PatientConflicts(StateStore state) {
        this.state = state;
    }

    /** The PatientID was first seen with other demographics in another study. */
    List<String> acrossStudies(StudyRecord study) {
        if (study.patientId() == null || study.patientId().isBlank()) {
            return List.of();
        }
        PatientDemographics mine = demographics(study);
        PatientDemographics first = state.claimPatient(mine);
        if (first.firstStudyInstanceUid().equals(study.studyInstanceUid())) {
            return List.of();
        }
        List<String> diff = mine.differencesFrom(first);
        return diff.isEmpty() ? List.of() : List.of("PatientID also used in study " + first.firstStudyInstanceUid()
                + " with different " + String.join(", ", diff));
    }

    /** An image whose patient attributes disagree with its study as indexed. */
    List<String> withinStudy(StudyRecord study, String sopInstanceUid, DicomDataset image) {
        List<String> problems = new ArrayList<>();
        if (!image.get("PatientID").equals(study.patientId())) {
            problems.add("instance " + sopInstanceUid + ": PatientID differs from its study");
        }
        PatientDemographics imageDemographics = new PatientDemographics(image.get("PatientID"),
                image.get("IssuerOfPatientID"), image.get("PatientName"), image.get("PatientBirthDate"),
                image.get("PatientSex"), study.studyInstanceUid());
        List<String> diff = imageDemographics.differencesFrom(demographics(study));
        if (!diff.isEmpty()) {
            problems.add("instance " + sopInstanceUid + ": " + String.join(", ", diff) + " differ from its study");
        }
        return problems;
    }

    private static PatientDemographics demographics(StudyRecord s) {
        return new PatientDemographics(s.patientId(), s.issuerOfPatientId() == null ? "" : s.issuerOfPatientId(),
                s.patientName(), s.patientBirthDate(), s.patientSex(), s.studyInstanceUid());
    }
}
