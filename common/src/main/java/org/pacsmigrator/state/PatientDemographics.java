package org.pacsmigrator.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A patient as first seen in the migration (by PatientID within its issuer), to detect the same
 * PatientID used with different demographics across studies.
 */
public record PatientDemographics(String patientId, String issuerOfPatientId, String patientName,
                                  String patientBirthDate, String patientSex, String firstStudyInstanceUid) {

    /** Names of the attributes that differ (never their values: they are patient data). */
    public List<String> differencesFrom(PatientDemographics other) {
        List<String> diff = new ArrayList<>();
        if (!normalise(patientName).equals(normalise(other.patientName))) {
            diff.add("PatientName");
        }
        if (!Objects.toString(patientBirthDate, "").equals(Objects.toString(other.patientBirthDate, ""))) {
            diff.add("PatientBirthDate");
        }
        if (!Objects.toString(patientSex, "").equals(Objects.toString(other.patientSex, ""))) {
            diff.add("PatientSex");
        }
        return diff;
    }

    /** Trailing spaces and empty name components carry no meaning. */
    private static String normalise(String name) {
        return Objects.toString(name, "").strip().replaceAll("\\^+$", "").replaceAll("\\s*\\^\\s*", "^");
    }
}
