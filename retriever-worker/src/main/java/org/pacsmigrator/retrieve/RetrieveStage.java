package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.StorageScp;
import org.pacsmigrator.dicom.net.AllowedSender;
import org.pacsmigrator.dicom.net.ListenerSettings;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.worker.MigrationContext;
import org.pacsmigrator.worker.Stage;
import org.pacsmigrator.worker.StageWorkers;

/**
 * The retrieve stage of one process: the storage SCP that receives C-MOVEd images into the cache
 * (any retriever's SCP may receive any study's images) and the consumers of the indexed topic.
 */
public final class RetrieveStage implements Stage {
    private final StorageScp scp;
    private final StageWorkers workers;

    private RetrieveStage(StorageScp scp, StageWorkers workers) {
        this.scp = scp;
        this.workers = workers;
    }

    public static RetrieveStage start(MigrationContext ctx) throws IOException {
        MigrationConfig config = ctx.config();
        MigrationConfig.Retrieve r = config.retrieve;
        RetrieveMetrics metrics = new RetrieveMetrics(ctx.meters());
        CacheWritingReceiver receiver = new CacheWritingReceiver(ctx.cache(), ctx.state(), metrics,
                Duration.ofSeconds(r.arrivalGraceSeconds), r.instanceManifest);
        // C-GET and WADO-RS bring the instances on our own request; C-MOVE to our storage SCP
        boolean cGet = config.source.retrieveMethod != MigrationConfig.RetrieveMethod.C_MOVE;
        StorageScp scp = cGet ? null : startStorageScp(config, ctx.scratch(), receiver, ctx.meters());
        AssociationGate gate = ctx.sourceGate();
        Retriever retriever = new Retriever(ctx.sourceClient(), ctx.source(), ctx.state(), receiver, ctx.publisher(), ctx.topics(),
                new RetrieveSettings(cGet, config.migrator.aeTitle, r.instanceManifest, r.maxAttempts,
                        Duration.ofSeconds(r.arrivalGraceSeconds), ctx.scratch(), config.index.findResultCap),
                ctx.cache(), gate, metrics, scp == null ? () -> 0 : scp::rejectedForLimit);
        StageWorkers workers = ctx.startStage(StageId.RETRIEVE, retriever, r.concurrency);
        return new RetrieveStage(scp, workers);
    }

    /**
     * Starts the C-MOVE destination. A port another process holds (a second retriever on the same host) stops the
     * start with one line naming the address, the port and the keys that set them, not a bare "Address already in use".
     */
    static StorageScp startStorageScp(MigrationConfig config, Path scratch, ReceivedInstanceHandler receiver,
                                      MeterRegistry meters) throws IOException {
        try {
            return Dicom.startStorageScp(storageScpSettings(config), scratch, receiver, meters);
        } catch (BindException e) {
            throw new ConfigException("migrator.port", e.getMessage() + " (set by migrator.bindAddress and migrator.port; "
                    + "retrievers on one host need a port each behind one balancer, or C-GET: deploy/README.md)");
        }
    }

    /** The C-MOVE destination's listener: our AE, address and port, who may send, its limits. */
    static ListenerSettings storageScpSettings(MigrationConfig config) {
        MigrationConfig.Migrator m = config.migrator;
        return ListenerSettings.of("storage-scp", m.aeTitle, m.bindAddress, m.port,
                        AllowedSender.parseAll(m.allowedSendersOr(config.source.aeTitle)))
                .withLimits(m.maxAssociations, ListenerSettings.DEFAULT_MAX_PENDING, Duration.ofSeconds(m.artimSeconds),
                        Duration.ofSeconds(m.idleTimeoutSeconds));
    }

    @Override
    public StageWorkers workers() {
        return workers;
    }

    /** Consumers first (they finish the study in hand, whose images still arrive at the SCP), then the SCP. */
    @Override
    public void close() {
        workers.close();
        if (scp != null) {
            scp.close();
        }
    }
}
