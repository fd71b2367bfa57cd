package org.pacsmigrator.retrieve;

import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.topics.CategorizedFailure;
import org.pacsmigrator.topics.FailureCategory;

/**
 * A retrieve that failed in a way that may pass (the source refused, timed out, rejected the
 * association): retried with back-off by the stage, then dead-lettered under {@link #category()}.
 */
public final class RetrieveException extends Exception implements CategorizedFailure {
    private final FailureCategory category;

    public RetrieveException(FailureCategory category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    /** Maps a DICOM failure toward the source onto a retrieve category. */
    public static RetrieveException of(DicomException e, String what) {
        return new RetrieveException(categoryOf(e), what + ": " + e.getMessage(), e);
    }

    public static FailureCategory categoryOf(DicomException e) {
        return switch (e.category()) {
            case CONNECTION_REFUSED -> FailureCategory.ASSOCIATION_REFUSED;
            case ASSOCIATION_REJECTED -> FailureCategory.ASSOCIATION_REJECTED;
            case TIMEOUT -> FailureCategory.TIMEOUT;
            case FAILURE_STATUS, NOT_NEGOTIATED, OTHER -> FailureCategory.REFUSED_BY_SOURCE;
        };
    }

    @Override
    public FailureCategory category() {
        return category;
    }
}
