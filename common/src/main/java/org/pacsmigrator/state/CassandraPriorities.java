package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The prioritised patients (table priority_patients, one row per PatientID). */
final class CassandraPriorities {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".priority_patients ("
                + " patient_id text PRIMARY KEY, source text, requested_at timestamp, prioritised_at timestamp,"
                + " study_uids set<text>)";
    }

    private static final String COLUMNS = "patient_id, source, requested_at, prioritised_at, study_uids";

    private final CqlSession session;
    private final PreparedStatement insertFirst;
    private final PreparedStatement addStudies;
    private final PreparedStatement selectOne;
    private final PreparedStatement selectAll;

    CassandraPriorities(CqlSession session, String ks) {
        this.session = session;
        insertFirst = session.prepare("INSERT INTO " + ks + ".priority_patients (patient_id, source, requested_at)"
                + " VALUES (?, ?, ?) IF NOT EXISTS");
        addStudies = session.prepare("UPDATE " + ks + ".priority_patients SET study_uids = study_uids + ?,"
                + " prioritised_at = ? WHERE patient_id = ?");
        selectOne = session.prepare("SELECT " + COLUMNS + " FROM " + ks + ".priority_patients WHERE patient_id = ?");
        selectAll = session.prepare("SELECT " + COLUMNS + " FROM " + ks + ".priority_patients");
    }

    void record(String patientId, String source, Set<String> studyUids) {
        Instant now = Instant.now();
        session.execute(insertFirst.bind(patientId, source, now));
        session.execute(addStudies.bind(studyUids, now, patientId).setIdempotent(true));
    }

    Optional<PriorityPatient> find(String patientId) {
        return Optional.ofNullable(session.execute(selectOne.bind(patientId)).one()).map(CassandraPriorities::toPatient);
    }

    List<PriorityPatient> all() {
        List<PriorityPatient> out = new ArrayList<>();
        session.execute(selectAll.bind()).forEach(r -> out.add(toPatient(r)));
        return out;
    }

    private static PriorityPatient toPatient(Row r) {
        return new PriorityPatient(r.getString("patient_id"), r.getString("source"), r.getInstant("requested_at"),
                r.getInstant("prioritised_at"), r.getSet("study_uids", String.class));
    }
}
