package org.pacsmigrator.dicom;

import java.nio.file.Path;

/**
 * One instance received by our storage SCP (C-MOVE destination) or over a C-GET association,
 * already written completely to a local temporary file in DICOM Part 10 format (with meta header).
 * The handler owns the file: it must move or delete it. {@code sha256} is that of the file,
 * computed while it was written (so nobody has to read it again to hash it). {@code patient}: its patient
 * attributes, picked from the data set as it arrived; null when they could not be.
 */
public record ReceivedInstance(
        Path file,
        String sopClassUid,
        String sopInstanceUid,
        String studyInstanceUid,
        String seriesInstanceUid,
        String transferSyntaxUid,
        String callingAeTitle,
        String sha256,
        PatientAttributes patient) {
}
