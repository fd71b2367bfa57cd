package org.pacsmigrator.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.net.AllowedSender;
import org.pacsmigrator.dicom.net.ListenerSettings;
import org.pacsmigrator.dicom.StorageCommitment;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.worker.MigrationContext;
import org.pacsmigrator.worker.Stage;
import org.pacsmigrator.worker.StageWorkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verify stage of one process: the verifier per {@code verify.completion}, the storage
 * commitment SCU and its results consumer when committing, the completion topology (Kafka
 * Streams, its state under the scratch folder) and the consumers of the forwarded topic.
 */
public final class VerifyStage implements Stage {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyStage.class);

    private final JsonPublisher jsonPublisher;
    private final CommitmentResultConsumer commitmentResults;
    private final StorageCommitment commitmentScu;
    private final CompletionService completion;
    private StageWorkers workers;

    private VerifyStage(JsonPublisher jsonPublisher, CommitmentResultConsumer commitmentResults,
                        StorageCommitment commitmentScu, CompletionService completion) {
        this.jsonPublisher = jsonPublisher;
        this.commitmentResults = commitmentResults;
        this.commitmentScu = commitmentScu;
        this.completion = completion;
    }

    public static VerifyStage start(MigrationContext ctx) throws IOException {
        MigrationConfig config = ctx.config();
        Completion criterion = Completion.of(config.verify.completion);
        JsonPublisher jsonPublisher = new JsonPublisher(ctx.kafka());
        CommitmentRequester requester = null;
        CommitmentResultConsumer results = null;
        StorageCommitment scu = null;
        if (criterion == Completion.SENT_AND_COMMITTED) {
            MigrationConfig.Commitment c = config.verify.commitment;
            results = new CommitmentResultConsumer(ctx.kafka(), ctx.topics(), ctx.state(), ctx.meters()).start();
            List<String> senders = c.allowedSenders.isEmpty() ? List.of(config.destination.aeTitle) : c.allowedSenders;
            ListenerSettings listener = ListenerSettings.of("commitment-listener", c.aeTitle, config.migrator.bindAddress,
                    c.port, AllowedSender.parseAll(senders));
            scu = Dicom.startStorageCommitment(listener, DicomTimeouts.defaults(),
                    Duration.ofMillis(c.sameAssociationWaitMillis), new CommitmentReports(ctx.state(), jsonPublisher,
                            ctx.topics()), ctx.meters());
            requester = new CommitmentRequester(scu, ctx.destinationGate(), ctx.state(), Duration.ofSeconds(c.timeoutSeconds),
                    c.maxRequests);
        }
        CompletionService completion = new CompletionService(ctx.kafka(), ctx.topics(), criterion, ctx.state(),
                Files.createTempDirectory(ctx.scratch(), "streams-")).start();
        VerifyStage stage = new VerifyStage(jsonPublisher, results, scu, completion);
        Verifier verifier = new Verifier(ctx.destinationListing(), ctx.destinationGate(), ctx.state(), ctx.publisher(),
                ctx.topics(), config.verify.maxAttempts, Duration.ofSeconds(config.verify.retryDelaySeconds), criterion,
                config.verify.cfindDoubleCheck, requester, jsonPublisher);
        stage.workers = ctx.startStage(StageId.VERIFY, verifier, 1);
        return stage;
    }

    /** The per-study completion API. */
    public CompletionService completion() {
        return completion;
    }

    @Override
    public StageWorkers workers() {
        return workers;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {completion, commitmentResults, commitmentScu, jsonPublisher}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
