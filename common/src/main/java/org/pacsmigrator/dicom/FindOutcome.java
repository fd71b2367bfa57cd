package org.pacsmigrator.dicom;

/**
 * How a C-FIND ended. {@code matches} is the number of pending responses delivered;
 * {@code finalStatus} the DIMSE status of the final response (0x0000 success, 0xFE00 cancel,
 * failures otherwise). A capped result is not always flagged by the PACS: callers compare
 * {@code matches} with their configured cap as well.
 */
public record FindOutcome(int matches, int finalStatus) {
    public boolean success() {
        return finalStatus == 0x0000;
    }

    /** The PACS stopped early (Orthanc answers 0xFE00 when LimitFindResults is reached). */
    public boolean cancelled() {
        return finalStatus == 0xFE00;
    }

    /**
     * The answer may be truncated: the PACS cancelled, or it delivered at least {@code cap} matches
     * ({@code cap} 0 = no cap known). Some PACS truncate with a plain success, so the count matters too.
     */
    public boolean cappedAt(int cap) {
        return cancelled() || (cap > 0 && matches >= cap);
    }
}
