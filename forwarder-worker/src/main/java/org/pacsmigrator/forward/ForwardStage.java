package org.pacsmigrator.forward;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.forward.rules.RuleSetLoader;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.worker.MigrationContext;
import org.pacsmigrator.worker.Stage;
import org.pacsmigrator.worker.StageWorkers;

/** The forward stage of one process: the consumers of the retrieved topic, each sending a study at a time (C-STORE or STOW-RS). */
public final class ForwardStage implements Stage {
    private final StageWorkers workers;

    private ForwardStage(StageWorkers workers) {
        this.workers = workers;
    }

    /** The forwarder's rule set, validated (a bad file fails with a message naming the rule). */
    public static RuleSet loadRules(MigrationConfig config) {
        RuleSet rules = config.forward.rulesFile == null ? RuleSet.EMPTY : RuleSetLoader.load(Path.of(config.forward.rulesFile));
        if ("rule".equals(config.forward.patientIdConflict) && !rules.hasPatientIdConflictRules()) {
            throw new ConfigException("forward.patientIdConflict",
                    "'rule' needs a rule marked onPatientIdConflict: true in " + config.forward.rulesFile);
        }
        return rules;
    }

    public static ForwardStage start(MigrationContext ctx, RuleSet rules) throws IOException {
        MigrationConfig config = ctx.config();
        MigrationConfig.Forward f = config.forward;
        Forwarder forwarder = new Forwarder(ctx.destinationSender(), ctx.state(), ctx.cache(), ctx.publisher(),
                ctx.topics(), f.batchSize, ctx.scratch(), rules, CacheCheck.of(f.cacheCheck), config.source.aeTitle,
                PatientConflictPolicy.of(f.patientIdConflict), f.associations,
                ctx.destinationGate(), new ForwardMetrics(ctx.meters()),
                TransferSyntaxConversions.of(f.transferSyntaxConversions.stream()
                        .map(c -> Map.entry(c.from, c.to)).toList()));
        return new ForwardStage(ctx.startStage(StageId.FORWARD, forwarder, f.concurrency));
    }

    @Override
    public StageWorkers workers() {
        return workers;
    }

    @Override
    public void close() {
        workers.close();
    }
}
