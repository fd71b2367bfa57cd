package org.pacsmigrator.retrieve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
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
 * Gets every image of an indexed study from the old PACS into the cache. A successful C-MOVE or
 * C-GET status is not proof: the study counts as retrieved only when the state store holds every
 * instance of the expected manifest. Missing instances are retrieved again at image level, up to
 * the configured number of attempts.
 */
public final class Retriever implements StudyEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Retriever.class);

    private final DicomClient dicom;
    private final DicomNode source;
    private final StateStore state;
    private final ReceivedInstanceHandler receiver;
    private final EventPublisher publisher;
    private final Topics topics;
    private final RetrieveSettings settings;

    public Retriever(DicomClient dicom, DicomNode source, StateStore state, ReceivedInstanceHandler receiver,
                     EventPublisher publisher, Topics topics, RetrieveSettings settings) {
        this.dicom = dicom;
        this.source = source;
        this.state = state;
        this.receiver = receiver;
        this.publisher = publisher;
        this.topics = topics;
        this.settings = settings;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        String uid = event.studyInstanceUid();
        StudyRecord study = state.findStudy(uid).orElseThrow(() -> StageFailure.unknownStudy(uid));
        if (study.state().atLeast(StudyState.RETRIEVED)) {
            if (study.state() == StudyState.RETRIEVED) {
                publisher.publish(topics.retrieved(), StudyEvent.of(uid, "resume"));
            }
            return;
        }
        state.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED, StudyState.RETRIEVING, StudyState.FAILED);
        try {
            Expected expected = expectedInstances(study);
            for (int attempt = 1; ; attempt++) {
                Set<String> have = retrievedUids(uid);
                Set<String> missing = expected.missing(have);
                if (expected.complete(have, attempt > 1)) {
                    break;
                }
                if (attempt > settings.maxAttempts()) {
                    throw new StageFailure("missing instances", String.format(
                            "study %s: %d of %d instances still missing after %d attempts",
                            uid, missing.size(), expected.size(), settings.maxAttempts()));
                }
                retrieve(study, expected, missing, attempt);
            }
        } catch (StageFailure e) {
            state.markFailed(uid, e.category(), e.getMessage());
            throw e;
        }
        state.transition(uid, StudyState.RETRIEVED, StudyState.RETRIEVING);
        publisher.publish(topics.retrieved(), StudyEvent.of(uid, event.reason()));
        LOG.info("retrieved study {}", uid);
    }

    /** First attempt: the whole study; later attempts: only the missing images. */
    private void retrieve(StudyRecord study, Expected expected, Set<String> missing, int attempt) throws Exception {
        String uid = study.studyInstanceUid();
        if (attempt == 1 || !expected.knowsInstances()) {
            retrieveOne(QueryLevel.STUDY, Map.of("StudyInstanceUID", uid));
        } else {
            LOG.info("study {}: attempt {} for {} missing instances", uid, attempt, missing.size());
            for (String sop : missing) {
                retrieveOne(QueryLevel.IMAGE, Map.of("StudyInstanceUID", uid,
                        "SeriesInstanceUID", expected.seriesOf(sop), "SOPInstanceUID", sop));
            }
        }
        if (!settings.useCGet()) {
            awaitArrivals(uid, expected);
        }
    }

    private void retrieveOne(QueryLevel level, Map<String, String> keys) throws DicomException {
        RetrieveOutcome outcome = settings.useCGet()
                ? dicom.get(source, level, DicomDataset.of(keys), settings.scratchDirectory(), receiver)
                : dicom.move(source, level, DicomDataset.of(keys), settings.moveDestinationAeTitle());
        if (!outcome.success()) {
            LOG.warn("retrieve {} {} from {} ended with status 0x{} ({} completed, {} failed)", level, keys.get("StudyInstanceUID"),
                    source, Integer.toHexString(outcome.finalStatus()), outcome.completed(), outcome.failed());
        }
    }

    /**
     * C-STOREs of a C-MOVE go to the SCP (possibly another retriever's); the final C-MOVE response
     * can overtake their recording. Wait until the expected set is complete or stops growing.
     */
    private void awaitArrivals(String uid, Expected expected) throws InterruptedException {
        long deadline = System.nanoTime() + settings.arrivalGrace().toNanos();
        int last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Set<String> have = retrievedUids(uid);
            if (expected.complete(have, false)) {
                return;
            }
            if (have.size() != last) {
                last = have.size();
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > settings.arrivalGrace().toNanos() / 2) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private Set<String> retrievedUids(String uid) {
        Set<String> have = new HashSet<>();
        for (InstanceRecord i : state.instancesOf(uid)) {
            if (i.retrieved()) {
                have.add(i.sopInstanceUid());
            }
        }
        return have;
    }

    private Expected expectedInstances(StudyRecord study) throws DicomException {
        if (!settings.instanceManifest()) {
            return new Expected(Map.of(), study.expectedInstances());
        }
        List<StudyManifest.Entry> manifest = StudyManifest.query(dicom, source, study.studyInstanceUid());
        if (manifest.isEmpty()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS,
                    "source " + source + " lists no instances for study " + study.studyInstanceUid());
        }
        List<InstanceRecord> rows = new ArrayList<>();
        Map<String, String> seriesBySop = new HashMap<>();
        for (StudyManifest.Entry e : manifest) {
            seriesBySop.put(e.sopInstanceUid(), e.seriesInstanceUid());
            rows.add(new InstanceRecord(study.studyInstanceUid(), e.sopInstanceUid(), e.seriesInstanceUid(),
                    e.sopClassUid(), null, 0, null, null, null, null, null, null));
        }
        state.recordExpectedInstances(study.studyInstanceUid(), rows);
        return new Expected(seriesBySop, seriesBySop.size());
    }

    /** The expected instances: by UID when a manifest was queried, else only a count. */
    private record Expected(Map<String, String> seriesBySop, int count) {
        boolean knowsInstances() {
            return !seriesBySop.isEmpty();
        }

        int size() {
            return count;
        }

        Set<String> missing(Set<String> have) {
            Set<String> missing = new HashSet<>(seriesBySop.keySet());
            missing.removeAll(have);
            return missing;
        }

        /**
         * Complete when every manifest UID arrived; without a manifest, when the indexed
         * NumberOfStudyRelatedInstances arrived, or (count unknown) when anything arrived
         * after at least one retrieve.
         */
        boolean complete(Set<String> have, boolean retrievedOnce) {
            if (knowsInstances()) {
                return missing(have).isEmpty();
            }
            if (count > 0) {
                return have.size() >= count;
            }
            return retrievedOnce && !have.isEmpty();
        }

        String seriesOf(String sop) {
            return seriesBySop.get(sop);
        }
    }
}
