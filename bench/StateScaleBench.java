import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.harness.CassandraNode;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.report.MigrationReport;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StudyCounts;
import org.pacsmigrator.state.StudyPage;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AssociationGate;

/**
 * The state store at an archive's scale (issue 21): synthetic study, study-by-day, status and instance rows written
 * straight into a Cassandra node of its own, then what the periodic and per-request paths cost there: progress polls
 * (quiet and under changes), the console's store calls per endpoint, and the report's time and peak heap.
 * Run through bench/state-scale.sh. Arguments: studies (1,000,000), instances per study (10), days (1000), directory.
 */
public final class StateScaleBench {
    private static final LocalDate FIRST = LocalDate.of(2015, 1, 1);
    private static final int IN_FLIGHT = 256;
    private static final int DAY_BATCH = 100;

    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int perStudy = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int reportStudies = args.length > 3 ? Integer.parseInt(args[3]) : studies;
        int reportPerStudy = args.length > 4 ? Integer.parseInt(args[4]) : perStudy;
        Path dir = Path.of(args.length > 5 ? args[5] : "target/state-scale-bench").toAbsolutePath();
        Files.createDirectories(dir);
        CassandraNode node = CassandraNode.start(dir.resolve("cassandra"), false);
        // STATE_SCALE_ONLY=report runs the report alone (on a keyspace written before: it takes the longest), =store all
        // but the report, =console the console's calls alone
        String only = System.getenv("STATE_SCALE_ONLY");
        boolean all = !"report".equals(only);
        try {
            if (all && !"console".equals(only)) {
                try (CassandraStateStore store = open(node, "state_scale", dir, studies, perStudy, days)) {
                    sampleRecount(store, days, studies);
                    polls(store, "progress poll, every day quiet", 30, 0, null);
                    activePolls(store, days);
                }
            }
            // the report reads every instance row of every study: on a keyspace of its own when asked for another size
            boolean own = reportStudies != studies || reportPerStudy != perStudy;
            if (!"store".equals(only) && !"console".equals(only)) {
                try (CassandraStateStore store = open(node, own ? "state_scale_report" : "state_scale", dir, reportStudies,
                        reportPerStudy, own ? Math.min(days, reportStudies) : days)) {
                    report(store, dir.resolve("report"));
                }
            }
            // last: the state listing's index reads are the heaviest on the node
            if (all) {
                try (CassandraStateStore store = open(node, "state_scale", dir, studies, perStudy, days)) {
                    console(store, studies);
                }
            }
        } finally {
            node.stop();
        }
    }

    /** The keyspace with its rows: written unless a run before wrote the same shape. */
    private static CassandraStateStore open(CassandraNode node, String keyspace, Path dir, int studies, int perStudy,
                                            int days) throws Exception {
        Path written = dir.resolve(keyspace + ".written");
        String shape = studies + " " + perStudy + " " + days;
        CassandraStateStore store = CassandraStateStore.open(CassandraSettings.of(node.contactPoint(),
                node.localDatacenter(), keyspace));
        if (Files.exists(written) && Files.readString(written).strip().equals(shape)) {
            System.out.printf("%s: reusing the rows written before (%s)%n", keyspace, shape);
        } else {
            write(store, studies, perStudy, days);
            Files.writeString(written, shape);
            check(store.progress().total(), studies, perStudy);
        }
        return store;
    }

    /**
     * The repair path on a sample of days (the bench writes the aggregates with the rows; recounting a million studies
     * here would take a quarter of an hour): its rate, and the recounted counts equal the written ones.
     */
    private static void sampleRecount(CassandraStateStore store, int days, int studies) {
        int sample = Math.min(days, 20);
        StudyCounts before = store.progress().total();
        Instant now = Instant.now();
        for (int d = 0; d < sample; d++) {
            store.session().execute(SimpleStatement.newInstance("UPDATE " + store.keyspace()
                    + ".day_progress SET recount_asked_at = ? WHERE day = ?", now, FIRST.plusDays(d)));
        }
        long t0 = System.nanoTime();
        StudyCounts after = store.progress().total();
        double took = seconds(t0);
        long recounted = (long) studies * sample / days;
        System.out.printf("repair path: %d days (%,d studies) recounted in %.1f s, %,.0f studies/s; counts %s%n", sample,
                recounted, took, recounted / took, after.equals(before) ? "equal to the written ones" : "DIFFER: " + after);
    }

    // ---- writing

    private static void write(CassandraStateStore store, int studies, int perStudy, int days) throws Exception {
        CqlSession s = store.session();
        String ks = store.keyspace();
        PreparedStatement study = s.prepare("INSERT INTO " + ks + ".studies (study_uid, patient_id, accession_number,"
                + " study_date, modalities_in_study, expected_series, expected_instances, state, failure_category,"
                + " attempts, indexed_at, updated_at) VALUES (?, ?, ?, ?, 'CT', 1, ?, ?, ?, 0, ?, ?)");
        PreparedStatement status = s.prepare("INSERT INTO " + ks + ".study_status (study_uid, expected, retrieved, sent,"
                + " confirmed, failed, criterion, method, complete, updated_at) VALUES (?, ?, ?, ?, ?, 0, 'sent', 'sent', ?, ?)");
        PreparedStatement byDay = s.prepare("INSERT INTO " + ks + ".studies_by_day (day, study_uid, state) VALUES (?, ?, ?)");
        PreparedStatement byKey = s.prepare("INSERT INTO " + ks + ".studies_by_key (kind, key, study_uid) VALUES (?, ?, ?)");
        PreparedStatement instance = s.prepare("INSERT INTO " + ks + ".instances (study_uid, sop_uid, series_uid,"
                + " sop_class_uid, size_bytes, sha256, cache_key, retrieved_at, forwarded_at, forward_status, verified_at)"
                + " VALUES (?, ?, ?, '1.2.840.10008.5.1.4.1.1.2', 524288, ?, ?, ?, ?, 0, ?)");
        PreparedStatement aggregate = s.prepare("UPDATE " + ks + ".day_progress SET changed_at = ?, counted_from = ?,"
                + " count_millis = 0, studies = ?, states = ?, failures = ?, expected = ?, retrieved = ?, sent = ?,"
                + " confirmed = ?, complete = ? WHERE day = ?");
        long[][] perDay = new long[days][StudyState.values().length];
        Writer w = new Writer(s);
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        for (int i = 0; i < studies; i++) {
            String uid = uid(i);
            StudyState state = stateOf(i);
            LocalDate day = FIRST.plusDays(i % days);
            perDay[i % days][state.ordinal()]++;
            w.send(study.bind(uid, "P" + (i / 3), "A" + i, day.format(DateTimeFormatter.BASIC_ISO_DATE), perStudy,
                    state.name(), state == StudyState.FAILED ? "cannot retrieve" : null, now, now), 1);
            boolean done = state == StudyState.VERIFIED;
            int retrieved = state.atLeast(StudyState.RETRIEVED) ? perStudy : 0;
            int sent = state.atLeast(StudyState.FORWARDED) ? perStudy : 0;
            w.send(status.bind(uid, perStudy, retrieved, sent, done ? perStudy : 0, done, now), 1);
            w.send(byKey.bind("accession", "A" + i, uid), 1);
            w.send(byKey.bind("patient", "P" + (i / 3), uid), 1);
            BatchStatementBuilder images = BatchStatement.builder(BatchType.UNLOGGED);
            for (int k = 0; k < perStudy; k++) {
                images.addStatement(instance.bind(uid, uid + "." + k, uid + ".1", "0".repeat(64), "c/" + uid + "/" + k,
                        now, sent > 0 ? now : null, done ? now : null));
            }
            w.send(images.build(), perStudy);
            if (i % 100_000 == 0 && i > 0) {
                System.out.printf("  %,d studies written (%.0f rows/s)%n", i, w.rows.get() / seconds(t0));
            }
        }
        // studies_by_day: one unlogged batch per run of a day's studies (one partition each)
        for (int d = 0; d < days; d++) {
            LocalDate day = FIRST.plusDays(d);
            BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
            for (int i = d; i < studies; i += days) {
                batch.addStatement(byDay.bind(day, uid(i), stateOf(i).name()));
                if (batch.getStatementsCount() == DAY_BATCH) {
                    w.send(batch.build(), DAY_BATCH);
                    batch = BatchStatement.builder(BatchType.UNLOGGED);
                }
            }
            if (batch.getStatementsCount() > 0) {
                w.send(batch.build(), batch.getStatementsCount());
            }
        }
        // the aggregates as the store would have kept them (a recount of a million studies would take minutes here)
        Instant quiet = now.minusSeconds(300);
        for (int d = 0; d < days; d++) {
            Map<String, Long> states = new TreeMap<>();
            long total = 0;
            for (StudyState st : StudyState.values()) {
                long n = perDay[d][st.ordinal()];
                total += n;
                if (n > 0) {
                    states.put(st.name(), n);
                }
            }
            long failed = perDay[d][StudyState.FAILED.ordinal()];
            long verified = perDay[d][StudyState.VERIFIED.ordinal()];
            long retrievedStudies = total - failed - perDay[d][StudyState.INDEXED.ordinal()]
                    - perDay[d][StudyState.RETRIEVING.ordinal()];
            long sentStudies = verified + perDay[d][StudyState.FORWARDED.ordinal()];
            w.send(aggregate.bind(quiet, quiet.plusSeconds(120), total, states,
                    failed > 0 ? Map.of("cannot retrieve", failed) : Map.<String, Long>of(),
                    total * perStudy, retrievedStudies * perStudy, sentStudies * perStudy, verified * perStudy, verified,
                    FIRST.plusDays(d)), 1);
        }
        w.drain();
        double took = seconds(t0);
        System.out.printf("wrote %,d studies (+ status and by-day rows) and %,d instance rows: %,d rows in %.0f s,"
                + " %,.0f rows/s (%d writes timed out and were sent again)%n", studies, (long) studies * perStudy,
                w.rows.get(), took, w.rows.get() / took, w.retries.get());
    }

    /** Asynchronous writes with a bounded number in flight; the first failure ends the bench. */
    private static final class Writer {
        private final CqlSession session;
        private final Semaphore permits = new Semaphore(IN_FLIGHT);
        private static final int MAX_ATTEMPTS = 5;
        private final AtomicLong rows = new AtomicLong();
        private final AtomicLong retries = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Writer(CqlSession session) {
            this.session = session;
        }

        void send(Statement<?> statement, int rowCount) throws InterruptedException {
            if (failure.get() != null) {
                throw new IllegalStateException("write failed", failure.get());
            }
            permits.acquire();
            attempt(statement.setIdempotent(true), rowCount, 1);
        }

        /** Idempotent rows: a write that timed out on the busy node is sent again (a few times). */
        private void attempt(Statement<?> statement, int rowCount, int attempt) {
            session.executeAsync(statement).whenComplete((rs, e) -> {
                if (e instanceof WriteTimeoutException && attempt < MAX_ATTEMPTS) {
                    retries.incrementAndGet();
                    attempt(statement, rowCount, attempt + 1);
                    return;
                }
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    rows.addAndGet(rowCount);
                }
                permits.release();
            });
        }

        void drain() throws InterruptedException {
            permits.acquire(IN_FLIGHT);
            permits.release(IN_FLIGHT);
            if (failure.get() != null) {
                throw new IllegalStateException("write failed", failure.get());
            }
        }
    }

    private static String uid(int i) {
        return "1.2.826.0.1.3680043.99." + i;
    }

    /** 90 % verified, 2 % failed, the rest spread over the stages. */
    private static StudyState stateOf(int i) {
        int r = i % 100;
        return r < 2 ? StudyState.FAILED : r < 5 ? StudyState.INDEXED : r < 6 ? StudyState.RETRIEVING
                : r < 7 ? StudyState.RETRIEVED : r < 8 ? StudyState.FORWARDING : r < 10 ? StudyState.FORWARDED
                : StudyState.VERIFIED;
    }

    private static void check(StudyCounts total, int studies, int perStudy) {
        long verified = (long) studies * 90 / 100;
        if (total.studies() != studies || Math.abs(total.count(StudyState.VERIFIED) - verified) > 100
                || total.expectedInstances() != (long) studies * perStudy) {
            throw new IllegalStateException("aggregates do not match the rows written: " + total);
        }
        System.out.printf("aggregates match the rows: %s, %,d instances expected%n", total.everyState(),
                total.expectedInstances());
    }

    // ---- progress

    /** {@code count} progress polls {@code pauseMillis} apart; prints p50/p99/max. */
    private static void polls(CassandraStateStore store, String what, int count, long pauseMillis, AtomicLong changes)
            throws InterruptedException {
        long[] took = new long[count];
        int notCurrent = 0;
        long changed0 = changes == null ? 0 : changes.get();
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            notCurrent += store.progress().current() ? 0 : 1;
            took[i] = System.nanoTime() - t0;
            Thread.sleep(pauseMillis);
        }
        print(what, took);
        if (changes != null) {
            System.out.printf("  %,d transitions meanwhile; %d of %d polls had a busy day's recount put off%n",
                    changes.get() - changed0, notCurrent, count);
        }
    }

    /** Polls every 2 s (as run does) while a worker moves studies of three days through the stages. */
    private static void activePolls(CassandraStateStore store, int days) throws InterruptedException {
        AtomicLong changes = new AtomicLong();
        Thread worker = new Thread(() -> {
            int[] chosen = {0, 1, 2};
            StudyState[] path = StudyState.values();
            Random random = new Random(1);
            while (!Thread.currentThread().isInterrupted()) {
                int i = chosen[random.nextInt(3)] + days * random.nextInt(100);
                String uid = uid(i);
                StudyState target = path[1 + random.nextInt(5)];
                store.transition(uid, target, path);
                changes.incrementAndGet();
            }
        }, "bench-changes");
        worker.start();
        try {
            polls(store, "progress poll every 2 s, 3 days changing", 15, 2000, changes);
        } finally {
            worker.interrupt();
            worker.join();
        }
    }

    // ---- console

    private interface Call {
        void run(int i) throws Exception;
    }

    private static void console(CassandraStateStore store, int studies) throws Exception {
        Random random = new Random(2);
        int n = 300;
        measure("console sample (progress + index days + last control pass)", 30, i -> {
            store.progress();
            store.allIndexDays();
            store.lastControlPass();
        });
        measure("GET /api/studies?q=<study UID>", n, i -> store.findStudiesByKey(uid(random.nextInt(studies)), 50));
        measure("GET /api/studies?q=<accession>", n, i -> store.findStudiesByKey("A" + random.nextInt(studies), 50));
        measure("GET /api/studies?q=<patient ID>", n, i -> store.findStudiesByKey("P" + random.nextInt(studies / 3), 50));
        measure("GET /api/studies?limit=50 (first page)", n, i -> store.studies(null, 50, null));
        for (StudyState s : List.of(StudyState.FAILED, StudyState.RETRIEVING, StudyState.VERIFIED)) {
            measure("GET /api/studies?state=" + s + "&limit=50 (first page)", n, i -> {
                StudyPage p = store.studies(s, 50, null);
                if (p.studies().size() != 50 || p.studies().stream().anyMatch(st -> st.state() != s) || p.next() == null) {
                    throw new IllegalStateException("the first page of " + s + " is not 50 of its studies: " + p.studies().size());
                }
            });
        }
        String[] page = {null};
        measure("GET /api/studies?state=FAILED&limit=50&page=<next> (walking the pages)", n, i -> {
            StudyPage p = store.studies(StudyState.FAILED, 50, page[0]);
            page[0] = p.next();
        });
        measure("GET /api/studies/{uid} (store reads of the detail)", n, i -> {
            String uid = uid(random.nextInt(studies));
            store.findStudy(uid);
            store.findStudyStatus(uid);
            store.refusalsOf(uid);
            store.collisionsOf(uid);
        });
    }

    private static void measure(String what, int count, Call call) throws Exception {
        for (int i = 0; i < Math.min(20, count); i++) {
            call.run(i); // warm-up
        }
        long[] took = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            call.run(i);
            took[i] = System.nanoTime() - t0;
        }
        print(what, took);
    }

    // ---- report

    private static void report(CassandraStateStore store, Path dir) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        long start = System.nanoTime();
        Thread sampler = new Thread(() -> {
            long said = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                if (System.nanoTime() - said > 30e9) { // a long report tells how far it got
                    said = System.nanoTime();
                    System.out.printf("  report running %.0f s: report.csv.tmp %,d bytes, peak heap %d MiB%n",
                            seconds(start), size(dir.resolve("report.csv.tmp")), peak.get() >> 20);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        DicomNode none = new DicomNode("NONE", "127.0.0.1", 1);
        MigrationReport report = new MigrationReport(store, null, null, AssociationGate.unlimited(none, 1),
                AssociationGate.unlimited(none, 1), Completion.of("sent"), 16, null);
        MigrationReport.Result r = report.write(dir, null, null);
        double took = seconds(start);
        sampler.interrupt();
        sampler.join();
        System.out.printf("report (state store only, 16 studies in parallel): %,d studies in %.0f s (%,.0f studies/s),"
                + " report.csv %,d MB; heap used before %d MiB, peak %d MiB (of %d MiB max)%n", r.studies(), took,
                r.studies() / took, Files.size(r.csv()) >> 20, before >> 20, peak.get() >> 20,
                memory.getHeapMemoryUsage().getMax() >> 20);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-75s n=%4d p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", what, sorted.length,
                sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
