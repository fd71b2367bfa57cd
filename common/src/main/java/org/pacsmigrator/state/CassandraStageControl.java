package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Pause/resume of each stage (table stage_control: index, retrieve, forward, verify), set from the console. */
final class CassandraStageControl {
    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".stage_control ("
                + " stage text PRIMARY KEY, paused boolean, changed_at timestamp)";
    }

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement selectAll;

    CassandraStageControl(CqlSession session, String ks) {
        this.session = session;
        upsert = session.prepare("INSERT INTO " + ks + ".stage_control (stage, paused, changed_at) VALUES (?, ?, ?)");
        selectAll = session.prepare("SELECT stage, paused FROM " + ks + ".stage_control");
    }

    void setPaused(String stage, boolean paused) {
        session.execute(upsert.bind(stage, paused, Instant.now()).setIdempotent(true));
    }

    Map<String, Boolean> pauses() {
        Map<String, Boolean> out = new TreeMap<>();
        session.execute(selectAll.bind()).forEach(r -> out.put(r.getString("stage"), r.getBoolean("paused")));
        return out;
    }
}
