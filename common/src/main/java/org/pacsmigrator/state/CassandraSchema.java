package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The migration keyspace: each aggregate's class holds its own tables and added columns; this applies
 * them all. Every statement is idempotent (IF NOT EXISTS, or a column added only when missing), so
 * opening a keyspace of an older version brings it up to date.
 */
final class CassandraSchema {
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    private CassandraSchema() {
    }

    /** A column added after its table was first released: added to keyspaces created before. */
    record AddedColumn(String table, String column, String type) {
        String cql(String ks) {
            return "ALTER TABLE " + ks + "." + table + " ADD " + column + " " + type;
        }
    }

    static String keyspace(CassandraSettings s) {
        return "CREATE KEYSPACE IF NOT EXISTS " + s.keyspace() + " WITH replication = " + s.replication().cql();
    }

    static List<String> tables(String ks) {
        return Stream.of(CassandraStudies.tables(ks), List.of(CassandraPatients.table(ks)), CassandraInstances.tables(ks),
                        List.of(CassandraIndexDays.table(ks), CassandraControlPasses.table(ks)),
                        CassandraCommitments.tables(ks),
                        List.of(CassandraStudyStatus.table(ks), CassandraStageControl.table(ks),
                                CassandraRefusals.table(ks), CassandraUidCollisions.table(ks)))
                .flatMap(List::stream).toList();
    }

    static final List<AddedColumn> ADDED_COLUMNS = Stream.of(CassandraInstances.ADDED_COLUMNS,
            CassandraStudies.ADDED_COLUMNS, CassandraPatients.ADDED_COLUMNS).flatMap(List::stream).toList();

    /** Creates the keyspace, its tables, and the columns that keyspaces of older versions lack. */
    static void apply(CqlSession session, CassandraSettings settings) {
        String ks = settings.keyspace();
        session.execute(SimpleStatement.newInstance(keyspace(settings)).setTimeout(DDL_TIMEOUT));
        for (String table : tables(ks)) {
            session.execute(SimpleStatement.newInstance(table).setTimeout(DDL_TIMEOUT));
        }
        for (AddedColumn c : ADDED_COLUMNS) {
            boolean present = session.execute(SimpleStatement.newInstance("SELECT column_name FROM system_schema.columns"
                    + " WHERE keyspace_name = ? AND table_name = ? AND column_name = ?", ks, c.table(), c.column()))
                    .one() != null;
            if (!present) {
                session.execute(SimpleStatement.newInstance(c.cql(ks)).setTimeout(DDL_TIMEOUT));
            }
        }
    }
}
