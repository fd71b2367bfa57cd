package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.QueryLevel;

/** C-FIND keys as QIDO-RS searches. */
class QidoQueryTest {
    private static DicomDataset keys(String... keywordsAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keywordsAndValues.length; i += 2) {
            m.put(keywordsAndValues[i], keywordsAndValues[i + 1]);
        }
        return DicomDataset.of(m);
    }

    @Test
    void aStudyQueryMatchesByTagWithItsValuesEncodedAndAsksForItsReturnKeys() throws DicomException {
        QidoQuery q = QidoQuery.of(QueryLevel.STUDY, keys("StudyDate", "20240105", "StudyTime", "080000-095959.999999",
                "PatientID", "AB?* 1&x=y", "PatientName", "", "ModalitiesInStudy", "", "SpecificCharacterSet", "",
                "QueryRetrieveLevel", "STUDY"));
        assertThat(q.page(10, 20)).isEqualTo("/studies?00080020=20240105&00080030=080000-095959.999999"
                + "&00100020=AB?*%201%26x%3Dy&includefield=00100010&includefield=00080061"
                + "&includefield=0020000D&limit=10&offset=20");
        assertThat(q.implied()).containsExactly(Map.entry("SpecificCharacterSet", "ISO_IR 192"));
        assertThat(q.matchUidKeyword()).isEqualTo("StudyInstanceUID");
        assertThat(q.pageable()).isTrue();
        assertThat(QidoQuery.of(QueryLevel.STUDY, keys("StudyDate", "20240105", "ModalitiesInStudy", "CT")).pageable())
                .as("matched after paging by Orthanc").isFalse();
    }

    @Test
    void singleUidsOfUpperLevelsGoInThePathAndListsStayParameters() throws DicomException {
        QidoQuery series = QidoQuery.of(QueryLevel.SERIES, keys("StudyInstanceUID", "1.2.3", "SeriesInstanceUID", "",
                "Modality", "CT"));
        assertThat(series.page(5, 0)).isEqualTo("/studies/1.2.3/series?includefield=0020000E&00080060=CT"
                + "&includefield=0020000E&limit=5&offset=0");
        assertThat(series.implied()).containsExactly(Map.entry("StudyInstanceUID", "1.2.3"));

        QidoQuery images = QidoQuery.of(QueryLevel.IMAGE, keys("StudyInstanceUID", "1.2.3", "SeriesInstanceUID", "1.2.3.4",
                "SOPInstanceUID", ""));
        assertThat(images.page(5, 0)).startsWith("/studies/1.2.3/series/1.2.3.4/instances?includefield=00080018&");
        assertThat(QidoQuery.of(QueryLevel.IMAGE, keys("StudyInstanceUID", "1.2.3", "SOPInstanceUID", "")).resource())
                .isEqualTo("/studies/1.2.3/instances");

        QidoQuery list = QidoQuery.of(QueryLevel.SERIES, keys("StudyInstanceUID", "1.2.3\\1.2.4", "SeriesInstanceUID", ""));
        assertThat(list.resource()).isEqualTo("/series");
        assertThat(list.parameters()).contains("0020000D=1.2.3%2C1.2.4");
    }

    @Test
    void anUnknownKeywordIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> QidoQuery.of(QueryLevel.STUDY, keys("NoSuchKeyword", "")))
                .isInstanceOf(DicomException.class).hasMessageContaining("NoSuchKeyword");
    }

    @Test
    void onlyA299WarningAboutTheSizeOfTheAnswerAnnouncesMore() {
        assertThat(QidoRsFinder.announcesMore("299 archive: There are additional results that can be requested")).isTrue();
        assertThat(QidoRsFinder.announcesMore("299 archive: The number of results exceeded the maximum")).isTrue();
        assertThat(QidoRsFinder.announcesMore("299 archive: The fuzzymatching parameter is not supported")).isFalse();
        assertThat(QidoRsFinder.announcesMore("199 archive: additional results")).isFalse();
    }
}
