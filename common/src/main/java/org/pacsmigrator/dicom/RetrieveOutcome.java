package org.pacsmigrator.dicom;

/**
 * Final C-MOVE / C-GET response: status and sub-operation counts as the source reported them.
 * A success status is not proof of arrival; callers compare against the expected manifest.
 */
public record RetrieveOutcome(int finalStatus, int completed, int failed, int warning) {
    public boolean success() {
        return finalStatus == 0x0000;
    }
}
