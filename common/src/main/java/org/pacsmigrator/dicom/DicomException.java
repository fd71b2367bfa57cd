package org.pacsmigrator.dicom;

import org.pacsmigrator.topics.FailureCategory;

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

    /** The failure category of a stage that gives up on this failure. */
    public FailureCategory failureCategory() {
        return switch (category) {
            case CONNECTION_REFUSED -> FailureCategory.ASSOCIATION_REFUSED;
            case ASSOCIATION_REJECTED -> FailureCategory.ASSOCIATION_REJECTED;
            case TIMEOUT -> FailureCategory.TIMEOUT;
            case FAILURE_STATUS -> FailureCategory.FAILURE_STATUS;
            case NOT_NEGOTIATED -> FailureCategory.NOT_NEGOTIATED;
            case OTHER -> FailureCategory.DICOM_ERROR;
        };
    }

    /** The label of {@link #failureCategory()}, for messages. */
    public String deadLetterCategory() {
        return failureCategory().label();
    }
}
