package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.migrator.MigrationRunner;
import org.pacsmigrator.topics.DeadLetters;
import org.pacsmigrator.topics.Topics;

/**
 * Scenario 5: the new PACS refuses. All-in-one runner in this JVM.
 * <ul>
 *   <li>5a refuses a SOP class: DCMTK storescp accepting only CT and MR images (a Secondary Capture
 *       cannot be negotiated). The six studies with a Secondary Capture must be FAILED with a
 *       forward category and dead-lettered on the forward stage's dead-letter topic, their CT/MR images
 *       sent; the other studies complete;</li>
 *   <li>5b refuses associations for a while: the new Orthanc is stopped 25 s while images are being
 *       forwarded, then started; studies dead-lettered meanwhile are replayed; all complete;</li>
 *   <li>5c acknowledges but discards a SOP class: an Orthanc whose filter drops Secondary Captures after
 *       answering C-STORE success (Orthanc 1.10's behaviour for filtered instances). The verifier's
 *       C-FIND must catch it: those studies FAILED "missing in destination", nothing marked verified
 *       that is not there.</li>
 * </ul>
 */
@Tag("faults")
class Fault5NewPacsTest {
    /** A SOP class refused in negotiation, not its transfer syntax (the probe context tells them apart). */
    private static final Set<String> FORWARD_REFUSALS = Set.of("SOP class not supported");
    /** A stopped PACS is "association refused" (connection refused) in every stage. */
    private static final Set<String> TRANSIENT = Set.of("association refused", "association rejected", "timeout");

