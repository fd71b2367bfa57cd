package org.pacsmigrator.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.PatientDemographics;
import org.pacsmigrator.state.StudyRecord;

/**
 * The patient checks on image-derived demographics, against a real state store: lossy C-FIND values are
 * unknown, never conflicts; images that disagree, and a PatientID with another patient's name or birth date
 * in another study, are conflicts. Problems never carry a value.
 */
class PatientConflictsTest {
    private static CassandraStateStore state;
    private static PatientConflicts conflicts;

    @BeforeAll
    static void open() {
        Services services = TestServices.get();
        state = CassandraStateStore.open(services.cassandra().contactPoint(), services.cassandra().localDatacenter(),
                "pacsmig_pc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
        conflicts = new PatientConflicts(state);
    }

    @AfterAll
    static void close() {
        state.dropKeyspace();
        state.close();
    }

    private static String uid() {
        return "2.25." + System.nanoTime();
    }

    private static StudyRecord indexed(String uid, String patientId, String name, String birthDate, String charset) {
        return StudyRecord.indexed(uid, patientId, "", name, birthDate, "F", "", "20240105", "", "", "OT", 1, 2)
                .withIndexText(charset, Set.of());
    }

    private static DicomDataset image(String patientId, String name, String birthDate) {
        return DicomDataset.of(Map.of("PatientID", patientId, "PatientName", name, "PatientBirthDate", birthDate,
                "PatientSex", "F"));
    }

    private static Map<String, DicomDataset> images(DicomDataset... images) {
        Map<String, DicomDataset> bySop = new LinkedHashMap<>();
        for (int i = 0; i < images.length; i++) {
            bySop.put("1.2.3." + (i + 1), images[i]);
        }
        return bySop;
    }

    private static String id() {
        return "P" + System.nanoTime();
    }

    @Test
    void aNameTheAnswersCharacterSetCouldNotCarryIsUnknownNotAConflict() {
        String id = id();
        PatientConflicts.Findings f = conflicts.check(indexed(uid(), id, "Yamada^Tarou=^=^", "19700101", "ISO_IR 100"),
                images(image(id, "Yamada^Tarou=山田^太郎=やまだ^たろう", "19700101"),
                        image(id, "Yamada^Tarou=山田^太郎=やまだ^たろう^^", "19700101")));
        assertThat(f.problems()).isEmpty();
        assertThat(f.unknown()).containsExactly("PatientName");
        assertThat(f.patient().patientName()).isEqualTo("Yamada^Tarou=山田^太郎=やまだ^たろう");

        String greek = id();
        assertThat(conflicts.check(indexed(uid(), greek, "Ivanov^", "19700101", null),
                images(image(greek, "Ivanov^Иван", "19700101"))).unknown()).containsExactly("PatientName");
    }

    @Test
    void anIndexedValueMarkedUnknownIsNoEvidence() {
        String id = id();
        StudyRecord study = StudyRecord.indexed(uid(), id, "", "Anything^Else", "19700101", "F", "", "", "", "", "", 1, 1)
                .withIndexText("ISO_IR 100", Set.of("PatientName"));
        assertThat(conflicts.check(study, images(image(id, "山田^太郎", "19700101"))).problems()).isEmpty();
    }

    @Test
    void anotherNameInWhatTheSetCarriesIsAConflictAndNamesNoValue() {
        String id = id();
        PatientConflicts.Findings f = conflicts.check(indexed(uid(), id, "Smith^John", "19700101", "ISO_IR 100"),
                images(image(id, "山田^太郎", "19700101")));
        assertThat(f.problems()).singleElement().asString().contains("PatientName").doesNotContain("Smith").doesNotContain("山田");
        assertThat(f.unknown()).isEmpty();
        String latin = id();
        assertThat(conflicts.check(indexed(uid(), latin, "Mller^Jrg", "19700101", "ISO_IR 100"),
                images(image(latin, "Müller^Jörg", "19700101"))).problems()).singleElement().asString().contains("PatientName");
    }

    @Test
    void imagesOfOneStudyMustAgreeUpToTheirComparableForm() {
        String id = id();
        // Hangul composed in one image and as jamo in the other, trailing empty components: the same name
        assertThat(conflicts.check(indexed(uid(), id, "Hong^Gildong", "19700101", "ISO_IR 100"), images(
                image(id, "Hong^Gildong=洪^吉洞=홍^길동", "19700101"),
                image(id, "Hong^Gildong=洪^吉洞=\u1112\u1169\u11BC^\u1100\u1175\u11AF\u1103\u1169\u11BC^", "19700101 "))).problems())
                .isEmpty();
        String other = id();
        assertThat(conflicts.check(indexed(uid(), other, "", "", "ISO_IR 192"), images(
                image(other, "山田^太郎", "19700101"), image(other, "鈴木^花子", "19700101"))).problems())
                .singleElement().asString().contains("instance 1.2.3.2").contains("PatientName").doesNotContain("鈴木");
    }

    @Test
    void aPatientIdWithAnotherPatientsNameAndBirthDateInAnotherStudyIsAConflict() {
        String id = id();
        String first = uid();
        assertThat(conflicts.check(indexed(first, id, "^", "19700101", "ISO_IR 100"),
                images(image(id, "山田^太郎", "19700101"))).problems()).isEmpty();
        PatientConflicts.Findings second = conflicts.check(indexed(uid(), id, "^", "19800202", "ISO_IR 100"),
                images(image(id, "鈴木^花子", "19800202")));
        assertThat(second.problems()).singleElement().asString().contains(first).contains("PatientName")
                .contains("PatientBirthDate").doesNotContain("鈴木").doesNotContain("19800202");
        // the same patient in a third study, its name decomposed: no conflict
        assertThat(conflicts.check(indexed(uid(), id, "", "19700101", "ISO_IR 100"),
                images(image(id, "山田^太郎", "19700101"))).problems()).isEmpty();
    }

    @Test
    void aPatientRegisteredFromALossyAnswerByAnOlderVersionIsReplacedByTheImages() {
        String id = id();
        state.claimPatient(new PatientDemographics(id, "", "^", "19700101", "F", "2.25.1", false));
        assertThat(conflicts.check(indexed(uid(), id, "^", "19700101", null), images(image(id, "山田^太郎", "19700101")))
                .problems()).isEmpty();
        assertThat(state.claimPatient(new PatientDemographics(id, "", "", "", "", "2.25.9")).fromImages()).isTrue();

        String real = id();
        state.claimPatient(new PatientDemographics(real, "", "Smith^John", "19700101", "F", "2.25.2", false));
        assertThat(conflicts.check(indexed(uid(), real, "", "19700101", null), images(image(real, "山田^太郎", "19700101")))
                .problems()).singleElement().asString().contains("2.25.2");
    }
}
