package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PagingState;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The study listing by state (table studies_by_state): one partition per state and source day, so that listing a
 * state reads the partitions of the days that have studies in it, and no partition outgrows a day's studies (a
 * queue-like partition per state would fill with the tombstones of every study that moved on).
 *
 * <p>Kept beside the study rows, not atomically with them: after a study's state change is applied, the new entry is
 * written and the old ones deleted. A crash in between leaves an entry missing or stale; the day was stamped before
 * the change, so its next recount {@link #refile}s it from the study rows. The listing reads each listed study's row,
 * so a stale entry is never shown under the wrong state.
 */
final class CassandraStudyStates {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".studies_by_state ("
                + " state text, day date, study_uid text, PRIMARY KEY ((state, day), study_uid))";
    }

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement delete;
    private final PreparedStatement insertAt;
    private final PreparedStatement deleteAt;
    private final PreparedStatement select;

    CassandraStudyStates(CqlSession session, String ks) {
        this.session = session;
        insert = session.prepare("INSERT INTO " + ks + ".studies_by_state (state, day, study_uid) VALUES (?, ?, ?)");
        delete = session.prepare("DELETE FROM " + ks + ".studies_by_state WHERE state = ? AND day = ? AND study_uid = ?");
        insertAt = session.prepare("INSERT INTO " + ks + ".studies_by_state (state, day, study_uid) VALUES (?, ?, ?)"
                + " USING TIMESTAMP ?");
        deleteAt = session.prepare("DELETE FROM " + ks + ".studies_by_state USING TIMESTAMP ?"
                + " WHERE state = ? AND day = ? AND study_uid = ?");
        select = session.prepare("SELECT study_uid FROM " + ks + ".studies_by_state WHERE state = ? AND day = ?");
    }

    /** After a change to {@code to} was applied: files the study under its new state and out of {@code from}. */
    void moved(LocalDate day, String studyInstanceUid, StudyState to, Collection<StudyState> from) {
        if (day == null) {
            return;
        }
        List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
        writes.add(write(insert.bind(to.name(), day, studyInstanceUid)));
        for (StudyState old : from) {
            if (old != to) {
                writes.add(write(delete.bind(old.name(), day, studyInstanceUid)));
            }
        }
        writes.forEach(CompletableFutures::getUninterruptibly);
    }

    /**
     * The recount's repair: makes the day's entries match {@code states} (every study of the day as its row was read).
     * Written with the recount's start as the write time, so that a change applied while the recount ran (its entries
     * written later) wins over what the recount read before it.
     */
    void refile(LocalDate day, Map<String, StudyState> states, Instant countedFrom) {
        long at = ChronoUnit.MICROS.between(Instant.EPOCH, countedFrom);
        Map<StudyState, CompletableFuture<AsyncResultSet>> reads = new EnumMap<>(StudyState.class);
        for (StudyState s : StudyState.values()) {
            reads.put(s, session.executeAsync(select.bind(s.name(), day)).toCompletableFuture());
        }
        List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
        Set<String> filed = new HashSet<>();
        reads.forEach((s, read) -> uids(CompletableFutures.getUninterruptibly(read)).forEach(uid -> {
            if (states.get(uid) == s) {
                filed.add(uid);
            } else {
                writes.add(write(deleteAt.bind(at, s.name(), day, uid)));
            }
        }));
        states.forEach((uid, s) -> {
            if (s != null && !filed.contains(uid)) {
                writes.add(write(insertAt.bind(s.name(), day, uid, at)));
            }
        });
        writes.forEach(CompletableFutures::getUninterruptibly);
    }

    /** The study UIDs of the day's partition of a state (all pages). */
    private List<String> uids(AsyncResultSet first) {
        List<String> uids = new ArrayList<>();
        AsyncResultSet rs = first;
        while (true) {
            rs.currentPage().forEach(r -> uids.add(r.getString(0)));
            if (!rs.hasMorePages()) {
                return uids;
            }
            rs = CompletableFutures.getUninterruptibly(rs.fetchNextPage());
        }
    }

    /**
     * Up to {@code limit} study UIDs filed under {@code state}, walking {@code days} in order from {@code page} (null:
     * the first page; otherwise a position this returned before). Throws IllegalArgumentException for a position that
     * is not one.
     */
    Listed list(StudyState state, List<LocalDate> days, int limit, String page) {
        Position from = Position.parse(page);
        List<String> uids = new ArrayList<>();
        for (LocalDate day : days) {
            if (from != null && day.isBefore(from.day())) {
                continue;
            }
            BoundStatement query = select.bind(state.name(), day).setPageSize(limit - uids.size());
            if (from != null && day.equals(from.day()) && from.paging() != null) {
                query = query.setPagingState(from.paging());
            }
            AsyncResultSet rs = CompletableFutures.getUninterruptibly(session.executeAsync(query));
            for (Row r : rs.currentPage()) {
                uids.add(r.getString(0));
            }
            if (rs.hasMorePages()) {
                return new Listed(uids, new Position(day, rs.getExecutionInfo().getSafePagingState()).toString());
            }
            if (uids.size() >= limit) {
                LocalDate next = day.plusDays(1);
                return new Listed(uids, days.stream().anyMatch(d -> !d.isBefore(next)) ? new Position(next, null).toString() : null);
            }
        }
        return new Listed(uids, null);
    }

    /** Study UIDs of one listing page and where the next page starts (null: no more). */
    record Listed(List<String> uids, String next) {
    }

    /** A position in the listing: a day, and the driver's paging state within that day's partition (null: its start). */
    private record Position(LocalDate day, PagingState paging) {
        static Position parse(String page) {
            if (page == null || page.isBlank()) {
                return null;
            }
            int bar = page.indexOf('~');
            try {
                LocalDate day = LocalDate.parse(bar < 0 ? page : page.substring(0, bar));
                return new Position(day, bar < 0 || bar == page.length() - 1 ? null : PagingState.fromString(page.substring(bar + 1)));
            } catch (DateTimeParseException | IllegalArgumentException e) {
                throw new IllegalArgumentException("not a page of this listing: " + page, e);
            }
        }

        @Override
        public String toString() {
            return paging == null ? day.toString() : day + "~" + paging;
        }
    }

    private CompletableFuture<AsyncResultSet> write(BoundStatement statement) {
        return session.executeAsync(statement.setIdempotent(true)).toCompletableFuture();
    }
}
