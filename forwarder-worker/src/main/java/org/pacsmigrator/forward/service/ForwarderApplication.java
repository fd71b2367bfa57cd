package org.pacsmigrator.forward.service;

import io.dropwizard.core.setup.Environment;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.forward.ForwardStage;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.service.CacheHealthCheck;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.worker.MigrationContext;

/**
 * A forwarder pod: consumes the retrieved topic and C-STOREs each study from the cache to the new
 * PACS, modified by the rules. The rules file is validated before anything starts.
 * {@code java -cp ... org.pacsmigrator.forward.service.ForwarderApplication server forwarder.yaml}
 */
public final class ForwarderApplication extends WorkerApplication<WorkerConfiguration> {
    public static void main(String[] args) throws Exception {
        new ForwarderApplication().run(args);
    }

    @Override
    public String getName() {
        return "pacsmig-forwarder";
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) throws Exception {
        RuleSet rules = ForwardStage.loadRules(m);
        MigrationContext context = openContext(m, environment);
        environment.healthChecks().register("destination-pacs", context.destinationHealthCheck());
        environment.healthChecks().register("cache", new CacheHealthCheck(context.cache(), context.scratch(), getName()));
        context.monitorLag(List.of(StageId.FORWARD));
        manageStage(environment, () -> ForwardStage.start(context, rules));
    }
}
