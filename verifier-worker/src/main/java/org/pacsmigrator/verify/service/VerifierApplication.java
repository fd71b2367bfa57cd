package org.pacsmigrator.verify.service;

import io.dropwizard.core.setup.Environment;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.verify.VerifyStage;
import org.pacsmigrator.worker.MigrationContext;

/**
 * The verifier pod: consumes the forwarded topic, confirms each study in the new PACS (C-FIND
 * and/or storage commitment, whose N-EVENT-REPORTs arrive on {@code verify.commitment.port}) and
 * runs the completion topology. {@code java -cp ... org.pacsmigrator.verify.service.VerifierApplication server verifier.yaml}
 */
public final class VerifierApplication extends WorkerApplication<WorkerConfiguration> {
    public static void main(String[] args) throws Exception {
        new VerifierApplication().run(args);
    }

    @Override
    public String getName() {
        return "pacsmig-verifier";
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) throws Exception {
        MigrationContext context = openContext(m, environment);
        environment.healthChecks().register("destination-pacs", context.destinationHealthCheck());
        context.monitorLag(List.of(StageId.VERIFY));
        manageStage(environment, () -> VerifyStage.start(context));
    }
}
