package org.pacsmigrator.dicom;

/** A reference to one stored instance: SOP Class UID and SOP Instance UID. */
public record SopReference(String sopClassUid, String sopInstanceUid) {
}
