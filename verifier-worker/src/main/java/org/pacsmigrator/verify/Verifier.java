package org.pacsmigrator.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pacsmigrator.dicom.CommitmentResult;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.StudyInstanceListing;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.state.InstanceCommitment;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.StudyEventHandler;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms a forwarded study in the new PACS according to the completion criterion:
 * <ul>
 * <li>{@code sent}: every retrieved instance has a successful C-STORE status;</li>
 * <li>{@code sent-and-cfind}: C-FIND (SERIES then IMAGE level, over one association through the new PACS's
 *     gate: its windows, pause and association limit), or QIDO-RS for a DICOMweb archive, lists every retrieved instance. The new PACS
 *     may index asynchronously, so a study is re-checked a few times before it fails as "missing in destination";</li>
 * <li>{@code sent-and-committed}: Storage Commitment ({@link CommitmentRequester}); instances the PACS does not
 *     commit fail the study as "not committed" (optionally C-FIND first as a double check).</li>
 * </ul>
 * Progress snapshots (expected / retrieved / sent / C-FIND confirmed) go to the progress topic for the
 * completion topology when a {@link JsonPublisher} is given.
 */
public final class Verifier implements StudyEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

    private final StudyInstanceListing listing;
    private final AssociationGate destination;
    private final StateStore state;
    private final EventPublisher publisher;
    private final Topics topics;
    private final int maxAttempts;
    private final Duration retryDelay;
    private final Completion criterion;
    private final boolean cfindDoubleCheck;
    private final CommitmentRequester commitment;
    private final JsonPublisher progress;

    /** C-FIND verification (criterion sent-and-cfind), no progress topic. */
    public Verifier(DicomClient dicom, AssociationGate destination, StateStore state, EventPublisher publisher, Topics topics,
                    int maxAttempts, Duration retryDelay) {
        this(dicom, destination, state, publisher, topics, maxAttempts, retryDelay, Completion.SENT_AND_CFIND, false, null, null);
    }

    /** No C-FIND limit of the new PACS known (its 0xFE00 is honoured anyway). */
    public Verifier(DicomClient dicom, AssociationGate destination, StateStore state, EventPublisher publisher, Topics topics,
                    int maxAttempts, Duration retryDelay, Completion criterion, boolean cfindDoubleCheck,
                    CommitmentRequester commitment, JsonPublisher progress) {
        this(dicom, destination, state, publisher, topics, maxAttempts, retryDelay, criterion, cfindDoubleCheck, commitment,
                progress, 0);
    }

    /**
     * @param commitment    required for {@link Completion#SENT_AND_COMMITTED}
     * @param progress      where progress snapshots go (null: none)
     * @param findResultCap the new PACS's C-FIND result limit (0 = unknown): a capped answer is split, never taken as complete
     */
    public Verifier(DicomClient dicom, AssociationGate destination, StateStore state, EventPublisher publisher, Topics topics,
                    int maxAttempts, Duration retryDelay, Completion criterion, boolean cfindDoubleCheck,
                    CommitmentRequester commitment, JsonPublisher progress, int findResultCap) {
        this(StudyInstanceListing.cFind(dicom, destination.remote(), findResultCap), destination, state, publisher, topics,
                maxAttempts, retryDelay, criterion, cfindDoubleCheck, commitment, progress);
    }

    /**
     * @param listing how the new PACS lists a study (C-FIND, or QIDO-RS for a DICOMweb archive): the
     *                {@code sent-and-cfind} check and the double check of {@code sent-and-committed}
     */
    public Verifier(StudyInstanceListing listing, AssociationGate destination, StateStore state, EventPublisher publisher,
                    Topics topics, int maxAttempts, Duration retryDelay, Completion criterion, boolean cfindDoubleCheck,
                    CommitmentRequester commitment, JsonPublisher progress) {
        if (criterion == Completion.SENT_AND_COMMITTED && commitment == null) {
            throw new IllegalArgumentException("completion sent-and-committed needs a storage commitment requester");
        }
        this.listing = listing;
        this.destination = destination;
        this.state = state;
        this.publisher = publisher;
        this.topics = topics;
        this.maxAttempts = maxAttempts;
        this.retryDelay = retryDelay;
        this.criterion = criterion;
        this.cfindDoubleCheck = cfindDoubleCheck;
        this.commitment = commitment;
        this.progress = progress;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        String uid = event.studyInstanceUid();
        StudyRecord study = state.findStudy(uid).orElseThrow(() -> StageFailure.unknownStudy(uid));
        List<InstanceRecord> all = state.instancesOf(uid);
        List<InstanceRecord> sent = all.stream().filter(InstanceRecord::retrieved).toList();
        if (study.state() == StudyState.VERIFIED) {
            publishProgress(uid, all, -1); // e.g. a replay: the completion topology sees the counts again
            return;
        }
        if (study.state() != StudyState.FORWARDED) {
            throw new StageFailure(FailureCategory.NOT_FORWARDED, "study " + uid + " is " + study.state() + ", not FORWARDED");
        }
        publishProgress(uid, all, -1);
        List<InstanceRecord> notStored = sent.stream().filter(i -> !i.forwarded()).toList();
        if (!notStored.isEmpty()) {
            String message = String.format("study %s: %d of %d instances have no successful C-STORE", uid,
                    notStored.size(), sent.size());
            state.markFailed(uid, FailureCategory.NOT_SENT.label(), message);
            throw new StageFailure(FailureCategory.NOT_SENT, message);
        }
        if (criterion == Completion.SENT_AND_CFIND || (criterion == Completion.SENT_AND_COMMITTED && cfindDoubleCheck)) {
            verifyByCFind(uid, all, sent);
        }
        if (criterion == Completion.SENT_AND_COMMITTED) {
            verifyByCommitment(uid, sent);
        }
        state.transition(uid, StudyState.VERIFIED, StudyState.FORWARDED);
        publisher.publish(topics.verified(), StudyEvent.of(uid, criterion.method()));
        LOG.info("verified study {} ({} instances, {})", uid, sent.size(),
                criterion == Completion.SENT_AND_CFIND ? listing.method() : criterion.method());
    }

    private void verifyByCFind(String uid, List<InstanceRecord> all, List<InstanceRecord> sent) throws Exception {
        Set<String> missing = Set.of();
        int confirmed = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            // a DICOMweb archive that answers busy is asked again after its Retry-After (the gate logs each)
            Set<String> present = destination.callPatiently(() -> { },
                    () -> listing.sopInstanceUids(uid, sent.size()));
            missing = new HashSet<>();
            confirmed = 0;
            List<String> newlyVerified = new ArrayList<>();
            for (InstanceRecord i : sent) {
                if (present.contains(i.sopInstanceUid())) {
                    confirmed++;
                    if (!i.verified()) {
                        newlyVerified.add(i.sopInstanceUid());
                    }
                } else {
                    missing.add(i.sopInstanceUid());
                }
            }
            state.recordVerified(uid, newlyVerified);
            if (missing.isEmpty() || attempt == maxAttempts) {
                break;
            }
            Thread.sleep(retryDelay.toMillis());
        }
        publishProgress(uid, all, confirmed);
        if (!missing.isEmpty()) {
            String message = String.format("study %s: %d of %d instances not found in %s by %s",
                    uid, missing.size(), sent.size(), destination, listing.method());
            state.markFailed(uid, FailureCategory.MISSING_IN_DESTINATION.label(), message);
            throw new StageFailure(FailureCategory.MISSING_IN_DESTINATION, message);
        }
    }

    private void verifyByCommitment(String uid, List<InstanceRecord> sent) throws Exception {
        var tx = commitment.requestAndAwait(uid, sent);
        Map<String, InstanceCommitment> outcomes = state.instanceCommitmentsOf(uid);
        Map<String, Integer> byReason = new TreeMap<>();
        int notCommitted = 0;
        for (InstanceRecord i : sent) {
            InstanceCommitment c = outcomes.get(i.sopInstanceUid());
            if (c == null || !c.committed()) {
                notCommitted++;
                String reason = c == null || c.failureReason() == null ? "not in report"
                        : CommitmentResult.describeReason(c.failureReason());
                byReason.merge(reason, 1, Integer::sum);
            }
        }
        if (notCommitted > 0) {
            String message = String.format("study %s: %d of %d instances not committed by %s (transaction %s): %s",
                    uid, notCommitted, sent.size(), destination.remote(), tx.transactionUid(), byReason);
            state.markFailed(uid, FailureCategory.NOT_COMMITTED.label(), message);
            throw new StageFailure(FailureCategory.NOT_COMMITTED, message);
        }
    }

    private void publishProgress(String uid, List<InstanceRecord> all, int cfindConfirmed) {
        if (progress == null) {
            return;
        }
        int retrieved = (int) all.stream().filter(InstanceRecord::retrieved).count();
        int sentCount = (int) all.stream().filter(InstanceRecord::forwarded).count();
        progress.publish(topics.studyProgress(), uid,
                new ProgressEvent(uid, all.size(), retrieved, sentCount, cfindConfirmed, Instant.now()));
    }
}
