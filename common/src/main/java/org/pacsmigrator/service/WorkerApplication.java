package org.pacsmigrator.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.worker.MigrationContext;
import org.pacsmigrator.worker.Stage;

/**
 * The shell every worker service shares: Dropwizard with the configuration from YAML, the
 * migration config loaded and validated from {@code migrationConfig}, connectors bound to
 * 127.0.0.1 unless a {@code bindHost} is configured, a Micrometer Prometheus registry scraped at
 * {@code /prometheus} on the admin port (next to Dropwizard's {@code /healthcheck}), and the ports
 * actually bound (port 0 picks a free one) once the server runs. Subclasses add their resources,
 * managed objects and health checks in {@link #start}.
 *
 * <p>Kubernetes probes on the admin port: {@code /live} answers 503 when the worker's own loops
 * died (restart the pod; the health check {@code stage} says why); {@code /ready} answers 503 while a dependency health check fails or the
 * service is shutting down (take no new work, no traffic such as C-STOREs of a C-MOVE).
 */
public abstract class WorkerApplication<C extends WorkerConfiguration> extends Application<C> {
    public static final String LIVE_PATH = "/live";
    public static final String READY_PATH = "/ready";
    public static final String PROMETHEUS_PATH = "/prometheus";
    /** The health check that turns red when a consumer loop of the service's stage died. */
    public static final String STAGE_CHECK = "stage";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrometheusMeterRegistry registry;
    private final CompletableFuture<Server> server = new CompletableFuture<>();
    private volatile int applicationPort = -1;
    private volatile int adminPort = -1;
    private volatile BooleanSupplier alive = () -> true;
    private volatile boolean draining;

    protected WorkerApplication() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** With the registry of a host process (the all-in-one run embeds the console and scrapes every worker's meters). */
    protected WorkerApplication(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** Adds the worker's resources, managed objects and health checks. */
    protected abstract void start(C configuration, MigrationConfig migration, Environment environment,
                                  PrometheusMeterRegistry registry) throws Exception;

    /** Timestamps as ISO-8601 text in every REST answer, not as epoch numbers. */
    @Override
    public void initialize(Bootstrap<C> bootstrap) {
        bootstrap.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Override
    public final void run(C configuration, Environment environment) throws Exception {
        bindToDefaultHost(configuration.getServerFactory(), configuration.defaultBindHost);
        MigrationConfig migration = migrationConfig(configuration);
        if (registry.find("jvm.memory.used").gauge() == null) {
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
        }
        environment.admin().addServlet("prometheus", new PrometheusServlet(registry)).addMapping(PROMETHEUS_PATH);
        environment.admin().addServlet("live", new ProbeServlet(this::liveness)).addMapping(LIVE_PATH);
        environment.admin().addServlet("ready", new ProbeServlet(() -> readiness(environment))).addMapping(READY_PATH);
        environment.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopping(LifeCycle event) {
                draining = true;
            }
        });
        environment.lifecycle().addServerLifecycleListener(s -> {
            applicationPort = portOf(s, "application");
            adminPort = portOf(s, "admin");
            server.complete(s);
        });
        start(configuration, migration, environment, registry);
    }

    /**
     * Opens the migration's Kafka topics, state store, ... for this service, with health checks
     * for Kafka and Cassandra; closed after every other managed object (managed first, stopped last).
     */
    protected MigrationContext openContext(MigrationConfig migration, Environment environment)
            throws IOException {
        MigrationContext context =
                MigrationContext.openServices(migration, registry);
        KafkaHealthCheck kafka = new KafkaHealthCheck(context.kafka(), context.admin());
        environment.healthChecks().register("kafka", kafka);
        environment.healthChecks().register("cassandra", new StateStoreHealthCheck(context.state()));
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                context.close();
            }
        });
        return context;
    }

    /** The migration config named by {@code migrationConfig}, validated (a bad key stops the start with its name). */
    protected MigrationConfig migrationConfig(C configuration) {
        if (configuration.migrationConfig == null) {
            throw new IllegalArgumentException("migrationConfig: the path of the migration's YAML is required");
        }
        return ConfigLoader.load(Path.of(configuration.migrationConfig));
    }

    /**
     * Runs the stage while the server runs: started with the server, closed (finishing the study
     * in hand) when it stops; the pod is alive while the stage's consumer loops are, and the health check
     * {@value #STAGE_CHECK} turns red with the cause when one of them died.
     */
    protected void manageStage(Environment environment, Stage.Starter starter) {
        AtomicReference<Stage> stage =
                new AtomicReference<>();
        environment.lifecycle().manage(new Managed() {
            @Override
            public void start() throws Exception {
                stage.set(starter.start());
            }

            @Override
            public void stop() {
                if (stage.get() != null) {
                    stage.get().close();
                }
            }
        });
        livenessFrom(() -> stage.get() == null || stage.get().workers().alive());
        environment.healthChecks().register(STAGE_CHECK, new StageHealthCheck(stage::get));
    }

    /** The worker's loops whose death makes the pod not alive (e.g. its stage consumers). */
    protected void livenessFrom(BooleanSupplier loopsAlive) {
        this.alive = loopsAlive;
    }

    private ProbeServlet.Outcome liveness() {
        boolean ok = alive.getAsBoolean();
        return new ProbeServlet.Outcome(ok, "{\"alive\":" + ok + "}");
    }

    private ProbeServlet.Outcome readiness(Environment environment) {
        Map<String, Object> checks = new TreeMap<>();
        boolean ok = !draining;
        for (var e : environment.healthChecks().runHealthChecks().entrySet()) {
            ok &= e.getValue().isHealthy();
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("healthy", e.getValue().isHealthy());
            check.put("message", e.getValue().getMessage() == null ? "" : e.getValue().getMessage());
            checks.put(e.getKey(), check);
        }
        try {
            return new ProbeServlet.Outcome(ok, JSON.writeValueAsString(
                    Map.of("ready", ok, "draining", draining, "checks", checks)));
        } catch (JsonProcessingException e) {
            return new ProbeServlet.Outcome(false, "{\"ready\":false}");
        }
    }

    /** Connectors without a bindHost listen on {@code host} (loopback by default) instead of every interface. */
    static void bindToDefaultHost(ServerFactory factory, String host) {
        List<ConnectorFactory> connectors = new ArrayList<>();
        if (factory instanceof DefaultServerFactory d) {
            connectors.addAll(d.getApplicationConnectors());
            connectors.addAll(d.getAdminConnectors());
        } else if (factory instanceof SimpleServerFactory s) {
            connectors.add(s.getConnector());
        }
        for (ConnectorFactory c : connectors) {
            if (c instanceof HttpConnectorFactory http && http.getBindHost() == null) {
                http.setBindHost(host);
            }
        }
    }

    private static int portOf(Server s, String name) {
        for (var connector : s.getConnectors()) {
            if (name.equals(connector.getName()) && connector instanceof NetworkConnector n) {
                return n.getLocalPort();
            }
        }
        // a single connector (SimpleServerFactory) serves both
        for (var connector : s.getConnectors()) {
            if (connector instanceof NetworkConnector n) {
                return n.getLocalPort();
            }
        }
        return -1;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Completes when the HTTP server runs. */
    public CompletableFuture<Server> server() {
        return server;
    }

    public int applicationPort() {
        return applicationPort;
    }

    public int adminPort() {
        return adminPort;
    }

    /** Stops a server started by {@link #run(String...)} in this JVM (tests, embedded use). */
    public void stop() throws Exception {
        if (server.isDone()) {
            server.get().stop();
        }
    }
}
