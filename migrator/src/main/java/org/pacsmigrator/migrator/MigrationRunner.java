package org.pacsmigrator.migrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.ZoneId;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.cache.InstanceCaches;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.StorageScp;
import org.pacsmigrator.forward.ForwardMetrics;
import org.pacsmigrator.forward.Forwarder;
import org.pacsmigrator.forward.PatientConflictPolicy;
import org.pacsmigrator.forward.TransferSyntaxConversions;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.forward.rules.RuleSetLoader;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.IndexSettings;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.retrieve.CacheWritingReceiver;
import org.pacsmigrator.retrieve.RetrieveMetrics;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.retrieve.RetrieveSettings;
import org.pacsmigrator.retrieve.Retriever;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.ConsumerLag;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.RetryingStage;
import org.pacsmigrator.topics.StageConsumer;
import org.pacsmigrator.topics.StudyEventHandler;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.verify.CommitmentReports;
import org.pacsmigrator.verify.CommitmentRequester;
import org.pacsmigrator.verify.CommitmentResultConsumer;
import org.pacsmigrator.verify.Completion;
import org.pacsmigrator.verify.CompletionService;
import org.pacsmigrator.verify.JsonPublisher;
import org.pacsmigrator.verify.Verifier;
import org.pacsmigrator.verify.report.MigrationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs all four roles in one process against a Kafka broker and a Cassandra node (embedded or
 * external): the same workers as in the distributed deployment, wired together here.
 */
