package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.report.MigrationReport;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.testsupport.LogWatch;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * Issue 18, capped answers everywhere: the old and the new PACS cap C-FIND answers (Orthanc with LimitFindResults 3
 * and LimitFindInstances 6, the caps configured as index.findResultCap and verify.findResultCap as a user would).
 * Every day holds more studies than the cap, the range many more, every study more series than the cap and more
 * instances than the instance-level cap. The migration with C-FIND verification and its report finish complete,
 * with no "incomplete" warning in the logs or the report; afterwards the report's reconciliation finds an instance
 * deleted from the new PACS and a study stored late in the old one.
 */
class CappedArchiveMigrationTest {
    private static final int CAP = 3;
    private static final int INSTANCE_CAP = 6;
    private static final LocalDate FIRST_DAY = LocalDate.of(2024, 6, 3);
    private static final int DAYS = 3;
    /** 12 studies over 3 days, each with 4 series (CT, MR, CT, MR) of 2 instances; a patient per study. */
    private static final SyntheticPacsGenerator DATA = new SyntheticPacsGenerator(20261207L, 12, FIRST_DAY, DAYS, 4, 2, 12)
            .small().mixedSeries();
    /** A study stored in the old PACS after the run, for an indexed day: only a complete study-level listing finds it. */
    private static final SyntheticPacsGenerator LATE = new SyntheticPacsGenerator(20261208L, 1, FIRST_DAY.plusDays(1), 1, 4, 2, 1)
            .small().mixedSeries();
    private static final Map<String, Object> CAPS = Map.of("LimitFindResults", CAP, "LimitFindInstances", INSTANCE_CAP);

