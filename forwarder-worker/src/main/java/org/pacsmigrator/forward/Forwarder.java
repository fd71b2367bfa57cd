package org.pacsmigrator.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.InstanceSender;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.PeerBusyException;
import org.pacsmigrator.dicom.StoreListener;
import org.pacsmigrator.forward.rules.RuleContext;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.state.InstanceModification;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.PendingRows;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StateStoreException;
import org.pacsmigrator.state.StoreOutcome;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StageFailure;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.StudyEventHandler;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every cached instance of a retrieved study to the new PACS with C-STORE (or STOW-RS, see
 * {@link InstanceSender}), in batches of one association (request) each, several at once. Instances already stored (recorded in the state store) are not sent
 * again, so a re-delivered study or a restart after a crash resends at most the batch in flight.
 * Each instance is checked against its recorded size and SHA-256 (see {@link CacheCheck}) and passed
 * through the configured rule set first; an instance that must not be sent fails the study with its
 * category after the rest is sent.
 */
public final class Forwarder implements StudyEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    /** How long C-STORE outcomes wait for an unreachable state store (a node restart takes ~30 s). */
    private static final Duration RECORD_RETRY = Duration.ofMinutes(2);
    private static final Backoff RECORD_BACKOFF = Backoff.ofMillis(500, 5_000);
    /**
     * C-STORE outcomes of an association recorded together (one state store request): also the
     * most images of an association a crash can make it send again.
     */
    public static final int OUTCOMES_PER_WRITE = 16;

    private final InstanceSender destination;
    private final StateStore state;
    private final InstanceCache cache;
    private final EventPublisher publisher;
    private final Topics topics;
    private final int batchSize;
    private final Path scratchDirectory;
    private final InstancePreparer preparer;
    private final String sourceAeTitle;
    private final PatientConflicts patientConflicts;
    private final PatientConflictPolicy patientConflictPolicy;
    /** Windows, pause, global association limit and adaptive back-off toward the new PACS. */
    private final AssociationGate gate;
    private final ForwardMetrics metrics;
    private final TransferSyntaxConversions conversions;
    /** Batches of one study are sent over this many associations at once. */
    private final ExecutorService associations;

    /** C-STORE to {@code destination}. */
    public Forwarder(DicomClient dicom, DicomNode destination, StateStore state, InstanceCache cache,
                     EventPublisher publisher, Topics topics, int batchSize, Path scratchDirectory,
                     RuleSet rules, CacheCheck cacheCheck, String sourceAeTitle, PatientConflictPolicy patientConflictPolicy,
                     int parallelAssociations, AssociationGate gate, ForwardMetrics metrics, TransferSyntaxConversions conversions) {
        this(InstanceSender.cStore(dicom, destination), state, cache, publisher, topics, batchSize, scratchDirectory, rules,
                cacheCheck, sourceAeTitle, patientConflictPolicy, parallelAssociations, gate, metrics, conversions);
    }

    public Forwarder(InstanceSender destination, StateStore state, InstanceCache cache,
                     EventPublisher publisher, Topics topics, int batchSize, Path scratchDirectory,
                     RuleSet rules, CacheCheck cacheCheck, String sourceAeTitle, PatientConflictPolicy patientConflictPolicy,
                     int parallelAssociations, AssociationGate gate, ForwardMetrics metrics, TransferSyntaxConversions conversions) {
        this.destination = destination;
        this.state = state;
        this.cache = cache;
        this.publisher = publisher;
        this.topics = topics;
        this.batchSize = batchSize;
        this.scratchDirectory = scratchDirectory;
        this.preparer = new InstancePreparer(rules, state, scratchDirectory, cacheCheck);
        this.sourceAeTitle = sourceAeTitle;
        this.patientConflicts = new PatientConflicts(state);
        this.patientConflictPolicy = patientConflictPolicy;
        this.gate = gate;
        this.metrics = metrics;
        this.conversions = conversions;
        this.associations = Executors.newFixedThreadPool(parallelAssociations, r -> {
            Thread t = new Thread(r, "forward-association");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        String uid = event.studyInstanceUid();
        StudyRecord study = state.findStudy(uid).orElseThrow(() -> StageFailure.unknownStudy(uid));
        if (study.state().atLeast(StudyState.FORWARDED)) {
            if (study.state() == StudyState.FORWARDED) {
                publisher.publish(Topics.lane(topics.forwarded(), event), event.next("resume"));
            }
            return;
        }
        if (!study.state().atLeast(StudyState.RETRIEVED) && study.state() != StudyState.FAILED) {
            throw new StageFailure(FailureCategory.NOT_RETRIEVED, "study " + uid + " is " + study.state() + ", not RETRIEVED");
        }
        state.transition(uid, StudyState.FORWARDING, StudyState.RETRIEVED, StudyState.FORWARDING, StudyState.FAILED);
        List<InstanceRecord> pending = new ArrayList<>();
        for (InstanceRecord i : state.instancesOf(uid)) {
            if (i.retrieved() && !i.forwarded()) {
                pending.add(i);
            }
        }
        PatientConflicts.Findings patient = findPatientConflicts(study, pending);
        if (!patient.unknown().isEmpty()) {
            state.markUnknown(uid, patient.unknown()); // the C-FIND answer lost what the images hold: no evidence
        }
        List<String> conflicts = patient.problems();
        if (!conflicts.isEmpty()) {
            String message = "study " + uid + ": patient ID conflict: " + String.join("; ", conflicts.stream().limit(5).toList());
            if (patientConflictPolicy == PatientConflictPolicy.STOP) {
                metrics.failure(FailureCategory.PATIENT_ID_CONFLICT.label());
                metrics.study("failed");
                state.markFailed(uid, FailureCategory.PATIENT_ID_CONFLICT.label(), message);
                throw new StageFailure(FailureCategory.PATIENT_ID_CONFLICT, message);
            }
            LOG.warn("{} ({} by configuration)", message,
                    patientConflictPolicy == PatientConflictPolicy.RULE ? "sent with the conflict rules" : "sent as is");
        }
        Map<String, InstanceFailure> failures = new ConcurrentSkipListMap<>(); // by SOP Instance UID
        boolean indexedIdUnknown = study.unknown("PatientID") || patient.unknown().contains("PatientID");
        RuleContext context = new RuleContext(uid, indexedIdUnknown ? null : study.patientId(), sourceAeTitle,
                !conflicts.isEmpty() && patientConflictPolicy == PatientConflictPolicy.RULE);
        List<Future<?>> batches = new ArrayList<>();
        for (List<InstanceRecord> batch : evenBatches(pending, batchSize)) {
            batches.add(associations.submit(Schedule.carryingWaiver(() -> {
                sendBatch(uid, batch, context, failures);
                return null;
            })));
        }
        awaitAll(batches);
        if (!failures.isEmpty()) {
            // The rest of the study was sent; the study fails with the first category so it is dead-lettered and visible.
            FailureCategory category = failures.values().iterator().next().category();
            String message = String.format("study %s: %d instances not stored in %s: %s",
                    uid, failures.size(), destination,
                    failures.entrySet().stream().limit(5).map(e -> e.getKey() + " (" + e.getValue() + ")").toList());
            failures.values().forEach(f -> metrics.failure(f.category().label()));
            metrics.study("failed");
            state.markFailed(uid, category.label(), message);
            throw new StageFailure(category, message);
        }
        metrics.study("forwarded");
        state.transition(uid, StudyState.FORWARDED, StudyState.FORWARDING);
        publisher.publish(Topics.lane(topics.forwarded(), event), event.next(event.reason()));
        LOG.info("forwarded study {} ({} instances sent now)", uid, pending.size());
    }

    /**
     * As few batches of at most {@code max} as possible, of equal size (±1): 51 images with a batch
     * size of 50 go as 26 + 25, not 50 + 1, so parallel associations share the work.
     */
    static <T> List<List<T>> evenBatches(List<T> items, int max) {
        int count = (items.size() + max - 1) / max;
        List<List<T>> out = new ArrayList<>(count);
        for (int i = 0, from = 0; i < count; i++) {
            int size = (items.size() - from + (count - i) - 1) / (count - i);
            out.add(items.subList(from, from + size));
            from += size;
        }
        return out;
    }

    /**
     * Waits for every batch; the first failure is rethrown once all have ended (none is left running).
     * An {@link Error} is rethrown as it is, not as an exception the consumer loop would retry.
     */
    private static void awaitAll(List<Future<?>> batches) throws Exception {
        Throwable first = null;
        for (Future<?> f : batches) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null || (e.getCause() instanceof Error && !(first instanceof Error))) {
                    first = e.getCause();
                }
            }
        }
        if (first instanceof Error error) {
            throw error;
        }
        if (first != null) {
            throw first instanceof Exception cause ? cause : new IllegalStateException(first);
        }
    }

    /**
     * Checks every pending image's patient attributes (decoded by their own character set) before anything is
     * sent: as recorded at receipt; only for rows without them (written by an older version) is the cached
     * image's header read.
     */
    private PatientConflicts.Findings findPatientConflicts(StudyRecord study, List<InstanceRecord> pending) throws IOException {
        Map<String, DicomDataset> headers = new LinkedHashMap<>();
        for (InstanceRecord i : pending) {
            if (i.patient() != null) {
                headers.put(i.sopInstanceUid(), i.patient().asDataset());
                continue;
            }
            Path cached;
            try {
                cached = cache.localCopy(i.cacheKey(), scratchDirectory);
            } catch (IOException e) {
                continue; // reported as "cache object missing" when sending
            }
            try {
                headers.put(i.sopInstanceUid(), DicomFiles.readPatientAttributes(cached));
            } catch (IOException e) {
                continue; // unreadable: reported as corrupt when sending
            } finally {
                if (!cache.isOwnObject(cached)) {
                    Files.deleteIfExists(cached);
                }
            }
        }
        return patientConflicts.check(study, headers);
    }

    private void sendBatch(String studyUid, List<InstanceRecord> batch, RuleContext context, Map<String, InstanceFailure> failures)
            throws Exception {
        Map<Path, InstanceRecord> byFile = new HashMap<>();
        Map<Path, InstanceModification> modifications = new HashMap<>();
        List<OutgoingInstance> files = new ArrayList<>();
        List<Path> scratchFiles = new ArrayList<>();
        try {
            for (InstanceRecord i : batch) {
                Path cached;
                try {
                    cached = cache.localCopy(i.cacheKey(), scratchDirectory);
                } catch (IOException e) {
                    failures.put(i.sopInstanceUid(), new InstanceFailure(FailureCategory.CACHE_OBJECT_MISSING, e.getMessage()));
                    continue;
                }
                if (!cache.isOwnObject(cached)) {
                    scratchFiles.add(cached); // a temporary download
                }
                InstancePreparer.Prepared prepared = preparer.prepare(i, cached, context);
                if (prepared.rejected()) {
                    failures.put(i.sopInstanceUid(), new InstanceFailure(prepared.failureCategory(), prepared.detail()));
                    if (prepared.corruptCacheObject()) {
                        discard(i);
                    }
                    continue;
                }
                if (!prepared.file().equals(cached)) {
                    scratchFiles.add(prepared.file());
                }
                byFile.put(prepared.file(), i);
                if (prepared.modification() != null) {
                    modifications.put(prepared.file(), prepared.modification());
                }
                files.add(prepared.outgoing());
            }
            if (files.isEmpty()) {
                return;
            }
            // An association-level DicomException propagates: the stage retries the study, and
            // instances already recorded as stored are not sent again.
            Map<Path, InstanceRecord> notAccepted = new HashMap<>();
            store(studyUid, files, byFile, modifications, failures, notAccepted);
            Map<Path, InstanceRecord> converted = convert(studyUid, notAccepted, failures, scratchFiles);
            if (!converted.isEmpty()) {
                store(studyUid, converted.keySet().stream().map(OutgoingInstance::of).toList(), converted, Map.of(), failures,
                        new HashMap<>());
            }
        } finally {
            for (Path f : scratchFiles) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * Removes a corrupt cache object: it can never be sent, and without it the retriever fetches the
     * image again when the study is replayed (into the retrieve stage, see StageReplay).
     */
    private void discard(InstanceRecord corrupt) {
        try {
            cache.delete(corrupt.cacheKey());
            LOG.warn("instance {} of study {}: corrupt cache object {} removed; replaying the study retrieves it again",
                    corrupt.sopInstanceUid(), corrupt.studyInstanceUid(), corrupt.cacheKey());
        } catch (IOException e) {
            LOG.warn("instance {} of study {}: corrupt cache object {} could not be removed: {}", corrupt.sopInstanceUid(),
                    corrupt.studyInstanceUid(), corrupt.cacheKey(), e.toString());
        }
    }

    /**
     * One association through the gate, timed. While the new PACS answers "busy" ({@link PeerBusyException}: the
     * gate has lowered its limit), the images without an outcome yet go again after the wait it asked for.
     */
    private void store(String studyUid, List<OutgoingInstance> files, Map<Path, InstanceRecord> byFile,
                       Map<Path, InstanceModification> modifications, Map<String, InstanceFailure> failures,
                       Map<Path, InstanceRecord> notAccepted) throws Exception {
        Set<Path> answered = ConcurrentHashMap.newKeySet();
        gate.callPatiently(metrics::busy, () -> {
            List<OutgoingInstance> batch = files.stream().filter(f -> !answered.contains(f.file())).toList();
            long start = System.nanoTime();
            try {
                storeBatch(studyUid, batch, byFile, modifications, failures, notAccepted, answered);
            } finally {
                metrics.associationLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
            return null;
        });
    }

    /**
     * Converts the instances whose transfer syntax the new PACS refused, where a configured
     * conversion allows it; records the conversion as a modification. Returns the converted files
     * (in the scratch directory) and their instances.
     */
    private Map<Path, InstanceRecord> convert(String studyUid, Map<Path, InstanceRecord> notAccepted,
                                              Map<String, InstanceFailure> failures, List<Path> scratchFiles) throws IOException {
        Map<Path, InstanceRecord> converted = new HashMap<>();
        for (Map.Entry<Path, InstanceRecord> e : notAccepted.entrySet()) {
            String source = DicomFiles.readInfo(e.getKey()).transferSyntaxUid();
            Optional<String> target = conversions.targetFor(source);
            if (target.isEmpty()) {
                continue;
            }
            Path out = scratchDirectory.resolve("converted-" + e.getValue().sopInstanceUid() + ".dcm");
            try {
                DicomFiles.transcode(e.getKey(), out, target.get());
            } catch (IOException conversionFailed) {
                failures.computeIfPresent(e.getValue().sopInstanceUid(), (sop, f) -> f.adding("; allowed conversion to "
                        + target.get() + " failed: " + conversionFailed.getMessage()));
                continue;
            }
            scratchFiles.add(out);
            failures.remove(e.getValue().sopInstanceUid());
            state.recordModification(new InstanceModification(studyUid, e.getValue().sopInstanceUid(),
                    List.of("transferSyntaxConversions"), List.of("TransferSyntaxUID: '" + source + "' -> '" + target.get() + "'"),
                    List.of(), e.getValue().sha256(), Sha256.of(out), Instant.now()));
            converted.put(out, e.getValue());
        }
        return converted;
    }

    /**
     * One association: sends the files and records the instances' statuses as they come, with what
     * the rules changed in them, {@value #OUTCOMES_PER_WRITE} per write (the rest when the association
     * ends), so a crash resends at most that many stored images.
     */
    private void storeBatch(String studyUid, List<OutgoingInstance> files, Map<Path, InstanceRecord> byFile,
                            Map<Path, InstanceModification> modifications, Map<String, InstanceFailure> failures,
                            Map<Path, InstanceRecord> notAccepted, Set<Path> answered) throws DicomException {
        PendingRows<StoreOutcome> outcomes = new PendingRows<>(OUTCOMES_PER_WRITE, state::recordForwarded);
        DicomException storeFailure = null;
        try {
            destination.send(files, (file, sop, status, detail) -> {
                answered.add(file);
                InstanceRecord instance = byFile.get(file);
                boolean ok = isStored(status);
                try {
                    outcomes.add(studyUid, new StoreOutcome(instance.sopInstanceUid(), status, ok, modifications.get(file)));
                } catch (StateStoreException e) {
                    // The images are in the new PACS: failing now would abort the association and send them
                    // again on the retry. Keep sending; the outcomes are kept and recorded once the store is back.
                }
                onStatus(studyUid, file, sop, status, detail, instance, ok, failures, notAccepted);
            });
        } catch (DicomException e) {
            storeFailure = e;
        }
        recordWhenBack(studyUid, outcomes);
        if (storeFailure != null) {
            throw storeFailure;
        }
    }

    /**
     * Records the outcomes still waiting, retrying for up to {@link #RECORD_RETRY} while the state
     * store is unreachable (e.g. a Cassandra restart); after that the study fails and is retried,
     * which sends those images once more.
     */
    private static void recordWhenBack(String studyUid, PendingRows<StoreOutcome> outcomes) {
        long deadline = System.nanoTime() + RECORD_RETRY.toNanos();
        for (int failures = 1; ; failures++) {
            try {
                outcomes.flush(studyUid);
                return;
            } catch (StateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.warn("study {}: {} stored images not recorded yet (state store unreachable), retrying", studyUid,
                        outcomes.size());
                try {
                    Thread.sleep(RECORD_BACKOFF.after(failures).toMillis());
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Counts an outcome; a refused image is remembered with its category (and for conversion when not negotiated). */
    private void onStatus(String studyUid, Path file, String sop, int status, String detail, InstanceRecord instance,
                          boolean ok, Map<String, InstanceFailure> failures, Map<Path, InstanceRecord> notAccepted) {
        metrics.status(status);
        if (ok) {
            metrics.stored(instance.sizeBytes());
            return;
        }
        if (status == StoreListener.TRANSFER_SYNTAX_NOT_NEGOTIATED) {
            notAccepted.put(file, instance);
        }
        FailureCategory category = switch (status) {
            case StoreListener.TRANSFER_SYNTAX_NOT_NEGOTIATED -> FailureCategory.TRANSFER_SYNTAX_NOT_ACCEPTED;
            case StoreListener.SOP_CLASS_NOT_NEGOTIATED, 0x0122 -> FailureCategory.SOP_CLASS_NOT_SUPPORTED;
            case StoreListener.UNREADABLE -> FailureCategory.UNREADABLE_IMAGE;
            case StoreListener.NOT_SENT -> FailureCategory.NOT_SENT;
            default -> FailureCategory.REJECTED_BY_DESTINATION;
        };
        failures.put(instance.sopInstanceUid(), new InstanceFailure(category, "status " + hex(status)
                + (detail == null ? "" : " " + detail)));
        LOG.warn("instance {} of study {} not stored: status {} {}", sop, studyUid, hex(status), detail == null ? "" : detail);
    }

    /** Success and warnings (coercion, elements discarded, data set mismatch) mean the PACS kept the instance. */
    static boolean isStored(int status) {
        return status == 0x0000 || status == 0x0001 || (status & 0xF000) == 0xB000;
    }

    private static String hex(int status) {
        return status < 0 ? "not sent" : String.format("0x%04X", status);
    }
}
