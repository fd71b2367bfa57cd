package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * Progress counts kept per source day (table day_progress), so that progress costs one read per day rather than a scan
 * of every study.
 *
 * <p>Why not counters: a study's state changes with lightweight transactions that may be retried, time out with an
 * unknown outcome or be followed by a crash, and a counter increment is neither idempotent nor atomic with them, so
 * counters drift. Instead a day's counts are only ever <em>recounted</em> from the authoritative rows (the day's study
 * rows and their completion statuses), which is idempotent and exact whatever happened before:
 * <ul>
 *   <li>every change of a study (insert, transition, reopen, failure, completion status) stamps its day's
 *       {@code changed_at} before it is made and again after it was applied, so a crash between the two still
 *       leaves the day marked;</li>
 *   <li>{@link #progress} recounts the days stamped since (or {@link #SKEW} before) their last recount began: an
 *       applied change's second stamp comes after its write, so a recount that began before the write sees the day
 *       stamped again (the margin covers clock skew between workers);</li>
 *   <li>a day stamped within {@link #SETTLE} before its last recount is recounted once more when that stamp is
 *       {@link #SETTLE} old: the safety net for a change whose process died between its write and its second stamp
 *       (its first stamp came before a recount that missed the write); then the day costs nothing more;</li>
 *   <li>a recount is written with its start as the write timestamp, so of two processes recounting the same day the
 *       later recount wins, whichever finishes last;</li>
 *   <li>a large busy day (its recount takes {@link #UNGATED_MILLIS} or more) is recounted at most a tenth of the time
 *       ({@link #DUTY_DIVISOR} times its last recount's duration apart), so it does not keep the state store busy;
 *       meanwhile its last counts are used and the progress says it is not current;</li>
 *   <li>{@link #markAll} (the repair path, and the upgrade of a keyspace created before this table) asks a recount of
 *       every day, so the next progress recounts them all once.</li>
 * </ul>
 * The cost of progress is therefore one row per source day plus the recount of the days that changed recently,
 * whatever the number of studies.
 */
final class CassandraProgress {
    static final Duration SETTLE = Duration.ofSeconds(60);
    static final Duration SKEW = Duration.ofSeconds(2);
    private static final Duration DAYS_SEEN_FOR = Duration.ofSeconds(10);
    private static final int DUTY_DIVISOR = 10;
    /** A day recounted faster than this is recounted whenever stale (small days, small migrations: always current). */
    private static final long UNGATED_MILLIS = 100;
    /** Studies read at the same time while recounting a day (two point reads each). */
    private static final int STUDIES_IN_FLIGHT = 64;

    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".day_progress ("
                + " day date PRIMARY KEY, changed_at timestamp, recount_asked_at timestamp, counted_from timestamp,"
                + " count_millis bigint,"
                + " studies bigint, states map<text, bigint>, failures map<text, bigint>, expected bigint,"
                + " retrieved bigint, sent bigint, confirmed bigint, complete bigint)";
    }

    private final CqlSession session;
    private final CassandraStudyStates states;
    /** The days seen last, for the listing by state (null: none yet). */
    private volatile DaysSeen daysSeen;
    /** The progress being computed by some thread, which other callers wait for (null: none). */
    private CompletableFuture<StudyProgress> inFlight;
    private final PreparedStatement stamp;
    private final PreparedStatement askRecount;
    private final PreparedStatement selectAll;
    private final PreparedStatement selectProgressDays;
    private final PreparedStatement selectDays;
    private final PreparedStatement selectDay;
    private final PreparedStatement selectStudy;
    private final PreparedStatement selectStatus;
    private final PreparedStatement writeCounts;

    CassandraProgress(CqlSession session, String ks, CassandraStudyStates states) {
        this.session = session;
        this.states = states;
        stamp = session.prepare("UPDATE " + ks + ".day_progress SET changed_at = ? WHERE day = ?");
        askRecount = session.prepare("UPDATE " + ks + ".day_progress SET recount_asked_at = ? WHERE day = ?");
        selectAll = session.prepare("SELECT * FROM " + ks + ".day_progress");
        selectProgressDays = session.prepare("SELECT day FROM " + ks + ".day_progress");
        selectDays = session.prepare("SELECT DISTINCT day FROM " + ks + ".studies_by_day");
        selectDay = session.prepare("SELECT study_uid, state FROM " + ks + ".studies_by_day WHERE day = ?");
        selectStudy = session.prepare("SELECT state, failure_category FROM " + ks + ".studies WHERE study_uid = ?");
        selectStatus = session.prepare("SELECT * FROM " + ks + ".study_status WHERE study_uid = ?");
        writeCounts = session.prepare("UPDATE " + ks + ".day_progress USING TIMESTAMP ? SET counted_from = ?,"
                + " count_millis = ?, studies = ?, states = ?, failures = ?, expected = ?, retrieved = ?, sent = ?,"
                + " confirmed = ?, complete = ? WHERE day = ?");
    }

    /** Stamps the day, makes the change, and stamps the day again when the change was applied. */
    boolean tracking(LocalDate day, BooleanSupplier change) {
        if (day == null) {
            return change.getAsBoolean();
        }
        markChanged(day);
        boolean applied = change.getAsBoolean();
        if (applied) {
            markChanged(day);
        }
        return applied;
    }

    void markChanged(LocalDate day) {
        session.execute(stamp.bind(Instant.now(), day).setIdempotent(true));
    }

    /**
     * The repair path: every day that files a study is recounted once by the next {@link #progress} (asked apart from
     * the change stamps, so that one recount settles the day rather than a minute of them).
     */
    void markAll() {
        Instant now = Instant.now();
        for (Row r : session.execute(selectDays.bind())) {
            session.execute(askRecount.bind(now, r.getLocalDate(0)).setIdempotent(true));
        }
    }

    /** The days progress is kept for, in order; nothing is recounted. */
    List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>();
        session.execute(selectProgressDays.bind()).forEach(r -> days.add(r.getLocalDate(0)));
        days.sort(null);
        return days;
    }

    /**
     * The days that may have studies in {@code state}: those whose counts have some, and those whose counts may miss a
     * change (nothing is recounted). From the days seen by a progress or a listing of the last {@link #DAYS_SEEN_FOR}
     * (the console samples the progress every few seconds; its pages of a state come in a row), read otherwise.
     */
    List<LocalDate> daysWith(StudyState state) {
        DaysSeen seen = daysSeen;
        if (seen == null || Instant.now().isAfter(seen.at().plus(DAYS_SEEN_FOR))) {
            Instant now = Instant.now();
            SortedMap<LocalDate, StudyCounts> counts = new TreeMap<>();
            Set<LocalDate> uncertain = new HashSet<>();
            for (Row r : session.execute(selectAll.bind())) {
                counts.put(r.getLocalDate("day"), stored(r));
                if (stale(r, now)) {
                    uncertain.add(r.getLocalDate("day"));
                }
            }
            seen = new DaysSeen(now, counts, uncertain);
            daysSeen = seen;
        }
        Set<LocalDate> uncertain = seen.uncertain();
        List<LocalDate> days = new ArrayList<>();
        seen.counts().forEach((day, c) -> {
            if (c.count(state) > 0 || uncertain.contains(day)) {
                days.add(day);
            }
        });
        return days;
    }

    /** Each day's counts when last seen, and the days whose counts may miss a change. */
    private record DaysSeen(Instant at, SortedMap<LocalDate, StudyCounts> counts, Set<LocalDate> uncertain) {
    }

    /**
     * Every day's counts, recounting first the days that changed since (or shortly before) their last count. A call
     * made while another thread of this process computes them takes that result: the run's loop, its progress display
     * and the console sample the same counts, and the recounts of busy days are the cost.
     */
    StudyProgress progress() {
        CompletableFuture<StudyProgress> flight;
        boolean mine;
        synchronized (this) {
            mine = inFlight == null;
            if (mine) {
                inFlight = new CompletableFuture<>();
            }
            flight = inFlight;
        }
        if (!mine) {
            try {
                return flight.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        try {
            StudyProgress counted = countAll();
            flight.complete(counted);
            return counted;
        } catch (RuntimeException | Error e) {
            flight.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                inFlight = null;
            }
        }
    }

    private StudyProgress countAll() {
        Instant now = Instant.now();
        SortedMap<LocalDate, StudyCounts> days = new TreeMap<>();
        Set<LocalDate> putOff = new HashSet<>();
        for (Row r : session.execute(selectAll.bind())) {
            LocalDate day = r.getLocalDate("day");
            boolean stale = stale(r, now);
            if (stale && due(r, now)) {
                days.put(day, recount(day));
            } else {
                days.put(day, stored(r));
                if (stale) {
                    putOff.add(day);
                }
            }
        }
        daysSeen = new DaysSeen(now, days, putOff);
        return StudyProgress.of(days, putOff.isEmpty());
    }

    /** The day's counts may miss a change: a change stamped since its last count, a safety recount due, or asked. */
    private static boolean stale(Row r, Instant now) {
        Instant counted = r.getInstant("counted_from");
        Instant changed = r.getInstant("changed_at");
        Instant asked = r.getInstant("recount_asked_at");
        if (counted == null || asked != null && !asked.isBefore(counted)) {
            return true;
        }
        return changed != null && (!changed.isBefore(counted.minus(SKEW))
                || !changed.isBefore(counted.minus(SETTLE)) && !now.isBefore(changed.plus(SETTLE)));
    }

    private static boolean due(Row r, Instant now) {
        Instant counted = r.getInstant("counted_from");
        long took = r.getLong("count_millis");
        return counted == null || took < UNGATED_MILLIS || !now.isBefore(counted.plusMillis(took * DUTY_DIVISOR));
    }

    /** Recounts a day from its study rows and their statuses, stores the counts, and refiles the day's studies by state. */
    StudyCounts recount(LocalDate day) {
        Instant start = Instant.now();
        List<String> uids = new ArrayList<>();
        Map<String, String> filed = new HashMap<>(); // the listing's copies of the states
        session.execute(selectDay.bind(day)).forEach(r -> {
            uids.add(r.getString(0));
            filed.put(r.getString(0), r.getString(1));
        });
        StudyCounts.Tally tally = new StudyCounts.Tally();
        Map<String, StudyState> stateOf = new HashMap<>();
        for (int from = 0; from < uids.size(); from += STUDIES_IN_FLIGHT) {
            List<CompletableFuture<Runnable>> reads = new ArrayList<>();
            for (String uid : uids.subList(from, Math.min(uids.size(), from + STUDIES_IN_FLIGHT))) {
                reads.add(one(selectStudy, uid).thenCombine(one(selectStatus, uid),
                        (study, status) -> (Runnable) () -> {
                            if (study != null) {
                                StudyState state = study.isNull(0) ? null : StudyState.valueOf(study.getString(0));
                                stateOf.put(uid, state);
                                tally.addStudy(state, study.getString(1),
                                        status == null ? null : CassandraStudyStatus.toStatus(status));
                            }
                        }).toCompletableFuture());
            }
            reads.forEach(f -> CompletableFutures.getUninterruptibly(f).run()); // tallied on this thread only
        }
        StudyCounts counts = tally.counts();
        states.refile(day, filed, stateOf, start);
        long took = Duration.between(start, Instant.now()).toMillis();
        session.execute(writeCounts.bind(micros(start), start, took, counts.studies(),
                names(counts.byState()), counts.failuresByCategory(), counts.expectedInstances(),
                counts.retrievedInstances(), counts.sentInstances(), counts.confirmedInstances(), counts.completeStudies(),
                day).setIdempotent(true));
        return counts;
    }

    private static long micros(Instant at) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, at);
    }

    private CompletionStage<Row> one(PreparedStatement statement, String uid) {
        return session.executeAsync(statement.bind(uid)).thenApply(AsyncResultSet::one);
    }

    private static StudyCounts stored(Row r) {
        Map<StudyState, Long> byState = new EnumMap<>(StudyState.class);
        r.getMap("states", String.class, Long.class).forEach((s, n) -> byState.put(StudyState.valueOf(s), n));
        return new StudyCounts(r.getLong("studies"), byState, r.getMap("failures", String.class, Long.class),
                r.getLong("expected"), r.getLong("retrieved"), r.getLong("sent"), r.getLong("confirmed"),
                r.getLong("complete"));
    }

    private static Map<String, Long> names(Map<StudyState, Long> byState) {
        Map<String, Long> out = new TreeMap<>();
        byState.forEach((s, n) -> out.put(s.name(), n));
        return out;
    }
}
