package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The last control pass (table control_pass, one row): written whole by every pass, so that the
 * row never mixes two passes.
 */
final class CassandraControlPasses {
    /** The row's key: there is one last pass of the migration's range. */
    private static final String LAST = "last";

    static String table(String ks) {
        return "CREATE TABLE IF NOT EXISTS " + ks + ".control_pass ("
                + " id text PRIMARY KEY, started_at timestamp, finished_at timestamp, trigger text,"
                + " range_from date, range_to date, days_checked int, failed_days list<text>,"
                + " counts map<text, int>, studies map<text, frozen<list<text>>>, report_file text)";
    }

    private static final GenericType<Map<String, Integer>> COUNTS = GenericType.mapOf(GenericType.STRING, GenericType.INTEGER);
    private static final GenericType<Map<String, List<String>>> STUDIES = GenericType.mapOf(GenericType.STRING,
            GenericType.listOf(GenericType.STRING));

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement select;

    CassandraControlPasses(CqlSession session, String ks) {
        this.session = session;
        upsert = session.prepare("INSERT INTO " + ks + ".control_pass (id, started_at, finished_at, trigger, range_from,"
                + " range_to, days_checked, failed_days, counts, studies, report_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        select = session.prepare("SELECT * FROM " + ks + ".control_pass WHERE id = ?");
    }

    void record(ControlPassRecord p) {
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, List<String>> studies = new TreeMap<>();
        for (ControlPassRecord.Finding f : ControlPassRecord.Finding.values()) {
            counts.put(f.name(), p.count(f));
            studies.put(f.name(), p.studies(f));
        }
        session.execute(upsert.boundStatementBuilder(LAST, p.startedAt(), p.finishedAt(), p.trigger(), p.from(), p.to(),
                        p.daysChecked(), p.failedDays())
                .set(8, counts, COUNTS).set(9, studies, STUDIES).setString(10, p.reportFile())
                .build().setIdempotent(true));
    }

    Optional<ControlPassRecord> last() {
        Row r = session.execute(select.bind(LAST)).one();
        if (r == null) {
            return Optional.empty();
        }
        Map<ControlPassRecord.Finding, Integer> counts = new EnumMap<>(ControlPassRecord.Finding.class);
        Map<ControlPassRecord.Finding, List<String>> studies = new EnumMap<>(ControlPassRecord.Finding.class);
        Map<String, Integer> storedCounts = r.get("counts", COUNTS);
        Map<String, List<String>> storedStudies = r.get("studies", STUDIES);
        if (storedCounts != null) {
            storedCounts.forEach((k, v) -> known(k).ifPresent(f -> counts.put(f, v)));
        }
        if (storedStudies != null) {
            storedStudies.forEach((k, v) -> known(k).ifPresent(f -> studies.put(f, v)));
        }
        return Optional.of(new ControlPassRecord(r.getInstant("started_at"), r.getInstant("finished_at"),
                r.getString("trigger"), r.getLocalDate("range_from"), r.getLocalDate("range_to"), r.getInt("days_checked"),
                r.getList("failed_days", String.class), counts, studies, r.getString("report_file")));
    }

    /** A kind written by a later version is ignored rather than failing the read. */
    private static Optional<ControlPassRecord.Finding> known(String name) {
        try {
            return Optional.of(ControlPassRecord.Finding.valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
