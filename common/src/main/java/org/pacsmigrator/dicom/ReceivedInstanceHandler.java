package org.pacsmigrator.dicom;

/** Receives each instance that arrives at a storage SCP or over a C-GET association. */
@FunctionalInterface
public interface ReceivedInstanceHandler {
    /**
     * Called once per received instance, after it is completely on local disk.
     * Throwing makes the receiver report a failure for this instance where the protocol allows.
     */
    void onReceived(ReceivedInstance instance) throws Exception;
}
