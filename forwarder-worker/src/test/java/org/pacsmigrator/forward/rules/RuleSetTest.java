package org.pacsmigrator.forward.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.EditableDataset;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;

/** Rules applied to real generated CT images (Part 10 files), read back attribute by attribute. */
class RuleSetTest {
    @TempDir
    Path dir;
    private Path original;
    private DicomDataset before;

    @BeforeEach
    void generate() throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(7, 1, LocalDate.of(2024, 5, 1), 1, 1, 1, 1);
        List<Path> files = generator.writeStudy(generator.plan().findFirst().orElseThrow(), dir);
        original = files.get(0);
        before = DicomFiles.readAttributes(original);
    }

    private record Applied(RuleResult result, List<EditableDataset.Change> changes, DicomDataset after, Path file) {
    }

    private Applied apply(String rules, RuleContext context) throws Exception {
        RuleSet set = RuleSetLoader.parse("rules:\n" + rules, dir);
        Path out = dir.resolve("out.dcm");
        RuleResult[] result = new RuleResult[1];
        List<EditableDataset.Change> changes = DicomFiles.edit(original, out, ds -> result[0] = set.apply(ds, context));
        Path file = changes.isEmpty() ? original : out;
        return new Applied(result[0], changes, DicomFiles.readAttributes(file), file);
    }

    private RuleContext indexed() {
        return new RuleContext(before.get("StudyInstanceUID"), before.get("PatientID"), "OLDPACS");
    }

    @Test
    void prefixPatientIdRemovePrivateTagsAndFixATypo() throws Exception {
        Applied a = apply("""
                  - {name: domain, patientIdDomain: {prefix: "OLD-", issuer: "HOSP-A"}}
                  - {name: private, removePrivateTags: true}
                  - {name: typo, replace: {attribute: StudyDescription, pattern: "Thorax", with: "Thorax (chest)"}}
                """, indexed());
        assertThat(a.result().appliedRules()).containsExactly("domain", "private", "typo");
        assertThat(a.after().get("PatientID")).isEqualTo("OLD-" + before.get("PatientID"));
        assertThat(a.after().get("IssuerOfPatientID")).isEqualTo("HOSP-A");
        assertThat(a.after().get("StudyDescription")).isEqualTo("CT Thorax (chest)");
        assertThat(before.asMap().keySet()).anyMatch(k -> k.startsWith("(0x0009"));
        assertThat(a.after().asMap().keySet()).noneMatch(k -> k.startsWith("(0x0009"));
        // Everything else, pixel data included, is untouched.
        assertThat(a.after().get("PatientName")).isEqualTo(before.get("PatientName")).isEqualTo("Müller^Jürgen");
        assertThat(a.after().get("SOPInstanceUID")).isEqualTo(before.get("SOPInstanceUID"));
        assertThat(DicomFiles.pixelDataSha256(a.file())).isEqualTo(DicomFiles.pixelDataSha256(original));
        assertThat(DicomFiles.readInfo(a.file()).transferSyntaxUid()).isEqualTo(DicomFiles.readInfo(original).transferSyntaxUid());
        assertThat(a.changes()).extracting(EditableDataset.Change::attribute)
                .contains("PatientID", "IssuerOfPatientID", "StudyDescription");
    }

    @Test
    void conditionsSelectImages() throws Exception {
        Applied mrOnly = apply("  - {name: mr, set: {InstitutionName: X}, when: {modality: MR}}\n", indexed());
        assertThat(mrOnly.result().appliedRules()).isEmpty();
        assertThat(mrOnly.changes()).isEmpty();
        Applied matching = apply("  - {name: ct, set: {InstitutionName: X}, when: {modality: [CT], match: {StudyDescription: '.*Thorax'}, callingAe: OLDPACS}}\n", indexed());
        assertThat(matching.after().get("InstitutionName")).isEqualTo("X");
        Applied late = apply("  - {name: late, remove: [InstitutionName], when: {studyDateFrom: 2025-01-01}}\n", indexed());
        assertThat(late.result().appliedRules()).isEmpty();
    }

    @Test
    void validationRejectsOrFlags() throws Exception {
        RuleContext otherPatient = new RuleContext(before.get("StudyInstanceUID"), "SOMEONE-ELSE", "OLDPACS");
        Applied rejected = apply("""
                  - {name: same-patient, validate: {patientIdMatchesIndex: true, required: [PatientID, AccessionNumber]}}
                  - {name: after, set: {InstitutionName: X}}
                """, otherPatient);
        assertThat(rejected.result().rejected()).isTrue();
        assertThat(rejected.result().problems()).containsExactly("same-patient: PatientID differs from the indexed study's PatientID");
        assertThat(rejected.result().appliedRules()).containsExactly("same-patient");

        Applied flagged = apply("  - {name: check, validate: {required: [PatientComments]}, onFailure: flag}\n", indexed());
        assertThat(flagged.result().rejected()).isFalse();
        assertThat(flagged.result().problems()).containsExactly("check: PatientComments is missing or empty");
    }

    @Test
    void mappingTableWinsOverPrefixAndUnmappedIdsCanBeRejected() throws Exception {
        Files.writeString(dir.resolve("map.csv"), before.get("PatientID") + ",NEW-42\n");
        Applied mapped = apply("  - {name: map, patientIdDomain: {prefix: P-, mappingCsv: map.csv}}\n", indexed());
        assertThat(mapped.after().get("PatientID")).isEqualTo("NEW-42");
        Files.writeString(dir.resolve("map.csv"), "OTHER,NEW-1\n");
        Applied unmapped = apply("  - {name: map, patientIdDomain: {mappingCsv: map.csv, mappingRequired: true}}\n", indexed());
        assertThat(unmapped.result().rejected()).isTrue();
    }

    @Test
    void characterSetNormalisationKeepsNames() throws Exception {
        Applied a = apply("  - {name: utf8, normaliseCharacterSet: ISO_IR 192}\n", indexed());
        assertThat(a.after().get("SpecificCharacterSet")).isEqualTo("ISO_IR 192");
        assertThat(a.after().get("PatientName")).isEqualTo("Müller^Jürgen");
        assertThat(a.after().get("InstitutionName")).isEqualTo(before.get("InstitutionName"));
    }
}
