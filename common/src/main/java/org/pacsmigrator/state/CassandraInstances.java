package org.pacsmigrator.state;

import static org.pacsmigrator.state.CassandraWrites.batchesOf;
import static org.pacsmigrator.state.CassandraWrites.executeAll;
import static org.pacsmigrator.state.CassandraWrites.executeBatches;
import static org.pacsmigrator.state.CassandraWrites.setIfPresent;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.state.CassandraSchema.AddedColumn;

/**
 * Instances of studies (table instances, one partition per study) and what the rules changed in them
 * (instance_modifications): idempotent upserts that leave unknown values unset, so that no stage's
 * write erases another stage's columns.
 */
final class CassandraInstances {
    static List<String> tables(String ks) {
        return List.of(
                // All instances of a study in one partition, ordered by SOP Instance UID.
                "CREATE TABLE IF NOT EXISTS " + ks + ".instances ("
                        + " study_uid text, sop_uid text,"
                        + " series_uid text, sop_class_uid text, transfer_syntax_uid text,"
                        + " size_bytes bigint, sha256 text, cache_key text,"
                        + " retrieved_at timestamp, forwarded_at timestamp, forward_status int, verified_at timestamp,"
                        // When each C-STORE of the instance was answered: an append per try, in the same
                        // write as its status (a counter table would cost a second, read-before-write request).
                        + " store_attempts list<timestamp>,"
                        // The cached image's patient attributes (keyword to value), picked at receipt: the
                        // forwarder checks the patient without parsing the image again.
                        + " patient frozen<map<text, text>>,"
                        + " PRIMARY KEY ((study_uid), sop_uid))",
                // What the forwarder's rules changed per instance, for the report.
                "CREATE TABLE IF NOT EXISTS " + ks + ".instance_modifications ("
                        + " study_uid text, sop_uid text, rules_applied list<text>, changes list<text>,"
                        + " problems list<text>, original_sha256 text, sent_sha256 text, modified_at timestamp,"
                        + " PRIMARY KEY ((study_uid), sop_uid))");
    }

    static final List<AddedColumn> ADDED_COLUMNS = List.of(new AddedColumn("instances", "store_attempts", "list<timestamp>"),
            new AddedColumn("instances", "patient", "frozen<map<text, text>>"));

    private final CqlSession session;
    private final PreparedStatement upsertManifest;
    private final PreparedStatement upsertRetrieved;
    private final PreparedStatement upsertForwarded;
    private final PreparedStatement upsertForwardFailed;
    private final PreparedStatement upsertVerified;
    private final PreparedStatement clearForwarded;
    private final PreparedStatement selectInstances;
    private final PreparedStatement selectForwardAttempts;
    private final PreparedStatement upsertModification;
    private final PreparedStatement selectModifications;