public final class MigrationRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

    private final MigrationConfig config;
    private final RuleSet rules;
    private final Topics topics;
    private final KafkaSettings kafka;
    private final CassandraStateStore state;
    private final EventPublisher publisher;
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private AssociationLeases leases;
    private final DicomClient dicom;
    private final InstanceCache cache;
    private final Path scratch;
    private final List<StageConsumer> consumers = new ArrayList<>();
    private StorageScp scp;
    private JsonPublisher jsonPublisher;
    private StorageCommitment commitmentScu;
    private CommitmentResultConsumer commitmentResults;
    private CompletionService completion;

    public MigrationRunner(MigrationConfig config, String kafkaBootstrap, String cassandraContactPoint) throws IOException {
        this(config, kafkaBootstrap, cassandraContactPoint, loadRules(config));
    }

    public MigrationRunner(MigrationConfig config, String kafkaBootstrap, String cassandraContactPoint, RuleSet rules)
            throws IOException {
        this.config = config;
        this.rules = rules;
        this.topics = new Topics(config.migrationId);
        Path data = Path.of(config.storage.dataDirectory);
        this.scratch = Files.createDirectories(data.resolve("scratch"));
        this.cache = InstanceCaches.open(config.storage);
        this.dicom = Dicom.client(config.migrator.aeTitle, DicomTimeouts.defaults());
        this.state = CassandraStateStore.open(cassandraContactPoint, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId);
        this.kafka = kafkaSettings(kafkaBootstrap);
        TopicAdmin.ensureTopics(kafka, topics.all());
        this.publisher = new KafkaEventPublisher(kafka);
    }

    /** The forwarder's rule set, validated (a bad file fails with a message naming the rule). */
    static RuleSet loadRules(MigrationConfig config) {
        RuleSet rules = config.forward.rulesFile == null ? RuleSet.EMPTY : RuleSetLoader.load(Path.of(config.forward.rulesFile));
        if ("rule".equals(config.forward.patientIdConflict) && !rules.hasPatientIdConflictRules()) {
            throw new org.pacsmigrator.config.ConfigException("forward.patientIdConflict",
                    "'rule' needs a rule marked onPatientIdConflict: true in " + config.forward.rulesFile);
        }
        return rules;
    }

    private KafkaSettings kafkaSettings(String bootstrap) {
        return KafkaSettings.of(bootstrap, "pacsmig-" + config.migrationId, config.services.partitions);
    }

    public StateStore state() {
        return state;
    }

    public KafkaSettings kafkaSettings() {
        return kafka;
    }

    /** The workers' meters (retrieve counters, association limit, ...). */
    public MeterRegistry meters() {
        return meters;
    }

    /** Waits until every stage's consumer group has committed everything on its topic (no lag). */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> groupsByTopic = Map.of(topics.indexed(), group("retriever"),
                topics.retrieved(), group("forwarder"), topics.forwarded(), group("verifier"));
        while (true) {
            long lag = 0;
            for (Map.Entry<String, String> e : groupsByTopic.entrySet()) {
                lag += ConsumerLag.total(kafka.bootstrapServers(), e.getValue(), e.getKey());
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

    private String group(String stage) {
        return config.migrationId + "-" + stage;
    }

    /** Starts the storage SCP (C-MOVE) and the retriever, forwarder and verifier consumers. */
    public void startWorkers() throws IOException {
        RetrieveMetrics retrieveMetrics = new RetrieveMetrics(meters);
        CacheWritingReceiver receiver = new CacheWritingReceiver(cache, state, retrieveMetrics);
        boolean cGet = config.source.retrieveMethod == MigrationConfig.RetrieveMethod.C_GET;
        if (!cGet) {
            scp = Dicom.startStorageScp(config.migrator.aeTitle, config.migrator.bindAddress, config.migrator.port,
                    scratch, receiver);
        }
        MigrationConfig.Retrieve r = config.retrieve;
        leases = new AssociationLeases(state.session(), state.keyspace(), config.migrator.aeTitle + "@"
                + java.lang.management.ManagementFactory.getRuntimeMXBean().getName(), Duration.ofSeconds(r.leaseTtlSeconds));
        AssociationGate sourceGate = gate(Preflight.node(config.source), r).register(meters, RetrieveMetrics.PREFIX);
        AssociationGate destinationGate = gate(Preflight.node(config.destination), config.forward)
                .register(meters, ForwardMetrics.PREFIX);
        Retriever retriever = new Retriever(dicom, Preflight.node(config.source), state, receiver, publisher, topics,
                new RetrieveSettings(cGet, config.migrator.aeTitle, r.instanceManifest,
                        r.maxAttempts, Duration.ofSeconds(r.arrivalGraceSeconds), scratch),
                cache, sourceGate, retrieveMetrics);
        Forwarder forwarder = new Forwarder(dicom, Preflight.node(config.destination), state, cache, publisher, topics,
                config.forward.batchSize, scratch, rules, config.source.aeTitle,
                PatientConflictPolicy.of(config.forward.patientIdConflict), config.forward.associations, destinationGate,
                new ForwardMetrics(meters), TransferSyntaxConversions.of(config.forward.transferSyntaxConversions.stream()
                        .map(c -> java.util.Map.entry(c.from, c.to)).toList()));
        Verifier verifier = startVerification();
        startStage("retriever", topics.indexed(), retriever, config.retrieve.concurrency);
        startStage("forwarder", topics.retrieved(), forwarder, config.forward.concurrency);
        startStage("verifier", topics.forwarded(), verifier, 1);
    }

    /** The association policy toward one PACS: global leases, adaptive limit, windows, pause. */
    private AssociationGate gate(org.pacsmigrator.dicom.DicomNode node, MigrationConfig.AssociationPolicy p) {
        return new AssociationGate(node, leases, AdaptiveLimit.of(p.minAssociations, p.maxAssociations),
                TimeWindows.parse(p.windows, p.timeZone == null ? ZoneId.systemDefault() : ZoneId.of(p.timeZone), Clock.systemUTC()),
                Duration.ofMillis(p.pauseMillis), Duration.ofMinutes(30));
    }

    /**
     * The verifier per verify.completion, the storage commitment SCU and its results consumer when committing,
     * and the completion topology (Kafka Streams, its own state directory under the scratch folder).
     */
    private Verifier startVerification() throws IOException {
        Completion criterion = criterion();
        jsonPublisher = new JsonPublisher(kafka);
        CommitmentRequester requester = null;
        if (criterion == Completion.SENT_AND_COMMITTED) {
            MigrationConfig.Commitment c = config.verify.commitment;
            commitmentResults = new CommitmentResultConsumer(kafka, topics, state).start();
            commitmentScu = Dicom.startStorageCommitment(c.aeTitle, config.migrator.bindAddress, c.port,
                    DicomTimeouts.defaults(), Duration.ofMillis(c.sameAssociationWaitMillis),
                    new CommitmentReports(state, jsonPublisher, topics));
            requester = new CommitmentRequester(commitmentScu, Preflight.node(config.destination), state,
                    Duration.ofSeconds(c.timeoutSeconds), c.maxRequests);
        }
        completion = new CompletionService(kafka, topics, criterion, state,
                Files.createTempDirectory(scratch, "streams-")).start();
        return new Verifier(dicom, Preflight.node(config.destination), state, publisher, topics,
                config.verify.maxAttempts, Duration.ofSeconds(config.verify.retryDelaySeconds), criterion,
                config.verify.cfindDoubleCheck, requester, jsonPublisher);
    }

    public Completion criterion() {
        return Completion.of(config.verify.completion);
    }

    /** The per-study completion API (null before {@link #startWorkers()}). */
    public CompletionService completion() {
        return completion;
    }

    /** Writes report.csv, report.html and reconciliation.csv (C-FIND of both PACS) into {@code directory}. */
    public MigrationReport.Result writeReport(Path directory) throws Exception {
        return new MigrationReport(state, dicom, Preflight.node(config.source), Preflight.node(config.destination), criterion())
                .write(directory, config.index.from, config.index.to);
    }

    /** The re-send action of the report: instances missing in the new PACS go back to the forwarder. */
    public int resendMissing(MigrationReport.Result report) {
        return MigrationReport.resendMissing(state, publisher, topics, report.discrepancies());
    }

    private void startStage(String stage, String topic, StudyEventHandler handler, int instances) {
        StudyEventHandler retrying = new RetryingStage(stage, handler, state, 4, Duration.ofSeconds(1), Duration.ofSeconds(30));
        for (int i = 0; i < instances; i++) {
            StageConsumer consumer = new StageConsumer(kafka, group(stage), topic, retrying,
                    StageConsumer.RetryPolicy.defaults(), meters);
            consumer.start();
            consumers.add(consumer);
        }
    }

    /** Indexes the configured date range (days already done are skipped). */
    public Indexer.Summary index() {
        Indexer indexer = new Indexer(dicom, Preflight.node(config.source), state, publisher, topics,
                IndexSettings.from(config), java.time.Clock.systemUTC(), org.pacsmigrator.schedule.Sleeper.real(),
                IndexProgress.standalone());
        return indexer.indexRange(config.index.from, config.index.to, "newest-first".equals(config.index.order));
    }

    /** Waits until no study is in progress (every study VERIFIED or FAILED). */
    public MigrationSummary awaitCompletion(Duration pollInterval) throws InterruptedException {
        while (true) {
            Map<StudyState, Long> counts = state.countStudiesByState();
            long inProgress = counts.entrySet().stream()
                    .filter(e -> e.getKey() != StudyState.VERIFIED && e.getKey() != StudyState.FAILED)
                    .mapToLong(Map.Entry::getValue).sum();
            if (inProgress == 0 && queuedForResend(counts) == 0) {
                awaitStatuses(Duration.ofSeconds(60));
                return MigrationSummary.of(state, criterion().key());
            }
            LOG.info("progress: {}", counts);
            Thread.sleep(pollInterval.toMillis());
        }
    }

    /** Studies the report's re-send action handed back to the forwarder (FAILED with its category): still in progress. */
    private long queuedForResend(Map<StudyState, Long> counts) {
        if (counts.getOrDefault(StudyState.FAILED, 0L) == 0) {
            return 0;
        }
        long queued = 0;
        for (org.pacsmigrator.state.StudyRecord s : state.allStudies()) {
            if (s.state() == StudyState.FAILED && MigrationReport.RESEND_CATEGORY.equals(s.failureCategory())) {
                queued++;
            }
        }
        return queued;
    }

    /** The completion topology trails the stages a little: wait until every VERIFIED study has a complete status. */
    private void awaitStatuses(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long verified = state.countStudiesByState().getOrDefault(StudyState.VERIFIED, 0L);
            long complete = 0;
            for (org.pacsmigrator.state.StudyStatus s : state.allStudyStatuses()) {
                complete += s.complete() ? 1 : 0;
            }
            if (complete >= verified) {
                return;
            }
            Thread.sleep(250);
        }
        LOG.warn("study statuses did not catch up within {}", timeout);
    }

    @Override
    public void close() {
        consumers.forEach(StageConsumer::close);
        for (AutoCloseable c : new AutoCloseable[] {completion, commitmentResults, commitmentScu, jsonPublisher}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        if (scp != null) {
            scp.close();
        }
        publisher.close();
        if (leases != null) {
            leases.close();
        }
        if (cache instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the cache: {}", e.toString());
            }
        }
        state.close();
    }
}
