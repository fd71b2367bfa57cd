package org.pacsmigrator.worker;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.cache.InstanceCaches;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.InstanceSender;
import org.pacsmigrator.dicom.StudyInstanceListing;
import org.pacsmigrator.dicomweb.DicomWebClient;
import org.pacsmigrator.dicomweb.DicomWebEndpoint;
import org.pacsmigrator.dicomweb.QidoRsListing;
import org.pacsmigrator.dicomweb.StowRsSender;
import org.pacsmigrator.files.OwnerOnly;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.service.PacsHealthCheck;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.throttle.StagePauses;
import org.pacsmigrator.topics.ConsumerLag;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.LagMonitor;
import org.pacsmigrator.topics.MeteredStage;
import org.pacsmigrator.topics.StageConsumer;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StudyEventHandler;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every worker of a migration shares, opened once per process: the config, the Kafka
 * topics and publisher, the state store, the DICOM client, the cache (opened on first use),
 * the scratch directory, the meters, the stage pauses, the one association gate of each PACS. It also starts
 * stage consumers the same way for every role, so the all-in-one run and the services agree.
 */
public final class MigrationContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationContext.class);

    private final MigrationConfig config;
    private final Topics topics;
    private final KafkaSettings kafka;
    private final StateStore state;
    /** Opens a lease table with a time-to-live; the leases live in the state store's keyspace. */
    private final Function<Duration, AssociationLeases> openLeases;
    private final EventPublisher publisher;
    private final DicomClient dicom;
    private final Path scratch;
    private final MeterRegistry meters;
    private final StagePauses pauses;
    private InstanceCache cache;
    /** Lease tables by time-to-live: each PACS's policy names its own (retrieve.leaseTtlSeconds, forward....). */
    private final Map<Duration, AssociationLeases> leasesByTtl = new HashMap<>();
    private AssociationGate sourceGate;
    private AssociationGate destinationGate;
    private DicomWebEndpoint destinationWeb;
    private DicomClient sourceWebClient;
    private DicomClient destinationWebClient;
    private Admin admin;
    private LagMonitor lag;

    private MigrationContext(MigrationConfig config, KafkaSettings kafka, StateStore state,
                             Function<Duration, AssociationLeases> openLeases, MeterRegistry meters) throws IOException {
        this.config = config;
        this.topics = new Topics(config.migrationId);
        this.kafka = kafka;
        this.state = state;
        this.openLeases = openLeases;
        this.meters = meters;
        // the data directory holds patient data (cache, reports, embedded services): its user's only
        Path data = OwnerOnly.directory(Path.of(config.storage.dataDirectory));
        this.scratch = OwnerOnly.directory(data.resolve("scratch"));
        this.dicom = Dicom.client(config.migrator.aeTitle, DicomTimeouts.defaults());
        this.publisher = new KafkaEventPublisher(kafka);
        this.pauses = StagePauses.of(state).register(meters);
    }

    /** Opens the state store (keyspace {@code pacsmig_<migrationId>}), creates the topics, connects the publisher. */
    public static MigrationContext open(MigrationConfig config, String kafkaBootstrap, String cassandraContactPoint,
                                        MeterRegistry meters) throws IOException {
        KafkaSettings kafka = KafkaSettings.of(kafkaBootstrap, config);
        // the topics are made while the state store's schema is: each waits on its own server
        CompletableFuture<Void> topics = CompletableFuture.runAsync(
                () -> TopicAdmin.ensureTopics(kafka, new Topics(config.migrationId).all()));
        CassandraStateStore state = CassandraStateStore.open(cassandraContactPoint, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId);
        try {
            topics.join();
        } catch (CompletionException e) {
            state.close();
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        String holder = config.migrator.aeTitle + "@" + ManagementFactory.getRuntimeMXBean().getName();
        try {
            return new MigrationContext(config, kafka, state,
                    ttl -> new AssociationLeases(state.session(), state.keyspace(), holder, ttl), meters);
        } catch (IOException | RuntimeException e) {
            state.close();
            throw e;
        }
    }

    /** For a service: the external Kafka and Cassandra named in {@code services} ("embedded" is the run command's). */
    public static MigrationContext openServices(MigrationConfig config, MeterRegistry meters) throws IOException {
        if ("embedded".equals(config.services.kafka) || "embedded".equals(config.services.cassandra)) {
            throw new ConfigException("services", "a worker service needs the addresses of Kafka and "
                    + "Cassandra in services.kafka and services.cassandra ('embedded' is for the all-in-one run command)");
        }
        return open(config, config.services.kafka, config.services.cassandra, meters);
    }

    public MigrationConfig config() {
        return config;
    }

    public Topics topics() {
        return topics;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public StateStore state() {
        return state;
    }

    public EventPublisher publisher() {
        return publisher;
    }

    /** The DIMSE client (C-ECHO, C-FIND, C-MOVE/C-GET, C-STORE, worklist), whatever the PACS speak. */
    public DicomClient dicom() {
        return dicom;
    }

    /**
     * How the old PACS is queried and retrieved from: DIMSE, or with source.protocol dicomweb QIDO-RS for C-FIND and
     * WADO-RS for C-GET behind the same interface (so the indexer, the retriever and the report read alike).
     */
    public synchronized DicomClient sourceClient() {
        if (!config.source.usesDicomWeb()) {
            return dicom;
        }
        if (sourceWebClient == null) {
            sourceWebClient = new DicomWebClient(DicomWebEndpoint.of(config.source.dicomweb), config.source.dicomweb.qidoPageSize);
        }
        return sourceWebClient;
    }

    /** How the new PACS is queried (the report's reconciliation): C-FIND, or QIDO-RS with destination.protocol dicomweb. */
    public synchronized DicomClient destinationClient() {
        if (!config.destination.usesDicomWeb()) {
            return dicom;
        }
        if (destinationWebClient == null) {
            destinationWebClient = new DicomWebClient(destinationWeb(), config.destination.dicomweb.qidoPageSize);
        }
        return destinationWebClient;
    }

    public Path scratch() {
        return scratch;
    }

    public MeterRegistry meters() {
        return meters;
    }

    public StagePauses pauses() {
        return pauses;
    }

    public DicomNode source() {
        return node(config.source);
    }

    public DicomNode destination() {
        return node(config.destination);
    }

    /** A DICOMweb archive's node: its aeTitle (a name for leases and metrics) at its URL's host and port. */
    public static DicomNode node(MigrationConfig.Pacs pacs) {
        if (pacs.usesDicomWeb()) {
            URI url = URI.create(pacs.dicomweb.url);
            int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
            return new DicomNode(pacs.aeTitle, url.getHost(), port);
        }
        return new DicomNode(pacs.aeTitle, pacs.host, pacs.port);
    }

    /** The new PACS's DICOMweb service (destination.protocol dicomweb), opened on first use. */
    public synchronized DicomWebEndpoint destinationWeb() {
        if (destinationWeb == null) {
            destinationWeb = DicomWebEndpoint.of(config.destination.dicomweb);
        }
        return destinationWeb;
    }

    /** How the forwarder stores in the new PACS: C-STORE, or STOW-RS with destination.protocol dicomweb. */
    public InstanceSender destinationSender() {
        if (config.destination.usesDicomWeb()) {
            return new StowRsSender(destinationWeb(), config.destination.dicomweb.maxRequestMb * 1024L * 1024L);
        }
        return InstanceSender.cStore(dicom, destination());
    }

    /** How verification lists a study in the new PACS: C-FIND, or QIDO-RS with destination.protocol dicomweb. */
    public StudyInstanceListing destinationListing() {
        if (config.destination.usesDicomWeb()) {
            return new QidoRsListing(destinationWeb(), config.destination.dicomweb.qidoPageSize);
        }
        return StudyInstanceListing.cFind(dicom, destination(), config.verify.findResultCap);
    }

    /** The old PACS's health: C-ECHO, or a QIDO-RS query of one study with source.protocol dicomweb. */
    public PacsHealthCheck sourceHealthCheck() {
        return healthCheck(config.source, sourceClient(), sourceGate());
    }

    /** The new PACS's health: C-ECHO, or a QIDO-RS query of one study with destination.protocol dicomweb. */
    public PacsHealthCheck destinationHealthCheck() {
        return healthCheck(config.destination, destinationClient(), destinationGate());
    }

    private static PacsHealthCheck healthCheck(MigrationConfig.Pacs pacs, DicomClient client, AssociationGate gate) {
        return pacs.usesDicomWeb() ? new PacsHealthCheck(() -> client.echo(gate.remote()), "QIDO-RS", gate)
                : new PacsHealthCheck(client, gate);
    }

    /**
     * The process's one Kafka admin client (lag, health, dead-letter counts), opened on first use:
     * each client costs a thread, connections and metadata, so none is opened per call.
     */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = ConsumerLag.admin(kafka.bootstrapServers());
        }
        return admin;
    }

    /**
     * Publishes the consumer lag of each stage's group on its input topic ({@code pacsmig_stage_lag},
     * {@code pacsmig_consumer_lag}), read from the broker every 5 s by the process's admin client: the same in a
     * worker service (its own stage) and in the all-in-one run (every stage). Stops when the context closes.
     */
    public synchronized void monitorLag(List<StageId> stages) {
        if (lag == null) {
            lag = new LagMonitor(admin(), meters, Duration.ofSeconds(5));
        }
        stages.forEach(stage -> lag.watch(stage, topics));
    }

    /** The cache (filesystem or S3), opened on first use: the indexer and verifier never need it. */
    public synchronized InstanceCache cache() throws IOException {
        if (cache == null) {
            cache = InstanceCaches.open(config.storage);
        }
        return cache;
    }

    /**
     * The old PACS's one gate in this process: every association to it passes here (index C-FINDs and control
     * queries, the retrievers' manifests and retrieves, the report's reconciliation, the health checks' C-ECHO).
     * Its limit and its own schedule are the {@code retrieve.*} policy; the indexer brings its own schedule.
     */
    public synchronized AssociationGate sourceGate() {
        if (sourceGate == null) {
            sourceGate = newGate(source(), config.retrieve, "pacsmig.retrieve");
        }
        return sourceGate;
    }

    /**
     * The new PACS's one gate in this process: the forwarders' stores, the verifier's C-FIND and storage
     * commitment requests, the report's reconciliation and the health checks' C-ECHO; the {@code forward.*} policy.
     */
    public synchronized AssociationGate destinationGate() {
        if (destinationGate == null) {
            destinationGate = newGate(destination(), config.forward, "pacsmig.forward");
        }
        return destinationGate;
    }

    /**
     * A PACS's gate: global leases with the policy's own time-to-live (shared by every worker of the migration),
     * adaptive limit, and the policy's windows and pause (per worker thread) as the PACS's own schedule.
     */
    private AssociationGate newGate(DicomNode node, MigrationConfig.AssociationPolicy p, String metricsPrefix) {
        AssociationLeases leases = leasesByTtl.computeIfAbsent(Duration.ofSeconds(p.leaseTtlSeconds),
                ttl -> openLeases.apply(ttl).keepingIdle(Duration.ofSeconds(1), Duration.ofSeconds(10)));
        Schedule own = Schedule.perThread(windowsOf(p), Duration.ofMillis(p.pauseMillis), Sleeper.real());
        return new AssociationGate(node, leases, AdaptiveLimit.of(p.minAssociations, p.maxAssociations), own,
                Duration.ofMinutes(30)).register(meters, metricsPrefix);
    }

    /** A PACS policy's time windows, in its time zone (the system's when none is configured). */
    public static TimeWindows windowsOf(MigrationConfig.AssociationPolicy p) {
        ZoneId zone = p.timeZone == null ? ZoneId.systemDefault() : ZoneId.of(p.timeZone);
        return TimeWindows.parse(p.windows, zone, Clock.systemUTC());
    }

    /** The old PACS's gate if a worker of this process has opened it (what it saw of the PACS), else null. */
    public synchronized AssociationGate sourceGateIfOpen() {
        return sourceGate;
    }

    /** The new PACS's gate if a worker of this process has opened it, else null. */
    public synchronized AssociationGate destinationGateIfOpen() {
        return destinationGate;
    }

    /**
     * Starts {@code instances} consumers of the stage's input topic in its consumer group, each handling a study
     * at a time with the stage's retries ({@link StageConsumer}: a study given up on is marked FAILED with its
     * category, then dead-lettered), and holding while the stage is paused.
     */
    public StageWorkers startStage(StageId stage, StudyEventHandler handler, int instances) {
        StudyEventHandler metered = new MeteredStage(stage.label(), handler, meters);
        List<StageConsumer> consumers = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            StageConsumer consumer = new StageConsumer(kafka, stage, topics, metered,
                    StageConsumer.RetryPolicy.defaults(), meters).pausedWhile(pauses.of(stage)).bulkWhile(windowsOpen(stage))
                    .onGiveUp(StageConsumer.GiveUpListener.markingFailedIn(state));
            consumer.start();
            consumers.add(consumer);
        }
        return new StageWorkers(consumers);
    }

    /** Whether the PACS a stage works with is inside its time windows now (the retriever's the old, the others' the new). */
    private BooleanSupplier windowsOpen(StageId stage) {
        AssociationGate gate = stage == StageId.RETRIEVE ? sourceGate() : destinationGate();
        return gate.schedule()::openNow;
    }

    @Override
    public void close() {
        publisher.close();
        synchronized (this) {
            if (lag != null) {
                lag.close();
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
        synchronized (this) {
            leasesByTtl.values().forEach(AssociationLeases::close);
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
