package org.pacsmigrator.dicom;

/**
 * A running storage SCP (the C-MOVE destination): accepts associations for our AE title on a
 * configured address and port and hands every received instance to a handler.
 */
public interface StorageScp extends AutoCloseable {
    /** The port actually bound (useful when 0 was requested). */
    int port();

    /**
     * Associations turned away because the listener was at its limit, since start: a retrieve that failed while
     * this grew failed because of us, not because the source refused.
     */
    int rejectedForLimit();

    /** Stops accepting; in-flight associations are allowed to finish. */
    @Override
    void close();
}
