package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The study listing by state: each study's state copied into its row of studies_by_day (column {@code state}), so
 * that listing a state reads the day partitions of the days that have studies in it. A copy overwritten in place
 * rather than an entry per state: moving a study leaves no tombstone behind, and the day's recount, which reads that
 * partition anyway, checks every copy for free.
 *
 * <p>Kept beside the study rows, not atomically with them: written after a study's change was applied. A crash in
 * between leaves a stale copy; the day was stamped before the change, so its next recount {@link #refile}s it from the
 * study rows. The listing reads each listed study's row, so a stale copy never shows a study under the wrong state.
 */
final class CassandraStudyStates {
    /** Rows of a day's partition read at a time while listing (filtered by state on this side). */
    private static final int SLICE = 500;
    private static final int FILE_CHUNK = 1024;
    /** Days whose first slice is read ahead while listing. */
    private static final int READ_AHEAD = 4;

    private final CqlSession session;
    private final PreparedStatement update;
    private final PreparedStatement updateAt;
    private final PreparedStatement selectFrom;

    CassandraStudyStates(CqlSession session, String ks) {
        this.session = session;
        update = session.prepare("UPDATE " + ks + ".studies_by_day SET state = ? WHERE day = ? AND study_uid = ?");
        updateAt = session.prepare("UPDATE " + ks + ".studies_by_day USING TIMESTAMP ? SET state = ?"
                + " WHERE day = ? AND study_uid = ?");
        selectFrom = session.prepare("SELECT study_uid, state FROM " + ks + ".studies_by_day WHERE day = ?"
                + " AND study_uid > ? LIMIT ?");
    }

    /** After a change to {@code to} was applied to the study filed under {@code day} (null: not filed, nothing done). */
    void moved(LocalDate day, String studyInstanceUid, StudyState to) {
        if (day != null) {
            session.execute(update.bind(to.name(), day, studyInstanceUid).setIdempotent(true));
        }
    }

    /** Copies the states of {@code studies} (a keyspace of an older version, once): a bounded window of writes. */
    void fileAll(Iterable<StudyRecord> studies) {
        List<Statement<?>> chunk = new ArrayList<>();
        for (StudyRecord s : studies) {
            if (s.state() != null) {
                chunk.add(update.bind(s.state().name(), CassandraStudies.filedDay(s.studyDate()), s.studyInstanceUid())
                        .setIdempotent(true));
            }
            if (chunk.size() == FILE_CHUNK) {
                CassandraWrites.executeBatches(session, chunk);
                chunk = new ArrayList<>();
            }
        }
        CassandraWrites.executeBatches(session, chunk);
    }

    /**
     * The recount's repair: {@code filed} are the day's copies as the recount read them, {@code states} every study of
     * the day as its row was read. Copies that differ are written with the recount's start as the write time, so that a
     * change applied while the recount ran (its copy written later) wins over what the recount read before it.
     */
    void refile(LocalDate day, Map<String, String> filed, Map<String, StudyState> states, Instant countedFrom) {
        long at = ChronoUnit.MICROS.between(Instant.EPOCH, countedFrom);
        List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
        states.forEach((uid, state) -> {
            if (state != null && !Objects.equals(filed.get(uid), state.name())) {
                writes.add(session.executeAsync(updateAt.bind(at, state.name(), day, uid).setIdempotent(true))
                        .toCompletableFuture());
            }
        });
        writes.forEach(CompletableFutures::getUninterruptibly);
    }

    /**
     * Up to {@code limit} study UIDs filed under {@code state}, walking {@code days} in order from {@code page} (null:
     * the first page; otherwise a position this returned before). Throws IllegalArgumentException for a position that
     * is not one.
     */
    Listed list(StudyState state, List<LocalDate> days, int limit, String page) {
        Position from = Position.parse(page);
        List<LocalDate> walk = days.stream().filter(d -> from == null || !d.isBefore(from.day())).toList();
        // the first slices of the next days are read ahead: a rare state has a few studies in each day
        Map<LocalDate, CompletableFuture<AsyncResultSet>> ahead = new HashMap<>();
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < walk.size(); i++) {
            for (int next = i; next < Math.min(walk.size(), i + READ_AHEAD); next++) {
                LocalDate d = walk.get(next);
                ahead.computeIfAbsent(d, k -> slice(k, from != null && k.equals(from.day()) ? from.after() : ""));
            }
            LocalDate day = walk.get(i);
            AsyncResultSet rs = CompletableFutures.getUninterruptibly(ahead.remove(day));
            while (true) {
                int read = 0;
                String after = null;
                for (Row r : rs.currentPage()) {
                    read++;
                    after = r.getString(0);
                    if (state.name().equals(r.getString(1))) {
                        uids.add(after);
                        if (uids.size() == limit) {
                            return new Listed(uids, new Position(day, after).toString());
                        }
                    }
                }
                if (read < SLICE) {
                    break;
                }
                rs = CompletableFutures.getUninterruptibly(slice(day, after));
            }
        }
        return new Listed(uids, null);
    }

    private CompletableFuture<AsyncResultSet> slice(LocalDate day, String after) {
        return session.executeAsync(selectFrom.bind(day, after, SLICE).setPageSize(SLICE)).toCompletableFuture();
    }

    /** Study UIDs of one listing page and where the next page starts (null: no more). */
    record Listed(List<String> uids, String next) {
    }

    /** A position in the listing: a day, and the study UID of that day listed last (empty: the day's start). */
    private record Position(LocalDate day, String after) {
        static Position parse(String page) {
            if (page == null || page.isBlank()) {
                return null;
            }
            int bar = page.indexOf('~');
            try {
                return new Position(LocalDate.parse(bar < 0 ? page : page.substring(0, bar)),
                        bar < 0 ? "" : page.substring(bar + 1));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a page of this listing: " + page, e);
            }
        }

        @Override
        public String toString() {
            return day + "~" + after;
        }
    }
}
