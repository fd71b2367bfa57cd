package org.pacsmigrator.dicom;

/** Receives each instance that arrives at a storage SCP or over a C-GET association. */
@FunctionalInterface
public interface ReceivedInstanceHandler {
    /**
     * Called once per received instance, after it is completely on local disk.
     * Throwing makes the receiver report a failure for this instance where the protocol allows.
     */
    void onReceived(ReceivedInstance instance) throws Exception;

    /**
     * Called when an exchange that may have delivered instances ends (an association to the
     * storage SCP, a C-GET): a handler that records instances in batches records what it holds.
     */
    default void deliveryEnded() {
    }

    /** Records what was received for the study so far, now (a handler that records in batches). */
    default void flush(String studyInstanceUid) {
    }

    /** This handler, then {@code after}, for each instance and at each end of delivery and flush. */
    default ReceivedInstanceHandler andThen(ReceivedInstanceHandler after) {
        ReceivedInstanceHandler first = this;
        return new ReceivedInstanceHandler() {
            @Override
            public void onReceived(ReceivedInstance instance) throws Exception {
                first.onReceived(instance);
                after.onReceived(instance);
            }

            @Override
            public void deliveryEnded() {
                first.deliveryEnded();
                after.deliveryEnded();
            }

            @Override
            public void flush(String studyInstanceUid) {
                first.flush(studyInstanceUid);
                after.flush(studyInstanceUid);
            }
        };
    }
}
