package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Admission;
import org.pacsmigrator.dicom.InstanceRefusal;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.RefusedInstance;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.HostileSenders;
import org.pacsmigrator.testsupport.TcpRelay;

/**
 * A migration while strangers and a misbehaving source write to our storage SCP ({@link HostileSenders}): only
 * the old PACS's own instances reach the new one, each once, every study completes, the refusals are on the
 * study and in the report, and nothing of a stranger's study is kept.
 */
class HostileSendersMigrationTest {
    private static OrthancServer oldPacs;
    private static OrthancServer newPacs;

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        oldPacs = MigrationFixture.services().oldPacs();
        newPacs = MigrationFixture.services().newPacs();
    }

    @Test
    void onlyTheOldPacsOwnInstancesArriveAndEveryStudyCompletes() throws Exception {
        newPacs.deleteAll();
        MigrationConfig config = MigrationFixture.config("C-MOVE", dir.resolve("data"));
        HostileSenders attack = new HostileSenders(oldPacs, MigrationFixture.generator().plan().toList(),
                config.migrator.aeTitle, dir);
        try (attack; TcpRelay relay = attack.relay(config.migrator.port)) {
            config.source.port = relay.port();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int exit;
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                exit = SingleMachine.run(config, out, false);
            }
            assertThat(attack.failure()).as("the attack itself").isNull();
            assertThat(exit).as("exit code; output:%n%s", bytes).isZero();
        }
        String study = attack.attackedStudy();
        assertThat(study).as("a C-MOVE was seen and attacked").isNotNull();
        assertThat(attack.answers()).containsEntry("stranger association", 3) // A-ASSOCIATE-RJ
                .containsEntry("study not being retrieved", Admission.STUDY_NOT_RETRIEVING.status())
                .containsEntry("not in manifest", Admission.NOT_IN_MANIFEST.status())
                .containsEntry("truncated", InstanceRefusal.STATUS_CANNOT_UNDERSTAND)
                .containsEntry("other instance than its command", InstanceRefusal.STATUS_DOES_NOT_MATCH)
                .containsEntry("echo after the floods", 0);

        // the new PACS holds exactly the old PACS's instances, each stored once
        assertThat(MigrationFixture.sorted(newPacs.sopInstanceUids()))
                .isEqualTo(MigrationFixture.sorted(oldPacs.sopInstanceUids()));
        assertThat(newPacs.receivedStores()).hasSize(MigrationFixture.TOTAL_INSTANCES).doesNotHaveDuplicates();

        try (StateStore state = CassandraStateStore.open(config.services.cassandra, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId)) {
            int studies = 0;
            for (StudyRecord s : state.allStudies()) {
                studies++;
                assertThat(s.state()).as("study %s", s.studyInstanceUid()).isEqualTo(StudyState.VERIFIED);
                assertThat(state.instancesOf(s.studyInstanceUid())).extracting(i -> i.sopInstanceUid())
                        .doesNotContain(attack.foreignSop());
            }
            assertThat(studies).isEqualTo(MigrationFixture.STUDIES);
            assertThat(state.refusalsOf(study)).extracting(RefusedInstance::category)
                    .containsExactlyInAnyOrder(Admission.NOT_IN_MANIFEST.reason(), InstanceRefusal.INCOMPLETE,
                            InstanceRefusal.MISMATCH);
        }
        // the report lists the refusals on the study's row and each refused instance with its action
        Path report = dir.resolve("data").resolve("report");
        String studyRow = Files.readAllLines(report.resolve("report.csv")).stream()
                .filter(l -> l.contains(study)).findFirst().orElseThrow();
        assertThat(studyRow).contains("instance not in manifest (1)").contains("incomplete dataset (1)");
        assertThat(Files.readString(report.resolve("reconciliation.csv")))
                .contains("refused: command and dataset differ").contains("refused: instance not in manifest");
        // nothing of the stranger's study reached the cache
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            assertThat(files.map(Path::toString).filter(p -> p.contains(attack.foreignSop()))).isEmpty();
        }
    }
}