    private static OrthancServer oldPacs;
    private static OrthancServer newPacs;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Services s = MigrationFixture.services();
        Map<String, OrthancServer.Modality> migrator = Map.of("migrator",
                new OrthancServer.Modality(s.migrator().aeTitle(), "127.0.0.1", s.migrator().port()));
        oldPacs = OrthancServer.start("CAPPEDOLD", dir.resolve("old-pacs"), 0, 0, migrator, CAPS);
        newPacs = OrthancServer.start("CAPPEDNEW", dir.resolve("new-pacs"), 0, 0, migrator, CAPS);
        SyntheticSeeding.sendTo(DATA, Dicom.client("GENERATOR", DicomTimeouts.defaults()), MigrationFixture.node(oldPacs),
                Files.createDirectories(dir.resolve("seed")));
    }

    @AfterAll
    static void stop() {
        for (OrthancServer pacs : new OrthancServer[] {oldPacs, newPacs}) {
            if (pacs != null) {
                pacs.stop();
            }
        }
    }

    private static MigrationConfig config() {
        MigrationConfig base = MigrationFixture.config("C-MOVE", dir.resolve("data"));
        String yaml = """
                migrationId: %s
                source: {aeTitle: CAPPEDOLD, host: 127.0.0.1, port: %d}
                destination: {aeTitle: CAPPEDNEW, host: 127.0.0.1, port: %d}
                migrator: {aeTitle: %s, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s, findResultCap: %d}
                verify: {completion: sent-and-cfind, findResultCap: %d}
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 3}
                """.formatted(base.migrationId, oldPacs.dicomPort(), newPacs.dicomPort(), base.migrator.aeTitle,
                base.migrator.port, FIRST_DAY, FIRST_DAY.plusDays(DAYS - 1), CAP, CAP, base.storage.dataDirectory,
                base.services.kafka, base.services.cassandra, base.services.cassandraDatacenter);
        return ConfigLoader.validate(ConfigLoader.parse(yaml));
    }

    @Test
    void reportAndCFindVerificationAreCompleteOnCappedArchivesAndFindADeletedInstance() throws Exception {
        archivesReallyCap();
        MigrationConfig config = config();
        List<String> warnings = new ArrayList<>();
        String output;
        try (LogWatch log = LogWatch.watch()) {
            output = EndToEndMigrationTest.runExpectingSuccess(config); // also: no ERROR, no stack trace
            warnings.addAll(log.warningsAndErrors());
        }
        assertThat(output).contains("RESULT: COMPLETE")
                .contains("completion (sent-and-cfind): " + DATA.plan().count() + " of " + DATA.plan().count());
        assertThat(MigrationFixture.sorted(newPacs.sopInstanceUids())).isEqualTo(MigrationFixture.sorted(oldPacs.sopInstanceUids()))
                .hasSize(DATA.plan().mapToInt(GeneratedStudy::instanceCount).sum());
        try (StateStore state = CassandraStateStore.open(config.services.cassandra, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId)) {
            for (LocalDate day = FIRST_DAY; day.isBefore(FIRST_DAY.plusDays(DAYS)); day = day.plusDays(1)) {
                IndexDayRecord record = state.findIndexDay(day).orElseThrow();
                assertThat(record.split()).as("split of %s", day).startsWith("time:");
            }
        }
        Path reportDir = Path.of(config.storage.dataDirectory).resolve("report");
        assertThat(Files.readAllLines(reportDir.resolve("reconciliation.csv"))).as("reconciliation findings").hasSize(1);
        List<String> rows = Files.readAllLines(reportDir.resolve("report.csv"));
        int complete = List.of(rows.get(0).split(",")).indexOf("complete");
        assertThat(rows.subList(1, rows.size())).hasSize((int) DATA.plan().count()).allSatisfy(row -> assertThat(row.split(",")[complete])
                .as("complete of %s", row).isEqualTo("true"));
        assertReportComplete(reportDir);

        // One instance disappears from the new PACS, a study arrives late in the old one: the report (capped answers
        // on both sides) finds exactly these.
        GeneratedStudy victim = DATA.plan().toList().get(5);
        String lost = victim.series().get(2).sopInstanceUids().get(1);
        newPacs.delete("/instances/" + newPacs.post("/tools/lookup", lost).get(0).path("ID").asText());
        SyntheticSeeding.sendTo(LATE, Dicom.client("GENERATOR", DicomTimeouts.defaults()), MigrationFixture.node(oldPacs),
                Files.createDirectories(dir.resolve("late")));
        ByteArrayOutputStream reportOut = new ByteArrayOutputStream();
        int exit;
        try (LogWatch log = LogWatch.watch()) {
            exit = ReportCommand.run(config, null, false, new PrintStream(reportOut, true, StandardCharsets.UTF_8));
            warnings.addAll(log.warningsAndErrors());
        }
        assertThat(exit).isEqualTo(MigratorCli.INCOMPLETE);
        assertThat(reportOut.toString(StandardCharsets.UTF_8)).contains("1 instances missing in the new PACS")
                .doesNotContain("INCOMPLETE");
        List<String> findings = Files.readAllLines(reportDir.resolve("reconciliation.csv"));
        assertThat(findings).hasSize(3);
        assertThat(findings.get(1)).startsWith("instance,missing in new," + victim.studyInstanceUid() + ","
                + victim.series().get(2).seriesInstanceUid() + "," + lost + ",");
        assertThat(findings.get(2)).startsWith("study,missing in new (not indexed)," + LATE.plan().toList().get(0).studyInstanceUid());
        assertReportComplete(reportDir);
        assertThat(warnings).as("warnings of the run and the report").noneMatch(w -> w.toLowerCase().contains("incomplete"));
    }

    /** The preconditions: the archives do cap where this test says (else it would prove nothing). */
    private static void archivesReallyCap() throws Exception {
        List<GeneratedStudy> studies = Stream.concat(DATA.plan(), LATE.plan()).toList();
        assertThat(studies).allSatisfy(st -> {
            assertThat(st.series()).hasSizeGreaterThan(CAP);
            assertThat(st.instanceCount()).isGreaterThan(INSTANCE_CAP);
            assertThat(st.series().stream().filter(se -> se.modality().equals("CT"))).hasSizeLessThan(CAP);
            assertThat(st.series().stream().filter(se -> se.modality().equals("MR"))).hasSizeLessThan(CAP);
        });
        for (LocalDate day = FIRST_DAY; day.isBefore(FIRST_DAY.plusDays(DAYS)); day = day.plusDays(1)) {
            LocalDate d = day;
            List<LocalTime> times = studies.stream().filter(st -> st.studyDate().equals(d)).map(GeneratedStudy::studyTime)
                    .sorted().toList();
            assertThat(times).as("studies of %s", day).hasSizeGreaterThan(CAP);
            // every study of a day has CT and MR: only the time can split a day, so no 3 within a minimum span
            for (int i = 0; i + CAP - 1 < times.size(); i++) {
                assertThat(Duration.between(times.get(i), times.get(i + CAP - 1)).toMinutes())
                        .as("span of %d studies on %s", CAP, day).isGreaterThan(15);
            }
        }
        DicomClient client = Dicom.client(MigrationFixture.services().migrator().aeTitle(), DicomTimeouts.defaults());
        DicomNode old = MigrationFixture.node(oldPacs);
        GeneratedStudy first = studies.get(0);
        String range = FIRST_DAY.toString().replace("-", "") + "-" + FIRST_DAY.plusDays(DAYS - 1).toString().replace("-", "");
        assertThat(find(client, old, QueryLevel.STUDY, Map.of("StudyDate", range, "StudyInstanceUID", "")).cancelled()).isTrue();
        assertThat(find(client, old, QueryLevel.SERIES, Map.of("StudyInstanceUID", first.studyInstanceUid(),
                "SeriesInstanceUID", "")).cancelled()).isTrue();
        assertThat(find(client, old, QueryLevel.IMAGE, Map.of("StudyInstanceUID", first.studyInstanceUid(),
                "SeriesInstanceUID", "", "SOPInstanceUID", "")).cancelled()).isTrue();
    }

    private static FindOutcome find(DicomClient client, DicomNode pacs, QueryLevel level, Map<String, String> keys)
            throws Exception {
        return client.find(pacs, level, DicomDataset.of(keys), m -> { });
    }

    private static void assertReportComplete(Path reportDir) throws Exception {
        String findings = Files.readString(reportDir.resolve("reconciliation.csv"));
        String html = Files.readString(reportDir.resolve("report.html"));
        assertThat(findings).doesNotContain(MigrationReport.INCOMPLETE);
        assertThat(html).doesNotContain(MigrationReport.INCOMPLETE).doesNotContain("<tr class=\"incomplete\">");
    }
}
