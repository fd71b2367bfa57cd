package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** How the aggregates write: unset unknown values, capped messages, many rows of a study in few requests. */
final class CassandraWrites {
    private static final int MAX_MESSAGE = 4000;
    private static final int WRITE_WINDOW = 64;
    /**
     * Rows of one study per unlogged batch: one partition, so the node applies each batch as a
     * single mutation (one request instead of one per instance), and small enough to stay under
     * Cassandra's default batch size warning (5 KiB).
     */
    private static final int ROWS_PER_BATCH = 16;

    private CassandraWrites() {
    }

    @SuppressWarnings("unchecked")
    static BoundStatementBuilder setIfPresent(BoundStatementBuilder b, int index, Object value) {
        // Left unset, a column is not written at all: no tombstone, no erased value.
        if (value instanceof Set<?> set) {
            return b.setSet(index, (Set<String>) set, String.class);
        }
        return value == null ? b : b.set(index, value, (Class<Object>) value.getClass());
    }

    static String truncate(String s) {
        return s == null || s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE);
    }

    /** Writes to one study's partition: unlogged batches, a bounded window of them in flight. */
    static void executeAll(CqlSession session, List<BoundStatement> statements) {
        executeBatches(session, batchesOf(statements.stream().map(List::of).toList()));
    }

    /**
     * Packs units of statements (a unit is written together, never split) into unlogged batches of
     * at most {@link #ROWS_PER_BATCH} statements (a larger unit gets a batch of its own). A batch is
     * idempotent, so retried by the driver, only when all its statements are.
     */
    static List<Statement<?>> batchesOf(List<List<BoundStatement>> units) {
        List<Statement<?>> batches = new ArrayList<>();
        List<BoundStatement> rows = new ArrayList<>();
        for (List<BoundStatement> unit : units) {
            if (!rows.isEmpty() && rows.size() + unit.size() > ROWS_PER_BATCH) {
                batches.add(batchOf(rows));
                rows = new ArrayList<>();
            }
            rows.addAll(unit);
        }
        if (!rows.isEmpty()) {
            batches.add(batchOf(rows));
        }
        return batches;
    }

    private static Statement<?> batchOf(List<BoundStatement> rows) {
        if (rows.size() == 1) {
            return rows.get(0);
        }
        boolean idempotent = rows.stream().allMatch(r -> Boolean.TRUE.equals(r.isIdempotent()));
        return BatchStatement.newInstance(DefaultBatchType.UNLOGGED).addAll(rows).setIdempotent(idempotent);
    }

    /**
     * A bounded window of asynchronous writes: fast for large studies without flooding the node. A failed
     * write throws the driver's exception (the store maps it), after the rest of its window has finished.
     */
    static void executeBatches(CqlSession session, List<Statement<?>> batches) {
        for (int from = 0; from < batches.size(); from += WRITE_WINDOW) {
            CompletableFuture<?>[] window = batches.subList(from, Math.min(batches.size(), from + WRITE_WINDOW))
                    .stream().map(st -> session.executeAsync(st).toCompletableFuture()).toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.allOf(window).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
    }
}
