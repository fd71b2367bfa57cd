package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.PendingRows;
import org.pacsmigrator.state.RefusedInstance;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.UidCollision;
import org.pacsmigrator.topics.FailureCategory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every received instance into the shared cache and records it in the state store.
 * Whichever retriever's SCP receives an image (C-MOVE behind a shared service address), the
 * requesting retriever sees it through the state store: completeness never depends on memory.
 *
 * <p>The cache write comes first and is atomic; the state row is written only after the object
 * is complete, so a row never points at a half-written object. Rows are written in batches per
 * study (see {@link PendingRows}): when {@value #ROWS_PER_WRITE} wait, at the latest
 * {@link #MAX_ROW_WAIT} after the first of them came, when the association that delivered them
 * ends, and when the requesting retriever in this process asks ({@link #flush(String)}) before it
 * counts what arrived. A row lost with a crashed process only costs a retrieve of its instance
 * again: completeness is proven by rows, never by C-STORE responses. A failed cache write is
 * reported to the sender (the C-STORE fails), counted, and remembered per study so that the
 * requesting retriever (if it is this process) can name "cache write failed" as the reason.
 */
public final class CacheWritingReceiver implements ReceivedInstanceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CacheWritingReceiver.class);
    /** Rows of one study written together (one request; a Cassandra batch of one partition). */
    static final int ROWS_PER_WRITE = 16;
    /**
     * Longest a row waits for its batch: a retriever in another process (C-MOVE behind a shared
     * address) counts the arrivals by the rows, and a source may keep its association open for
     * seconds after the last image (Orthanc does, for reuse).
     */
    static final Duration MAX_ROW_WAIT = Duration.ofMillis(300);

    private final InstanceCache cache;
    private final StateStore state;
    private final RetrieveMetrics metrics;
    private final Map<String, String> cacheFailures = new ConcurrentHashMap<>();
    private final PendingRows<InstanceRecord> rows;
    private final InFlightStudies inFlight;
    private final ReceivedCopies copies = new ReceivedCopies();

    /** Admits instances of studies being retrieved, without checking manifests (tests, tools). */
    public CacheWritingReceiver(InstanceCache cache, StateStore state) {
        this(cache, state, new RetrieveMetrics(new SimpleMeterRegistry()));
    }

    /** Admits instances of studies being retrieved, without checking manifests (tests, tools). */
    public CacheWritingReceiver(InstanceCache cache, StateStore state, RetrieveMetrics metrics) {
        this(cache, state, metrics, Duration.ofSeconds(10), false);
    }

    /**
     * @param arrivalGrace how long after a study counts as retrieved its late C-STOREs are still taken
     * @param manifests    whether retrievers query instance manifests: then only listed instances are taken
     */
    public CacheWritingReceiver(InstanceCache cache, StateStore state, RetrieveMetrics metrics, Duration arrivalGrace,
                                boolean manifests) {
        this.cache = cache;
        this.state = state;
        this.metrics = metrics;
        this.inFlight = new InFlightStudies(state, arrivalGrace, manifests);
        this.rows = new PendingRows<>(ROWS_PER_WRITE, MAX_ROW_WAIT, (study, batch) -> state.recordRetrieved(batch));
    }

    /** Only instances of studies being retrieved (by any retriever), and in their manifest. */
    @Override
    public Admission admit(String studyInstanceUid, String sopInstanceUid) {
        return inFlight.admit(studyInstanceUid, sopInstanceUid);
    }

    /**
     * A refusal is counted; on a study being retrieved it is also recorded (the report and the console show it,
     * the retriever names it when the study fails). For other studies nothing is written: a stranger cannot
     * fill the state store.
     */
    @Override
    public void refused(InstanceRefusal r) {
        metrics.instanceRefused(r.category());
        if (r.category().equals(Admission.STUDY_NOT_RETRIEVING.reason()) || !inFlight.inFlight(r.studyInstanceUid())) {
            return;
        }
        state.recordRefusal(new RefusedInstance(r.studyInstanceUid(), r.sopInstanceUid(), r.category(), r.detail(),
                r.callingAeTitle(), r.status(), Instant.now()));
    }

    public InstanceCache cache() {
        return cache;
    }

    @Override
    public void onReceived(ReceivedInstance in) throws Exception {
        String key = InstanceCache.keyFor(in.studyInstanceUid(), in.seriesInstanceUid(), in.sopInstanceUid());
        ReceivedCopies.Copy copy = new ReceivedCopies.Copy(in.sha256(), key);
        ReceivedCopies.Copy first = copies.claim(in.studyInstanceUid(), in.sopInstanceUid(), copy);
        if (first != null) {
            keepCollision(in, first);
            return;
        }
        CachedObject stored;
        try {
            stored = cache.put(key, in.file(), in.sha256());
        } catch (IOException | RuntimeException e) {
            copies.release(in.studyInstanceUid(), in.sopInstanceUid(), copy);
            metrics.cacheWriteFailed();
            cacheFailures.put(in.studyInstanceUid(), in.sopInstanceUid() + ": " + e.getMessage());
            LOG.warn("cache write of {} (study {}) failed: {}", in.sopInstanceUid(), in.studyInstanceUid(), e.toString());
            Files.deleteIfExists(in.file());
            throw e;
        }
        metrics.instanceCached(stored.sizeBytes());
        // A failed write keeps its rows for the next one and fails this C-STORE, as an unwritable row always did.
        rows.add(in.studyInstanceUid(), new InstanceRecord(in.studyInstanceUid(), in.sopInstanceUid(),
                in.seriesInstanceUid(), in.sopClassUid(), in.transferSyntaxUid(), stored.sizeBytes(), stored.sha256(),
                stored.key(), Instant.now(), null, null, null, in.patient()));
        LOG.debug("cached {} of study {} ({} bytes)", in.sopInstanceUid(), in.studyInstanceUid(), stored.sizeBytes());
    }

    /**
     * A second, different object under a SOP Instance UID already received for the study: kept beside the first
     * (under its own key: neither replaces the other), without an instance row (the row stays the first's), and
     * recorded as a UID collision with both patients, which stops the study when its retrieve ends. The C-STORE
     * succeeds: the object is kept, and a refusal would only make the source send it again.
     */
    private void keepCollision(ReceivedInstance in, ReceivedCopies.Copy first) throws IOException {
        String key = InstanceCache.collisionKeyFor(first.key(), in.sha256());
        Set<String> patients = new LinkedHashSet<>();
        patientIdOf(first.key(), in.file().getParent()).ifPresent(patients::add);
        patients.add(DicomFiles.readPatientAttributes(in.file()).get("PatientID"));
        CachedObject stored = cache.put(key, in.file(), in.sha256());
        metrics.instanceCached(stored.sizeBytes());
        metrics.instanceRefused(FailureCategory.UID_COLLISION.label());
        state.recordCollision(new UidCollision(in.studyInstanceUid(), in.sopInstanceUid(), patients,
                String.format("SOP Instance UID received with two different contents (SHA-256 %.12s... and %.12s...)",
                        first.sha256(), in.sha256()), Set.of(first.key(), key), Instant.now()));
        LOG.warn("study {}: SOP instance {} received with two different contents; both kept ({}), study stops as '{}'",
                in.studyInstanceUid(), in.sopInstanceUid(), key, FailureCategory.UID_COLLISION.label());
    }

    /** The PatientID in a cached object's header (empty when it cannot be read). */
    private Optional<String> patientIdOf(String key, Path scratch) {
        try {
            Path file = cache.localCopy(key, scratch);
            try {
                return Optional.of(DicomFiles.readPatientAttributes(file).get("PatientID"));
            } finally {
                if (!cache.isOwnObject(file)) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Forgets what was received of a study: it is retrieved again from scratch. */
    void forget(String studyInstanceUid) {
        copies.forget(studyInstanceUid);
    }

    /** Writes the rows of the study's instances received so far (throws when the state store cannot take them). */
    @Override
    public void flush(String studyInstanceUid) {
        rows.flush(studyInstanceUid);
    }

    /** The association ended: what it delivered is recorded now (or, if the state store refuses, at the next write). */
    @Override
    public void deliveryEnded() {
        try {
            rows.flushAll();
        } catch (RuntimeException e) {
            LOG.warn("{} received instances not recorded yet (state store: {}); kept for the next write", rows.size(),
                    e.getMessage());
        }
    }

    /** The last cache write failure this process saw for the study, if any (cleared by the call). */
    public Optional<String> takeCacheFailure(String studyInstanceUid) {
        return Optional.ofNullable(cacheFailures.remove(studyInstanceUid));
    }
}
