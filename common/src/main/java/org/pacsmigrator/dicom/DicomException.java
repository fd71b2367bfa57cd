package org.pacsmigrator.dicom;

/**
 * A DICOM network operation failed. The category tells callers whether retrying can help
 * and becomes the dead-letter category when retries are exhausted.
 */
public class DicomException extends Exception {
    public enum Category {
        /** The peer could not be connected (refused, unreachable, DNS). */
        CONNECTION_REFUSED,
        /** The peer rejected or aborted the association (e.g. unknown calling AE). */
        ASSOCIATION_REJECTED,
        /** No response in time. */
        TIMEOUT,
        /** The peer answered with a failure status. */
        FAILURE_STATUS,
        /** No acceptable presentation context for the SOP class / transfer syntax. */
        NOT_NEGOTIATED,
        /** Anything else (I/O, malformed data). */
        OTHER
    }

    private final Category category;

    public DicomException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public DicomException(Category category, String message) {
        this(category, message, null);
    }

    public Category category() {
        return category;
    }

    /** The dead-letter category name for this failure. */
    public String deadLetterCategory() {
        return switch (category) {
            case CONNECTION_REFUSED -> "association refused";
            case ASSOCIATION_REJECTED -> "association rejected";
            case TIMEOUT -> "timeout";
            case FAILURE_STATUS -> "failure status";
            case NOT_NEGOTIATED -> "not negotiated";
            case OTHER -> "dicom error";
        };
    }
}
