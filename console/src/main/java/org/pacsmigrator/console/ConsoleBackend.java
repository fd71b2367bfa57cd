package org.pacsmigrator.console;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.progress.MigrationProgress;
import org.pacsmigrator.progress.ProgressText;
import org.pacsmigrator.progress.ProgressTracker;
import org.pacsmigrator.progress.StageProgress;
import org.pacsmigrator.progress.StageWaits;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyCounts;
import org.pacsmigrator.state.StudyPage;
import org.pacsmigrator.state.StudyProgress;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.StudyStatus;
import org.pacsmigrator.state.StudyStore;
import org.pacsmigrator.topics.ConsumerLag;
import org.pacsmigrator.topics.DeadLetters;
import org.pacsmigrator.topics.FailureCategory;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StageReplay;
import org.pacsmigrator.worker.MigrationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console shows and does. Progress is sampled in the background (the per-day aggregates of
 * the studies, index days, the last control pass, pending dead letters and consumer lags every
 * few seconds) so that page refreshes cost nothing; replay and pause act at once and trigger a new
 * sample; a control pass runs in the background.
 */
public final class ConsoleBackend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleBackend.class);
    private static final int MAX_LETTERS_READ = 10_000;
    private static final Duration LETTERS_MAX_AGE = Duration.ofMinutes(1);
    private static final Duration HISTORY_SPAN = Duration.ofHours(24);
    private static final int SAMPLE_DUTY_DIVISOR = 10;

    /** Writes the report (csv and html) into a directory and returns the two files. */
    public interface ReportWriter {
        Report write(Path directory) throws Exception;
    }

    public record Report(Path csv, Path html) {
    }

    /** The report cannot be written now (e.g. outside the PACS's time windows); the message says why. */
    public static final class ReportUnavailable extends Exception {
        public ReportUnavailable(String message) {
            super(message);
        }
    }

    private record Sample(ProgressSnapshot progress, List<FailureGroup> failures) {
    }

    /** A control pass is running (started here or by the process this console is embedded in). */
    public static final class ControlBusy extends Exception {
        ControlBusy(String message) {
            super(message);
        }
    }

    private final MigrationContext context;
    private final ReportWriter reports;
    private final ControlQuery control;
    private final ExecutorService controlRunner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "console-control");
        t.setDaemon(true);
        return t;
    });
    private volatile Future<?> controlRun;
    private volatile String controlError;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-sampler");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<ProgressSnapshot.HistoryPoint> history = new ArrayDeque<>();
    private final Map<StudyState, AtomicLong> studyGauges = new EnumMap<>(StudyState.class);
    private final Duration sampleInterval;
    /** Rates and ETAs over the samples, computed as the terminal display does. */
    private final ProgressTracker tracker = new ProgressTracker();
    private final StageWaits waits;
    private volatile Sample latest;
    private final Object reportLock = new Object();
    private CompletableFuture<Report> reportRun; // the report being written, guarded by reportLock
    /** Pending dead letters per stage, read again only when the replay group's lag changes (or after a minute). */
    private final Map<StageId, CachedLetters> letterCache = new ConcurrentHashMap<>();

    private record CachedLetters(Map<Integer, Long> lag, Instant readAt, List<DeadLetters.DeadLetter> letters) {
    }

    /** {@code control}: the control passes the console starts (shared with the embedding process, one at a time). */
    public ConsoleBackend(MigrationContext context, ReportWriter reports, ControlQuery control, Duration sampleInterval) {
        this.context = context;
        this.reports = reports;
        this.control = control;
        MeterRegistry meters = context.meters();
        for (StudyState s : StudyState.values()) {
            AtomicLong value = new AtomicLong();
            Gauge.builder("pacsmig.studies", value, AtomicLong::get).tag("state", s.name())
                    .description("studies of the migration in this state").register(meters);
            studyGauges.put(s, value);
        }
        this.sampleInterval = sampleInterval;
        this.waits = StageWaits.of(context);
        scheduleSample(0);
    }

    /**
     * A sample reads the per-day aggregates (recounting the days that changed), the index days and the dead letters;
     * the next one waits at least {@value #SAMPLE_DUTY_DIVISOR} times as long as the last took: the console never
     * keeps the state store busy more than a tenth of the time.
     */
    private void scheduleSample(long delayMillis) {
        try {
            sampler.schedule(() -> {
                long start = System.nanoTime();
                sampleQuietly();
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                scheduleSample(Math.max(sampleInterval.toMillis(), tookMillis * SAMPLE_DUTY_DIVISOR));
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // the console is shutting down
        }
    }

    public ProgressSnapshot progress() {
        return sample().progress();
    }

    public List<FailureGroup> failures() {
        return sample().failures();
    }

    public synchronized List<ProgressSnapshot.HistoryPoint> history() {
        return List.copyOf(history);
    }

    public List<ProgressSnapshot.StageView> stages() {
        return progress().stages();
    }

    /** A page of the study search, and the paging state of the next page (null when none). */
    public record StudyResults(List<StudyView> studies, String next) {
    }

    /**
     * Studies whose StudyInstanceUID, AccessionNumber or PatientID is {@code query} (exact; indexed lookups), optionally
     * in one state; without a query, a page of all studies or of one state's, from {@code page} (a previous result's
     * {@code next}). Never a scan: the study table grows with the archive.
     *
     * @throws IllegalArgumentException for an unknown state or a page that is not of this search
     */
    public StudyResults search(String query, String state, int limit, String page) {
        String q = query == null ? "" : query.trim();
        StudyState wanted = state == null || state.isBlank() ? null : StudyState.valueOf(state.trim().toUpperCase(Locale.ROOT));
        if (q.isEmpty()) {
            StudyPage found = context.state().studies(wanted, limit, page);
            return new StudyResults(found.studies().stream().map(StudyView::of).toList(), found.next());
        }
        return new StudyResults(context.state().findStudiesByKey(q, limit).stream()
                .filter(s -> wanted == null || s.state() == wanted).map(StudyView::of).toList(), null);
    }

    public Optional<StudyDetail> study(String uid) {
        return context.state().findStudy(uid).map(s -> {
            Optional<StudyStatus> status = context.state().findStudyStatus(uid);
            ProgressSnapshot.Instances instances = status.map(st -> new ProgressSnapshot.Instances(st.expected(),
                    st.retrieved(), st.sent(), st.confirmed()))
                    .orElse(new ProgressSnapshot.Instances(s.expectedInstances(), 0, 0, 0));
            List<StudyDetail.DeadLetterView> letters = new ArrayList<>();
            for (StageId stage : StageId.CONSUMING) {
                for (DeadLetters.DeadLetter l : pendingLetters(stage)) {
                    if (uid.equals(l.study())) {
                        letters.add(new StudyDetail.DeadLetterView(stage.label(), l.category(), l.message(),
                                l.headers().get(DeadLetters.FAILED_AT)));
                    }
                }
            }
            List<StudyDetail.RefusedView> refused = context.state().refusalsOf(uid).stream()
                    .map(r -> new StudyDetail.RefusedView(r.sopInstanceUid(), r.category(), r.detail(), r.callingAeTitle(),
                            r.refusedAt() == null ? null : r.refusedAt().toString())).toList();
            List<StudyDetail.CollisionView> collisions = context.state().collisionsOf(uid).stream()
                    .map(c -> new StudyDetail.CollisionView(c.sopInstanceUid(), List.copyOf(c.patientIds()), c.detail(),
                            c.detectedAt() == null ? null : c.detectedAt().toString())).toList();
            String action = s.failureCategory() == null || s.failureCategory().isBlank() ? null
                    : FailureCategory.actionFor(s.failureCategory());
            return new StudyDetail(StudyView.of(s), instances, status.map(StudyStatus::complete).orElse(false), letters,
                    refused, collisions, action);
        });
    }

    /** Moves the pending dead letters of a stage (optionally one category or one study) back to its input topic. */
    public Set<String> replay(StageId stage, String category, String study) {
        StageReplay.Selection selection = new StageReplay.Selection(
                category == null || category.isBlank() ? Set.of() : Set.of(category),
                study == null || study.isBlank() ? Set.of() : Set.of(study));
        Set<String> replayed = StageReplay.replay(context.kafka(), context.state(), context.topics(), List.of(stage),
                selection).getOrDefault(stage, Set.of());
        LOG.info("console: replayed {} studies of stage {} (category {}, study {})", replayed.size(), stage.label(), category, study);
        letterCache.clear();
        sampleQuietly();
        return replayed;
    }

    public MigrationConfig config() {
        return context.config();
    }

    /** The last control pass, and whether one runs now. */
    public ControlView control() {
        return sample().progress().control().withRunning(controlRunning(), controlError);
    }

    /**
     * Starts a control pass over the indexed days of {@code from..to} in the background (it waits for the old
     * PACS's windows and paces its queries like indexing, so it may take long); its result becomes the
     * migration's last pass. Studies it finds are published for the stages.
     *
     * @throws ControlBusy when a pass is running already
     */
    public synchronized ControlView startControl(LocalDate from, LocalDate to) throws ControlBusy {
        if (controlRunning()) {
            throw new ControlBusy("a control pass is running; wait until it has finished");
        }
        controlError = null;
        controlRun = controlRunner.submit(() -> {
            try {
                LOG.info("console: control pass finished: {}", control.pass(from, to, "console").record().describe());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                controlError = e.toString();
                LOG.warn("console: control pass of {}..{} failed: {}", from, to, e.toString());
            }
            sampleQuietly();
        });
        LOG.info("console: control pass of {}..{} started", from, to);
        return control();
    }

    private boolean controlRunning() {
        Future<?> run = controlRun;
        return control.running() || run != null && !run.isDone();
    }

    public ProgressSnapshot.StageView setPaused(StageId stage, boolean paused) {
        context.pauses().set(stage, paused);
        sampleQuietly();
        return stages().stream().filter(s -> s.stage().equals(stage.label())).findFirst().orElseThrow();
    }

    /**
     * Writes the report. One at a time: a request that comes while a report is being written waits
     * for that one and gets its files (the report's C-FINDs are not repeated for every click, and two
     * writers never race on the same files).
     */
    public Report report(Path directory) throws Exception {
        CompletableFuture<Report> run;
        boolean mine = false;
        synchronized (reportLock) {
            if (reportRun == null) {
                reportRun = new CompletableFuture<>();
                mine = true;
            }
            run = reportRun;
        }
        if (mine) {
            try {
                run.complete(reports.write(directory));
            } catch (Exception | Error e) {
                run.completeExceptionally(e);
            } finally {
                synchronized (reportLock) {
                    reportRun = null;
                }
            }
        }
        try {
            return run.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }

    private Sample sample() {
        Sample s = latest;
        if (s == null) {
            sampleQuietly();
            s = latest;
            if (s == null) {
                throw new IllegalStateException("progress not available yet (state store or Kafka unreachable)");
            }
        }
        return s;
    }

    private synchronized void sampleQuietly() {
        try {
            latest = takeSample();
            ProgressSnapshot p = latest.progress();
            history.addLast(new ProgressSnapshot.HistoryPoint(p.at(), p.studies().total(),
                    p.studies().byState().getOrDefault("VERIFIED", 0L), p.studies().byState().getOrDefault("FAILED", 0L),
                    p.instances().sent(), lagByStage(p.stages())));
            while (!history.isEmpty() && history.peekFirst().at().isBefore(p.at().minus(HISTORY_SPAN))) {
                history.removeFirst();
            }
        } catch (RuntimeException e) {
            LOG.warn("console: progress sample failed: {}", e.toString());
        }
    }

    private Sample takeSample() {
        StateStore state = context.state();
        StudyProgress counted = state.progress();
        Instant countedAt = Instant.now();
        Map<String, Long> byState = new LinkedHashMap<>();
        counted.total().everyState().forEach((s, n) -> byState.put(s.name(), n));
        byState.forEach((k, v) -> studyGauges.get(StudyState.valueOf(k)).set(v));
        Map<String, long[]> perDay = new TreeMap<>(); // day → studies, verified, failed
        counted.days().forEach((day, counts) -> {
            long[] d = perDay.computeIfAbsent(dayLabel(day), k -> new long[3]);
            d[0] += counts.studies();
            d[1] += counts.count(StudyState.VERIFIED);
            d[2] += counts.count(StudyState.FAILED);
        });
        Optional<ControlPassRecord> lastControl = state.lastControlPass();
        Map<String, StudyState> foundStates = new HashMap<>(); // the states of what the last pass found
        lastControl.ifPresent(p -> List.of(ControlPassRecord.Finding.NEW, ControlPassRecord.Finding.CHANGED)
                .forEach(f -> p.studies(f).forEach(uid -> state.findStudy(uid)
                        .ifPresent(s -> foundStates.put(uid, s.state())))));
        StudyCounts total = counted.total();
        Map<String, String> indexStates = new TreeMap<>();
        List<IndexDayRecord> indexDays = state.allIndexDays();
        for (IndexDayRecord d : indexDays) {
            indexStates.put(Indexer.label(d.day()), d.status() == null ? "PENDING" : d.status().name());
        }
        Set<String> days = new TreeSet<>(perDay.keySet());
        days.addAll(indexStates.keySet());
        List<ProgressSnapshot.Day> dayViews = new ArrayList<>();
        for (String day : days) {
            long[] d = perDay.getOrDefault(day, new long[3]);
            dayViews.add(new ProgressSnapshot.Day(day, indexStates.getOrDefault(day, "NOT_INDEXED"), d[0], d[1], d[2]));
        }
        List<FailureGroup> failures = new ArrayList<>();
        Map<String, Map<String, Long>> byStage = new TreeMap<>();
        long letters = 0;
        for (StageId stage : StageId.CONSUMING) {
            Map<String, List<DeadLetters.DeadLetter>> byCategory = new TreeMap<>();
            for (DeadLetters.DeadLetter l : pendingLetters(stage)) {
                byCategory.computeIfAbsent(String.valueOf(l.category()), k -> new ArrayList<>()).add(l);
            }
            for (Map.Entry<String, List<DeadLetters.DeadLetter>> e : byCategory.entrySet()) {
                List<DeadLetters.DeadLetter> group = e.getValue();
                DeadLetters.DeadLetter last = group.stream().max(Comparator.comparing(
                        l -> String.valueOf(l.headers().get(DeadLetters.FAILED_AT)))).orElseThrow();
                Set<String> studies = new LinkedHashSet<>();
                group.forEach(l -> studies.add(l.study()));
                failures.add(new FailureGroup(stage.label(), e.getKey(), group.size(), List.copyOf(studies), last.message(),
                        last.headers().get(DeadLetters.FAILED_AT), FailureCategory.actionFor(e.getKey())));
                byStage.computeIfAbsent(stage.label(), k -> new TreeMap<>()).put(e.getKey(), (long) group.size());
                letters += group.size();
            }
        }
        Instant now = Instant.now();
        MigrationConfig config = context.config();
        MigrationProgress tracked = tracker.update(config.migrationId, countedAt, counted,
                ProgressTracker.IndexDays.of(indexDays, config.index.from, config.index.to), waits.at(now));
        List<ProgressSnapshot.StageView> stages = new ArrayList<>();
        Map<String, Boolean> paused = state.stagePauses();
        for (StageId stage : StageId.values()) {
            stages.add(ProgressSnapshot.StageView.of(tracked.stage(stage), paused.getOrDefault(stage.label(), false),
                    lagOf(stage), now, ZoneId.systemDefault()));
        }
        StageProgress verify = tracked.stage(StageId.VERIFY);
        ProgressSnapshot progress = new ProgressSnapshot(config.migrationId, now,
                new ProgressSnapshot.Studies(total.studies(), byState), new ProgressSnapshot.Instances(
                        total.expectedInstances(), total.retrievedInstances(), total.sentInstances(), total.confirmedInstances()),
                dayViews, new ProgressSnapshot.DeadLetterCounts(letters, byStage), stages,
                new ControlView(controlRunning(), controlError, lastControl.map(p -> ControlView.Last.of(p,
                        uid -> Optional.ofNullable(foundStates.get(uid)))).orElse(null)),
                verify.eta() == null ? null : verify.eta().getSeconds(), ProgressText.eta(verify));
        return new Sample(progress, failures);
    }

    /**
     * The stage's pending dead letters. Reading them takes a consumer; counting them (the replay
     * group's lag) only the shared admin client, so they are read again only when the count moves.
     */
    private List<DeadLetters.DeadLetter> pendingLetters(StageId stage) {
        String deadLetterTopic = stage.deadLetterTopic(context.topics());
        Map<Integer, Long> lag = ConsumerLag.byPartition(context.admin(), DeadLetters.replayGroup(deadLetterTopic),
                deadLetterTopic);
        if (lag.values().stream().allMatch(n -> n == 0)) {
            letterCache.remove(stage);
            return List.of();
        }
        CachedLetters cached = letterCache.get(stage);
        if (cached != null && cached.lag().equals(lag) && cached.readAt().isAfter(Instant.now().minus(LETTERS_MAX_AGE))) {
            return cached.letters();
        }
        List<DeadLetters.DeadLetter> letters = DeadLetters.pending(context.kafka(), deadLetterTopic, MAX_LETTERS_READ);
        letterCache.put(stage, new CachedLetters(lag, Instant.now(), letters));
        return letters;
    }

    private long lagOf(StageId stage) {
        if (!stage.consumesTopic()) {
            return -1;
        }
        try {
            return ConsumerLag.total(context.admin(), stage.consumerGroup(context.topics()),
                    stage.inputTopic(context.topics()));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static Map<String, Long> lagByStage(List<ProgressSnapshot.StageView> stages) {
        Map<String, Long> out = new TreeMap<>();
        stages.stream().filter(s -> s.lag() >= 0).forEach(s -> out.put(s.stage(), s.lag()));
        return out;
    }

    /** yyyy-MM-dd of a day studies are filed under, or "undated" (no StudyDate, or one that is not a date). */
    static String dayLabel(LocalDate day) {
        return day.equals(StudyStore.UNREADABLE_DATE) ? Indexer.label(StudyStore.UNDATED) : Indexer.label(day);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        controlRunner.shutdownNow();
    }
}
