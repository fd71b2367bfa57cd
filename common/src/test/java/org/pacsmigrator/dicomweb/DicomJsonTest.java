package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomDataset;

/** DICOM JSON matches read as the C-FIND matches they stand for. */
class DicomJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DicomDataset read(String json) throws Exception {
        return DicomJson.toDataset(JSON.readTree(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void valuesBecomeTheTextAcFindMatchGivesByKeyword() throws Exception {
        DicomDataset d = read("""
                {"0020000D": {"vr": "UI", "Value": ["1.2.3"]},
                 "00080061": {"vr": "CS", "Value": ["CT", "MR"]},
                 "00201208": {"vr": "IS", "Value": [42]},
                 "00180050": {"vr": "DS", "Value": [0.50, 12, 1e3]},
                 "00280010": {"vr": "US", "Value": [512]},
                 "00080050": {"vr": "SH"},
                 "00081030": {"vr": "LO", "Value": [null, "b"]},
                 "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Jürgen"},
                                                  {"Alphabetic": "Yamada^Tarou", "Ideographic": "山田^太郎", "Phonetic": "やまだ^たろう"},
                                                  {"Ideographic": "山田^太郎"}]}}
                """);
        assertThat(d.asMap()).containsEntry("StudyInstanceUID", "1.2.3")
                .containsEntry("ModalitiesInStudy", "CT\\MR")
                .containsEntry("NumberOfStudyRelatedInstances", "42")
                .containsEntry("SliceThickness", "0.5\\12\\1000")
                .containsEntry("Rows", "512")
                .containsEntry("AccessionNumber", "")
                .containsEntry("StudyDescription", "\\b")
                .containsEntry("PatientName", "Müller^Jürgen\\Yamada^Tarou=山田^太郎=やまだ^たろう\\=山田^太郎");
    }

    @Test
    void sequencesAndBinaryValuesAreLeftOutAndUnknownTagsNamedAsInAcFindMatch() throws Exception {
        DicomDataset d = read("""
                {"00081110": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": ["1.2"]}}]},
                 "7FE00010": {"vr": "OW", "BulkDataURI": "http://x/bulk"},
                 "00091001": {"vr": "OB", "InlineBinary": "AAEC"},
                 "00090010": {"vr": "LO", "Value": ["PRIVATE CREATOR"]},
                 "00080020": {"vr": "DA", "Value": ["20240105"]}}
                """);
        assertThat(d.asMap()).containsOnlyKeys("(0x0009,0x0010)", "StudyDate");
        assertThat(d.get("(0x0009,0x0010)")).isEqualTo("PRIVATE CREATOR");
    }
}
