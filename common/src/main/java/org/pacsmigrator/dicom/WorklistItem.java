package org.pacsmigrator.dicom;

/**
 * One scheduled procedure step of a Modality Worklist answer: whose it is and when it is scheduled
 * ({@code scheduledDate} as the RIS sent it, DICOM DA, possibly empty). Patient data: never logged.
 */
public record WorklistItem(String patientId, String accessionNumber, String scheduledDate) {
}
