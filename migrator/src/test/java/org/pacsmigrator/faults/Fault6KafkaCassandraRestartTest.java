package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.harness.CassandraNode;
import org.pacsmigrator.harness.KafkaBroker;
import org.pacsmigrator.migrator.MigrationRunner;

/**
 * Scenario 6: the Kafka broker and the Cassandra node restart during the migration. Both are
 * dedicated to this scenario (harness {@link KafkaBroker} and {@link CassandraNode}, child JVMs under
 * the scenario's directory, same ports and data across the restart); the all-in-one runner in this JVM
 * uses them. Once the forwarding is under way the broker is stopped for 15 s and started again; later
 * the Cassandra node likewise. The migration must end complete; studies dead-lettered meanwhile (if
 * any) are replayed with the {@code replay} command, and the row says so.
 */
@Tag("faults")
class Fault6KafkaCassandraRestartTest {
    @Test
    void kafkaAndCassandraRestartDuringTheMigration() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "6 Kafka broker restart and Cassandra restart during the migration";
        String faults = "not injected yet";
        boolean rowWritten = false;
        Path dir = env.scenarioDirectory("6-kafka-cassandra-restart");
        // a port taken before the broker or the node bound it: the harness starts them again on other ports
        try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
             CassandraNode cassandra = CassandraNode.start(dir.resolve("cassandra"), true)) {
            env.newPacs().deleteAll();
            String id = FaultEnvironment.migrationId("fb");
            Path file = env.migrationYaml(id, dir.resolve("data"))
                    .set("retrieve", "{pauseMillis: 300}")
                    .set("forward", "{pauseMillis: 300}")
                    .set("services", "{kafka: \"%s\", cassandra: \"%s\", cassandraDatacenter: %s, partitions: 3}".formatted(
                            kafka.bootstrapServers(), cassandra.contactPoint(), cassandra.localDatacenter()))
                    .write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            int total = env.totalInstances();
            try (MigrationRunner runner = new MigrationRunner(config, kafka.bootstrapServers(), cassandra.contactPoint())) {
                runner.startWorkers();
                runner.index();
                String kafkaOutage = Scenarios.outage("Kafka broker (stopped, started)",
                        () -> env.newPacs().receivedStores().size() >= total / 5, kafka::stop, kafka::start, 15_000,
                        runner.state());
                String cassandraOutage = Scenarios.outage("Cassandra node (stopped, started)",
                        () -> env.newPacs().receivedStores().size() >= total / 2, cassandra::stop, cassandra::start, 15_000,
                        runner.state());
                boolean finished = Scenarios.awaitFinished(runner.state(), 20);
                faults = "2 restarts: " + kafkaOutage + "; " + cassandraOutage;
                assertThat(finished).as("finished after the restarts: %s", Scenarios.safeCounts(runner.state())).isTrue();
                Map<String, Integer> replayed = Scenarios.replayFailures(runner.state(), file, null);
                faults += "; " + (replayed.isEmpty() ? "no study failed, nothing replayed"
                        : "dead-lettered and replayed with `replay`: " + replayed);
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished after the replay: %s",
                        Scenarios.safeCounts(runner.state())).isTrue();
                FaultResults.Row row = Reconciliation.check(scenario, faults, env, Reconciliation.NewPacs.of(env.newPacs()),
                        runner.state(), Reconciliation.Expectation.allVerified());
                FaultResults.append(row);
                rowWritten = true;
                assertThat(row.passed()).as("%s", row.markdown()).isTrue();
            }
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, faults, -1, -1, -1, false, t.toString()));
            }
            throw t;
        }
        FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
    }
}
