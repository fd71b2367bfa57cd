package org.pacsmigrator.state;

import java.util.Collection;
import java.util.List;

/**
 * The instances of studies: expected, retrieved into the cache, sent, verified; what the rules changed
 * in each, and what the storage SCP refused.
 */
public interface InstanceStore {

    /** Records the expected instances of a study (the manifest); existing rows keep their progress. */
    void recordExpectedInstances(String studyInstanceUid, List<InstanceRecord> expected);

    /** Records that an instance is in the cache (size, SHA-256, cache key, transfer syntax). */
    void recordRetrieved(InstanceRecord instance);

    /** {@link #recordRetrieved(InstanceRecord)} for many instances (of one study or several) in few writes. */
    void recordRetrieved(Collection<InstanceRecord> instances);

    /** Records the destination's C-STORE status for an instance; success/warning set forwardedAt. */
    void recordForwarded(String studyInstanceUid, String sopInstanceUid, int status, boolean stored);

    /**
     * {@link #recordForwarded(String, String, int, boolean)} for many instances of a study in few
     * writes, each together with what the rules changed in it (an outcome and its modification are
     * always written in the same write).
     */
    void recordForwarded(String studyInstanceUid, List<StoreOutcome> outcomes);

    /** How many C-STOREs of this instance were tried (each {@link #recordForwarded} counts one). */
    int forwardAttempts(String studyInstanceUid, String sopInstanceUid);

    /** Records that an instance was found in (or committed by) the new PACS. */
    void recordVerified(String studyInstanceUid, String sopInstanceUid);

    /** {@link #recordVerified(String, String)} for many instances of a study at once. */
    void recordVerified(String studyInstanceUid, Collection<String> sopInstanceUids);

    /**
     * Forgets that an instance was stored in (and verified by) the new PACS, so that the forwarder sends it
     * again: the re-send action of the reconciliation report for instances missing in the new PACS.
     */
    void clearForwarded(String studyInstanceUid, String sopInstanceUid);

    List<InstanceRecord> instancesOf(String studyInstanceUid);

    /** Records what the forwarder's rules did to an instance (idempotent: the latest send wins). */
    void recordModification(InstanceModification modification);

    /** Modifications recorded for the instances of a study. */
    List<InstanceModification> modificationsOf(String studyInstanceUid);

    /** Records an instance the storage SCP refused for a study being retrieved (idempotent per instance and category). */
    void recordRefusal(RefusedInstance refusal);

    /** The refused instances of a study. */
    List<RefusedInstance> refusalsOf(String studyInstanceUid);
}
