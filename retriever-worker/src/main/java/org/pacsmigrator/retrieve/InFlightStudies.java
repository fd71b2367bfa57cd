package org.pacsmigrator.retrieve;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;

/**
 * Which instances the storage SCP may take: those of a study that some retriever, in any process, is
 * retrieving right now (state RETRIEVING, or RETRIEVED within the arrival grace, for C-STOREs that trail the
 * final C-MOVE response) and, when manifests are queried, only those in the study's manifest. The answer is a
 * fact in the state store, looked up once per study and held briefly, not once per image.
 */
final class InFlightStudies {
    /** How long a study's answer is held: an in-flight study's manifest does not change during a retrieve. */
    static final Duration HOLD_IN_FLIGHT = Duration.ofSeconds(5);
    /** A study not in flight may start being retrieved at any moment: its answer is held only briefly. */
    static final Duration HOLD_NOT_IN_FLIGHT = Duration.ofSeconds(1);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(boolean inFlight, Set<String> manifest, Instant until) {
    }

    private final StateStore state;
    private final Duration arrivalGrace;
    private final boolean manifests;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param manifests true when the retrievers query instance manifests (retrieve.instanceManifest): then an
     *                  instance must be in its study's manifest
     */
    InFlightStudies(StateStore state, Duration arrivalGrace, boolean manifests) {
        this.state = state;
        this.arrivalGrace = arrivalGrace;
        this.manifests = manifests;
    }

    Admission admit(String studyInstanceUid, String sopInstanceUid) {
        Entry e = entry(studyInstanceUid);
        if (!e.inFlight()) {
            return Admission.STUDY_NOT_RETRIEVING;
        }
        if (e.manifest() != null && !e.manifest().contains(sopInstanceUid)) {
            return Admission.NOT_IN_MANIFEST;
        }
        return Admission.ACCEPTED;
    }

    /** Whether the study is being retrieved (refusals are recorded only on such studies). */
    boolean inFlight(String studyInstanceUid) {
        return !studyInstanceUid.isEmpty() && entry(studyInstanceUid).inFlight();
    }

    private Entry entry(String studyInstanceUid) {
        Instant now = Instant.now();
        Entry e = entries.get(studyInstanceUid);
        if (e != null && now.isBefore(e.until())) {
            return e;
        }
        e = load(studyInstanceUid, now);
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(x -> !now.isBefore(x.until()));
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        entries.put(studyInstanceUid, e);
        return e;
    }

    private Entry load(String studyInstanceUid, Instant now) {
        Optional<StudyRecord> study = state.findStudy(studyInstanceUid);
        boolean inFlight = study.map(s -> s.state() == StudyState.RETRIEVING
                || (s.state() == StudyState.RETRIEVED && s.updatedAt() != null
                && s.updatedAt().plus(arrivalGrace).isAfter(now))).orElse(false);
        if (!inFlight) {
            return new Entry(false, null, now.plus(HOLD_NOT_IN_FLIGHT));
        }
        if (!manifests) {
            return new Entry(true, null, now.plus(HOLD_IN_FLIGHT));
        }
        List<InstanceRecord> rows = state.instancesOf(studyInstanceUid);
        Set<String> manifest = new HashSet<>();
        for (InstanceRecord r : rows) {
            manifest.add(r.sopInstanceUid());
        }
        // The retriever records the manifest right after taking the study; not there yet: ask again next time.
        Instant until = manifest.isEmpty() ? now : now.plus(HOLD_IN_FLIGHT);
        return new Entry(true, manifest.isEmpty() ? Set.of() : manifest, until);
    }
}
