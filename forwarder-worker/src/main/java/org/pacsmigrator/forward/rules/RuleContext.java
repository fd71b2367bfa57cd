package org.pacsmigrator.forward.rules;

/**
 * What a rule may know beyond the image: the study as indexed, where the image came from, and
 * whether the study has a patient ID conflict (rules marked {@code onPatientIdConflict} apply only then).
 */
public record RuleContext(String indexedStudyInstanceUid, String indexedPatientId, String callingAeTitle,
                          boolean patientIdConflict) {
    public RuleContext(String indexedStudyInstanceUid, String indexedPatientId, String callingAeTitle) {
        this(indexedStudyInstanceUid, indexedPatientId, callingAeTitle, false);
    }
}
