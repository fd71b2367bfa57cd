package org.pacsmigrator.dicom;

import java.nio.file.Path;

/**
 * A Part 10 file to C-STORE and what its header holds (SOP class, SOP instance, transfer syntax) when
 * the caller knows it already, e.g. from the state store or from the edit that wrote the file: the
 * client then negotiates with these values and does not parse the file for them. Null values: the
 * client reads them from the file.
 */
public record OutgoingInstance(Path file, String sopClassUid, String sopInstanceUid, String transferSyntaxUid) {

    /** A file whose header the client reads before sending it. */
    public static OutgoingInstance of(Path file) {
        return new OutgoingInstance(file, null, null, null);
    }

    /** True when every value is known: nothing needs to be read from the file before sending it. */
    public boolean described() {
        return sopClassUid != null && sopInstanceUid != null && transferSyntaxUid != null;
    }
}
