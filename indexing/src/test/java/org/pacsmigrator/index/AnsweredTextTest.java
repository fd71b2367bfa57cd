package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.state.StudyRecord;

/** A C-FIND match becomes a study with the character set it came in and its visibly lossy patient attributes. */
class AnsweredTextTest {
    private static StudyRecord recorded(String charset, String name, String patientId) {
        return StudyRecorder.toRecord(DicomDataset.of(Map.of("StudyInstanceUID", "1.2.3", "SpecificCharacterSet", charset,
                "PatientName", name, "PatientID", patientId, "StudyDate", "20240105")));
    }

    @Test
    void namesOrthancCouldNotCarryInLatin1AreUnknown() {
        StudyRecord japanese = recorded("ISO_IR 100", "Yamada^Tarou=^=^", "P1");
        assertThat(japanese.indexCharacterSet()).isEqualTo("ISO_IR 100");
        assertThat(japanese.unknownAttributes()).containsExactly("PatientName");
        assertThat(recorded("ISO_IR 100", "^", "P1").unknownAttributes()).containsExactly("PatientName");
        assertThat(recorded("ISO_IR 100", "???^??", "P?1").unknownAttributes()).containsExactlyInAnyOrder("PatientName", "PatientID");
        assertThat(recorded("ISO_IR 192", "M\uFFFDller", "P1").unknownAttributes()).containsExactly("PatientName");
    }

    @Test
    void wholeNamesAreKnownWhateverTheirScript() {
        assertThat(recorded("ISO_IR 100", "Müller^Jörg", "P1").unknownAttributes()).isEmpty();
        assertThat(recorded("ISO_IR 192", "Yamada^Tarou=山田^太郎", "P1").unknownAttributes()).isEmpty();
        assertThat(recorded("", "Doe^John", "P1").unknownAttributes()).isEmpty();
        assertThat(recorded("", "Doe^John", "P1").indexCharacterSet()).isEmpty();
    }
}
