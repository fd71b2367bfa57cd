package org.pacsmigrator.index;

/** The PACS capped a query that could not be split further: the day is not complete. */
public final class CappedResultException extends Exception {
    public CappedResultException(String message) {
        super(message);
    }
}
