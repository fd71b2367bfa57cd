package org.pacsmigrator.index;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The indexer's progress: days done / pending / failed, studies found, queries per minute and
 * the last error, as Micrometer meters ({@code pacsmig.index.*}) and as a snapshot for the REST
 * endpoint. Thread-safe. Queries are a counter only: Prometheus computes their rate; the per-minute figure
 * is the snapshot's.
 */
public final class IndexProgress {
    /** What the REST endpoint returns. */
    public record Snapshot(long daysTotal, long daysDone, long daysPending, long daysFailed, long studiesFound,
                           long studiesNew, long studiesChanged, long queries, double queriesPerMinute,
                           String currentDay, String lastError, Instant lastErrorAt, boolean waitingForWindow,
                           Instant updatedAt) {
    }

    private final Clock clock;
    private final AtomicLong daysTotal = new AtomicLong();
    private final AtomicLong daysDone = new AtomicLong();
    private final AtomicLong daysFailed = new AtomicLong();
    private final AtomicLong studiesFound = new AtomicLong();
    private final AtomicLong studiesNew = new AtomicLong();
    private final AtomicLong studiesChanged = new AtomicLong();
    private final AtomicLong queries = new AtomicLong();
    private final AtomicReference<String> currentDay = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Instant> lastErrorAt = new AtomicReference<>();
    private volatile boolean waitingForWindow;
    private final Deque<Instant> recentQueries = new ArrayDeque<>();
    private final Counter queryCounter;
    private final Counter foundCounter;
    private final Counter failedCounter;

    private static final String DAY_STATUS = "source days of the index range in this status (done, pending, failed)";

    public IndexProgress(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        Gauge.builder("pacsmig.index.day.status", daysDone, AtomicLong::get).tag("status", "done")
                .description(DAY_STATUS).register(registry);
        Gauge.builder("pacsmig.index.day.status", this, p -> p.pending()).tag("status", "pending")
                .description(DAY_STATUS).register(registry);
        Gauge.builder("pacsmig.index.day.status", daysFailed, AtomicLong::get).tag("status", "failed")
                .description(DAY_STATUS).register(registry);
        queryCounter = Counter.builder("pacsmig.index.queries").description("C-FIND requests sent").register(registry);
        foundCounter = Counter.builder("pacsmig.index.studies.found").description("studies found (with repeats on re-query)")
                .register(registry);
        failedCounter = Counter.builder("pacsmig.index.errors").description("failed day or query attempts").register(registry);
        FunctionCounter.builder("pacsmig.index.studies.new", studiesNew, AtomicLong::get).description("studies first seen")
                .register(registry);
        FunctionCounter.builder("pacsmig.index.studies.changed", studiesChanged, AtomicLong::get)
                .description("known studies whose counts changed").register(registry);
    }

    public static IndexProgress standalone() {
        return new IndexProgress(new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /** Sets the days to do and how many of them are already done or failed (at start-up, from the state store). */
    public void plan(long total, long done, long failed) {
        daysTotal.set(total);
        daysDone.set(done);
        daysFailed.set(failed);
    }

    public void dayStarted(LocalDate day) {
        currentDay.set(Indexer.label(day));
    }

    /** A day became DONE; {@code wasFailed} when its previous record was FAILED. */
    public void dayDone(boolean wasFailed, boolean wasDone) {
        if (!wasDone) {
            daysDone.incrementAndGet();
        }
        if (wasFailed) {
            daysFailed.decrementAndGet();
        }
        currentDay.set(null);
    }

    public void dayFailed(LocalDate day, String error, boolean wasFailed) {
        if (!wasFailed) {
            daysFailed.incrementAndGet();
        }
        failedCounter.increment();
        error(Indexer.label(day) + ": " + error);
        currentDay.set(null);
    }

    public void error(String error) {
        lastError.set(error);
        lastErrorAt.set(clock.instant());
    }

    public void studies(int found, int fresh, int changed) {
        studiesFound.addAndGet(found);
        foundCounter.increment(found);
        studiesNew.addAndGet(fresh);
        studiesChanged.addAndGet(changed);
    }

    public void query() {
        queries.incrementAndGet();
        queryCounter.increment();
        synchronized (recentQueries) {
            recentQueries.addLast(clock.instant());
            trim();
        }
    }

    public void waitingForWindow(boolean waiting) {
        this.waitingForWindow = waiting;
    }

    private void trim() {
        Instant limit = clock.instant().minus(Duration.ofMinutes(1));
        while (!recentQueries.isEmpty() && recentQueries.peekFirst().isBefore(limit)) {
            recentQueries.removeFirst();
        }
    }

    public double queriesPerMinute() {
        synchronized (recentQueries) {
            trim();
            return recentQueries.size();
        }
    }

    private long pending() {
        return Math.max(0, daysTotal.get() - daysDone.get() - daysFailed.get());
    }

    public Snapshot snapshot() {
        return new Snapshot(daysTotal.get(), daysDone.get(), pending(), daysFailed.get(), studiesFound.get(),
                studiesNew.get(), studiesChanged.get(), queries.get(), queriesPerMinute(), currentDay.get(),
                lastError.get(), lastErrorAt.get(), waitingForWindow, clock.instant());
    }
}
