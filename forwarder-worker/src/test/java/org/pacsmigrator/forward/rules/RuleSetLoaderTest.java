package org.pacsmigrator.forward.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigException;

class RuleSetLoaderTest {
    @TempDir
    Path dir;

    private RuleSet parse(String rules) {
        return RuleSetLoader.parse("rules:\n" + rules, dir);
    }

    @Test
    void everyActionParses() throws Exception {
        Files.writeString(dir.resolve("ids.csv"), "# old,new\nP1,N1\n");
        RuleSet set = parse("""
                  - {name: check, validate: {required: [PatientID], uidSyntax: true, patientIdMatchesIndex: true}, onFailure: flag}
                  - {name: domain, patientIdDomain: {prefix: "OLD-", issuer: HOSP, mappingCsv: ids.csv}}
                  - {name: typo, replace: {attribute: StudyDescription, pattern: "Thorx", with: "Thorax"}}
                  - {name: inst, set: {InstitutionName: "General"}, when: {modality: [CT], studyDateFrom: 2020-01-01}}
                  - {name: drop, remove: [ReferringPhysicianName]}
                  - {name: acc, copy: {from: AccessionNumber, to: StudyID}}
                  - {name: private, removePrivateTags: {creators: ["ACME 1.0"]}}
                  - {name: privall, removePrivateTags: true}
                  - {name: utf8, normaliseCharacterSet: ISO_IR 192}
                """);
        assertThat(set.size()).isEqualTo(9);
    }

    @Test
    void unknownKeyNamesTheRule() {
        assertThatThrownBy(() -> parse("  - {name: typo, replace: {attribute: StudyDescription, patern: x}}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rules[0] 'typo'.replace.patern").hasMessageContaining("unknown key");
    }

    @Test
    void unknownAttributeKeywordNamesTheRule() {
        assertThatThrownBy(() -> parse("  - {name: x, remove: [PatientsNam]}\n"))
                .hasMessageContaining("rules[0] 'x'.remove").hasMessageContaining("PatientsNam");
    }

    @Test
    void badRegexNamesTheRule() {
        assertThatThrownBy(() -> parse("  - {name: ok, remove: [PatientComments]}\n  - {name: bad, replace: {attribute: PatientID, pattern: '([', with: x}}\n"))
                .hasMessageContaining("rules[1] 'bad'.replace.pattern").hasMessageContaining("regular expression");
    }

    @Test
    void twoActionsOrNoneAreRejected() {
        assertThatThrownBy(() -> parse("  - {name: two, remove: [PatientComments], set: {StudyID: '1'}}\n"))
                .hasMessageContaining("'two'").hasMessageContaining("two actions");
        assertThatThrownBy(() -> parse("  - {name: none, when: {modality: CT}}\n"))
                .hasMessageContaining("'none'").hasMessageContaining("no action");
    }

    @Test
    void missingMappingTableIsNamed() {
        assertThatThrownBy(() -> parse("  - {name: map, patientIdDomain: {mappingCsv: nowhere.csv}}\n"))
                .hasMessageContaining("rules[0] 'map'.patientIdDomain.mappingCsv").hasMessageContaining("nowhere.csv");
    }

    @Test
    void duplicateNamesAndBadOnFailureAreRejected() {
        assertThatThrownBy(() -> parse("  - {name: a, remove: [PatientComments]}\n  - {name: a, remove: [PatientComments]}\n"))
                .hasMessageContaining("duplicate");
        assertThatThrownBy(() -> parse("  - {name: a, remove: [PatientComments], onFailure: ignore}\n"))
                .hasMessageContaining("onFailure");
    }
}
