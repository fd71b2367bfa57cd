package org.pacsmigrator.state;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Outcome of indexing one source day: when it was queried, how the query was split, how many
 * studies were found and a hash of their UID set (to detect changes on re-query).
 */
public record IndexDayRecord(
        LocalDate day,
        Status status,
        Instant queriedAt,
        int studyCount,
        String uidSetHash,
        String split,
        String lastError) {

    public enum Status { PENDING, DONE, FAILED }
}
