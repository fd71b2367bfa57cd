package org.pacsmigrator.retrieve.service;

import io.dropwizard.core.setup.Environment;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.retrieve.RetrieveStage;
import org.pacsmigrator.service.CacheHealthCheck;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.worker.MigrationContext;

/**
 * A retriever pod: consumes the indexed topic, C-MOVEs (or C-GETs) each study into the cache,
 * and receives C-MOVEd images on {@code migrator.port} for any pod's study.
 * {@code java -cp ... org.pacsmigrator.retrieve.service.RetrieverApplication server retriever.yaml}
 */
public final class RetrieverApplication extends WorkerApplication<WorkerConfiguration> {
    public static void main(String[] args) throws Exception {
        new RetrieverApplication().run(args);
    }

    @Override
    public String getName() {
        return "pacsmig-retriever";
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) throws Exception {
        MigrationContext context = openContext(m, environment);
        environment.healthChecks().register("source-pacs", context.sourceHealthCheck());
        environment.healthChecks().register("cache", new CacheHealthCheck(context.cache(), context.scratch(), getName()));
        context.monitorLag(List.of(StageId.RETRIEVE));
        manageStage(environment, () -> RetrieveStage.start(context));
    }
}
