package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Storage commitment: transactions per study (commitments), the transaction → study lookup for the
 * PACS's reports (commitments_by_transaction), and the outcome per instance (instance_commitments).
 */
final class CassandraCommitments {
    static List<String> tables(String ks) {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + ks + ".commitments ("
                        + " study_uid text, transaction_uid text, attempt int, instance_count int,"
                        + " requested_at timestamp, reported_at timestamp, event_type int, committed int, failed int,"
                        + " PRIMARY KEY ((study_uid), transaction_uid))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".commitments_by_transaction ("
                        + " transaction_uid text PRIMARY KEY, study_uid text)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".instance_commitments ("
                        + " study_uid text, sop_uid text, transaction_uid text, committed_at timestamp,"
                        + " failure_reason int, updated_at timestamp, PRIMARY KEY ((study_uid), sop_uid))");
    }

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement insertLookup;
    private final PreparedStatement selectLookup;
    private final PreparedStatement select;
    private final PreparedStatement selectOfStudy;
    private final PreparedStatement updateReport;
    private final PreparedStatement upsertInstanceCommitted;
    private final PreparedStatement upsertInstanceNotCommitted;
    private final PreparedStatement selectInstances;
    private final PreparedStatement selectInstance;

    CassandraCommitments(CqlSession session, String ks) {
        this.session = session;
        insert = session.prepare("UPDATE " + ks + ".commitments SET attempt = ?, instance_count = ?,"
                + " requested_at = ? WHERE study_uid = ? AND transaction_uid = ?");
        insertLookup = session.prepare("INSERT INTO " + ks + ".commitments_by_transaction"
                + " (transaction_uid, study_uid) VALUES (?, ?)");
        selectLookup = session.prepare("SELECT study_uid FROM " + ks + ".commitments_by_transaction"
                + " WHERE transaction_uid = ?");
        select = session.prepare("SELECT * FROM " + ks + ".commitments WHERE study_uid = ? AND transaction_uid = ?");
        selectOfStudy = session.prepare("SELECT * FROM " + ks + ".commitments WHERE study_uid = ?");
        updateReport = session.prepare("UPDATE " + ks + ".commitments SET reported_at = ?, event_type = ?,"
                + " committed = ?, failed = ? WHERE study_uid = ? AND transaction_uid = ?");
        upsertInstanceCommitted = session.prepare("UPDATE " + ks + ".instance_commitments SET transaction_uid = ?,"
                + " committed_at = ?, failure_reason = null, updated_at = ? WHERE study_uid = ? AND sop_uid = ?");
        upsertInstanceNotCommitted = session.prepare("UPDATE " + ks + ".instance_commitments SET transaction_uid = ?,"
                + " failure_reason = ?, updated_at = ? WHERE study_uid = ? AND sop_uid = ?");
        selectInstances = session.prepare("SELECT * FROM " + ks + ".instance_commitments WHERE study_uid = ?");
        selectInstance = session.prepare("SELECT * FROM " + ks + ".instance_commitments"
                + " WHERE study_uid = ? AND sop_uid = ?");
    }

    void recordRequest(CommitmentRecord r) {
        session.execute(insertLookup.bind(r.transactionUid(), r.studyInstanceUid()).setIdempotent(true));
        session.execute(insert.bind(r.attempt(), r.instanceCount(),
                r.requestedAt() == null ? Instant.now() : r.requestedAt(), r.studyInstanceUid(), r.transactionUid())
                .setIdempotent(true));
    }

    Optional<CommitmentRecord> find(String transactionUid) {
        Row lookup = session.execute(selectLookup.bind(transactionUid)).one();
        if (lookup == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(session.execute(select.bind(lookup.getString(0), transactionUid)).one())
                .map(CassandraCommitments::toCommitment);
    }

    List<CommitmentRecord> of(String studyInstanceUid) {
        List<CommitmentRecord> result = new ArrayList<>();
        for (Row r : session.execute(selectOfStudy.bind(studyInstanceUid))) {
            result.add(toCommitment(r));
        }
        return result;
    }

    void recordReport(String studyInstanceUid, String transactionUid, int eventType, int committed, int failed) {
        session.execute(updateReport.bind(Instant.now(), eventType, committed, failed, studyInstanceUid, transactionUid)
                .setIdempotent(true));
    }

    void recordInstance(String studyInstanceUid, String sopInstanceUid, String transactionUid, Integer failureReason) {
        Instant now = Instant.now();
        if (failureReason == null) {
            session.execute(upsertInstanceCommitted.bind(transactionUid, now, now, studyInstanceUid, sopInstanceUid)
                    .setIdempotent(true));
            return;
        }
        // A commitment is never taken back by a failure report (e.g. of an older transaction delivered late).
        Row existing = session.execute(selectInstance.bind(studyInstanceUid, sopInstanceUid)).one();
        if (existing != null && existing.getInstant("committed_at") != null && existing.isNull("failure_reason")) {
            return;
        }
        session.execute(upsertInstanceNotCommitted.bind(transactionUid, failureReason, now, studyInstanceUid,
                sopInstanceUid).setIdempotent(true));
    }

    Map<String, InstanceCommitment> instancesOf(String studyInstanceUid) {
        Map<String, InstanceCommitment> result = new LinkedHashMap<>();
        for (Row r : session.execute(selectInstances.bind(studyInstanceUid))) {
            result.put(r.getString("sop_uid"), new InstanceCommitment(r.getString("study_uid"), r.getString("sop_uid"),
                    r.getString("transaction_uid"), r.getInstant("committed_at"),
                    r.isNull("failure_reason") ? null : r.getInt("failure_reason"), r.getInstant("updated_at")));
        }
        return result;
    }

    private static CommitmentRecord toCommitment(Row r) {
        return new CommitmentRecord(r.getString("transaction_uid"), r.getString("study_uid"), r.getInt("attempt"),
                r.getInt("instance_count"), r.getInstant("requested_at"), r.getInstant("reported_at"),
                r.isNull("event_type") ? null : r.getInt("event_type"), r.isNull("committed") ? null : r.getInt("committed"),
                r.isNull("failed") ? null : r.getInt("failed"));
    }
}
