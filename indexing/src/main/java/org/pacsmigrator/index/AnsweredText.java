package org.pacsmigrator.index;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.text.LossyText;
import org.pacsmigrator.state.StudyRecord;

/**
 * What a C-FIND answer says about its own text: the character set it came in (its Specific Character Set,
 * by which it was decoded) and which patient attributes arrived visibly lossy. An archive that answers in
 * ISO_IR 100 whatever its images hold turns "山田^太郎" into "^" or "??^??"; such a value is unknown, and the
 * forwarder takes the patient from the images. Losses that only a comparison with the images shows are
 * marked by the forwarder.
 */
final class AnsweredText {
    /** The patient attributes checked, and whether each is a person name. */
    private static final Map<String, Boolean> PATIENT = Map.of(
            "PatientName", true, "PatientID", false, "IssuerOfPatientID", false);

    private AnsweredText() {
    }

    static StudyRecord describe(StudyRecord found, DicomDataset answer) {
        Set<String> unknown = new LinkedHashSet<>();
        PATIENT.forEach((keyword, personName) -> {
            if (LossyText.showsLoss(answer.get(keyword), personName)) {
                unknown.add(keyword);
            }
        });
        return found.withIndexText(answer.get("SpecificCharacterSet"), unknown);
    }
}
