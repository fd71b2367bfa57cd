package org.pacsmigrator.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The services for tests, one set per JVM. When the {@code PACSMIG_*} variables are set
 * (scripts/test.sh starts the services once per build) they are used as they are; otherwise
 * (one test run from an IDE or {@code mvn test}) everything is started once, under the module's
 * {@code target/test-services} (kept for inspection) or a temp directory, and stopped when the JVM exits.
 * Tests share them: use your own keyspace, topics and studies, and never stop them.
 */
public final class TestServices {
    private static Services services;

    private TestServices() {
    }

    public static synchronized Services get() {
        if (services == null) {
            services = System.getenv(Services.ENV_KAFKA) != null ? Services.attach(System.getenv()) : startOwn();
        }
        return services;
    }

    private static Services startOwn() {
        Path dir = directory();
        long started = System.nanoTime();
        Services own = Services.start(dir, Services.Options.forTests());
        System.err.printf("TestServices: started in %d ms under %s%n", (System.nanoTime() - started) / 1_000_000, dir);
        Runtime.getRuntime().addShutdownHook(new Thread(own::close, "test-services-stop"));
        return own;
    }

    private static Path directory() {
        try {
            Path target = Path.of(System.getProperty("user.dir"), "target");
            if (Files.isDirectory(target)) {
                // a fresh directory per JVM: the previous run's processes may still be exiting
                return Files.createTempDirectory(Files.createDirectories(target.resolve("test-services")), "run-");
            }
            return Files.createTempDirectory("pacsmig-test-services-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
