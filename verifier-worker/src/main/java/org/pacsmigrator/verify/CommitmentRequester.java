package org.pacsmigrator.verify;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.pacsmigrator.dicom.SopReference;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.state.CommitmentRecord;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StageFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the new PACS to commit a study's instances and waits until the report has been applied
 * ({@link CommitmentResultConsumer} marks the transaction reported). Each request has its own transaction
 * UID recorded in the state store before it is sent. A report that does not come within the timeout
 * leads to a new request (new transaction); after {@code maxRequests} the study fails with
 * "commitment timeout" (and is dead-lettered by the consumer loop).
 */
public final class CommitmentRequester {
    private static final Logger LOG = LoggerFactory.getLogger(CommitmentRequester.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final StorageCommitment scu;
    private final AssociationGate destination;
    private final StateStore state;
    private final Duration timeout;
    private final int maxRequests;

    /** @param destination the new PACS's gate: each N-ACTION takes one of its slots (the wait for the report does not) */
    public CommitmentRequester(StorageCommitment scu, AssociationGate destination, StateStore state, Duration timeout,
                               int maxRequests) {
        this.scu = scu;
        this.destination = destination;
        this.state = state;
        this.timeout = timeout;
        this.maxRequests = maxRequests;
    }

    /** Returns the transaction whose report was applied; throws StageFailure("commitment timeout") when none came. */
    public CommitmentRecord requestAndAwait(String studyInstanceUid, List<InstanceRecord> instances) throws Exception {
        List<SopReference> refs = instances.stream()
                .map(i -> new SopReference(i.sopClassUid(), i.sopInstanceUid())).toList();
        for (int attempt = 1; attempt <= maxRequests; attempt++) {
            String tx = newTransactionUid();
            state.recordCommitmentRequest(new CommitmentRecord(tx, studyInstanceUid, attempt, refs.size(), Instant.now(),
                    null, null, null, null));
            destination.call(() -> scu.request(destination.remote(), tx, refs));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                var record = state.findCommitment(tx);
                if (record.isPresent() && record.get().reported()) {
                    return record.get();
                }
                Thread.sleep(POLL.toMillis());
            }
            LOG.warn("study {}: no storage commitment report for transaction {} within {} s (request {}/{})",
                    studyInstanceUid, tx, timeout.toSeconds(), attempt, maxRequests);
        }
        String message = String.format("study %s: no storage commitment report from %s after %d requests (%d s each)",
                studyInstanceUid, destination.remote(), maxRequests, timeout.toSeconds());
        state.markFailed(studyInstanceUid, FailureCategory.COMMITMENT_TIMEOUT.label(), message);
        throw new StageFailure(FailureCategory.COMMITMENT_TIMEOUT, message);
    }

    /** A UID under the 2.25 root (UUID as decimal integer), at most 64 characters. */
    static String newTransactionUid() {
        UUID u = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, b.array());
    }

}
