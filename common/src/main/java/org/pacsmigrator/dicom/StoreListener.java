package org.pacsmigrator.dicom;

import java.nio.file.Path;

/** Per-instance result of a C-STORE batch. */
@FunctionalInterface
public interface StoreListener {
    /** Not sent: the file could not be read as DICOM. */
    int UNREADABLE = -1;
    /** Not sent: the peer accepted no presentation context for the image's SOP class. */
    int SOP_CLASS_NOT_NEGOTIATED = -2;
    /** Not sent: the peer accepts the SOP class, but not in the image's transfer syntax. */
    int TRANSFER_SYNTAX_NOT_NEGOTIATED = -3;
    /** Not sent: the association failed before the image's turn. */
    int NOT_SENT = -4;

    /**
     * @param file           the file that was sent (or could not be sent)
     * @param sopInstanceUid its SOP Instance UID ("" when unreadable)
     * @param status         DIMSE status of the C-STORE-RSP (0x0000 success, 0xB000/0xB007/0xB006 warning,
     *                       others failure), or one of the negative "not sent" codes above
     * @param detail         human-readable reason for a negative code or the peer's error comment, or null
     */
    void onStored(Path file, String sopInstanceUid, int status, String detail);
}
