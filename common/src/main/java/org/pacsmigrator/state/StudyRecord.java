package org.pacsmigrator.state;

import java.time.Instant;

/**
 * A study as found in the old PACS and where it stands in the migration.
 * Patient attributes are stored for the report; they are never logged.
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
        Instant updatedAt) {

    /** A freshly indexed study (state INDEXED, no failure, timestamps now). */
    public static StudyRecord indexed(String studyInstanceUid, String patientId, String issuerOfPatientId,
                                      String patientName, String patientBirthDate, String patientSex,
                                      String accessionNumber, String studyDate, String studyTime,
                                      String studyDescription, String modalitiesInStudy,
                                      int expectedSeries, int expectedInstances) {
        Instant now = Instant.now();
        return new StudyRecord(studyInstanceUid, patientId, issuerOfPatientId, patientName, patientBirthDate,
                patientSex, accessionNumber, studyDate, studyTime, studyDescription, modalitiesInStudy,
                expectedSeries, expectedInstances, StudyState.INDEXED, null, null, 0, now, now);
    }
}
