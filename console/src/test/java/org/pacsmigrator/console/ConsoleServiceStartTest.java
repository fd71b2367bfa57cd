package org.pacsmigrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console service (its own JVM, as in a pod) does not start without console.token: it stops
 * before connecting to anything, with a message naming the key.
 */
class ConsoleServiceStartTest {
    @TempDir
    Path dir;

    @Test
    void consoleServiceRefusesToStartWithoutAToken() throws Exception {
        Path migration = Files.writeString(dir.resolve("migration.yaml"), """
                migrationId: tokenless
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}
                destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 4243}
                index: {from: 2024-01-01, to: 2024-01-02}
                storage: {dataDirectory: %s}
                services: {kafka: "127.0.0.1:1", cassandra: "127.0.0.1:1"}
                """.formatted(dir.resolve("data")));
        Path yaml = Files.writeString(dir.resolve("console.yaml"), """
                migrationConfig: %s
                server:
                  applicationConnectors: [{type: http, port: 0}]
                  adminConnectors: [{type: http, port: 0}]
                """.formatted(migration));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ConsoleApplication.class.getName(), "server", yaml.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isNotZero();
        assertThat(output).contains("config key 'console.token': is required for the console service");
    }
}
