package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pacsmigrator.testsupport.TextImages.hex;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.LogWatch;
import org.pacsmigrator.testsupport.RawElements;
import org.pacsmigrator.testsupport.TextImages;

/**
 * Patients with names in every kind of character set, migrated with the defaults from an Orthanc that, like
 * many archives, answers C-FIND in ISO_IR 100 whatever its images hold (and ignores a request for UTF-8):
 * every study migrates, none is flagged, and the new PACS holds each PatientName and Specific Character Set
 * byte for byte as the original image had them. A real conflict (same PatientID, another name and birth
 * date, in another study) still stops with the default policy and goes through the conflict rule with
 * 'rule', and what that rule does not change stays byte for byte too (ISO 2022 names included).
 * Own Orthancs (old and new), the shared Kafka and Cassandra.
 */
class CharacterSetMigrationTest {
    private static final String MIGRATOR_AE = "CSMIGRATOR";
    private static final LocalDate NAMES_DAY = LocalDate.of(2024, 5, 6);
    private static final LocalDate CONFLICT_DAY = LocalDate.of(2024, 5, 7);
    private static final byte[] YAMADA_ISO_2022 = hex("59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42"
            + " 5e 1b 24 42 42 40 4f 3a 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42");

    private static OrthancServer oldPacs;
    private static OrthancServer newPacs;
    private static int migratorPort;
    /** Every image put into the old PACS, by SOP Instance UID: the bytes the new PACS must hold. */
    private static final Map<String, byte[]> ORIGINALS = new HashMap<>();
    private static final Map<String, String> NAMES_STUDIES = new HashMap<>(); // study UID -> what it tests
    private static final List<String> CONFLICT_STUDIES = new ArrayList<>();

    @TempDir
    Path dir;

    /** A patient's name in a character set, as bytes per image (a second image may write the same name otherwise). */
    private record Patient(String label, String charset, byte[] name, byte[] nameInSecondImage) {
        static Patient of(String label, String charset, String javaCharset, String name) {
            byte[] bytes = name.getBytes(Charset.forName(javaCharset));
            return new Patient(label, charset, bytes, bytes);
        }
    }

    @BeforeAll
    static void startPacsAndSeed(@TempDir Path base) throws Exception {
        migratorPort = Ports.freePort();
        Map<String, OrthancServer.Modality> migrator = Map.of(MIGRATOR_AE,
                new OrthancServer.Modality(MIGRATOR_AE, "127.0.0.1", migratorPort));
        oldPacs = OrthancServer.start("CSOLDPACS", base.resolve("old"), migrator);
        newPacs = OrthancServer.start("CSNEWPACS", base.resolve("new"), migrator);
        List<Patient> patients = List.of(
                Patient.of("UTF-8 Japanese", "ISO_IR 192", "UTF-8", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
                Patient.of("UTF-8 Chinese", "ISO_IR 192", "UTF-8", "Wang^XiaoDong=王^小東"),
                // the second image writes the Hangul as jamo (NFD): the same name
                new Patient("UTF-8 Korean", "ISO_IR 192", "Hong^Gildong=洪^吉洞=홍^길동".getBytes(StandardCharsets.UTF_8),
                        "Hong^Gildong=洪^吉洞=\u1112\u1169\u11BC^\u1100\u1175\u11AF\u1103\u1169\u11BC".getBytes(StandardCharsets.UTF_8)),
                Patient.of("UTF-8 Greek", "ISO_IR 192", "UTF-8", "Διονυσιος^Ελένη"),
                Patient.of("UTF-8 Cyrillic", "ISO_IR 192", "UTF-8", "Иванов^Иван"),
                Patient.of("UTF-8 Hebrew", "ISO_IR 192", "UTF-8", "שרון^דבורה"),
                Patient.of("UTF-8 Arabic", "ISO_IR 192", "UTF-8", "قباني^نزار"),
                new Patient("ISO 2022 IR 87", "\\ISO 2022 IR 87", YAMADA_ISO_2022, YAMADA_ISO_2022),
                // the second image has empty trailing components
                new Patient("ISO_IR 100", "ISO_IR 100", "Müller^Jörg".getBytes(StandardCharsets.ISO_8859_1),
                        "Müller^Jörg^^".getBytes(StandardCharsets.ISO_8859_1)),
                Patient.of("ISO_IR 144", "ISO_IR 144", "ISO-8859-5", "Петров^Пётр"),
                Patient.of("GB18030", "GB18030", "GB18030", "Wang^XiaoDong=王^小东"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < patients.size(); i++) {
            Patient p = patients.get(i);
            String study = "2.25.4000" + i + "." + System.currentTimeMillis();
            NAMES_STUDIES.put(study, p.label());
            files.add(write(base, new TextImages.Image(p.charset(), p.name(), "CS" + i, "19" + (50 + i) + "0101", "F",
                    NAMES_DAY.toString().replace("-", ""), study, study + ".1", study + ".1.1")));
            files.add(write(base, new TextImages.Image(p.charset(), p.nameInSecondImage(), "CS" + i, "19" + (50 + i) + "0101", "F",
                    NAMES_DAY.toString().replace("-", ""), study, study + ".1", study + ".1.2")));
        }
        // Two patients with one PatientID, other names and birth dates, in two studies (ISO 2022, which a rule's
        // rewrite must keep byte for byte)
        byte[] suzuki = ("Suzuki^Hanako=" + iso2022("鈴木") + "^" + iso2022("花子")).getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] name : List.of(YAMADA_ISO_2022, suzuki)) {
            String study = "2.25.5000" + CONFLICT_STUDIES.size() + "." + System.currentTimeMillis();
            CONFLICT_STUDIES.add(study);
            String born = name == suzuki ? "19800202" : "19700101";
            for (int image = 1; image <= 2; image++) {
                files.add(write(base, new TextImages.Image("\\ISO 2022 IR 87", name, "CONFLICT1", born, "F",
                        CONFLICT_DAY.toString().replace("-", ""), study, study + ".1", study + ".1." + image)));
            }
        }
        Dicom.client("SEEDER", DicomTimeouts.defaults()).store(new DicomNode(oldPacs.aeTitle(), oldPacs.host(),
                oldPacs.dicomPort()), files, (file, sop, status, detail) -> assertThat(status).as("seeding %s", sop).isZero());
        assertThat(oldPacs.countInstances()).isEqualTo(files.size());
    }

