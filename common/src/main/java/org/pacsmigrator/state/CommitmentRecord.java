package org.pacsmigrator.state;

import java.time.Instant;

/**
 * One storage commitment transaction of a study: when it was requested (attempt n, how many
 * references) and, once the PACS reported, the event type and how many were committed or failed.
 * reportedAt null = no report yet.
 */
public record CommitmentRecord(String transactionUid, String studyInstanceUid, int attempt, int instanceCount,
                               Instant requestedAt, Instant reportedAt, Integer eventType, Integer committed,
                               Integer failed) {
    public boolean reported() {
        return reportedAt != null;
    }
}
