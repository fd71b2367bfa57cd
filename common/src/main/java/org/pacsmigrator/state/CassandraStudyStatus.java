package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** Completion per study (table study_status), computed by the Kafka Streams topology of the verifier. */
final class CassandraStudyStatus {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".study_status ("
                + " study_uid text PRIMARY KEY, expected int, retrieved int, sent int, confirmed int,"
                + " failed int, criterion text, method text, complete boolean, completed_at timestamp,"
                + " updated_at timestamp)";
    }

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement select;
    private final PreparedStatement selectAll;

    CassandraStudyStatus(CqlSession session, String ks) {
        this.session = session;
        upsert = session.prepare("INSERT INTO " + ks + ".study_status (study_uid, expected, retrieved, sent,"
                + " confirmed, failed, criterion, method, complete, completed_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        select = session.prepare("SELECT * FROM " + ks + ".study_status WHERE study_uid = ?");
        selectAll = session.prepare("SELECT * FROM " + ks + ".study_status");
    }

    void save(StudyStatus st) {
        session.execute(upsert.bind(st.studyInstanceUid(), st.expected(), st.retrieved(), st.sent(),
                st.confirmed(), st.failed(), st.criterion(), st.method(), st.complete(), st.completedAt(),
                st.updatedAt() == null ? Instant.now() : st.updatedAt()).setIdempotent(true));
    }

    Optional<StudyStatus> find(String studyInstanceUid) {
        return Optional.ofNullable(session.execute(select.bind(studyInstanceUid)).one()).map(CassandraStudyStatus::toStatus);
    }

    /** Runs the query; the driver fetches further pages while iterating. */
    Iterator<StudyStatus> all() {
        return StreamSupport.stream(session.execute(selectAll.bind()).spliterator(), false)
                .map(CassandraStudyStatus::toStatus).iterator();
    }

    static StudyStatus toStatus(Row r) {
        return new StudyStatus(r.getString("study_uid"), r.getInt("expected"), r.getInt("retrieved"), r.getInt("sent"),
                r.getInt("confirmed"), r.getInt("failed"), r.getString("criterion"), r.getString("method"),
                r.getBoolean("complete"), r.getInstant("completed_at"), r.getInstant("updated_at"));
    }
}
