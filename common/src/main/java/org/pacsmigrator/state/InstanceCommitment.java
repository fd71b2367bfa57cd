package org.pacsmigrator.state;

import java.time.Instant;

/**
 * The storage commitment outcome of one instance: committed (committedAt set) or failed with the
 * PACS's failure reason (e.g. 0x0112), and the transaction that said so.
 */
public record InstanceCommitment(String studyInstanceUid, String sopInstanceUid, String transactionUid,
                                 Instant committedAt, Integer failureReason, Instant updatedAt) {
    public boolean committed() {
        return committedAt != null && failureReason == null;
    }
}
