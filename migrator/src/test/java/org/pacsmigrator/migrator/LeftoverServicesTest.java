package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.harness.ChildMain;

/**
 * An embedded Kafka or Cassandra of another run still on the data directory is the user's to stop: exit 2 and one line
 * that names the process and the directory, never a stack trace.
 */
class LeftoverServicesTest {
    @TempDir
    Path dir;
    private Process service;

    @AfterEach
    void stopService() throws Exception {
        if (service != null) {
            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A process whose command line reads as an embedded service the harness started for {@code parentPid}. */
    private Process fakeService(long parentPid, String mainClass) throws Exception {
        // the trailing ':' keeps the shell from exec'ing sleep, which would replace this command line
        service = new ProcessBuilder("sh", "-c", "sleep 300; :", ChildMain.class.getName(),
                Long.toString(parentPid), mainClass).start();
        return service;
    }

    private Path recorded(Path data, Process process) throws Exception {
        Files.createDirectories(data);
        return Files.writeString(data.resolve("embedded-services.pids"), process.pid() + "\n");
    }

    @Test
    void aDataDirectoryOfARunStillGoingIsRefusedInOneLine() throws Exception {
        Path data = dir.resolve("data");
        recorded(data, fakeService(ProcessHandle.current().pid(), "kafka.Kafka"));
        Path config = Files.writeString(dir.resolve("migration.yaml"), """
                migrationId: leftover
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 104}
                destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 105}
                index: {from: 2024-01-01, to: 2024-01-02}
                storage: {dataDirectory: %s}
                """.formatted(data));
        CliRun r = CliRun.of("replay", "--config", config.toString(), "--all");
        assertThat(r.exit()).as("stderr: %s", r.err()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err().strip()).isEqualTo("configuration error: config key 'storage.dataDirectory': " + data.toAbsolutePath()
                + " is in use by a pacs-migrator still running (process " + ProcessHandle.current().pid() + ", its embedded Kafka "
                + "(process " + service.pid() + ")): stop it first, or give this migration another data directory");
        assertThat(service.isAlive()).as("the other run's service is left alone").isTrue();
    }

    @Test
    void aServiceOfACrashedRunIsWaitedForThenNamedWithWhatToDo() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path pids = recorded(dir.resolve("data"), fakeService(gone.pid(), "org.apache.cassandra.service.CassandraDaemon"));
        assertThatThrownBy(() -> PreviousServices.awaitGone(pids, Duration.ofSeconds(1))).isInstanceOf(ConfigException.class)
                .hasMessage("config key 'storage.dataDirectory': the embedded Cassandra (process " + service.pid() + ") of a "
                        + "previous run still holds " + dir.resolve("data") + " after 1 s: stop it (kill " + service.pid()
                        + ") and start again");
        service.destroy();
        service.waitFor(10, TimeUnit.SECONDS);
        PreviousServices.awaitGone(pids, Duration.ofMillis(300)); // gone: nothing to wait for
    }

    @Test
    void aRecordedPidNowOfAnotherProgramIsNotAService() throws Exception {
        service = new ProcessBuilder("sleep", "300").start();
        assertThat(PreviousServices.running(recorded(dir.resolve("data"), service))).isEmpty();
    }
}
