package org.pacsmigrator.index;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.net.LogSafe;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.UidCollision;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores found studies and tells the retriever about them: a study seen for the first time is
 * published once ("new"); a known study whose series/instance counts or modalities grew in the old
 * PACS is updated, reopened when it was VERIFIED, and published again ("changed"); a known study still INDEXED (a crash between
 * store and publish) is published again ("resume", harmless: the retriever ignores duplicates).
 * Everything else is left alone, so re-querying a day is idempotent.
 */
public final class StudyRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(StudyRecorder.class);
    /** What recording a set of matches did. */
    public record Recorded(int studies, List<String> fresh, List<String> changed, List<String> resumed) {
    }

    /** Shared by all recorders of the JVM: bounded, so a busy day does not flood the state store. */
    private static final ExecutorService POOL = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "study-recorder");
        t.setDaemon(true);
        return t;
    });

    private final StateStore state;
    private final EventPublisher publisher;
    private final Topics topics;

    public StudyRecorder(StateStore state, EventPublisher publisher, Topics topics) {
        this.state = state;
        this.publisher = publisher;
        this.topics = topics;
    }

    /**
     * Records the matches found for {@code bucket} (a day or {@link Indexer#UNDATED}); returns once
     * every event was acknowledged by the broker.
     */
    public Recorded record(LocalDate bucket, Collection<DicomDataset> matches) {
        return record(bucket, matches, Map.of());
    }

    /**
     * As {@link #record(LocalDate, Collection)}, with the StudyInstanceUIDs the old PACS answered under more than
     * one PatientID ({@link org.pacsmigrator.dicom.find.SplittingFinder.Found#patientIdsOfCollisions()}): each is recorded as a UID collision
     * before it is published, so the retriever stops it instead of mixing two patients' images in one study.
     */
    public Recorded record(LocalDate bucket, Collection<DicomDataset> matches,
                           Map<String, Set<String>> patientIdsOfCollisions) {
        // Studies are independent rows: record them in parallel (each is a lightweight transaction
        // and one or two plain writes, a few ms of round trips), then publish all events at once.
        List<Future<Outcome>> futures = new ArrayList<>(matches.size());
        for (DicomDataset match : matches) {
            futures.add(POOL.submit(() -> recordOne(bucket, match,
                    patientIdsOfCollisions.getOrDefault(match.get("StudyInstanceUID").trim(), Set.of()))));
        }
        List<String> fresh = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> resumed = new ArrayList<>();
        List<StudyEvent> events = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<Outcome> f : futures) {
            try {
                Outcome o = f.get();
                switch (o.kind()) {
                    case NEW -> fresh.add(o.uid());
                    case CHANGED -> changed.add(o.uid());
                    case RESUMED -> resumed.add(o.uid());
                    default -> {
                        continue;
                    }
                }
                events.add(StudyEvent.of(o.uid(), o.kind().reason));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recording studies", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            // nothing is lost: the day is not marked done, and a re-query publishes what is still INDEXED
            throw failure;
        }
        if (!events.isEmpty()) {
            publisher.publishAll(topics.indexed(), events);
        }
        return new Recorded(matches.size(), fresh, changed, resumed);
    }

    private enum Kind {
        NEW("new"), CHANGED("changed"), RESUMED("resume"), UNCHANGED(null);

        final String reason;

        Kind(String reason) {
            this.reason = reason;
        }
    }

    private record Outcome(String uid, Kind kind) {
    }

    private Outcome recordOne(LocalDate bucket, DicomDataset match, Set<String> collidingPatientIds) {
        StudyRecord found = toRecord(match);
        String uid = found.studyInstanceUid();
        if (!usableUid(uid)) {
            // from the network: it would reach every log line and query of the study; shown escaped, not indexed
            LOG.warn("{}: a C-FIND match with an unusable StudyInstanceUID '{}' is not indexed", bucket, LogSafe.text(uid));
            return new Outcome(uid, Kind.UNCHANGED);
        }
        if (collidingPatientIds.size() > 1) {
            recordCollision(uid, collidingPatientIds, "answered by one C-FIND");
        }
        if (state.insertStudyIfAbsent(found)) {
            return filed(bucket, uid, Kind.NEW);
        }
        Optional<StudyRecord> known = state.findStudy(uid);
        Kind kind = known.map(s -> s.state() == StudyState.INDEXED).orElse(false) ? Kind.RESUMED : Kind.UNCHANGED;
        String knownPatient = known.map(s -> Objects.toString(s.patientId(), "").trim()).orElse("");
        if (known.isPresent() && !knownPatient.equals(found.patientId().trim())) {
            // Indexed before under another patient (another day, or a PatientID changed in the old PACS).
            recordCollision(uid, new TreeSet<>(List.of(knownPatient, found.patientId().trim())),
                    "indexed before under another PatientID");
        } else if (known.isPresent() && collidingPatientIds.size() <= 1 && grew(known.get(), found)) {
            // A migrated study takes the stages again for what changed (only the difference is retrieved and
            // sent). Reopened before its counts are updated: a crash in between leaves it grown, found again.
            state.reopen(uid);
            state.updateIndexedCounts(uid, Math.max(found.expectedSeries(), known.get().expectedSeries()),
                    found.expectedInstances(), found.modalitiesInStudy());
            return filed(bucket, uid, Kind.CHANGED);
        } else if (collidingPatientIds.size() <= 1) {
            return filed(bucket, uid, kind);
        }
        // A collision on a study the retriever has passed: it stops here (an INDEXED one stops in the retriever).
        StudyState now = known.get().state();
        if (now.atLeast(StudyState.RETRIEVED) && now != StudyState.FAILED) {
            state.markFailed(uid, FailureCategory.UID_COLLISION.label(), "study " + uid + ": StudyInstanceUID under several PatientIDs");
        }
        return filed(bucket, uid, kind);
    }

    private Outcome filed(LocalDate bucket, String uid, Kind kind) {
        if (Indexer.UNDATED.equals(bucket)) {
            state.recordStudyOfDay(bucket, uid);
        }
        return new Outcome(uid, kind);
    }

    private void recordCollision(String uid, Set<String> patientIds, String how) {
        LOG.warn("study {}: StudyInstanceUID found under {} PatientIDs ({}); the study stops as '{}'", uid,
                patientIds.size(), how, FailureCategory.UID_COLLISION.label());
        state.recordCollision(new UidCollision(uid, "", new TreeSet<>(patientIds),
                "StudyInstanceUID under " + patientIds.size() + " PatientIDs in the old PACS (" + how + ")",
                Set.of(), Instant.now()));
    }

    /** 1 to 64 printable ASCII characters without backslash (PS3.5 allows digits and dots; old archives hold worse). */
    static boolean usableUid(String uid) {
        if (uid == null || uid.isEmpty() || uid.length() > 64) {
            return false;
        }
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** The old PACS reports more than was indexed (counts the PACS does not fill, -1, never count). */
    static boolean grew(StudyRecord known, StudyRecord found) {
        return found.expectedInstances() >= 0 && found.expectedInstances() != known.expectedInstances()
                || found.expectedSeries() >= 0 && found.expectedSeries() > known.expectedSeries();
    }

    static StudyRecord toRecord(DicomDataset m) {
        return AnsweredText.describe(StudyRecord.indexed(m.get("StudyInstanceUID").trim(), m.get("PatientID"),
                m.get("IssuerOfPatientID"), m.get("PatientName"), m.get("PatientBirthDate"), m.get("PatientSex"),
                m.get("AccessionNumber"), m.get("StudyDate"), m.get("StudyTime"), m.get("StudyDescription"),
                m.get("ModalitiesInStudy"), parseCount(m.get("NumberOfStudyRelatedSeries")),
                parseCount(m.get("NumberOfStudyRelatedInstances"))), m);
    }

    /** PACS that do not fill a count (e.g. dcmqrscp) give -1: unknown. */
    static int parseCount(String value) {
        try {
            return value.isBlank() ? -1 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
