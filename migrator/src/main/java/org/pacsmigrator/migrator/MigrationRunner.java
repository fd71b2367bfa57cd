package org.pacsmigrator.migrator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.forward.ForwardStage;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.harness.ChildProcesses;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.priority.PriorityWork;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.report.MigrationReport;
import org.pacsmigrator.retrieve.RetrieveStage;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyCounts;
import org.pacsmigrator.state.StudyProgress;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.ConsumerLag;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.Topics;
import org.pacsmigrator.verify.CompletionService;
import org.pacsmigrator.verify.VerifyStage;
import org.pacsmigrator.worker.MigrationContext;
import org.pacsmigrator.worker.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs all four roles in one process against a Kafka broker and a Cassandra node (embedded or
 * external): the same stages as the worker services of the distributed deployment, on one
 * shared {@link MigrationContext}.
 */
public final class MigrationRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

    private final MigrationConfig config;
    private final RuleSet rules;
    private final MigrationContext context;
    // set by startWorkers while the console starts on another thread, which may read them
    private volatile RetrieveStage retrieve;
    private volatile ForwardStage forward;
    private volatile VerifyStage verify;
    private Indexer indexer;
    private ControlQuery control;
    /** On SIGINT/SIGTERM the stages stop before the embedded Kafka and Cassandra do (see {@link #close()}). */
    private final ChildProcesses.Registration stopBeforeServices;
    private boolean closed;
    private volatile PriorityWork priority;

    public MigrationRunner(MigrationConfig config, String kafkaBootstrap, String cassandraContactPoint) throws IOException {
        this(config, kafkaBootstrap, cassandraContactPoint, ForwardStage.loadRules(config));
    }

    public MigrationRunner(MigrationConfig config, String kafkaBootstrap, String cassandraContactPoint, RuleSet rules)
            throws IOException {
        this(config, kafkaBootstrap, cassandraContactPoint, rules, new SimpleMeterRegistry());
    }

    public MigrationRunner(MigrationConfig config, String kafkaBootstrap, String cassandraContactPoint, RuleSet rules,
                           MeterRegistry meters) throws IOException {
        this.config = config;
        this.rules = rules;
        this.context = MigrationContext.open(config, kafkaBootstrap, cassandraContactPoint, meters);
        this.stopBeforeServices = ChildProcesses.stopFirst(this);
    }

    public MigrationContext context() {
        return context;
    }

    public StateStore state() {
        return context.state();
    }

    public KafkaSettings kafkaSettings() {
        return context.kafka();
    }

    /** The workers' meters (retrieve counters, association limit, ...). */
    public MeterRegistry meters() {
        return context.meters();
    }

    /** Waits until every stage's consumer group has committed everything on its topic (no lag). */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Topics topics = context.topics();
        while (true) {
            long lag = 0;
            for (StageId stage : StageId.CONSUMING) {
                lag += ConsumerLag.total(context.admin(), stage.consumerGroup(topics), stage.inputTopic(topics))
                        + ConsumerLag.total(context.admin(), stage.consumerGroup(topics), stage.priorityTopic(topics));
            }
            if (lag == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stages still have " + lag + " records to process after " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /** Starts the retrieve (with its storage SCP for C-MOVE), forward and verify stages, and the priority sources. */
    public void startWorkers() throws IOException {
        retrieve = RetrieveStage.start(context);
        forward = ForwardStage.start(context, rules);
        verify = VerifyStage.start(context);
        context.monitorLag(StageId.CONSUMING);
        priority().startSources();
    }

    /** The priority sources (worklist, list) and "migrate now" of this process. */
    public synchronized PriorityWork priority() {
        if (priority == null) {
            priority = PriorityWork.of(context);
        }
        return priority;
    }

    public Completion criterion() {
        return Completion.of(config.verify.completion);
    }

    /** The per-study completion API (null before {@link #startWorkers()}). */
    public CompletionService completion() {
        return verify == null ? null : verify.completion();
    }

    /**
     * Writes report.csv, report.html and reconciliation.csv (C-FIND of both PACS) into {@code directory},
     * as many studies at once as the old PACS's association budget (retrieve.maxAssociations) allows; every
     * association takes a slot of that budget (and of forward.maxAssociations toward the new PACS), shared
     * with the workers, and waits for the PACS's time windows.
     */
    public MigrationReport.Result writeReport(Path directory) throws Exception {
        return MigrationReport.of(context, config.retrieve.maxAssociations).write(directory, config.index.from, config.index.to);
    }

    /** The re-send action of the report: instances missing in the new PACS go back to the forwarder. */
    public int resendMissing(MigrationReport.Result report) {
        return MigrationReport.resendMissing(context.state(), context.publisher(), context.topics(), report.discrepancies());
    }

    /** Indexes the configured date range (days already done are skipped; holds while the index stage is paused). */
    public Indexer.Summary index() {
        return indexer().indexRange(config.index.from, config.index.to, "newest-first".equals(config.index.order));
    }

    /** The control passes of this process (one at a time: the run's own and the console's share it). */
    public synchronized ControlQuery controlQuery() {
        if (control == null) {
            control = new ControlQuery(indexer());
        }
        return control;
    }

    /** A control pass over the indexed days of {@code from..to}, kept as the migration's last one. */
    public ControlPassRecord control(LocalDate from, LocalDate to, String trigger) throws InterruptedException {
        return controlQuery().pass(from, to, trigger).record();
    }

    private synchronized Indexer indexer() {
        if (indexer == null) {
            indexer = Indexer.of(context, new IndexProgress(context.meters(), Clock.systemUTC()));
        }
        return indexer;
    }

    private static final int FEW_STUDIES = 4;
    private static final long FEW_STUDIES_POLL_MILLIS = 200;

    /** A consumer loop of a stage died: the studies it would take are never finished by this process. */
    public static final class StageDied extends RuntimeException {
        StageDied(String stage, Throwable cause) {
            super("the " + stage + " stage's consumer loop died: " + cause, cause);
        }
    }

    /**
     * Waits until no study is in progress (every study VERIFIED or FAILED).
     *
     * @throws StageDied when a stage's consumer loop died meanwhile (of any {@code Throwable})
     */
    public MigrationSummary awaitCompletion(Duration pollInterval) throws InterruptedException {
        long loggedAt = System.nanoTime() - pollInterval.toNanos();
        while (true) {
            requireStagesRunning();
            StudyProgress progress = context.state().progress();
            StudyCounts counts = progress.total();
            long inProgress = counts.byState().entrySet().stream()
                    .filter(e -> e.getKey() != StudyState.VERIFIED && e.getKey() != StudyState.FAILED)
                    .mapToLong(Map.Entry::getValue).sum();
            // studies the report's re-send action handed back to the forwarder (FAILED with its category) are in progress
            long queuedForResend = counts.failuresByCategory().getOrDefault(MigrationReport.RESEND_CATEGORY, 0L);
            // done only on counts that include every change so far (not those of a busy day's put-off recount)
            if (inProgress == 0 && queuedForResend == 0 && progress.current()) {
                awaitStatuses(Duration.ofSeconds(60));
                return MigrationSummary.of(context.state(), criterion().key());
            }
            if (System.nanoTime() - loggedAt >= pollInterval.toNanos()) {
                LOG.debug("progress: {}", counts.everyState()); // the progress display shows it
                loggedAt = System.nanoTime();
            }
            // the last few studies are watched closely: a small migration ends when it is done, not a poll later
            Thread.sleep(inProgress <= FEW_STUDIES ? Math.min(FEW_STUDIES_POLL_MILLIS, pollInterval.toMillis()) : pollInterval.toMillis());
        }
    }

    private void requireStagesRunning() {
        Map<String, Stage> stages = new LinkedHashMap<>();
        stages.put("retrieve", retrieve);
        stages.put("forward", forward);
        stages.put("verify", verify);
        stages.forEach((name, stage) -> {
            if (stage != null) {
                stage.workers().failure().ifPresent(cause -> {
                    throw new StageDied(name, cause);
                });
            }
        });
    }

    /** The completion topology trails the stages a little: wait until every VERIFIED study has a complete status. */
    private void awaitStatuses(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            StudyCounts counts = context.state().progress().total();
            if (counts.completeStudies() >= counts.count(StudyState.VERIFIED)) {
                return;
            }
            Thread.sleep(250);
        }
        LOG.warn("study statuses did not catch up within {}", timeout);
    }

    /**
     * Stops the stages (their consumers and Kafka Streams), then the shared clients. Called by its owner, or on a signal
     * by the JVM's shutdown hook before it stops the embedded servers; whichever comes second waits for the first.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopBeforeServices.close();
        for (AutoCloseable stage : new AutoCloseable[] {priority, retrieve, forward, verify}) {
            try {
                if (stage != null) {
                    stage.close();
                }
            } catch (Exception e) {
                LOG.warn("closing {}: {}", stage.getClass().getSimpleName(), e.toString());
            }
        }
        context.close();
    }
}
