package org.pacsmigrator.verify;

import java.time.Instant;
import java.util.List;

/**
 * A storage commitment report as published to the commitment results topic (keyed by StudyInstanceUID):
 * the transaction, the SOP Instance UIDs committed, and those not committed with the failure reason.
 */
public record CommitmentResultEvent(String studyInstanceUid, String transactionUid, String reportingAeTitle,
                                    int eventTypeId, List<String> committed, List<Failed> failed, Instant reportedAt) {
    public record Failed(String sopInstanceUid, int failureReason) {
    }

    public CommitmentResultEvent {
        committed = committed == null ? List.of() : List.copyOf(committed);
        failed = failed == null ? List.of() : List.copyOf(failed);
    }
}
