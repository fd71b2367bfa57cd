package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;

/**
 * DIMSE old PACS → DICOMweb new archive, end to end: the run command against the shared old Orthanc and an Orthanc
 * with its DICOMweb plugin as the new archive (STOW-RS to store, QIDO-RS to verify).
 */
class DicomWebMigrationTest {
    private static final LocalDate FROM = MigrationFixture.FIRST_DAY;
    private static final LocalDate TO = FROM.plusDays(1);
    private static OrthancServer archive;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        archive = OrthancServer.start("WEBPACS", Files.createTempDirectory("dicomweb-archive"), 0, 0, Map.of(),
                OrthancServer.withDicomWeb(Map.of("DicomServerEnabled", false)));
    }

    @AfterAll
    static void stop() {
        archive.close();
    }

    @Test
    void aDimseToDicomWebMigrationStoresEveryInstanceOnceAndVerifiesItByQido() throws Exception {
        String yaml = MigrationFixture.yaml("C-GET", dir.resolve("data"), MigrationFixture.services().oldPacs(), FROM, TO)
                .replaceFirst("destination: \\{[^}]*}", "destination: {protocol: dicomweb, aeTitle: WEBPACS, dicomweb: {url: '"
                        + archive.dicomWebUrl() + "', maxRequestMb: 1}}");
        MigrationConfig config = ConfigLoader.validate(ConfigLoader.parse(yaml));
        List<String> expected = MigrationFixture.generator().plan().filter(s -> !s.studyDate().isAfter(TO))
                .flatMap(s -> s.sopInstanceUids().stream()).sorted().toList();
        assertThat(expected).isNotEmpty();

        String output = EndToEndMigrationTest.runExpectingSuccess(config);

        assertThat(output).contains("RESULT: COMPLETE");
        assertThat(MigrationFixture.sorted(archive.sopInstanceUids())).isEqualTo(expected);
        assertThat(archive.receivedStores()).as("every instance arrived once").hasSize(expected.size()).doesNotHaveDuplicates();
        try (StateStore state = CassandraStateStore.open(config.services.cassandra, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId)) {
            int instances = 0;
            for (StudyRecord s : state.allStudies()) {
                assertThat(s.state()).as("state of study %s", s.studyInstanceUid()).isEqualTo(StudyState.VERIFIED);
                for (InstanceRecord i : state.instancesOf(s.studyInstanceUid())) {
                    instances++;
                    assertThat(i.forwarded() && i.verified()).as("instance %s sent and listed by QIDO-RS", i.sopInstanceUid()).isTrue();
                }
            }
            assertThat(instances).isEqualTo(expected.size());
        }
    }
}
