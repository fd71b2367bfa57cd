package org.pacsmigrator.verify;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.topics.StudyEvent;

/**
 * The completion topology's aggregate for one study (its state store value). Immutable; every update
 * returns a new value. Commitment results accumulate as sets, so a redelivered report changes nothing;
 * a later commitment of an instance clears its earlier failure.
 */
public record StudyCompletion(String studyInstanceUid, boolean forwarded, int expected, int retrieved, int sent,
                              int cfindConfirmed, Set<String> committed, Map<String, Integer> failed,
                              Instant completedAt, Instant updatedAt) {

    public StudyCompletion {
        committed = committed == null ? new TreeSet<>() : new TreeSet<>(committed);
        failed = failed == null ? new TreeMap<>() : new TreeMap<>(failed);
    }

    static StudyCompletion empty(String studyInstanceUid) {
        return new StudyCompletion(studyInstanceUid, false, 0, 0, 0, -1, Set.of(), Map.of(), null, null);
    }

    StudyCompletion forwarded(StudyEvent e, Completion criterion) {
        return new StudyCompletion(studyInstanceUid, true, expected, retrieved, sent, cfindConfirmed, committed, failed,
                completedAt, e.at()).stamp(criterion, e.at());
    }

    StudyCompletion progress(ProgressEvent p, Completion criterion) {
        int cfind = p.cfindConfirmed() >= 0 ? p.cfindConfirmed() : cfindConfirmed;
        return new StudyCompletion(studyInstanceUid, forwarded, p.expected(), p.retrieved(), p.sent(), cfind, committed,
                failed, completedAt, p.at()).stamp(criterion, p.at());
    }

    StudyCompletion commitment(CommitmentResultEvent r, Completion criterion) {
        Set<String> c = new TreeSet<>(committed);
        Map<String, Integer> f = new TreeMap<>(failed);
        for (String uid : r.committed()) {
            c.add(uid);
            f.remove(uid);
        }
        for (CommitmentResultEvent.Failed x : r.failed()) {
            if (!c.contains(x.sopInstanceUid())) {
                f.put(x.sopInstanceUid(), x.failureReason());
            }
        }
        return new StudyCompletion(studyInstanceUid, forwarded, expected, retrieved, sent, cfindConfirmed, c, f,
                completedAt, r.reportedAt()).stamp(criterion, r.reportedAt());
    }

    /** Instances confirmed by the criterion's method. */
    int confirmed(Completion criterion) {
        return switch (criterion) {
            case SENT -> sent;
            case SENT_AND_CFIND -> Math.max(cfindConfirmed, 0);
            case SENT_AND_COMMITTED -> committed.size();
        };
    }

    boolean meets(Completion criterion) {
        return forwarded && expected > 0 && sent >= expected && confirmed(criterion) >= expected
                && (criterion != Completion.SENT_AND_COMMITTED || failed.isEmpty());
    }

    /** Sets completedAt the first time the study meets the criterion (never cleared: completion does not flap). */
    private StudyCompletion stamp(Completion criterion, Instant at) {
        if (completedAt == null && meets(criterion)) {
            return new StudyCompletion(studyInstanceUid, forwarded, expected, retrieved, sent, cfindConfirmed, committed,
                    failed, at == null ? Instant.now() : at, updatedAt);
        }
        return this;
    }

    StudyStatus toStatus(Completion criterion) {
        return new StudyStatus(studyInstanceUid, expected, retrieved, sent, confirmed(criterion), failed.size(),
                criterion.key(), criterion.method(), meets(criterion), completedAt, updatedAt);
    }
}
