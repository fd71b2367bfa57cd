package org.pacsmigrator.state;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The migration's durable state (one Cassandra keyspace per migration). Every write is
 * idempotent and no transition regresses a study, so re-delivered messages are harmless.
 */
public interface StateStore extends AutoCloseable {

    /** Inserts the study if it is not known yet. Returns true when it was new (first seen). */
    boolean insertStudyIfAbsent(StudyRecord study);

    Optional<StudyRecord> findStudy(String studyInstanceUid);

    /**
     * Moves the study to {@code target} if its current state is one of {@code allowedFrom}
     * (a lightweight transaction). Returns true when the transition happened.
     */
    boolean transition(String studyInstanceUid, StudyState target, StudyState... allowedFrom);

    /**
     * Takes a VERIFIED study back to INDEXED (a lightweight transaction) so that the stages take it again: the one
     * deliberate step backwards, for a study that changed in the old PACS after it was migrated (its instances
     * keep their progress, so only what is new is retrieved and sent). Returns true when it was VERIFIED.
     */
    default boolean reopen(String studyInstanceUid) {
        throw new UnsupportedOperationException("reopening studies not supported by " + getClass().getSimpleName());
    }

    /** Marks the study FAILED with a category and message (from any state), counting an attempt. */
    void markFailed(String studyInstanceUid, String category, String message);

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

    List<InstanceRecord> instancesOf(String studyInstanceUid);

    /** Records an instance the storage SCP refused for a study being retrieved (idempotent per instance and category). */
    default void recordRefusal(RefusedInstance refusal) {
        throw new UnsupportedOperationException("refusals not supported by " + getClass().getSimpleName());
    }

    /** The refused instances of a study. */
    default List<RefusedInstance> refusalsOf(String studyInstanceUid) {
        return List.of();
    }

    /** Records a UID collision (adds its patients and kept objects to what is known of it). */
    default void recordCollision(UidCollision collision) {
        throw new UnsupportedOperationException("UID collisions not supported by " + getClass().getSimpleName());
    }

    /** The UID collisions of a study (the study's own, and its instances'). */
    default List<UidCollision> collisionsOf(String studyInstanceUid) {
        return List.of();
    }

    /** Forgets a collision (resolved, or to be detected again from scratch). */
    default void clearCollision(String studyInstanceUid, String sopInstanceUid) {
        throw new UnsupportedOperationException("UID collisions not supported by " + getClass().getSimpleName());
    }

    /**
     * Registers the patient if its PatientID (within the issuer) is not known yet and returns the
     * registered demographics: the given ones, or those first seen (a lightweight transaction).
     */
    PatientDemographics claimPatient(PatientDemographics patient);

    /**
     * Replaces a patient registered from a C-FIND answer (by an older version; {@code fromImages} false) by
     * demographics from images, unless another study did so first (a lightweight transaction). Returns
     * whether this call replaced it.
     */
    boolean replaceAnsweredPatient(PatientDemographics fromImages);

    /** Marks indexed attributes of a study (DICOM keywords) as unknown: their C-FIND value arrived lossy. */
    void markUnknown(String studyInstanceUid, java.util.Set<String> attributes);

    /** Records what the forwarder's rules did to an instance (idempotent: the latest send wins). */
    void recordModification(InstanceModification modification);

    /** Modifications recorded for the instances of a study. */
    List<InstanceModification> modificationsOf(String studyInstanceUid);

    /** Study UIDs indexed for a source day. */
    List<String> studiesOfDay(LocalDate day);

    void recordIndexDay(IndexDayRecord day);

    /**
     * Files a study under a source day explicitly (idempotent). {@link #insertStudyIfAbsent} files it
     * under its StudyDate already; this is for studies without one (the indexer's undated bucket).
     */
    void recordStudyOfDay(LocalDate day, String studyInstanceUid);

    /**
     * Updates what the old PACS reports for a known study (a lightweight transaction, so it keeps
     * the ordering of the study row's other writes). Returns false when the study is unknown.
     */
    boolean updateIndexedCounts(String studyInstanceUid, int expectedSeries, int expectedInstances,
                                String modalitiesInStudy);

    Optional<IndexDayRecord> findIndexDay(LocalDate day);