    CassandraInstances(CqlSession session, String ks) {
        this.session = session;
        upsertManifest = session.prepare("UPDATE " + ks + ".instances SET series_uid = ?, sop_class_uid = ?"
                + " WHERE study_uid = ? AND sop_uid = ?");
        upsertRetrieved = session.prepare("UPDATE " + ks + ".instances SET series_uid = ?, sop_class_uid = ?,"
                + " transfer_syntax_uid = ?, size_bytes = ?, sha256 = ?, cache_key = ?, retrieved_at = ?, patient = ?"
                + " WHERE study_uid = ? AND sop_uid = ?");
        upsertForwarded = session.prepare("UPDATE " + ks + ".instances SET forward_status = ?, forwarded_at = ?,"
                + " store_attempts = store_attempts + ? WHERE study_uid = ? AND sop_uid = ?");
        upsertForwardFailed = session.prepare("UPDATE " + ks + ".instances SET forward_status = ?,"
                + " store_attempts = store_attempts + ? WHERE study_uid = ? AND sop_uid = ?");
        upsertVerified = session.prepare("UPDATE " + ks + ".instances SET verified_at = ?"
                + " WHERE study_uid = ? AND sop_uid = ?");
        clearForwarded = session.prepare("UPDATE " + ks + ".instances SET forwarded_at = null, forward_status = null,"
                + " verified_at = null WHERE study_uid = ? AND sop_uid = ?");
        selectInstances = session.prepare("SELECT * FROM " + ks + ".instances WHERE study_uid = ?");
        selectForwardAttempts = session.prepare("SELECT store_attempts FROM " + ks + ".instances"
                + " WHERE study_uid = ? AND sop_uid = ?");
        upsertModification = session.prepare("INSERT INTO " + ks + ".instance_modifications (study_uid, sop_uid,"
                + " rules_applied, changes, problems, original_sha256, sent_sha256, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        selectModifications = session.prepare("SELECT * FROM " + ks + ".instance_modifications WHERE study_uid = ?");
    }

    void recordExpected(String studyInstanceUid, List<InstanceRecord> expected) {
        // Manifest columns only: progress columns of rows that already exist stay untouched.
        List<BoundStatement> writes = expected.stream().map(i -> setIfPresent(setIfPresent(
                upsertManifest.boundStatementBuilder(), 0, i.seriesInstanceUid()), 1, i.sopClassUid())
                .setString(2, studyInstanceUid).setString(3, i.sopInstanceUid()).setIdempotence(true).build())
                .toList();
        executeAll(session, writes);
    }

    void recordRetrieved(InstanceRecord i) {
        session.execute(retrievedRow(i));
    }

    void recordRetrieved(Collection<InstanceRecord> instances) {
        Map<String, List<BoundStatement>> byStudy = new LinkedHashMap<>();
        for (InstanceRecord i : instances) {
            byStudy.computeIfAbsent(i.studyInstanceUid(), k -> new ArrayList<>()).add(retrievedRow(i));
        }
        byStudy.values().forEach(rows -> executeAll(session, rows));
    }

    private BoundStatement retrievedRow(InstanceRecord i) {
        BoundStatementBuilder b = upsertRetrieved.boundStatementBuilder();
        b = setIfPresent(b, 0, i.seriesInstanceUid());
        b = setIfPresent(b, 1, i.sopClassUid());
        b = setIfPresent(b, 2, i.transferSyntaxUid());
        b = b.setLong(3, i.sizeBytes());
        b = setIfPresent(b, 4, i.sha256());
        b = setIfPresent(b, 5, i.cacheKey());
        b = b.setInstant(6, i.retrievedAt() == null ? Instant.now() : i.retrievedAt());
        // Always written, null too: the row describes the object just cached, never an earlier copy's patient.
        b = i.patient() == null ? b.setToNull(7) : b.setMap(7, i.patient().asMap(), String.class, String.class);
        b = b.setString(8, i.studyInstanceUid()).setString(9, i.sopInstanceUid()).setIdempotence(true);
        return b.build();
    }

    void recordForwarded(String studyInstanceUid, List<StoreOutcome> outcomes) {
        Instant now = Instant.now();
        List<Instant> attempt = List.of(now);
        List<List<BoundStatement>> units = new ArrayList<>();
        for (StoreOutcome o : outcomes) {
            // Not idempotent by nature (a list append): a retried write may log a try twice, which only overstates attempts.
            BoundStatement outcome = o.stored()
                    ? upsertForwarded.bind(o.status(), now, attempt, studyInstanceUid, o.sopInstanceUid())
                    : upsertForwardFailed.bind(o.status(), attempt, studyInstanceUid, o.sopInstanceUid());
            units.add(o.modification() == null ? List.of(outcome) : List.of(outcome, modificationRow(o.modification())));
        }
        executeBatches(session, batchesOf(units));
    }

    int forwardAttempts(String studyInstanceUid, String sopInstanceUid) {
        Row r = session.execute(selectForwardAttempts.bind(studyInstanceUid, sopInstanceUid)).one();
        return r == null ? 0 : r.getList("store_attempts", Instant.class).size();
    }

    void recordVerified(String studyInstanceUid, Collection<String> sopInstanceUids) {
        Instant now = Instant.now();
        executeAll(session, sopInstanceUids.stream()
                .map(sop -> upsertVerified.bind(now, studyInstanceUid, sop).setIdempotent(true)).toList());
    }

    void recordVerified(String studyInstanceUid, String sopInstanceUid) {
        session.execute(upsertVerified.bind(Instant.now(), studyInstanceUid, sopInstanceUid).setIdempotent(true));
    }

    void clearForwarded(String studyInstanceUid, String sopInstanceUid) {
        session.execute(clearForwarded.bind(studyInstanceUid, sopInstanceUid).setIdempotent(true));
    }

    List<InstanceRecord> of(String studyInstanceUid) {
        List<InstanceRecord> result = new ArrayList<>();
        for (Row r : session.execute(selectInstances.bind(studyInstanceUid))) {
            result.add(new InstanceRecord(r.getString("study_uid"), r.getString("sop_uid"), r.getString("series_uid"),
                    r.getString("sop_class_uid"), r.getString("transfer_syntax_uid"), r.getLong("size_bytes"),
                    r.getString("sha256"), r.getString("cache_key"), r.getInstant("retrieved_at"),
                    r.getInstant("forwarded_at"), r.isNull("forward_status") ? null : r.getInt("forward_status"),
                    r.getInstant("verified_at"), patientOf(r)));
        }
        return result;
    }

    private static PatientAttributes patientOf(Row r) {
        return r.isNull("patient") ? null : PatientAttributes.fromMap(r.getMap("patient", String.class, String.class));
    }

    void recordModification(InstanceModification m) {
        session.execute(modificationRow(m));
    }

    private BoundStatement modificationRow(InstanceModification m) {
        return upsertModification.bind(m.studyInstanceUid(), m.sopInstanceUid(), m.rulesApplied(),
                m.changes(), m.problems(), m.originalSha256(), m.sentSha256(), m.at()).setIdempotent(true);
    }

    List<InstanceModification> modificationsOf(String studyInstanceUid) {
        List<InstanceModification> result = new ArrayList<>();
        for (Row r : session.execute(selectModifications.bind(studyInstanceUid))) {
            result.add(new InstanceModification(r.getString("study_uid"), r.getString("sop_uid"),
                    r.getList("rules_applied", String.class), r.getList("changes", String.class),
                    r.getList("problems", String.class), r.getString("original_sha256"), r.getString("sent_sha256"),
                    r.getInstant("modified_at")));
        }
        return result;
    }
}
