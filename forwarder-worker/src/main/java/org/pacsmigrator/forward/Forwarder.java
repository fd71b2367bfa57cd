package org.pacsmigrator.forward;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
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
 * Sends every cached instance of a retrieved study to the new PACS with C-STORE, in batches of
 * one association each. Instances already stored (recorded in the state store) are not sent
 * again, so a re-delivered study or a restart after a crash resends at most the batch in flight.
 * (Validation and modification rules come with the forwarder issue.)
 */
public final class Forwarder implements StudyEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final DicomClient dicom;
    private final DicomNode destination;
    private final StateStore state;
    private final InstanceCache cache;
    private final EventPublisher publisher;
    private final Topics topics;
    private final int batchSize;
    private final Path scratchDirectory;

    public Forwarder(DicomClient dicom, DicomNode destination, StateStore state, InstanceCache cache,
                     EventPublisher publisher, Topics topics, int batchSize, Path scratchDirectory) {
        this.dicom = dicom;
        this.destination = destination;
        this.state = state;
        this.cache = cache;
        this.publisher = publisher;
        this.topics = topics;
        this.batchSize = batchSize;
        this.scratchDirectory = scratchDirectory;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        String uid = event.studyInstanceUid();
        StudyRecord study = state.findStudy(uid).orElseThrow(() -> StageFailure.unknownStudy(uid));
        if (study.state().atLeast(StudyState.FORWARDED)) {
            if (study.state() == StudyState.FORWARDED) {
                publisher.publish(topics.forwarded(), StudyEvent.of(uid, "resume"));
            }
            return;
        }
        if (!study.state().atLeast(StudyState.RETRIEVED) && study.state() != StudyState.FAILED) {
            throw new StageFailure("not retrieved", "study " + uid + " is " + study.state() + ", not RETRIEVED");
        }
        state.transition(uid, StudyState.FORWARDING, StudyState.RETRIEVED, StudyState.FORWARDING, StudyState.FAILED);
        List<InstanceRecord> pending = new ArrayList<>();
        for (InstanceRecord i : state.instancesOf(uid)) {
            if (i.retrieved() && !i.forwarded()) {
                pending.add(i);
            }
        }
        Map<String, Integer> failures = new HashMap<>();
        for (int from = 0; from < pending.size(); from += batchSize) {
            sendBatch(uid, pending.subList(from, Math.min(pending.size(), from + batchSize)), failures);
        }
        if (!failures.isEmpty()) {
            String message = String.format("study %s: %d instances not stored by %s (statuses %s)",
                    uid, failures.size(), destination, failures.values().stream().distinct().map(Forwarder::hex).toList());
            state.markFailed(uid, "rejected by destination", message);
            throw new StageFailure("rejected by destination", message);
        }
        state.transition(uid, StudyState.FORWARDED, StudyState.FORWARDING);
        publisher.publish(topics.forwarded(), StudyEvent.of(uid, event.reason()));
        LOG.info("forwarded study {} ({} instances sent now)", uid, pending.size());
    }

    private void sendBatch(String studyUid, List<InstanceRecord> batch, Map<String, Integer> failures) throws Exception {
        Map<Path, InstanceRecord> byFile = new HashMap<>();
        List<Path> files = new ArrayList<>();
        for (InstanceRecord i : batch) {
            Path file;
            try {
                file = cache.localCopy(i.cacheKey(), scratchDirectory);
            } catch (IOException e) {
                state.markFailed(studyUid, "cache object missing", "instance " + i.sopInstanceUid() + ": " + e.getMessage());
                throw new StageFailure("cache object missing", "instance " + i.sopInstanceUid() + " of study " + studyUid
                        + " cannot be read from the cache: " + e.getMessage(), e);
            }
            byFile.put(file, i);
            files.add(file);
        }
        AtomicInteger stored = new AtomicInteger();
        try {
            dicom.store(destination, files, (file, sop, status, detail) -> {
                boolean ok = isStored(status);
                state.recordForwarded(studyUid, byFile.get(file).sopInstanceUid(), status, ok);
                if (ok) {
                    stored.incrementAndGet();
                } else {
                    failures.put(byFile.get(file).sopInstanceUid(), status);
                    LOG.warn("instance {} of study {} not stored: status {} {}", sop, studyUid, hex(status),
                            detail == null ? "" : detail);
                }
            });
        } finally {
            // An association-level DicomException propagates: the stage retries the study, and
            // instances already recorded as stored are not sent again.
            for (Path f : files) {
                if (!f.startsWith(scratchDirectory)) {
                    continue; // the filesystem cache hands out its own objects: never delete them
                }
                java.nio.file.Files.deleteIfExists(f);
            }
        }
    }

    /** Success and warnings (coercion, elements discarded, data set mismatch) mean the PACS kept the instance. */
    static boolean isStored(int status) {
        return status == 0x0000 || status == 0x0001 || (status & 0xF000) == 0xB000;
    }

    private static String hex(int status) {
        return status < 0 ? "not sent" : String.format("0x%04X", status);
    }
}
