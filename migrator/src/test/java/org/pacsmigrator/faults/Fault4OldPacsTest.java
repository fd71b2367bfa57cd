package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.migrator.MigrationRunner;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.TcpRelay;

/**
 * Scenario 4: the old PACS misbehaves while the all-in-one runner (MigrationRunner, every role in
 * this JVM) retrieves from it.
 * <ul>
 *   <li>stopped for a while: once a few studies are retrieved (and others are not), the Orthanc
 *       process is stopped for 25 s (associations refused), then started again. Studies whose retries
 *       ran out during the outage must be FAILED with a transient category and dead-lettered; the
 *       operator's {@code replay} of those categories must then complete them;</li>
 *   <li>answering slowly: every byte between migrator and old PACS passes a proxy that holds each chunk
 *       50 ms (C-FIND, C-MOVE requests and responses; the C-STOREs of the C-MOVE still go from the old
 *       PACS straight to the migrator's SCP, as with a real remote PACS). Everything must complete without
 *       a failure.</li>
 * </ul>
 */
@Tag("faults")
class Fault4OldPacsTest {
    private static final Set<String> TRANSIENT = Set.of("association rejected", "association refused", "timeout",
            "missing instances");

    @Test
    void oldPacsStoppedForAWhile() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "4a old PACS stopped for 25 s during retrieval (association refused)";
        String faults = "not injected yet";
        boolean rowWritten = false;
        try {
            env.newPacs().deleteAll();
            Path dir = env.scenarioDirectory("4a-old-pacs-stopped");
            String id = FaultEnvironment.migrationId("fo");
            Path file = env.migrationYaml(id, dir.resolve("data")).set("retrieve", "{pauseMillis: 300}")
                    .write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                runner.startWorkers();
                runner.index();
                String outage = Scenarios.outage("old PACS (Orthanc process stopped)",
                        () -> Scenarios.atLeast(runner.state(), StudyState.RETRIEVED) >= 3, env.oldPacs()::stop,
                        env.oldPacs()::start, 25_000, runner.state());
                long notRetrievedAtRestart = FaultEnvironment.STUDIES - Scenarios.atLeast(runner.state(), StudyState.RETRIEVED);
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished: %s", Scenarios.safeCounts(runner.state()))
                        .isTrue();
                Map<String, Integer> replayed = Scenarios.replayFailures(runner.state(), file, TRANSIENT);
                faults = "1 outage: " + outage + "; " + (replayed.isEmpty() ? "no study failed (retries bridged it)"
                        : "dead-lettered and replayed with `replay`: " + replayed);
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished after the replay").isTrue();
                FaultResults.Row row = Reconciliation.check(scenario, faults, env, Reconciliation.NewPacs.of(env.newPacs()),
                        runner.state(), Reconciliation.Expectation.allVerified());
                if (notRetrievedAtRestart == 0) {
                    row = Scenarios.failed(row, "the outage hit no pending retrieval");
                }
                FaultResults.append(row);
                rowWritten = true;
                assertThat(row.passed()).as("%s", row.markdown()).isTrue();
            }
            FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, faults, -1, -1, -1, false, t.toString()));
            }
            throw t;
        } finally {
            env.oldPacs().start(); // no-op when running
        }
    }

    @Test
    void oldPacsAnsweringSlowly() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "4b old PACS answering slowly (TCP proxy: +50 ms per chunk, both directions)";
        String faults = "not injected yet";
        boolean rowWritten = false;
        try (TcpRelay proxy = TcpRelay.delaying("127.0.0.1", env.oldPacs().dicomPort(), 50)) {
            env.newPacs().deleteAll();
            Path dir = env.scenarioDirectory("4b-old-pacs-slow");
            String id = FaultEnvironment.migrationId("fs");
            Path file = env.migrationYaml(id, dir.resolve("data"))
                    .set("source", "{aeTitle: %s, host: 127.0.0.1, port: %d, retrieveMethod: C-MOVE}"
                            .formatted(env.oldPacs().aeTitle(), proxy.port()))
                    .write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            long t0 = System.nanoTime();
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                runner.startWorkers();
                runner.index();
                boolean finished = Scenarios.awaitFinished(runner.state(), 20);
                faults = String.format("every migrator→old PACS association through the proxy: %d connections, %d chunks"
                                + " delayed 50 ms (%.1f MB); migration took %d s", proxy.connections(), proxy.chunks(),
                        proxy.bytes() / 1e6, (System.nanoTime() - t0) / 1_000_000_000);
                assertThat(finished).as("finished: %s", Scenarios.safeCounts(runner.state())).isTrue();
                FaultResults.Row row = Reconciliation.check(scenario, faults, env, Reconciliation.NewPacs.of(env.newPacs()),
                        runner.state(), Reconciliation.Expectation.allVerified());
                if (proxy.connections() < FaultEnvironment.STUDIES) {
                    row = Scenarios.failed(row, "only " + proxy.connections() + " associations went through the proxy");
                }
                FaultResults.append(row);
                rowWritten = true;
                assertThat(row.passed()).as("%s", row.markdown()).isTrue();
            }
            FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, faults, -1, -1, -1, false, t.toString()));
            }
            throw t;
        }
    }
}
