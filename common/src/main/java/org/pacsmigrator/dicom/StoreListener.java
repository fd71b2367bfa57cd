package org.pacsmigrator.dicom;

import java.nio.file.Path;

/** Per-instance result of a C-STORE batch. */
@FunctionalInterface
public interface StoreListener {
    /**
     * @param file           the file that was sent (or could not be sent)
     * @param sopInstanceUid its SOP Instance UID
     * @param status         DIMSE status of the C-STORE-RSP (0x0000 success, 0xB000/0xB007/0xB006 warning,
     *                       others failure); -1 when the instance could not be sent at all
     *                       (e.g. no accepted presentation context for its SOP class/transfer syntax)
     * @param detail         human-readable reason for -1, or null
     */
    void onStored(Path file, String sopInstanceUid, int status, String detail);
}
