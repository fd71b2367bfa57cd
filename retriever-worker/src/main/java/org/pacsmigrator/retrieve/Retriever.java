package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.RetrieveOutcome;
import org.pacsmigrator.dicom.StudyManifest;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.RefusedInstance;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.UidCollision;
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
 * Gets every image of an indexed study from the old PACS into the cache. A successful C-MOVE or
 * C-GET status is not proof: the study counts as retrieved only when the state store holds every
 * instance of the expected manifest and the cache holds each of their objects. What is missing
 * is retrieved again (the whole study when nothing arrived, whole series when a series is missing
 * entirely, otherwise image by image), up to the configured number of attempts.
 *
 * <p>Every association to the source (the manifest C-FIND, each C-MOVE / C-GET) goes through the
 * {@link AssociationGate}: allowed windows, pause, the global association limit shared by all
 * workers, adaptive back-off. Transient failures are thrown as {@link RetrieveException} (the stage
 * retries them with back-off, then dead-letters them under their category); a study still
 * incomplete after the last attempt fails permanently with "missing instances" (or "cache write
 * failed" when this process saw the cache refuse its instances).
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
    private final InstanceCache cache;
    private final AssociationGate gate;
    private final RetrieveMetrics metrics;
    private final IntSupplier listenerRejections;
    /** Studies during whose retrieve our storage SCP turned associations away (it was at its limit). */
    private final Set<String> saturatedDuring = ConcurrentHashMap.newKeySet();

    /** Without a global limit or windows, with private metrics (single worker, tests). */
    public Retriever(DicomClient dicom, DicomNode source, StateStore state, ReceivedInstanceHandler receiver,
                     EventPublisher publisher, Topics topics, RetrieveSettings settings) {
        this(dicom, source, state, receiver, publisher, topics, settings,
                receiver instanceof CacheWritingReceiver c ? c.cache() : null,
                AssociationGate.unlimited(source, 64), new RetrieveMetrics(new SimpleMeterRegistry()));
    }

    /** With a storage SCP that never reaches its limit (C-GET, tests). */
    public Retriever(DicomClient dicom, DicomNode source, StateStore state, ReceivedInstanceHandler receiver,
                     EventPublisher publisher, Topics topics, RetrieveSettings settings, InstanceCache cache,
                     AssociationGate gate, RetrieveMetrics metrics) {
        this(dicom, source, state, receiver, publisher, topics, settings, cache, gate, metrics, () -> 0);
    }

    /**
     * @param cache              the shared cache, checked for every instance before a study counts as retrieved
     *                           (null: trust the state rows)
     * @param listenerRejections associations our storage SCP rejected at its limit so far (C-GET: always 0)
     */
    public Retriever(DicomClient dicom, DicomNode source, StateStore state, ReceivedInstanceHandler receiver,
                     EventPublisher publisher, Topics topics, RetrieveSettings settings, InstanceCache cache,
                     AssociationGate gate, RetrieveMetrics metrics, IntSupplier listenerRejections) {
        this.dicom = dicom;
        this.source = source;
        this.state = state;
        this.receiver = receiver;
        this.publisher = publisher;
        this.topics = topics;
        this.settings = settings;
        this.cache = cache;
        this.gate = gate;
        this.metrics = metrics;
        this.listenerRejections = listenerRejections;
    }

    public RetrieveMetrics metrics() {
        return metrics;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        String uid = event.studyInstanceUid();
        StudyRecord study = state.findStudy(uid).orElseThrow(() -> StageFailure.unknownStudy(uid));
        if (study.state().atLeast(StudyState.RETRIEVED)) {
            if (study.state() == StudyState.RETRIEVED) {
                publisher.publish(Topics.lane(topics.retrieved(), event), event.next("resume"));
            }
            metrics.study("skipped");
            return;
        }
        state.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED, StudyState.RETRIEVING, StudyState.FAILED);
        metrics.inProgress().incrementAndGet();
        Timer.Sample sample = Timer.start(metrics.registry());
        try {
            checkStudyCollision(study);
            try {
                retrieveStudy(study);
            } catch (StageFailure e) {
                failOnCollisions(uid); // two objects under one UID explain "missing" better than "missing"
                throw e;
            }
            failOnCollisions(uid);
        } catch (StageFailure e) {
            metrics.failure(e.category());
            metrics.study("failed");
            state.markFailed(uid, e.category().label(), e.getMessage());
            throw e;
        } catch (RetrieveException e) {
            metrics.failure(e.category()); // retried by the stage; counted per failed try
            throw e;
        } finally {
            metrics.inProgress().decrementAndGet();
            saturatedDuring.remove(uid);
        }
        sample.stop(metrics.studyLatency());
        state.transition(uid, StudyState.RETRIEVED, StudyState.RETRIEVING);
        publisher.publish(Topics.lane(topics.retrieved(), event), event.next(event.reason()));
        metrics.study("retrieved");
        LOG.info("retrieved study {}", uid);
    }

    private void retrieveStudy(StudyRecord study) throws Exception {
        String uid = study.studyInstanceUid();
        Expected expected = expectedInstances(study);
        List<InstanceRecord> rows = recordedInstances(uid);
        for (int attempt = 1; ; attempt++) {
            Set<String> have = verifiedUids(uid, rows);
            Set<String> missing = expected.missing(have);
            if (expected.complete(have, attempt > 1)) {
                return;
            }
            if (attempt > settings.maxAttempts()) {
                String detail = String.format("study %s: %d of %d instances still missing after %d attempts",
                        uid, missing.size(), expected.size(), settings.maxAttempts());
                failOnRefusals(uid, missing, detail);
                if (saturatedDuring.contains(uid)) {
                    throw new RetrieveException(FailureCategory.STORAGE_SCP_SATURATED, detail
                            + "; our storage SCP turned associations away at its limit (migrator.maxAssociations)", null);
                }
                if (receiver instanceof CacheWritingReceiver c) {
                    var cacheFailure = c.takeCacheFailure(uid);
                    if (cacheFailure.isPresent()) {
                        throw new StageFailure(FailureCategory.CACHE_WRITE_FAILED,
                                detail + "; the cache refused instances (last: " + cacheFailure.get() + ")");
                    }
                }
                throw new StageFailure(FailureCategory.MISSING_INSTANCES, detail);
            }
            rows = retrieve(study, expected, have, missing, attempt);
        }
    }

    /**
     * Nothing yet (or no manifest): the whole study; otherwise whole series that are entirely
     * missing, and single images of the others. Returns the study's instance rows as they are afterwards.
     */
    private List<InstanceRecord> retrieve(StudyRecord study, Expected expected, Set<String> have, Set<String> missing,
                                          int attempt) throws Exception {
        String uid = study.studyInstanceUid();
        int before = have.size();
        List<RetrieveOutcome> outcomes = new ArrayList<>();
        if (!expected.knowsInstances() || have.stream().noneMatch(expected::contains)) {
            outcomes.add(retrieveOne(QueryLevel.STUDY, Map.of("StudyInstanceUID", uid)));
        } else {
            Map<String, List<String>> missingBySeries = new TreeMap<>();
            for (String sop : missing) {
                missingBySeries.computeIfAbsent(expected.seriesOf(sop), k -> new ArrayList<>()).add(sop);
            }
            LOG.info("study {}: attempt {} for {} missing instances in {} series", uid, attempt, missing.size(),
                    missingBySeries.size());
            for (Map.Entry<String, List<String>> e : missingBySeries.entrySet()) {
                if (e.getValue().size() == expected.countInSeries(e.getKey())) {
                    outcomes.add(retrieveOne(QueryLevel.SERIES, Map.of("StudyInstanceUID", uid,
                            "SeriesInstanceUID", e.getKey())));
                    continue;
                }
                for (String sop : e.getValue()) {
                    outcomes.add(retrieveOne(QueryLevel.IMAGE, Map.of("StudyInstanceUID", uid,
                            "SeriesInstanceUID", e.getKey(), "SOPInstanceUID", sop)));
                }
            }
        }
        List<InstanceRecord> rows = settings.useCGet() ? recordedInstances(uid) : awaitArrivals(uid, expected);
        // Every operation refused and nothing new arrived: the source refuses this study (for now).
        // (Failed sub-operations mean the source did try: then it is about what arrived, not a refusal.)
        boolean allRefused = !outcomes.isEmpty() && outcomes.stream().allMatch(Retriever::refused);
        if (allRefused && retrievedUids(rows).size() <= before) {
            RetrieveOutcome first = outcomes.get(0);
            if (saturatedDuring.contains(uid)) {
                throw new RetrieveException(FailureCategory.STORAGE_SCP_SATURATED, String.format(
                        "study %s: our storage SCP was at its limit and turned the source's associations away; source %s"
                                + " then ended the retrieve (status 0x%04X)", uid, source, first.finalStatus()), null);
            }
            // A source that aborts because our SCP refused its C-STOREs (cache full, unwritable) is not refusing.
            var cacheFailure = receiver instanceof CacheWritingReceiver c ? c.takeCacheFailure(uid) : Optional.<String>empty();
            if (cacheFailure.isPresent()) {
                throw new RetrieveException(FailureCategory.CACHE_WRITE_FAILED, String.format(
                        "study %s: the cache refused instances (last: %s); source %s then ended the retrieve (status 0x%04X)",
                        uid, cacheFailure.get(), source, first.finalStatus()), null);
            }
            throw new RetrieveException(FailureCategory.REFUSED_BY_SOURCE, String.format(
                    "study %s: source %s refused the retrieve (status 0x%04X)", uid, source, first.finalStatus()), null);
        }
        return rows;
    }

    /** A failure status with no sub-operation completed or even attempted. */
    private static boolean refused(RetrieveOutcome o) {
        int status = o.finalStatus();
        return status != 0x0000 && status != 0xB000 && status != 0xFF00 && status != 0xFF01
                && o.completed() == 0 && o.failed() == 0 && o.warning() == 0;
    }

    /**
     * A study the indexer found under several PatientIDs is asked about again (it may have been resolved in the
     * old PACS since, and replayed): still so, it stops as a UID collision before anything is retrieved; resolved,
     * the collision is forgotten. Collisions of its instances left by an earlier retrieve are forgotten with their
     * cached objects, so that this retrieve detects them again from scratch.
     */
    private void checkStudyCollision(StudyRecord study) throws Exception {
        String uid = study.studyInstanceUid();
        for (UidCollision c : state.collisionsOf(uid)) {
            if (!c.studyLevel()) {
                for (String key : c.keptKeys()) {
                    if (cache != null) {
                        cache.delete(key);
                    }
                }
                state.clearCollision(uid, c.sopInstanceUid());
                if (receiver instanceof CacheWritingReceiver r) {
                    r.forget(uid);
                }
                continue;
            }
            Set<String> patients = new TreeSet<>();
            try {
                gate.callPatiently(metrics::busy, () -> dicom.find(source, QueryLevel.STUDY,
                        DicomDataset.of(Map.of("StudyInstanceUID", uid, "PatientID", "")),
                        m -> patients.add(m.get("PatientID").trim())));
            } catch (DicomException e) {
                throw RetrieveException.of(e, "C-FIND STUDY " + uid);
            }
            if (patients.size() > 1) {
                state.recordCollision(new UidCollision(uid, "", patients, c.detail(), Set.of(), Instant.now()));
                throw new StageFailure(FailureCategory.UID_COLLISION, "study " + uid + ": StudyInstanceUID under "
                        + patients.size() + " PatientIDs in the old PACS; nothing retrieved");
            }
            LOG.info("study {}: its StudyInstanceUID is now under one PatientID in the old PACS; collision resolved", uid);
            state.clearCollision(uid, "");
        }
    }

    /** Instances received with two different contents under one SOP Instance UID stop the study (both are kept). */
    private void failOnCollisions(String uid) throws StageFailure {
        List<UidCollision> collisions = state.collisionsOf(uid).stream().filter(c -> !c.studyLevel()).toList();
        if (!collisions.isEmpty()) {
            throw new StageFailure(FailureCategory.UID_COLLISION, String.format("study %s: %d SOP Instance UIDs received with two "
                    + "different contents (first: %s); both copies kept", uid, collisions.size(),
                    collisions.get(0).sopInstanceUid()));
        }
    }

    /**
     * The source kept sending some of the missing instances incomplete, or not matching their command (the
     * storage SCP refused and recorded them): the study fails under that category, not as plainly missing.
     */
    private void failOnRefusals(String uid, Set<String> missing, String detail) throws StageFailure {
        for (RefusedInstance r : state.refusalsOf(uid)) {
            if (!missing.contains(r.sopInstanceUid())) {
                continue;
            }
            if (r.category().equals(InstanceRefusal.INCOMPLETE)) {
                throw new StageFailure(FailureCategory.INCOMPLETE_DATASET, detail + "; instance " + r.sopInstanceUid()
                        + " arrived incomplete (" + r.detail() + ")");
            }
            if (r.category().equals(InstanceRefusal.MISMATCH)) {
                throw new StageFailure(FailureCategory.INCONSISTENT_DATASET, detail + "; instance " + r.sopInstanceUid()
                        + ": " + r.detail());
            }
        }
    }

    private RetrieveOutcome retrieveOne(QueryLevel level, Map<String, String> keys) throws RetrieveException,
            InterruptedException {
        String what = (settings.useCGet() ? dicom.getOperationName() : "C-MOVE") + " " + level + " " + keys.get("StudyInstanceUID");
        int rejectedBefore = listenerRejections.getAsInt();
        RetrieveOutcome outcome;
        try {
            // a DICOMweb archive may answer busy (429/503): asked again after the wait it names
            outcome = gate.callPatiently(metrics::busy, () -> {
                long start = System.nanoTime();
                try {
                    return settings.useCGet()
                            ? dicom.get(source, level, DicomDataset.of(keys), settings.scratchDirectory(), receiver)
                            : dicom.move(source, level, DicomDataset.of(keys), settings.moveDestinationAeTitle());
                } finally {
                    metrics.associationLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }
            });
        } catch (DicomException e) {
            throw RetrieveException.of(e, what);
        }
        if (listenerRejections.getAsInt() > rejectedBefore && !outcome.success()) {
            saturatedDuring.add(keys.get("StudyInstanceUID"));
        }
        if ((outcome.finalStatus() & 0xFF00) == 0xA700 && refused(outcome)) {
            gate.limit().onOverload(); // refused as "out of resources": the source is busy, back off
        }
        if (!outcome.success()) {
            LOG.warn("{} from {} ended with status 0x{} ({} completed, {} failed)", what, source,
                    Integer.toHexString(outcome.finalStatus()), outcome.completed(), outcome.failed());
        }
        return outcome;
    }

    /**
     * C-STOREs of a C-MOVE go to the SCP (possibly another retriever's); the final C-MOVE response
     * can overtake their recording. Wait until the expected set is complete or stops growing; returns
     * the rows last read.
     */
    private List<InstanceRecord> awaitArrivals(String uid, Expected expected) throws InterruptedException {
        long deadline = System.nanoTime() + settings.arrivalGrace().toNanos();
        int last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            List<InstanceRecord> rows = recordedInstances(uid);
            Set<String> have = retrievedUids(rows);
            if (expected.complete(have, false) || System.nanoTime() >= deadline) {
                return rows;
            }
            if (have.size() != last) {
                last = have.size();
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > settings.arrivalGrace().toNanos() / 2) {
                return rows;
            }
            Thread.sleep(100);
        }
    }

    /** Instances the rows record as retrieved. */
    private static Set<String> retrievedUids(List<InstanceRecord> rows) {
        Set<String> have = new HashSet<>();
        for (InstanceRecord i : rows) {
            if (i.retrieved()) {
                have.add(i.sopInstanceUid());
            }
        }
        return have;
    }

    /** The study's instance rows, after this process's receiver wrote what it holds of the study. */
    private List<InstanceRecord> recordedInstances(String uid) {
        receiver.flush(uid);
        return state.instancesOf(uid);
    }

    /**
     * Instances recorded as retrieved AND whose object is in the cache: a row alone is not proof
     * (the object may have been deleted or lost since). Missing objects are retrieved again.
     */
    private Set<String> verifiedUids(String uid, List<InstanceRecord> rows) throws RetrieveException {
        Set<String> have = new HashSet<>();
        for (InstanceRecord i : rows) {
            if (!i.retrieved()) {
                continue;
            }
            if (cache != null) {
                try {
                    if (i.cacheKey() == null || !cache.exists(i.cacheKey())) {
                        LOG.warn("study {}: instance {} is recorded as retrieved but not in the cache; retrieving it again",
                                uid, i.sopInstanceUid());
                        continue;
                    }
                } catch (IOException e) {
                    throw new RetrieveException(FailureCategory.CACHE_WRITE_FAILED,
                            "study " + uid + ": cannot check the cache: " + e.getMessage(), e);
                }
            }
            have.add(i.sopInstanceUid());
        }
        return have;
    }

    private Expected expectedInstances(StudyRecord study) throws RetrieveException, InterruptedException {
        if (!settings.instanceManifest()) {
            return new Expected(Map.of(), study.expectedInstances());
        }
        List<StudyManifest.Entry> manifest;
        try {
            manifest = gate.callPatiently(metrics::busy, () -> StudyManifest.query(dicom, source,
                    study.studyInstanceUid(), study.expectedInstances(),
                    settings.findResultCap()));
        } catch (DicomException e) {
            throw RetrieveException.of(e, "manifest C-FIND of " + study.studyInstanceUid());
        }
        if (manifest.isEmpty()) {
            throw new RetrieveException(FailureCategory.REFUSED_BY_SOURCE,
                    "source " + source + " lists no instances for study " + study.studyInstanceUid(), null);
        }
        List<InstanceRecord> rows = new ArrayList<>();
        Map<String, String> seriesBySop = new LinkedHashMap<>();
        for (StudyManifest.Entry e : manifest) {
            seriesBySop.put(e.sopInstanceUid(), e.seriesInstanceUid());
            rows.add(new InstanceRecord(study.studyInstanceUid(), e.sopInstanceUid(), e.seriesInstanceUid(),
                    null, null, 0, null, null, null, null, null, null)); // SOP class: recorded on arrival
        }
        state.recordExpectedInstances(study.studyInstanceUid(), rows);
        return new Expected(seriesBySop, seriesBySop.size());
    }

    /** The expected instances: by UID when a manifest was queried, else only a count. */
    private record Expected(Map<String, String> seriesBySop, int count) {
        boolean knowsInstances() {
            return !seriesBySop.isEmpty();
        }

        boolean contains(String sop) {
            return seriesBySop.containsKey(sop);
        }

        int size() {
            return count;
        }

        int countInSeries(String series) {
            return (int) seriesBySop.values().stream().filter(series::equals).count();
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
