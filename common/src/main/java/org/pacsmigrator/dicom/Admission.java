package org.pacsmigrator.dicom;

/**
 * Whether an arriving instance may come in: only instances of a study being retrieved right now, and, where
 * the study has an instance manifest, only instances listed in it.
 */
public enum Admission {
    ACCEPTED(0x0000, null),
    STUDY_NOT_RETRIEVING(0x0124, "study not being retrieved"),
    NOT_IN_MANIFEST(0x0124, "instance not in manifest");

    private final int status;
    private final String reason;

    Admission(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    /** The C-STORE status that refuses it (0x0124 "refused: not authorized"). */
    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