    /** Throws {@link StateStoreException} when the store cannot be reached (health checks). */
    default void ping() {
    }

    /** Every indexed day's record (a full scan of the index_days table, one row per day). */
    default List<IndexDayRecord> allIndexDays() {
        throw new UnsupportedOperationException("index day listing not supported by " + getClass().getSimpleName());
    }

    /** Pauses or resumes a stage ("index", "retrieve", "forward", "verify") for every worker of the migration. */
    default void setStagePaused(String stage, boolean paused) {
        throw new UnsupportedOperationException("stage control not supported by " + getClass().getSimpleName());
    }

    /** The stages ever paused or resumed, and whether they are paused now. */
    default Map<String, Boolean> stagePauses() {
        throw new UnsupportedOperationException("stage control not supported by " + getClass().getSimpleName());
    }

    /** Keeps a control pass as the migration's last one (replacing the one before). */
    default void recordControlPass(ControlPassRecord pass) {
        throw new UnsupportedOperationException("control passes not supported by " + getClass().getSimpleName());
    }

    /** The last control pass recorded, if any. */
    default Optional<ControlPassRecord> lastControlPass() {
        return Optional.empty();
    }

    /** Number of studies in each state (a full scan: fine for reports, not for hot paths). */
    Map<StudyState, Long> countStudiesByState();

    /** All studies (streamed from the store page by page). */
    Iterable<StudyRecord> allStudies();

    // ---- verification (storage commitment, study status); defaults keep other implementations compiling ----

    /** Records a storage commitment request (transaction UID → study, attempt, size). */
    default void recordCommitmentRequest(CommitmentRecord request) {
        throw new UnsupportedOperationException("storage commitment not supported by " + getClass().getSimpleName());
    }

    /** The transaction, by its UID (the N-EVENT-REPORT names only the transaction). */
    default Optional<CommitmentRecord> findCommitment(String transactionUid) {
        throw new UnsupportedOperationException("storage commitment not supported by " + getClass().getSimpleName());
    }

    /** Every commitment transaction of a study. */
    default List<CommitmentRecord> commitmentsOf(String studyInstanceUid) {
        throw new UnsupportedOperationException("storage commitment not supported by " + getClass().getSimpleName());
    }

    /** Records that the PACS reported on a transaction (idempotent: a repeated report overwrites with the same). */
    default void recordCommitmentReport(String studyInstanceUid, String transactionUid, int eventType, int committed,
                                        int failed) {
        throw new UnsupportedOperationException("storage commitment not supported by " + getClass().getSimpleName());
    }

    /**
     * Records an instance as committed ({@code failureReason} null) or not committed. A commitment is
     * never taken back by a later failure report of an older transaction.
     */
    default void recordInstanceCommitment(String studyInstanceUid, String sopInstanceUid, String transactionUid,
                                          Integer failureReason) {
        throw new UnsupportedOperationException("storage commitment not supported by " + getClass().getSimpleName());
    }

    /** Commitment outcomes of a study's instances, by SOP Instance UID. */
    default Map<String, InstanceCommitment> instanceCommitmentsOf(String studyInstanceUid) {
        throw new UnsupportedOperationException("storage commitment not supported by " + getClass().getSimpleName());
    }

    /**
     * Forgets that an instance was stored in (and verified by) the new PACS, so that the forwarder sends it
     * again: the re-send action of the reconciliation report for instances missing in the new PACS.
     */
    default void clearForwarded(String studyInstanceUid, String sopInstanceUid) {
        throw new UnsupportedOperationException("re-send not supported by " + getClass().getSimpleName());
    }

    /** Saves the completion status of a study (written by the completion topology). */
    default void saveStudyStatus(StudyStatus status) {
        throw new UnsupportedOperationException("study status not supported by " + getClass().getSimpleName());
    }

    default Optional<StudyStatus> findStudyStatus(String studyInstanceUid) {
        throw new UnsupportedOperationException("study status not supported by " + getClass().getSimpleName());
    }

    /** Every study status (a paged full scan). */
    default Iterable<StudyStatus> allStudyStatuses() {
        throw new UnsupportedOperationException("study status not supported by " + getClass().getSimpleName());
    }

    @Override
    void close();
}
