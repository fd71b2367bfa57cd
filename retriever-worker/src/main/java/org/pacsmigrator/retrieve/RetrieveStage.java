package org.pacsmigrator.retrieve;

import java.io.IOException;
import java.time.Duration;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
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
        boolean cGet = config.source.retrieveMethod == MigrationConfig.RetrieveMethod.C_GET;
        StorageScp scp = cGet ? null : Dicom.startStorageScp(storageScpSettings(config), ctx.scratch(), receiver,
                ctx.meters());
        AssociationGate gate = ctx.sourceGate();
        Retriever retriever = new Retriever(ctx.dicom(), ctx.source(), ctx.state(), receiver, ctx.publisher(), ctx.topics(),
                new RetrieveSettings(cGet, config.migrator.aeTitle, r.instanceManifest, r.maxAttempts,
                        Duration.ofSeconds(r.arrivalGraceSeconds), ctx.scratch(), config.index.findResultCap),
                ctx.cache(), gate, metrics, scp == null ? () -> 0 : scp::rejectedForLimit);
        StageWorkers workers = ctx.startStage(StageId.RETRIEVE, retriever, r.concurrency);
        return new RetrieveStage(scp, workers);
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
