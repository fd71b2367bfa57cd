package org.pacsmigrator.migrator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.console.ConsoleApplication;
import org.pacsmigrator.files.OwnerOnly;
import org.pacsmigrator.worker.MigrationContext;

/**
 * The console of the all-in-one run: the same Dropwizard application as the console service,
 * on the runner's open migration, at {@code console.bindAddress:console.port} (admin endpoints
 * on a free port). Its Dropwizard YAML is written under the data directory.
 */
final class EmbeddedConsole implements AutoCloseable {
    private final ConsoleApplication app;
    private final String host;

    private EmbeddedConsole(ConsoleApplication app, String host) {
        this.app = app;
        this.host = host;
    }

    /** Starts the console, or returns null when {@code console.port} is -1. */
    static EmbeddedConsole start(MigrationConfig config, MigrationContext context,
                                 PrometheusMeterRegistry registry) throws Exception {
        if (config.console.port < 0) {
            return null;
        }
        Path yaml = OwnerOnly.writeString(OwnerOnly.directory(Path.of(config.storage.dataDirectory)).resolve("console.yaml"),
                dropwizardYaml(config));
        ConsoleApplication app = new ConsoleApplication(context, registry);
        app.run("server", yaml.toString());
        app.server().get(60, TimeUnit.SECONDS);
        return new EmbeddedConsole(app, "0.0.0.0".equals(config.console.bindAddress) ? "127.0.0.1" : config.console.bindAddress);
    }

    private static String dropwizardYaml(MigrationConfig config) {
        return "defaultBindHost: " + quote(config.console.bindAddress) + "\n"
                + "logging:\n  type: external\n"
                + "server:\n"
                + "  requestLog:\n    appenders: []\n"
                + "  applicationConnectors:\n    - type: http\n      port: " + config.console.port + "\n"
                + "  adminConnectors:\n    - type: http\n      port: 0\n";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The console's address, e.g. http://127.0.0.1:8090/ */
    String url() {
        return "http://" + host + ":" + app.applicationPort() + "/";
    }

    int adminPort() {
        return app.adminPort();
    }

    @Override
    public void close() throws Exception {
        app.stop();
    }
}