    /** JIS X 0208 text between the escape sequences of ISO 2022 IR 87, as Latin-1 characters (one per byte). */
    private static String iso2022(String japanese) {
        return new String(japanese.getBytes(Charset.forName("ISO-2022-JP")), StandardCharsets.ISO_8859_1);
    }

    private static Path write(Path base, TextImages.Image image) throws Exception {
        byte[] bytes = TextImages.part10(image);
        ORIGINALS.put(image.sopUid(), bytes);
        return Files.write(Files.createDirectories(base.resolve("seed")).resolve(image.sopUid() + ".dcm"), bytes);
    }

    @AfterAll
    static void stopPacs() {
        if (oldPacs != null) {
            oldPacs.close();
        }
        if (newPacs != null) {
            newPacs.close();
        }
    }

    @BeforeEach
    void emptyNewPacs() {
        newPacs.deleteAll();
    }

    private MigrationConfig config(LocalDate day, String forward) {
        Services s = MigrationFixture.services();
        String id = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String yaml = """
                migrationId: %s
                source: {aeTitle: %s, host: 127.0.0.1, port: %d, retrieveMethod: C-MOVE}
                destination: {aeTitle: %s, host: 127.0.0.1, port: %d}
                migrator: {aeTitle: %s, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s}
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 3}
                %s
                """.formatted(id, oldPacs.aeTitle(), oldPacs.dicomPort(), newPacs.aeTitle(), newPacs.dicomPort(), MIGRATOR_AE,
                migratorPort, day, day, dir.resolve("data"), s.kafka().bootstrapServers(), s.cassandra().contactPoint(),
                s.cassandra().localDatacenter(), forward);
        return ConfigLoader.validate(ConfigLoader.parse(yaml));
    }

    private static StateStore state(MigrationConfig config) {
        return CassandraStateStore.open(config.services.cassandra, config.services.cassandraDatacenter,
                "pacsmig_" + config.migrationId);
    }

    @Test
    void everyNameMigratesUnflaggedAndTheNewPacsHoldsItsBytes() throws Exception {
        MigrationConfig config = config(NAMES_DAY, "");
        assertThat(EndToEndMigrationTest.runExpectingSuccess(config)).contains("RESULT: COMPLETE");
        try (StateStore state = state(config)) {
            List<StudyRecord> studies = new ArrayList<>();
            state.allStudies().forEach(studies::add);
            assertThat(studies).extracting(StudyRecord::studyInstanceUid).containsExactlyInAnyOrderElementsOf(NAMES_STUDIES.keySet());
            for (StudyRecord s : studies) {
                String what = NAMES_STUDIES.get(s.studyInstanceUid());
                assertThat(s.state()).as("%s", what).isEqualTo(StudyState.VERIFIED);
                assertThat(s.failureCategory()).as("%s", what).isNull();
                // Orthanc 1.10 answers in its own set, whatever we asked for
                assertThat(s.indexCharacterSet()).as("%s", what).isEqualTo("ISO_IR 100");
                assertThat(s.unknownAttributes()).as("%s: the index's name is unknown unless Latin-1 carried it", what)
                        .isEqualTo(what.equals("ISO_IR 100") ? Set.of() : Set.of("PatientName"));
                // What receipt recorded (and the forwarder checked) is what a read of the original image gives.
                for (InstanceRecord i : state.instancesOf(s.studyInstanceUid())) {
                    Path original = Files.write(dir.resolve(i.sopInstanceUid() + ".dcm"), ORIGINALS.get(i.sopInstanceUid()));
                    assertThat(i.patient()).as("%s: patient of %s", what, i.sopInstanceUid()).isNotNull()
                            .usingRecursiveComparison().isEqualTo(PatientAttributes.of(DicomFiles.readPatientAttributes(original)));
                }
            }
        }
        assertNewPacsHoldsTheOriginalBytes(NAMES_STUDIES.keySet().stream().toList(), List.of());
    }

