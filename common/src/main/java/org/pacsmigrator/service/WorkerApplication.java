package org.pacsmigrator.service;

import io.dropwizard.core.Application;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Server;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;

/**
 * The shell every worker service shares: Dropwizard with the configuration from YAML, the
 * migration config loaded and validated from {@code migrationConfig}, connectors bound to
 * 127.0.0.1 unless a {@code bindHost} is configured, a Micrometer Prometheus registry scraped at
 * {@code /prometheus} on the admin port (next to Dropwizard's {@code /healthcheck}), and the ports
 * actually bound (port 0 picks a free one) once the server runs. Subclasses add their resources,
 * managed objects and health checks in {@link #start}.
 */
public abstract class WorkerApplication<C extends WorkerConfiguration> extends Application<C> {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CompletableFuture<Server> server = new CompletableFuture<>();
    private volatile int applicationPort = -1;
    private volatile int adminPort = -1;

    /** Adds the worker's resources, managed objects and health checks. */
    protected abstract void start(C configuration, MigrationConfig migration, Environment environment,
                                  PrometheusMeterRegistry registry) throws Exception;

    @Override
    public final void run(C configuration, Environment environment) throws Exception {
        bindToDefaultHost(configuration.getServerFactory(), configuration.defaultBindHost);
        if (configuration.migrationConfig == null) {
            throw new IllegalArgumentException("migrationConfig: the path of the migration's YAML is required");
        }
        MigrationConfig migration = ConfigLoader.load(Path.of(configuration.migrationConfig));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        environment.admin().addServlet("prometheus", new PrometheusServlet(registry)).addMapping("/prometheus");
        environment.lifecycle().addServerLifecycleListener(s -> {
            applicationPort = portOf(s, "application");
            adminPort = portOf(s, "admin");
            server.complete(s);
        });
        start(configuration, migration, environment, registry);
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
            if (name.equals(connector.getName()) && connector instanceof org.eclipse.jetty.server.NetworkConnector n) {
                return n.getLocalPort();
            }
        }
        // a single connector (SimpleServerFactory) serves both
        for (var connector : s.getConnectors()) {
            if (connector instanceof org.eclipse.jetty.server.NetworkConnector n) {
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
