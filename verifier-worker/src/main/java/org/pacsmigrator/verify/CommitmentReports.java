package org.pacsmigrator.verify;

import java.time.Instant;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.SopReference;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.state.CommitmentRecord;
import org.pacsmigrator.state.CommitmentStore;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes every N-EVENT-REPORT from the commitment SCU (same or new association), finds the study of its
 * transaction in the state store and publishes the result to the commitment results topic. Only then is
 * the report acknowledged (N-EVENT-REPORT-RSP success); a report for an unknown transaction is refused
 * (0x0110), so that a PACS may send it again.
 */
public final class CommitmentReports implements StorageCommitment.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(CommitmentReports.class);

    private final CommitmentStore commitments;
    private final JsonPublisher publisher;
    private final Topics topics;

    public CommitmentReports(CommitmentStore commitments, JsonPublisher publisher, Topics topics) {
        this.commitments = commitments;
        this.publisher = publisher;
        this.topics = topics;
    }

    @Override
    public void onResult(CommitmentResult result) {
        CommitmentRecord tx = commitments.findCommitment(result.transactionUid()).orElseThrow(() ->
                new IllegalArgumentException("unknown storage commitment transaction " + result.transactionUid()));
        CommitmentResultEvent event = new CommitmentResultEvent(tx.studyInstanceUid(), tx.transactionUid(),
                result.reportingAeTitle(), result.eventTypeId(),
                result.committed().stream().map(SopReference::sopInstanceUid).toList(),
                result.failed().stream().map(f -> new CommitmentResultEvent.Failed(f.sopInstanceUid(), f.failureReason())).toList(),
                Instant.now());
        publisher.publish(topics.commitmentResults(), tx.studyInstanceUid(), event);
        LOG.info("commitment report {} for study {}: {} committed, {} failed ({})", tx.transactionUid(),
                tx.studyInstanceUid(), event.committed().size(), event.failed().size(),
                result.sameAssociation() ? "same association" : "new association");
    }
}
