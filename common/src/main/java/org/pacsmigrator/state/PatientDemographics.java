package org.pacsmigrator.state;

import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.dicom.text.TextValues;

/**
 * A patient as first seen in the migration (by PatientID within its issuer), to detect the same
 * PatientID used with different demographics across studies. Registered from the study's images
 * ({@code fromImages}); rows of keyspaces that registered the C-FIND answer instead say false.
 */
public record PatientDemographics(String patientId, String issuerOfPatientId, String patientName,
                                  String patientBirthDate, String patientSex, String firstStudyInstanceUid,
                                  boolean fromImages) {

    /** Demographics from a study's images. */
    public PatientDemographics(String patientId, String issuerOfPatientId, String patientName, String patientBirthDate,
                               String patientSex, String firstStudyInstanceUid) {
        this(patientId, issuerOfPatientId, patientName, patientBirthDate, patientSex, firstStudyInstanceUid, true);
    }

    /**
     * Names of the attributes that differ (never their values: they are patient data), compared in their
     * comparable forms ({@link TextValues}: NFC, trailing spaces and empty name components ignored).
     */
    public List<String> differencesFrom(PatientDemographics other) {
        List<String> diff = new ArrayList<>();
        if (!TextValues.normalisePersonName(patientName).equals(TextValues.normalisePersonName(other.patientName))) {
            diff.add("PatientName");
        }
        if (!TextValues.normalise(patientBirthDate).equals(TextValues.normalise(other.patientBirthDate))) {
            diff.add("PatientBirthDate");
        }
        if (!TextValues.normalise(patientSex).equals(TextValues.normalise(other.patientSex))) {
            diff.add("PatientSex");
        }
        return diff;
    }
}
