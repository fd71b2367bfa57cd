package org.pacsmigrator.console;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.service.PacsHealthCheck;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.verify.Completion;
import org.pacsmigrator.verify.report.MigrationReport;
import org.pacsmigrator.worker.MigrationContext;

/**
 * The migration team's console: the web page at {@code /} and the REST API under {@code /api}
 * (progress, studies, failures, replay, pause/resume, report). As a service of its own:
 * {@code java -cp ... org.pacsmigrator.console.ConsoleApplication server console.yaml}; the
 * all-in-one {@code run} embeds it on an already open {@link MigrationContext}.
 */
public final class ConsoleApplication extends WorkerApplication<WorkerConfiguration> {
    private final MigrationContext embeddedContext;
    private volatile ConsoleBackend backend;

    public ConsoleApplication() {
        this.embeddedContext = null;
    }

    /** Embedded in a process that already has the migration open, scraping its registry (its logging is left alone). */
    public ConsoleApplication(MigrationContext embeddedContext, PrometheusMeterRegistry registry) {
        super(registry);
        this.embeddedContext = embeddedContext;
    }

    public static void main(String[] args) throws Exception {
        new ConsoleApplication().run(args);
    }

    @Override
    public String getName() {
        return "pacsmig-console";
    }

    @Override
    protected MigrationConfig migrationConfig(WorkerConfiguration configuration) {
        return embeddedContext != null ? embeddedContext.config() : super.migrationConfig(configuration);
    }

    @Override
    protected void bootstrapLogging() {
        // Embedded, the host process's logging stays as it is; standalone, Dropwizard's bootstrap applies.
        if (embeddedContext == null) {
            super.bootstrapLogging();
        }
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) throws Exception {
        MigrationContext context = embeddedContext != null ? embeddedContext : openContext(m, environment);
        ConsoleBackend.ReportWriter reports = directory -> {
            MigrationReport.Result r = new MigrationReport(context.state(), context.dicom(), context.source(),
                    context.destination(), Completion.of(m.verify.completion)).write(directory, m.index.from, m.index.to);
            return new ConsoleBackend.Report(r.csv(), r.html());
        };
        backend = new ConsoleBackend(context, reports, Duration.ofSeconds(5));
        Path reportDirectory = Path.of(m.storage.dataDirectory).resolve("console-report");
        environment.jersey().register(new ConsoleResource(backend, reportDirectory));
        environment.jersey().register(new ConsolePage());
        environment.healthChecks().register("source-pacs", new PacsHealthCheck(context.dicom(), context.source()));
        environment.healthChecks().register("destination-pacs", new PacsHealthCheck(context.dicom(), context.destination()));
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                backend.close();
            }
        });
    }

    public ConsoleBackend backend() {
        return backend;
    }
}
