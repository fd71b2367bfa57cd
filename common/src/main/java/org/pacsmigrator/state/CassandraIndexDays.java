package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the indexer found per source day (table index_days, one row per day). */
final class CassandraIndexDays {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".index_days ("
                + " day date PRIMARY KEY, status text, queried_at timestamp, study_count int,"
                + " uid_set_hash text, split text, last_error text)";
    }

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement select;
    private final PreparedStatement selectAll;

    CassandraIndexDays(CqlSession session, String ks) {
        this.session = session;
        upsert = session.prepare("INSERT INTO " + ks + ".index_days (day, status, queried_at, study_count,"
                + " uid_set_hash, split, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)");
        select = session.prepare("SELECT * FROM " + ks + ".index_days WHERE day = ?");
        selectAll = session.prepare("SELECT * FROM " + ks + ".index_days");
    }

    void record(IndexDayRecord d) {
        // Whole-row replace: a later DONE must clear an earlier error, so nulls are written as nulls.
        session.execute(upsert.bind(d.day(), d.status() == null ? null : d.status().name(), d.queriedAt(),
                d.studyCount(), d.uidSetHash(), d.split(), CassandraWrites.truncate(d.lastError())).setIdempotent(true));
    }

    Optional<IndexDayRecord> find(LocalDate day) {
        return Optional.ofNullable(session.execute(select.bind(day)).one()).map(CassandraIndexDays::toDay);
    }

    List<IndexDayRecord> all() {
        List<IndexDayRecord> days = new ArrayList<>();
        session.execute(selectAll.bind()).forEach(r -> days.add(toDay(r)));
        return days;
    }

    private static IndexDayRecord toDay(Row r) {
        return new IndexDayRecord(r.getLocalDate("day"),
                r.isNull("status") ? null : IndexDayRecord.Status.valueOf(r.getString("status")),
                r.getInstant("queried_at"), r.getInt("study_count"), r.getString("uid_set_hash"),
                r.getString("split"), r.getString("last_error"));
    }
}
