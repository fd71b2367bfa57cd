package org.pacsmigrator.dicom;

/** Identifying attributes of a Part 10 file, read from its header (pixel data is not loaded). */
public record DicomFileInfo(
        String sopClassUid,
        String sopInstanceUid,
        String studyInstanceUid,
        String seriesInstanceUid,
        String transferSyntaxUid,
        String patientId) {
}
