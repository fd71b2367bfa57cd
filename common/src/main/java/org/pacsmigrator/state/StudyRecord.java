package org.pacsmigrator.state;

import java.time.Instant;
import java.util.Set;

/**
 * A study as found in the old PACS and where it stands in the migration.
 * Patient attributes are stored for the report; they are never logged. They are the old PACS's C-FIND
 * answer, decoded by the character set it came in ({@code indexCharacterSet}, its Specific Character Set,
 * null when unknown, e.g. indexed before it was kept); {@code unknownAttributes} names those whose value
 * arrived lossy (see {@link org.pacsmigrator.dicom.text.LossyText}): unknown, never evidence of a conflict.
 * The authority for the patient is the study's images.
 */
public record StudyRecord(
        String studyInstanceUid,
        String patientId,
        String issuerOfPatientId,
        String patientName,
        String patientBirthDate,
        String patientSex,
        String accessionNumber,
        String studyDate,
        String studyTime,
        String studyDescription,
        String modalitiesInStudy,
        int expectedSeries,
        int expectedInstances,
        StudyState state,
        String failureCategory,
        String failureMessage,
        int attempts,
        Instant indexedAt,
        Instant updatedAt,
        String indexCharacterSet,
        Set<String> unknownAttributes) {

    public StudyRecord {
        unknownAttributes = unknownAttributes == null ? Set.of() : Set.copyOf(unknownAttributes);
    }

    /** The character set the C-FIND answer came in, and the attributes that arrived lossy. */
    public StudyRecord withIndexText(String characterSet, Set<String> unknown) {
        return new StudyRecord(studyInstanceUid, patientId, issuerOfPatientId, patientName, patientBirthDate, patientSex,
                accessionNumber, studyDate, studyTime, studyDescription, modalitiesInStudy, expectedSeries,
                expectedInstances, state, failureCategory, failureMessage, attempts, indexedAt, updatedAt, characterSet, unknown);
    }

    /** Whether the indexed value of the attribute (a DICOM keyword) is known to be lossy. */
    public boolean unknown(String attribute) {
        return unknownAttributes.contains(attribute);
    }

    /** A freshly indexed study (state INDEXED, no failure, timestamps now). */
    public static StudyRecord indexed(String studyInstanceUid, String patientId, String issuerOfPatientId,
                                      String patientName, String patientBirthDate, String patientSex,
                                      String accessionNumber, String studyDate, String studyTime,
                                      String studyDescription, String modalitiesInStudy,
                                      int expectedSeries, int expectedInstances) {
        Instant now = Instant.now();
        return new StudyRecord(studyInstanceUid, patientId, issuerOfPatientId, patientName, patientBirthDate,
                patientSex, accessionNumber, studyDate, studyTime, studyDescription, modalitiesInStudy,
                expectedSeries, expectedInstances, StudyState.INDEXED, null, null, 0, now, now, null, Set.of());
    }
}
