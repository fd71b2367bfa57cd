package org.pacsmigrator.state;

/** Demographics first seen per PatientID (within its issuer), to detect conflicting patients. */
public interface PatientStore {

    /**
     * Registers the patient if its PatientID (within the issuer) is not known yet and returns the
     * registered demographics: the given ones, or those first seen (a lightweight transaction).
     */
    PatientDemographics claimPatient(PatientDemographics patient);

    /**
     * Replaces a patient registered from a C-FIND answer (by an older version; {@code fromImages} false) by
     * demographics from images, unless another study did so first (a lightweight transaction). Returns
     * whether this call replaced it.
     */
    boolean replaceAnsweredPatient(PatientDemographics fromImages);
}
