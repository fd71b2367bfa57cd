package org.pacsmigrator.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows of per-instance progress waiting to be written to the state store together, by study: one
 * write of up to {@code batchSize} rows instead of one per instance (each request costs the
 * Cassandra node, and the client, far more CPU than the rows in it). A study's rows are written as
 * soon as {@code batchSize} of them wait, when flushed, and (if a maximum wait is given) at the
 * latest that long after the first of them came, so another process waiting for them sees them
 * soon. A failed write keeps its rows for the next write or flush and rethrows, so a row is never
 * dropped while this object lives; the write must be idempotent.
 *
 * <p>Thread-safe. Writes run outside the lock, so threads adding rows of other studies never wait
 * for another study's write.
 */
public final class PendingRows<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PendingRows.class);
    /** Writes rows that waited too long; one daemon thread for the process, idle when nothing waits. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pending-rows");
        t.setDaemon(true);
        return t;
    });

    private final int batchSize;
    private final Duration maxWait;
    private final BiConsumer<String, List<T>> writer;
    private final Map<String, List<T>> pending = new HashMap<>();

    /** Without a time bound: rows wait for a full batch or a flush. */
    public PendingRows(int batchSize, BiConsumer<String, List<T>> writer) {
        this(batchSize, null, writer);
    }

    /**
     * @param maxWait longest a row waits for its batch to fill (null: no bound)
     * @param writer  writes rows of one study (given its Study Instance UID); throws when it cannot
     */
    public PendingRows(int batchSize, Duration maxWait, BiConsumer<String, List<T>> writer) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1: " + batchSize);
        }
        this.batchSize = batchSize;
        this.maxWait = maxWait;
        this.writer = writer;
    }

    /** Adds a row; writes the study's waiting rows if there are {@code batchSize} of them now. */
    public void add(String studyInstanceUid, T row) {
        List<T> full;
        List<T> started = null;
        synchronized (pending) {
            List<T> rows = pending.get(studyInstanceUid);
            if (rows == null) {
                rows = new ArrayList<>();
                pending.put(studyInstanceUid, rows);
                started = rows;
            }
            rows.add(row);
            full = rows.size() >= batchSize ? pending.remove(studyInstanceUid) : null;
        }
        if (full != null) {
            write(studyInstanceUid, full);
        } else if (started != null) {
            writeLater(studyInstanceUid, started);
        }
    }

    /** Writes the study's waiting rows now (nothing when none wait). */
    public void flush(String studyInstanceUid) {
        List<T> rows;
        synchronized (pending) {
            rows = pending.remove(studyInstanceUid);
        }
        if (rows != null) {
            write(studyInstanceUid, rows);
        }
    }

    /** Writes every study's waiting rows; tries them all, then rethrows the first failure. */
    public void flushAll() {
        Map<String, List<T>> all;
        synchronized (pending) {
            all = new HashMap<>(pending);
            pending.clear();
        }
        RuntimeException first = null;
        for (Map.Entry<String, List<T>> e : all.entrySet()) {
            try {
                write(e.getKey(), e.getValue());
            } catch (RuntimeException failure) {
                first = first == null ? failure : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Rows waiting, all studies together. */
    public int size() {
        synchronized (pending) {
            return pending.values().stream().mapToInt(List::size).sum();
        }
    }

    private void write(String studyInstanceUid, List<T> rows) {
        try {
            writer.accept(studyInstanceUid, rows);
        } catch (RuntimeException e) {
            List<T> kept = new ArrayList<>(rows);
            synchronized (pending) {
                // Back in front of rows added meanwhile: the order of a study's rows is kept.
                List<T> added = pending.remove(studyInstanceUid);
                if (added != null) {
                    kept.addAll(added);
                }
                pending.put(studyInstanceUid, kept);
            }
            // No new timer: kept rows go with the next write of the study or the next flush, so a store
            // that stays away (or was closed) is not retried forever in the background.
            throw e;
        }
    }

    /** Writes these rows after the maximum wait, unless they were written (or taken for writing) by then. */
    private void writeLater(String studyInstanceUid, List<T> rows) {
        if (maxWait == null) {
            return;
        }
        TIMER.schedule(() -> {
            synchronized (pending) {
                if (pending.get(studyInstanceUid) != rows) {
                    return;
                }
                pending.remove(studyInstanceUid);
            }
            try {
                write(studyInstanceUid, rows);
            } catch (RuntimeException e) {
                LOG.warn("{} rows of study {} not written yet (kept for the next write): {}", rows.size(),
                        studyInstanceUid, e.toString());
            }
        }, maxWait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
