package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;

/** `run` refuses a bad config or an unreachable peer with one message naming the key or peer, and starts nothing. */
class RunCommandValidationTest {
    @TempDir
    Path dir;

    private String config(int sourcePort, int destinationPort, String extra) {
        return """
                migrationId: validation
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: %d}
                destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: %d}
                migrator: {aeTitle: MIGRATOR, port: %d}
                index: {from: 2024-01-01, to: 2024-01-02}
                storage: {dataDirectory: %s}
                console: {port: 0}
                %s""".formatted(sourcePort, destinationPort, Ports.freePort(), dir.resolve("data"), extra);
    }

    private record Result(int exit, String err) {
    }

    private Result run(String yaml) throws Exception {
        Path file = dir.resolve("migration.yaml");
        Files.writeString(file, yaml);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = SingleMachine.run(file, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownKeyIsNamed() throws Exception {
        Result r = run(config(104, 105, "retrieve: {maxAtempts: 3}\n"));
        assertThat(r.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err()).contains("retrieve.maxAtempts").contains("unknown key");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void portOutOfRangeIsNamed() throws Exception {
        Result r = run(config(104, 99999, ""));
        assertThat(r.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err()).contains("destination.port").contains("out of range");
    }

    @Test
    void missingAeTitleIsNamed() throws Exception {
        Result r = run(config(104, 105, "").replace("aeTitle: OLDPACS, ", ""));
        assertThat(r.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err()).contains("source.aeTitle").contains("required");
    }

    @Test
    void unreachablePacsIsNamed() throws Exception {
        OrthancServer newPacs = MigrationFixture.services().newPacs();
        int closedPort = Ports.freePort();
        Result r = run(config(closedPort, newPacs.dicomPort(), ""));
        assertThat(r.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err()).contains("'source'").contains("OLDPACS@127.0.0.1:" + closedPort).contains("unreachable");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void invalidRulesFileIsNamedBeforeAnythingStarts() throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), "rules:\n  - {name: fix-name, replace: {attribute: PatientNam, pattern: x, with: y}}\n");
        Result r = run(config(104, 105, "forward: {rulesFile: rules.yaml}\n"));
        assertThat(r.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err()).contains("rules[0] 'fix-name'").contains("PatientNam");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aTakenConsolePortIsNamedBeforeAnythingStarts() throws Exception {
        OrthancServer oldPacs = MigrationFixture.services().oldPacs();
        OrthancServer newPacs = MigrationFixture.services().newPacs();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String yaml = config(oldPacs.dicomPort(), newPacs.dicomPort(), "")
                    .replace("console: {port: 0}", "console: {port: " + taken.getLocalPort() + "}");
            Result r = run(yaml);
            assertThat(r.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
            assertThat(r.err()).contains("console.port").contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(dir.resolve("data")).doesNotExist();
        }
    }

    @Test
    void anUnexpectedFailureEndsTheCommandWithTheInternalFailureCode() throws Exception {
        OrthancServer oldPacs = MigrationFixture.services().oldPacs();
        OrthancServer newPacs = MigrationFixture.services().newPacs();
        Files.writeString(dir.resolve("data"), "a file where the data directory should be");
        Path file = Files.writeString(dir.resolve("migration.yaml"), config(oldPacs.dicomPort(), newPacs.dicomPort(), ""));
        assertThat(MigratorCli.execute("run", "--config", file.toString())).isEqualTo(MigratorCli.INTERNAL_FAILURE);
    }

    @Test
    void missingConfigFileIsReported() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = SingleMachine.run(dir.resolve("nope.yaml"), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.yaml");
    }
}
