package org.pacsmigrator.verify;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.StudyManifest;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.StudyEventHandler;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms a forwarded study in the new PACS by C-FIND (SERIES then IMAGE level): every instance
 * that was retrieved must be listed there. The new PACS may index asynchronously, so a study is
 * re-checked a few times before it fails as "missing in destination".
 * (Storage commitment and the completion topology come with the verifier issue.)
 */
public final class Verifier implements StudyEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

    private final DicomClient dicom;
    private final DicomNode destination;
    private final StateStore state;
    private final EventPublisher publisher;
    private final Topics topics;
    private final int maxAttempts;
    private final Duration retryDelay;

    public Verifier(DicomClient dicom, DicomNode destination, StateStore state, EventPublisher publisher, Topics topics,
                    int maxAttempts, Duration retryDelay) {
        this.dicom = dicom;
        this.destination = destination;
        this.state = state;
        this.publisher = publisher;
        this.topics = topics;
        this.maxAttempts = maxAttempts;
        this.retryDelay = retryDelay;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        String uid = event.studyInstanceUid();
        StudyRecord study = state.findStudy(uid).orElseThrow(() -> StageFailure.unknownStudy(uid));
        if (study.state() == StudyState.VERIFIED) {
            return;
        }
        if (study.state() != StudyState.FORWARDED) {
            throw new StageFailure("not forwarded", "study " + uid + " is " + study.state() + ", not FORWARDED");
        }
        List<InstanceRecord> sent = state.instancesOf(uid).stream().filter(InstanceRecord::retrieved).toList();
        Set<String> missing = Set.of();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Set<String> present = new HashSet<>();
            StudyManifest.query(dicom, destination, uid).forEach(e -> present.add(e.sopInstanceUid()));
            missing = new HashSet<>();
            for (InstanceRecord i : sent) {
                if (present.contains(i.sopInstanceUid())) {
                    if (!i.verified()) {
                        state.recordVerified(uid, i.sopInstanceUid());
                    }
                } else {
                    missing.add(i.sopInstanceUid());
                }
            }
            if (missing.isEmpty() || attempt == maxAttempts) {
                break;
            }
            Thread.sleep(retryDelay.toMillis());
        }
        if (!missing.isEmpty()) {
            String message = String.format("study %s: %d of %d instances not found in %s by C-FIND",
                    uid, missing.size(), sent.size(), destination);
            state.markFailed(uid, "missing in destination", message);
            throw new StageFailure("missing in destination", message);
        }
        state.transition(uid, StudyState.VERIFIED, StudyState.FORWARDED);
        publisher.publish(topics.verified(), StudyEvent.of(uid, "c-find"));
        LOG.info("verified study {} ({} instances)", uid, sent.size());
    }
}
