package org.pacsmigrator.state;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Studies and their instances counted over a set of studies (one source day, or the whole migration): studies per
 * state, FAILED studies per failure category, and the sums of the completion topology's per-study instance counts.
 */
public record StudyCounts(long studies, Map<StudyState, Long> byState, Map<String, Long> failuresByCategory,
                          long expectedInstances, long retrievedInstances, long sentInstances, long confirmedInstances,
                          long completeStudies) {

    public static final StudyCounts NONE = new StudyCounts(0, Map.of(), Map.of(), 0, 0, 0, 0, 0);

    public StudyCounts {
        byState = Map.copyOf(byState);
        failuresByCategory = Map.copyOf(failuresByCategory);
    }

    public long count(StudyState state) {
        return byState.getOrDefault(state, 0L);
    }

    /** Studies per state, every state present (0 when none). */
    public Map<StudyState, Long> everyState() {
        Map<StudyState, Long> all = new EnumMap<>(StudyState.class);
        for (StudyState s : StudyState.values()) {
            all.put(s, count(s));
        }
        return all;
    }

    public static StudyCounts sum(Collection<StudyCounts> parts) {
        Tally t = new Tally();
        parts.forEach(t::add);
        return t.counts();
    }

    /** Adds up studies one by one (not thread-safe). */
    static final class Tally {
        private long studies;
        private final Map<StudyState, Long> byState = new EnumMap<>(StudyState.class);
        private final Map<String, Long> failures = new TreeMap<>();
        private long expected;
        private long retrieved;
        private long sent;
        private long confirmed;
        private long complete;

        /** One study: its state and failure category (null when unknown), and its status (null when none yet). */
        void addStudy(StudyState state, String failureCategory, StudyStatus status) {
            studies++;
            if (state != null) {
                byState.merge(state, 1L, Long::sum);
                if (state == StudyState.FAILED) {
                    failures.merge(failureCategory == null ? "unknown" : failureCategory, 1L, Long::sum);
                }
            }
            if (status != null) {
                expected += status.expected();
                retrieved += status.retrieved();
                sent += status.sent();
                confirmed += status.confirmed();
                complete += status.complete() ? 1 : 0;
            }
        }

        void add(StudyCounts c) {
            studies += c.studies();
            c.byState().forEach((s, n) -> byState.merge(s, n, Long::sum));
            c.failuresByCategory().forEach((k, n) -> failures.merge(k, n, Long::sum));
            expected += c.expectedInstances();
            retrieved += c.retrievedInstances();
            sent += c.sentInstances();
            confirmed += c.confirmedInstances();
            complete += c.completeStudies();
        }

        StudyCounts counts() {
            return new StudyCounts(studies, byState, failures, expected, retrieved, sent, confirmed, complete);
        }
    }
}
