package org.pacsmigrator.state;

import java.time.LocalDate;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The migration's progress from the per-day aggregates: the totals and each source day's counts (keyed by the day a
 * study is filed under: its StudyDate, {@link StudyStore#UNDATED} or {@link StudyStore#UNREADABLE_DATE}).
 *
 * @param current true when every change applied before the progress was asked is counted; false when the recount
 *                of a busy day was put off (its counts are those of its last recount)
 */
public record StudyProgress(StudyCounts total, SortedMap<LocalDate, StudyCounts> days, boolean current) {

    public StudyProgress {
        days = new TreeMap<>(days);
    }

    public static StudyProgress of(SortedMap<LocalDate, StudyCounts> days, boolean current) {
        return new StudyProgress(StudyCounts.sum(days.values()), days, current);
    }
}
