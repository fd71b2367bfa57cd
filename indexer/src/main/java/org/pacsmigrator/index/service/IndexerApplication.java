package org.pacsmigrator.index.service;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.priority.PriorityWork;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.worker.MigrationContext;

/**
 * The indexer as a service of its own (distributed deployment): {@code java -cp ... 
 * org.pacsmigrator.index.service.IndexerApplication server indexer.yaml}. Indexes the range, then
 * keeps retrying failed days, running scheduled control queries and catch-up; REST under
 * {@code /index}, Prometheus metrics at {@code /prometheus} and health checks on the admin port.
 */
public final class IndexerApplication extends WorkerApplication<WorkerConfiguration> {
    private volatile Indexer indexer;

    public static void main(String[] args) throws Exception {
        new IndexerApplication().run(args);
    }

    @Override
    public String getName() {
        return "pacsmig-indexer";
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) throws IOException {
        MigrationContext context = openContext(m, environment);
        Clock clock = Clock.systemUTC();
        IndexProgress progress = new IndexProgress(registry, clock);
        indexer = Indexer.of(context, progress);
        ControlQuery control = new ControlQuery(indexer);
        environment.jersey().register(new IndexerResource(indexer, control));
        environment.healthChecks().register("source-pacs", context.sourceHealthCheck());
        IndexerLoop loop = new IndexerLoop(indexer, control, clock, Sleeper.real());
        // managed after the context: stopped first, before the publisher and the state store it uses
        environment.lifecycle().manage(loop);
        // the priority sources (worklist, list file) run beside the indexer, on the old PACS's same gate
        PriorityWork priority = PriorityWork.of(context);
        environment.lifecycle().manage(new Managed() {
            @Override
            public void start() {
                priority.startSources();
            }

            @Override
            public void stop() {
                priority.close();
            }
        });
        livenessFrom(loop::alive);
    }

    public Indexer indexer() {
        return indexer;
    }
}
