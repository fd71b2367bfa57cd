package org.pacsmigrator.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Storage commitment: the transactions requested per study, the PACS's reports, the outcome per instance. */
public interface CommitmentStore {

    /** Records a storage commitment request (transaction UID → study, attempt, size). */
    void recordCommitmentRequest(CommitmentRecord request);

    /** The transaction, by its UID (the N-EVENT-REPORT names only the transaction). */
    Optional<CommitmentRecord> findCommitment(String transactionUid);

    /** Every commitment transaction of a study. */
    List<CommitmentRecord> commitmentsOf(String studyInstanceUid);

    /** Records that the PACS reported on a transaction (idempotent: a repeated report overwrites with the same). */
    void recordCommitmentReport(String studyInstanceUid, String transactionUid, int eventType, int committed, int failed);

    /**
     * Records an instance as committed ({@code failureReason} null) or not committed. A commitment is
     * never taken back by a later failure report of an older transaction.
     */
    void recordInstanceCommitment(String studyInstanceUid, String sopInstanceUid, String transactionUid,
                                  Integer failureReason);

    /** Commitment outcomes of a study's instances, by SOP Instance UID. */
    Map<String, InstanceCommitment> instanceCommitmentsOf(String studyInstanceUid);
}
