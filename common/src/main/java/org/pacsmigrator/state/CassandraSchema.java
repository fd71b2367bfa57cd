package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
                        List.of(CassandraStudyStatus.table(ks), CassandraProgress.table(ks), CassandraStageControl.table(ks),
                                CassandraRefusals.table(ks), CassandraUidCollisions.table(ks), CassandraPriorities.table(ks)))
                .flatMap(List::stream).toList();
    }

    static final List<AddedColumn> ADDED_COLUMNS = Stream.of(CassandraInstances.ADDED_COLUMNS,
            CassandraStudies.ADDED_COLUMNS, CassandraPatients.ADDED_COLUMNS).flatMap(List::stream).toList();

    static final List<String> RETIRED_INDEXES = CassandraStudies.RETIRED_INDEXES;

    /**
     * Creates the keyspace, the tables it lacks, and the columns that keyspaces of older versions lack: a resumed
     * migration's keyspace costs two reads and no schema change. On a single node the missing tables are created
     * all at once (the node applies schema changes one after another anyway; 19 tables take 2.6 s instead of 5.1
     * here); on a cluster one after another, so that no two nodes change the schema concurrently. Returns the
     * tables it created and, as {@code table.column}, the columns it added to tables that existed.
     */
    static Set<String> apply(CqlSession session, CassandraSettings settings) {
        String ks = settings.keyspace();
        session.execute(ddl(keyspace(settings)));
        Set<String> existing = new HashSet<>();
        session.execute(SimpleStatement.newInstance("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks))
                .forEach(row -> existing.add(row.getString("table_name")));
        List<String> missing = tables(ks).stream().filter(ddl -> !existing.contains(tableName(ddl))).toList();
        if (session.getMetadata().getNodes().size() == 1) {
            List<CompletableFuture<AsyncResultSet>> creating = missing.stream()
                    .map(ddl -> session.executeAsync(ddl(ddl)).toCompletableFuture()).toList();
            creating.forEach(CompletableFutures::getUninterruptibly);
        } else {
            missing.forEach(ddl -> session.execute(ddl(ddl)));
        }
        Set<String> columns = new HashSet<>();
        session.execute(SimpleStatement.newInstance("SELECT table_name, column_name FROM system_schema.columns WHERE keyspace_name = ?", ks))
                .forEach(row -> columns.add(row.getString("table_name") + "." + row.getString("column_name")));
        Set<String> created = new HashSet<>();
        for (AddedColumn c : ADDED_COLUMNS) {
            if (!columns.contains(c.table() + "." + c.column())) {
                session.execute(ddl(c.cql(ks)));
                if (existing.contains(c.table())) {
                    created.add(c.table() + "." + c.column());
                }
            }
        }
        Set<String> indexes = new HashSet<>();
        session.execute(SimpleStatement.newInstance("SELECT index_name FROM system_schema.indexes WHERE keyspace_name = ?", ks))
                .forEach(row -> indexes.add(row.getString("index_name")));
        for (String retired : RETIRED_INDEXES) {
            if (indexes.contains(retired)) {
                session.execute(ddl("DROP INDEX IF EXISTS " + ks + "." + retired));
            }
        }
        missing.forEach(ddl -> created.add(tableName(ddl)));
        return created;
    }

    /** "CREATE TABLE IF NOT EXISTS ks.name (...": name. */
    static String tableName(String createTable) {
        String qualified = createTable.substring("CREATE TABLE IF NOT EXISTS ".length(), createTable.indexOf('(')).trim();
        return qualified.substring(qualified.indexOf('.') + 1);
    }

    private static SimpleStatement ddl(String cql) {
        return SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT);
    }
}
