package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The UID collisions of studies (table uid_collisions, one partition per study, '' for the study itself). */
final class CassandraUidCollisions {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".uid_collisions ("
                + " study_uid text, sop_uid text, patient_ids set<text>, detail text, kept_keys set<text>,"
                + " detected_at timestamp, PRIMARY KEY ((study_uid), sop_uid))";
    }

    private final CqlSession session;
    private final PreparedStatement merge;
    private final PreparedStatement select;
    private final PreparedStatement delete;

    CassandraUidCollisions(CqlSession session, String ks) {
        this.session = session;
        // Set additions: two processes that see the two halves of one collision both add theirs.
        merge = session.prepare("UPDATE " + ks + ".uid_collisions SET patient_ids = patient_ids + ?,"
                + " kept_keys = kept_keys + ?, detail = ?, detected_at = ? WHERE study_uid = ? AND sop_uid = ?");
        select = session.prepare("SELECT * FROM " + ks + ".uid_collisions WHERE study_uid = ?");
        delete = session.prepare("DELETE FROM " + ks + ".uid_collisions WHERE study_uid = ? AND sop_uid = ?");
    }

    void record(UidCollision c) {
        session.execute(merge.bind(c.patientIds(), c.keptKeys(), c.detail(), c.detectedAt(), c.studyInstanceUid(),
                c.sopInstanceUid() == null ? "" : c.sopInstanceUid()).setIdempotent(true));
    }

    List<UidCollision> of(String studyInstanceUid) {
        List<UidCollision> result = new ArrayList<>();
        for (Row r : session.execute(select.bind(studyInstanceUid))) {
            result.add(new UidCollision(r.getString("study_uid"), r.getString("sop_uid"),
                    new LinkedHashSet<>(r.getSet("patient_ids", String.class)), r.getString("detail"),
                    new LinkedHashSet<>(r.getSet("kept_keys", String.class)), r.getInstant("detected_at")));
        }
        return result;
    }

    void clear(String studyInstanceUid, String sopInstanceUid) {
        session.execute(delete.bind(studyInstanceUid, sopInstanceUid == null ? "" : sopInstanceUid).setIdempotent(true));
    }
}
