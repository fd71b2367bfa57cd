package org.pacsmigrator.dicom.find;

/** The PACS capped a query that could not be split further: what was asked for is not complete. */
public final class CappedResultException extends Exception {
    public CappedResultException(String message) {
        super(message);
    }
}
