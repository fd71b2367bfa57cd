package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;

/** The refused instances of studies (table instance_refusals, one partition per study). */
final class CassandraRefusals {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".instance_refusals ("
                + " study_uid text, sop_uid text, category text, detail text, calling_ae text, status int,"
                + " refused_at timestamp, PRIMARY KEY ((study_uid), sop_uid, category))";
    }

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement select;

    CassandraRefusals(CqlSession session, String ks) {
        this.session = session;
        upsert = session.prepare("INSERT INTO " + ks + ".instance_refusals (study_uid, sop_uid, category, detail,"
                + " calling_ae, status, refused_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
        select = session.prepare("SELECT * FROM " + ks + ".instance_refusals WHERE study_uid = ?");
    }

    void record(RefusedInstance r) {
        session.execute(upsert.bind(r.studyInstanceUid(), r.sopInstanceUid(), r.category(), r.detail(),
                r.callingAeTitle(), r.status(), r.refusedAt()).setIdempotent(true));
    }

    List<RefusedInstance> of(String studyInstanceUid) {
        List<RefusedInstance> result = new ArrayList<>();
        for (Row r : session.execute(select.bind(studyInstanceUid))) {
            result.add(new RefusedInstance(r.getString("study_uid"), r.getString("sop_uid"), r.getString("category"),
                    r.getString("detail"), r.getString("calling_ae"), r.getInt("status"), r.getInstant("refused_at")));
        }
        return result;
    }
}
