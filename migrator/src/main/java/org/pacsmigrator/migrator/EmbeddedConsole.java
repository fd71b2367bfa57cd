package org.pacsmigrator.migrator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.console.ConsoleApplication;
import org.pacsmigrator.console.ConsoleToken;
import org.pacsmigrator.files.OwnerOnly;

/**
 * The console of the all-in-one run: the same Dropwizard application as the console service,
 * on the runner's open migration, at {@code console.bindAddress:console.port} (admin endpoints
 * on a free port of 127.0.0.1, whatever the console's address). Its Dropwizard YAML is written
 * under the data directory. Its token is {@code console.token}, or a fresh random one per run.
 */
final class EmbeddedConsole implements AutoCloseable {
    private final ConsoleApplication app;
    private final String host;
    private final ConsoleToken token;
    private final boolean tokenGenerated;

    private EmbeddedConsole(ConsoleApplication app, String host, ConsoleToken token, boolean tokenGenerated) {
        this.app = app;
        this.host = host;
        this.token = token;
        this.tokenGenerated = tokenGenerated;
    }

    /** Starts the console, or returns null when {@code console.port} is -1. */
    static EmbeddedConsole start(MigrationConfig config, MigrationRunner runner,
                                 PrometheusMeterRegistry registry) throws Exception {
        if (config.console.port < 0) {
            return null;
        }
        Path yaml = OwnerOnly.writeString(OwnerOnly.directory(Path.of(config.storage.dataDirectory)).resolve("console.yaml"),
                dropwizardYaml(config));
        boolean generated = config.console.token == null;
        ConsoleToken token = generated ? ConsoleToken.generate() : ConsoleToken.of(config.console.token);
        ConsoleApplication app = new ConsoleApplication(runner.context(), registry, token, runner.controlQuery());
        app.run("server", yaml.toString());
        app.server().get(60, TimeUnit.SECONDS);
        return new EmbeddedConsole(app, "0.0.0.0".equals(config.console.bindAddress) ? "127.0.0.1" : config.console.bindAddress,
                token, generated);
    }

    private static String dropwizardYaml(MigrationConfig config) {
        return "defaultBindHost: " + quote(config.console.bindAddress) + "\n"
                + "logging:\n  type: external\n"
                + "server:\n"
                + "  requestLog:\n    appenders: []\n"
                + "  applicationConnectors:\n    - type: http\n      port: " + config.console.port + "\n"
                + "  adminConnectors:\n    - type: http\n      port: 0\n      bindHost: 127.0.0.1\n";
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

    /** The address the admin connector (/prometheus, /healthcheck, /tasks) listens on: loopback. */
    String adminHost() throws Exception {
        for (Connector c : app.server().get().getConnectors()) {
            if ("admin".equals(c.getName()) && c instanceof NetworkConnector n) {
                return n.getHost();
            }
        }
        return null;
    }

    /** The token every API request needs (configured, or generated for this run). */
    ConsoleToken token() {
        return token;
    }

    /** True when no console.token was configured and this run made one up. */
    boolean tokenGenerated() {
        return tokenGenerated;
    }

    /**
     * The lines that tell the user where the console is and how to get in. A generated token is
     * written to {@code <dataDirectory>/console-token} (readable by the owner only, replaced every run)
     * and shown itself only when {@code terminal} (the output is an interactive terminal, not a file
     * or pipe that logs land in too); a configured one is never shown.
     */
    String announce(MigrationConfig config, boolean terminal) throws IOException {
        String metrics = "Prometheus metrics: http://127.0.0.1:" + adminPort() + "/prometheus";
        if (!tokenGenerated) {
            return "Console: " + url() + " (token: console.token; " + metrics + ")";
        }
        Path file = OwnerOnly.writeString(Path.of(config.storage.dataDirectory).resolve(TOKEN_FILE), token.reveal() + "\n");
        return "Console: " + url() + " (" + metrics + ")\n"
                + (terminal ? "Console token for this run: " + token.reveal() + " (also in " + file + ")"
                        : "Console token for this run: in " + file + " (readable only by this user)")
                + "; the page asks for it, API clients send 'Authorization: Bearer <token>'";
    }

    static final String TOKEN_FILE = "console-token";

    @Override
    public void close() throws Exception {
        app.stop();
    }
}
