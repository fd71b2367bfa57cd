package org.pacsmigrator.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.pacsmigrator.service.WorkerApplication;

/** Worker services (Dropwizard) run in the test's JVM on free ports against a migration config. */
public final class WorkerServices {
    private WorkerServices() {
    }

    /**
     * Writes the service's YAML next to {@code migration} (ports 0, no request log, INFO logs), runs
     * {@code app} with it and waits until its server runs; stop it with {@link WorkerApplication#stop()}.
     */
    public static void start(WorkerApplication<?> app, Path migration) throws Exception {
        Path yaml = Files.writeString(migration.resolveSibling(app.getName() + ".yaml"), """
                migrationConfig: %s
                server:
                  applicationConnectors: [{type: http, port: 0}]
                  adminConnectors: [{type: http, port: 0}]
                  requestLog: {appenders: []}
                logging: {level: INFO}
                """.formatted(migration));
        app.run("server", yaml.toString());
        app.server().get(60, TimeUnit.SECONDS);
    }
}
