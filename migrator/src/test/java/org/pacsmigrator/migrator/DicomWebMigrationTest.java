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
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * Mixed migrations end to end, with Orthancs and their DICOMweb plugin: DIMSE old PACS → DICOMweb new archive
 * (STOW-RS to store, QIDO-RS to verify), and DICOMweb old archive → DIMSE new PACS (QIDO-RS to index and reconcile,
 * WADO-RS to retrieve).
 */
class DicomWebMigrationTest {
    private static final LocalDate FROM = MigrationFixture.FIRST_DAY;
    private static final LocalDate TO = FROM.plusDays(1);
    private static OrthancServer archive;
    /** A DICOMweb old archive holding the fixture's studies (seeded over DIMSE). */
    private static OrthancServer webSource;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        archive = OrthancServer.start("WEBPACS", Files.createTempDirectory("dicomweb-archive"), 0, 0, Map.of(),
                OrthancServer.withDicomWeb(Map.of("DicomServerEnabled", false)));
        webSource = OrthancServer.start("WEBOLD", Files.createTempDirectory("dicomweb-source"), 0, 0, Map.of(),
                OrthancServer.withDicomWeb(Map.of()));
        SyntheticSeeding.sendTo(MigrationFixture.generator(), Dicom.client("GENERATOR", DicomTimeouts.defaults()),
                MigrationFixture.node(webSource), Files.createTempDirectory("seed"));
    }

    @AfterAll
    static void stop() {
        archive.close();
        webSource.close();
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

    @Test
    void aDicomWebToDimseMigrationIndexesByQidoRetrievesByWadoAndReconciles() throws Exception {
        OrthancServer newPacs = MigrationFixture.services().newPacs();
        newPacs.deleteAll();
        // pages of 4 matches: every day's QIDO-RS answer is read over several pages
        String yaml = MigrationFixture.yaml("C-GET", dir.resolve("data"), webSource, FROM, TO)
                .replaceFirst("source: \\{[^}]*}", "source: {protocol: dicomweb, aeTitle: WEBOLD, dicomweb: {url: '"
                        + webSource.dicomWebUrl() + "', qidoPageSize: 4}}");
        MigrationConfig config = ConfigLoader.validate(ConfigLoader.parse(yaml));
        assertThat(config.source.retrieveMethod).isEqualTo(MigrationConfig.RetrieveMethod.WADO_RS);
        List<String> expected = MigrationFixture.generator().plan().filter(s -> !s.studyDate().isAfter(TO))
                .flatMap(s -> s.sopInstanceUids().stream()).sorted().toList();
        assertThat(expected).hasSizeGreaterThan(4);

        String output = EndToEndMigrationTest.runExpectingSuccess(config);

        assertThat(output).contains("RESULT: COMPLETE");
        assertThat(MigrationFixture.sorted(newPacs.sopInstanceUids())).isEqualTo(expected);
        assertThat(newPacs.receivedStores()).as("every instance arrived once").hasSize(expected.size()).doesNotHaveDuplicates();
        for (String sop : List.of(expected.get(0), expected.get(expected.size() - 1))) {
            assertThat(newPacs.instanceFile(sop)).as("instance %s as the old archive holds it", sop)
                    .isEqualTo(webSource.instanceFile(sop));
        }
        Path reconciliation = dir.resolve("data").resolve("report").resolve("reconciliation.csv");
        assertThat(output).as("the report reconciled both archives").contains("0 findings, 0 instances missing in the new PACS");
        assertThat(Files.readAllLines(reconciliation)).hasSize(1); // the header: nothing missing on either side
    }
}
