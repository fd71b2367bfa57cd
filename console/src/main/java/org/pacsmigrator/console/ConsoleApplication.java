package org.pacsmigrator.console;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.priority.PriorityWork;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.report.MigrationReport;
import org.pacsmigrator.worker.MigrationContext;

/**
 * The migration team's console: the web page at {@code /} and the REST API under {@code /api}
 * (progress, studies, failures, replay, pause/resume, control pass, report). As a service of its own:
 * {@code java -cp ... org.pacsmigrator.console.ConsoleApplication server console.yaml}; the
 * all-in-one {@code run} embeds it on an already open {@link MigrationContext}.
 */
public final class ConsoleApplication extends WorkerApplication<WorkerConfiguration> {
    /**
     * Dropwizard's Application constructor calls {@link #bootstrapLogging()} before this class's fields
     * are set; this flag, set while the embedded constructor runs, is how it knows.
     */
    private static final ThreadLocal<Boolean> EMBEDDING = new ThreadLocal<>();

    private final MigrationContext embeddedContext;
    private final ConsoleToken embeddedToken;
    private final ControlQuery embeddedControl;
    private volatile ConsoleBackend backend;

    public ConsoleApplication() {
        this.embeddedContext = null;
        this.embeddedToken = null;
        this.embeddedControl = null;
    }

    /**
     * Embedded in a process that already has the migration open, scraping its registry (its logging is
     * left alone), with the token the process configured or generated, and the process's control passes
     * (so that the console's and the process's own never run at the same time).
     */
    public ConsoleApplication(MigrationContext embeddedContext, PrometheusMeterRegistry registry, ConsoleToken token,
                              ControlQuery control) {
        super(embedding(registry));
        EMBEDDING.remove();
        this.embeddedContext = embeddedContext;
        this.embeddedToken = token;
        this.embeddedControl = control;
    }

    private static PrometheusMeterRegistry embedding(PrometheusMeterRegistry registry) {
        EMBEDDING.set(Boolean.TRUE);
        return registry;
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
        // Embedded, the host process's logging stays as it is (Dropwizard's bootstrap would replace its
        // appenders by one that drops everything below WARN); standalone, Dropwizard's bootstrap applies.
        if (!Boolean.TRUE.equals(EMBEDDING.get())) {
            super.bootstrapLogging();
        }
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) throws Exception {
        ConsoleToken token = embeddedToken != null ? embeddedToken : configuredToken(m);
        MigrationContext context = embeddedContext != null ? embeddedContext : openContext(m, environment);
        // Reconciles as many studies at once as the old PACS's budget, each association under its global lease.
        MigrationReport report = MigrationReport.of(context, m.retrieve.maxAssociations);
        ConsoleBackend.ReportWriter reports = directory -> {
            Optional<String> closed = report.closedWindow();
            if (closed.isPresent()) {
                throw new ConsoleBackend.ReportUnavailable("the report's reconciliation waits for a time window: " + closed.get());
            }
            MigrationReport.Result r = report.write(directory, m.index.from, m.index.to);
            return new ConsoleBackend.Report(r.csv(), r.html());
        };
        ControlQuery control = embeddedControl != null ? embeddedControl
                : new ControlQuery(Indexer.of(context, IndexProgress.standalone()));
        backend = new ConsoleBackend(context, reports, control, Duration.ofSeconds(5));
        Path reportDirectory = Path.of(m.storage.dataDirectory).resolve("console-report");
        environment.jersey().register(new HostFilter(HostFilter.allowedHosts(m.console)));
        environment.jersey().register(new OriginFilter(OriginFilter.proxiedHosts(m.console)));
        environment.jersey().register(new TokenFilter(token));
        environment.jersey().register(new JsonPostFilter());
        environment.jersey().register(new ConsoleResource(backend, reportDirectory));
        PriorityQueue priority = new PriorityQueue(context.state(), PriorityWork.of(context));
        environment.jersey().register(new PriorityResource(priority));
        environment.jersey().register(new ConsolePage());
        environment.healthChecks().register("source-pacs", context.sourceHealthCheck());
        environment.healthChecks().register("destination-pacs", context.destinationHealthCheck());
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                backend.close();
                priority.close();
            }
        });
    }

    /** The console service's token: {@code console.token}, required (it guards replay, pause and the report). */
    private static ConsoleToken configuredToken(MigrationConfig m) {
        if (m.console.token == null) {
            throw new ConfigException("console.token", "is required for the console service: a secret of at least "
                    + ConfigLoader.MIN_TOKEN_LENGTH + " characters, e.g. token: ${PACSMIG_CONSOLE_TOKEN} with the variable "
                    + "set from a Secret; clients send it as 'Authorization: Bearer <token>'");
        }
        return ConsoleToken.of(m.console.token);
    }

    public ConsoleBackend backend() {
        return backend;
    }
}
