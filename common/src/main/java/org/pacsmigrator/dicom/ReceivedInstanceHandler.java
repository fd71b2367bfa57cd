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
     * Asked as soon as an arriving instance's study is known (from the first bytes of its data set), before
     * its bytes are kept: anything but {@link Admission#ACCEPTED} refuses it. Called for every instance.
     */
    default Admission admit(String studyInstanceUid, String sopInstanceUid) {
        return Admission.ACCEPTED;
    }

    /** An instance was refused (not admitted, incomplete, inconsistent); a handler records what matters. */
    default void refused(InstanceRefusal refusal) {
    }

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
            public Admission admit(String studyInstanceUid, String sopInstanceUid) {
                Admission a = first.admit(studyInstanceUid, sopInstanceUid);
                return a == Admission.ACCEPTED ? after.admit(studyInstanceUid, sopInstanceUid) : a;
            }

            @Override
            public void refused(InstanceRefusal refusal) {
                first.refused(refusal);
                after.refused(refusal);
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
