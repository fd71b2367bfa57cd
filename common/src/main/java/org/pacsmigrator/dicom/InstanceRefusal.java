package org.pacsmigrator.dicom;

/**
 * An instance our storage SCP (or a C-GET) refused: not admitted, incomplete, or its command and data set
 * disagree. The study UID is the data set's, as far as it could be read (empty when not).
 */
public record InstanceRefusal(String studyInstanceUid, String sopInstanceUid, String sopClassUid,
                              String callingAeTitle, String category, String detail, int status) {
    /** The data set does not parse to its end, or its pixel data is shorter than its attributes say. */
    public static final String INCOMPLETE = "incomplete dataset";
    /** Affected SOP Class/Instance UID of the command differ from the data set's. */
    public static final String MISMATCH = "command and dataset differ";
    /** Another study, series or instance than the retrieve asked for (a WADO-RS answer carries what it likes). */
    public static final String NOT_ASKED_FOR = "instance not asked for";

    /** C-STORE statuses of the refusals (PS3.4 B.2.3): cannot understand, data set does not match SOP class. */
    public static final int STATUS_CANNOT_UNDERSTAND = 0xC000;
    public static final int STATUS_DOES_NOT_MATCH = 0xA900;
}