    @Test
    void aRealConflictStopsUnderTheDefaultPolicy() throws Exception {
        MigrationConfig config = config(CONFLICT_DAY, "");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> logged;
        try (LogWatch log = LogWatch.watch(); PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            SingleMachine.run(config, out, false);
            logged = log.warningsAndErrors();
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("RESULT: INCOMPLETE");
        try (StateStore state = state(config)) {
            List<StudyRecord> studies = CONFLICT_STUDIES.stream().map(uid -> state.findStudy(uid).orElseThrow()).toList();
            assertThat(studies).filteredOn(s -> s.state() == StudyState.FAILED).singleElement().satisfies(failed -> {
                assertThat(failed.failureCategory()).isEqualTo("patient ID conflict");
                assertThat(failed.failureMessage()).contains("PatientName").contains("PatientBirthDate")
                        .doesNotContain("Suzuki").doesNotContain("Yamada").doesNotContain("19800202");
            });
            StudyRecord migrated = studies.stream().filter(s -> s.state() != StudyState.FAILED).findFirst().orElseThrow();
            assertThat(migrated.state()).isEqualTo(StudyState.VERIFIED);
            assertNewPacsHoldsTheOriginalBytes(List.of(migrated.studyInstanceUid()), List.of());
        }
        assertThat(String.join("\n", logged) + output).as("logs and output name UIDs, never patient names or values")
                .doesNotContain("Suzuki").doesNotContain("Yamada").doesNotContain("19800202");
    }

    @Test
    void aRealConflictGoesThroughTheConflictRuleWithTheRulePolicy() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - {name: quarantine-domain, onPatientIdConflict: true, patientIdDomain: {prefix: "CONFLICT-"}}
                """);
        MigrationConfig config = config(CONFLICT_DAY, "forward: {patientIdConflict: rule, rulesFile: " + rules + "}");
        assertThat(EndToEndMigrationTest.runExpectingSuccess(config)).contains("RESULT: COMPLETE");
        Map<String, String> patientIds = new HashMap<>();
        for (String study : CONFLICT_STUDIES) {
            for (int image = 1; image <= 2; image++) {
                byte[] file = newPacs.instanceFile(study + ".1." + image);
                patientIds.merge(study, new String(RawElements.value(file, 0x0010, 0x0020), StandardCharsets.US_ASCII).strip(),
                        (a, b) -> a.equals(b) ? a : a + "|" + b);
            }
        }
        assertThat(patientIds.values()).as("one study as it was, the conflicting one in the quarantine domain")
                .containsExactlyInAnyOrder("CONFLICT1", "CONFLICT-CONFLICT1");
        String ruled = patientIds.entrySet().stream().filter(e -> e.getValue().startsWith("CONFLICT-")).findFirst()
                .orElseThrow().getKey();
        // the rule changed the PatientID only: the ISO 2022 name and the character set stay byte for byte
        assertNewPacsHoldsTheOriginalBytes(CONFLICT_STUDIES, List.of(ruled));
    }

    /** PatientName and Specific Character Set of every image of the studies as the originals had them; the rest unchanged unless ruled. */
    private static void assertNewPacsHoldsTheOriginalBytes(List<String> studies, List<String> ruledStudies) {
        int compared = 0;
        for (Map.Entry<String, byte[]> original : ORIGINALS.entrySet()) {
            String sop = original.getKey();
            String study = sop.substring(0, sop.length() - ".1.1".length());
            if (!studies.contains(study)) {
                continue;
            }
            byte[] migrated = newPacs.instanceFile(sop);
            assertThat(RawElements.value(migrated, 0x0010, 0x0010)).as("PatientName of %s", sop)
                    .isEqualTo(RawElements.value(original.getValue(), 0x0010, 0x0010));
            assertThat(RawElements.value(migrated, 0x0008, 0x0005)).as("SpecificCharacterSet of %s", sop)
                    .isEqualTo(RawElements.value(original.getValue(), 0x0008, 0x0005));
            if (!ruledStudies.contains(study)) {
                assertThat(RawElements.value(migrated, 0x0010, 0x0020)).as("PatientID of %s", sop)
                        .isEqualTo(RawElements.value(original.getValue(), 0x0010, 0x0020));
            }
            compared++;
        }
        assertThat(compared).isEqualTo(2 * studies.size());
    }
}