    @Test
    void newPacsRefusesOneSopClass() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "5a new PACS refuses a SOP class (storescp without Secondary Capture)";
        String faults = "not injected yet";
        boolean rowWritten = false;
        Path dir = env.scenarioDirectory("5a-sop-class-refused");
        try (DcmtkStoreScp scp = new DcmtkStoreScp("REJPACS", dir.resolve("storescp"))) {
            String id = FaultEnvironment.migrationId("fr");
            Path file = env.migrationYaml(id, dir.resolve("data"))
                    .set("destination", "{aeTitle: %s, host: 127.0.0.1, port: %d}".formatted(scp.aeTitle(), scp.port()))
                    .set("verify", "{completion: sent}")
                    .write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            Set<String> refused = env.secondaryCaptureUids();
            Reconciliation.Expectation expectation = Reconciliation.Expectation.allVerified().notSent(refused)
                    .requireVerifiedInstances(false); // verify.completion: sent (storescp has no C-FIND)
            Set<String> studiesWithSc = new HashSet<>();
            for (GeneratedStudy s : env.plan()) {
                if (s.sopInstanceUids().stream().anyMatch(refused::contains)) {
                    expectation.studyFails(s.studyInstanceUid(), FORWARD_REFUSALS);
                    studiesWithSc.add(s.studyInstanceUid());
                }
            }
            faults = refused.size() + " Secondary Capture images in " + studiesWithSc.size()
                    + " studies; the SOP class is not accepted in association negotiation";
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                runner.startWorkers();
                runner.index();
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished: %s", Scenarios.safeCounts(runner.state()))
                        .isTrue();
                FaultResults.Row row = Reconciliation.check(scenario, faults, env, scp, runner.state(), expectation);
                Map<String, Integer> letters = deadLetterCategories(runner, new Topics(id).retrieved());
                int count = letters.values().stream().mapToInt(Integer::intValue).sum();
                if (count != studiesWithSc.size() || !FORWARD_REFUSALS.containsAll(letters.keySet())) {
                    row = Scenarios.failed(row, "dead letters of the forward stage: " + letters + ", expected "
                            + studiesWithSc.size() + " with a refusal category");
                } else {
                    row = new FaultResults.Row(row.scenario(), row.faults() + "; dead letters (forward stage): " + letters,
                            row.expected(), row.found(), row.duplicates(), row.passed(), row.detail());
                }
                FaultResults.append(row);
                rowWritten = true;
                assertThat(row.passed()).as("%s", row.markdown()).isTrue();
            }
            FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
            FaultEnvironment.deleteTree(dir.resolve("storescp").resolve("received"));
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, faults, -1, -1, -1, false, t.toString()));
            }
            throw t;
        }
    }

    @Test
    void newPacsRefusesAssociationsForAWhile() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "5b new PACS stopped for 25 s during forwarding (association refused)";
        String faults = "not injected yet";
        boolean rowWritten = false;
        try {
            env.newPacs().deleteAll();
            Path dir = env.scenarioDirectory("5b-new-pacs-stopped");
            String id = FaultEnvironment.migrationId("fn");
            Path file = env.migrationYaml(id, dir.resolve("data")).set("forward", "{pauseMillis: 200}")
                    .write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                runner.startWorkers();
                runner.index();
                String outage = Scenarios.outage("new PACS (Orthanc process stopped)",
                        () -> env.newPacs().receivedStores().size() >= 40, env.newPacs()::stop, env.newPacs()::start, 25_000,
                        runner.state());
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished: %s", Scenarios.safeCounts(runner.state()))
                        .isTrue();
                Map<String, Integer> replayed = Scenarios.replayFailures(runner.state(), file, TRANSIENT);
                faults = "1 outage: " + outage + "; " + (replayed.isEmpty() ? "no study failed (retries bridged it)"
                        : "dead-lettered and replayed with `replay`: " + replayed);
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished after the replay").isTrue();
                FaultResults.Row row = Reconciliation.check(scenario, faults, env, Reconciliation.NewPacs.of(env.newPacs()),
                        runner.state(), Reconciliation.Expectation.allVerified());
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
            env.newPacs().start();
        }
    }

    @Test
    void newPacsSilentlyDiscardsOneSopClass() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "5c new PACS answers success but discards a SOP class (Orthanc filter)";
        String faults = "not injected yet";
        boolean rowWritten = false;
        Path dir = env.scenarioDirectory("5c-sop-class-discarded");
        Path orthancDir = dir.resolve("discarding-pacs");
        Files.createDirectories(orthancDir);
        Path lua = Files.writeString(orthancDir.resolve("discard-secondary-capture.lua"), """
                function ReceivedInstanceFilter(dicom, origin, info)
                  if origin['RequestOrigin'] == 'DicomProtocol' then
                    local f = io.open('%s', 'a')
                    f:write((dicom['SOPInstanceUID'] or '?') .. '\\n')
                    f:close()
                  end
                  return dicom['SOPClassUID'] ~= '%s'
                end
                """.formatted(orthancDir.resolve("stores.log").toAbsolutePath(), FaultEnvironment.SECONDARY_CAPTURE));
        try (OrthancServer discarding = OrthancServer.start("DISCPACS", orthancDir, 0, 0, env.knownPeers(),
                Map.of("LuaScripts", List.of(lua.toAbsolutePath().toString())))) {
            String id = FaultEnvironment.migrationId("fx");
            Path file = env.migrationYaml(id, dir.resolve("data"))
                    .set("destination", "{aeTitle: DISCPACS, host: 127.0.0.1, port: %d}".formatted(discarding.dicomPort()))
                    .set("verify", "{maxAttempts: 2, retryDelaySeconds: 1}")
                    .write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            Set<String> discarded = env.secondaryCaptureUids();
            Reconciliation.Expectation expectation = Reconciliation.Expectation.allVerified().discardedByPacs(discarded);
            int studies = 0;
            for (GeneratedStudy s : env.plan()) {
                if (s.sopInstanceUids().stream().anyMatch(discarded::contains)) {
                    expectation.studyFails(s.studyInstanceUid(), Set.of("missing in destination"));
                    studies++;
                }
            }
            faults = discarded.size() + " Secondary Capture images in " + studies
                    + " studies acknowledged with C-STORE success and dropped by the new PACS";
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                runner.startWorkers();
                runner.index();
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("finished: %s", Scenarios.safeCounts(runner.state()))
                        .isTrue();
                FaultResults.Row row = Reconciliation.check(scenario, faults, env, Reconciliation.NewPacs.of(discarding),
                        runner.state(), expectation);
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

    private static Map<String, Integer> deadLetterCategories(MigrationRunner runner, String inputTopic) {
        Map<String, Integer> out = new TreeMap<>();
        for (DeadLetters.DeadLetter l : DeadLetters.pending(runner.kafkaSettings(), Topics.deadLetterOf(inputTopic), 1000)) {
            out.merge(l.category(), 1, Integer::sum);
        }
        return out;
    }
}
