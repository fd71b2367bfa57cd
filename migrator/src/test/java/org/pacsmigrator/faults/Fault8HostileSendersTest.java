package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.migrator.MigrationRunner;
import org.pacsmigrator.testsupport.HostileSenders;
import org.pacsmigrator.testsupport.TcpRelay;

/**
 * Scenario 8: strangers and a misbehaving source write to the storage SCP during the migration
 * ({@link HostileSenders}: a stranger's association, an instance of a study nobody retrieves, one not in the
 * manifest, a truncated data set, a data set that is not its command's instance, absurd PDU lengths, a
 * command-fragment flood, 200 idle sockets). Every study must end verified with exactly the old PACS's
 * instances in the new one, and each hostile store answered with its refusal.
 */
@Tag("faults")
class Fault8HostileSendersTest {
    private static final Map<String, Integer> EXPECTED = Map.of(
            "stranger association", 3,
            "study not being retrieved", Admission.STUDY_NOT_RETRIEVING.status(),
            "not in manifest", Admission.NOT_IN_MANIFEST.status(),
            "truncated", InstanceRefusal.STATUS_CANNOT_UNDERSTAND,
            "other instance than its command", InstanceRefusal.STATUS_DOES_NOT_MATCH,
            "echo after the floods", 0);

    @Test
    void onlyTheOldPacsOwnInstancesGetIn() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "8 hostile senders at the storage SCP during the migration";
        String faults = "not injected yet";
        boolean rowWritten = false;
        try {
            env.newPacs().deleteAll();
            Path dir = env.scenarioDirectory("8-hostile-senders");
            String id = FaultEnvironment.migrationId("fh");
            HostileSenders attack = new HostileSenders(env.oldPacs(), env.plan(), FaultEnvironment.MIGRATOR_AE, dir);
            try (attack; TcpRelay relay = attack.relay(env.migratorPort())) {
                FaultEnvironment.MigrationYaml yaml = env.migrationYaml(id, dir.resolve("data"));
                yaml.set("source", "{aeTitle: %s, host: 127.0.0.1, port: %d, retrieveMethod: C-MOVE}"
                        .formatted(env.oldPacs().aeTitle(), relay.port()));
                MigrationConfig config = ConfigLoader.load(yaml.write(dir.resolve("migration.yaml")));
                try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                    runner.startWorkers();
                    runner.index();
                    assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("migration finished").isTrue();
                    runner.awaitIdle(Duration.ofMinutes(3));
                    faults = "stranger AE, foreign study, instance not in manifest, truncated data set, SOP Instance UID"
                            + " not the command's, PDU lengths 0x7FFFFFFF/0x3FFFFFF0/0x18000000, command-fragment flood,"
                            + " 200 idle sockets; answered " + hex(attack.answers());
                    FaultResults.Row row = Reconciliation.check(scenario, faults, env,
                            Reconciliation.NewPacs.of(env.newPacs()), runner.state(), Reconciliation.Expectation.allVerified());
                    if (attack.failure() != null || !EXPECTED.equals(attack.answers())) {
                        row = Scenarios.failed(row, "hostile stores answered " + hex(attack.answers()) + ", expected " + hex(EXPECTED)
                                + (attack.failure() == null ? "" : "; attack failed: " + attack.failure()));
                    }
                    FaultResults.append(row);
                    rowWritten = true;
                    assertThat(row.passed()).as("%s", row.markdown()).isTrue();
                }
            }
            FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, faults, -1, -1, -1, false, t.toString()));
            }
            throw t;
        }
    }

    /** C-STORE statuses in hex (the association answer is a PDU type, 3 = A-ASSOCIATE-RJ). */
    private static String hex(Map<String, Integer> answers) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(answers).forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(k.contains("association") ? "PDU " + v : String.format("0x%04X", v)));
        return b.toString();
    }
}
