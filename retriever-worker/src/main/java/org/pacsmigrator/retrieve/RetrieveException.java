package org.pacsmigrator.retrieve;

import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.topics.CategorizedFailure;

/**
 * A retrieve that failed in a way that may pass (the source refused, timed out, rejected the
 * association): retried with back-off by the stage, then dead-lettered under {@link #category()}.
 */
public final class RetrieveException extends Exception implements CategorizedFailure {
    /**
     * The dead-letter categories of the retrieve stage; the association ones are those of every
     * stage ({@link DicomException#deadLetterCategory}): refused = nothing listens (PACS down),
     * rejected = the PACS turned our association down (AE title, load).
     */
    public static final String ASSOCIATION_REFUSED = "association refused";
    public static final String ASSOCIATION_REJECTED = "association rejected";
    public static final String TIMEOUT = "timeout";
    public static final String MISSING_INSTANCES = "missing instances";
    public static final String REFUSED_BY_SOURCE = "refused by source";
    public static final String CACHE_WRITE_FAILED = "cache write failed";
    /** Our own storage SCP turned the source's associations away (at its limit): not the source's fault. */
    public static final String LISTENER_SATURATED = "storage SCP saturated";
    /** The source sent an instance whose data set was cut short or malformed, on every attempt. */
    public static final String INCOMPLETE_DATASET = "incomplete dataset from source";
    /** The source sent data sets whose SOP Class/Instance UID differ from their C-STORE command. */
    public static final String INCONSISTENT_DATASET = "dataset does not match its command";

    private final String category;

    public RetrieveException(String category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    /** Maps a DICOM failure toward the source onto a retrieve category. */
    public static RetrieveException of(DicomException e, String what) {
        return new RetrieveException(categoryOf(e), what + ": " + e.getMessage(), e);
    }

    public static String categoryOf(DicomException e) {
        return switch (e.category()) {
            case CONNECTION_REFUSED -> ASSOCIATION_REFUSED;
            case ASSOCIATION_REJECTED -> ASSOCIATION_REJECTED;
            case TIMEOUT -> TIMEOUT;
            case FAILURE_STATUS, NOT_NEGOTIATED, OTHER -> REFUSED_BY_SOURCE;
        };
    }

    @Override
    public String category() {
        return category;
    }
}
