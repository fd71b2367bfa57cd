package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A study's manifest from a PACS that caps C-FIND answers (an in-memory PACS; pure logic). */
class StudyManifestCappedTest {
    private static final String STUDY = "1.2.3";
    private static final DicomNode PACS = new DicomNode("CAPPED", "127.0.0.1", 104);

    /**
     * One study as a capped PACS answers it: more than {@code seriesCap} series (or {@code imageCap} instances)
     * are cut with 0xFE00, or, when {@code silent}, with a plain success.
     */
    private static final class CappedPacs implements DicomClient.FindSession {
        final Map<String, String> modalityOfSeries = new LinkedHashMap<>();
        final Map<String, List<String>> instancesOfSeries = new LinkedHashMap<>();
        final List<DicomDataset> asked = new ArrayList<>();
        int seriesCap = Integer.MAX_VALUE;
        int imageCap = Integer.MAX_VALUE;
        boolean silent;
        boolean describesStudy = true;

        CappedPacs series(String modality, int instances) {
            String uid = STUDY + "." + (modalityOfSeries.size() + 1);
            modalityOfSeries.put(uid, modality);
            List<String> sops = new ArrayList<>();
            for (int i = 1; i <= instances; i++) {
                sops.add(uid + "." + i);
            }
            instancesOfSeries.put(uid, sops);
            return this;
        }

        List<String> allInstances() {
            return instancesOfSeries.values().stream().flatMap(List::stream).toList();
        }

        @Override
        public FindOutcome find(QueryLevel level, DicomDataset keys, Consumer<DicomDataset> onMatch) {
            asked.add(keys);
            List<Map<String, String>> matches = new ArrayList<>();
            int cap = Integer.MAX_VALUE;
            switch (level) {
                case STUDY -> matches.add(Map.of("StudyInstanceUID", STUDY,
                        "ModalitiesInStudy", describesStudy ? String.join("\\", new TreeSet<>(modalityOfSeries.values())) : "",
                        "NumberOfStudyRelatedSeries", describesStudy ? Integer.toString(modalityOfSeries.size()) : ""));
                case SERIES -> {
                    cap = seriesCap;
                    modalityOfSeries.forEach((uid, modality) -> {
                        if (keys.get("Modality").isEmpty() || keys.get("Modality").equals(modality)) {
                            matches.add(Map.of("SeriesInstanceUID", uid, "Modality", modality));
                        }
                    });
                }
                case IMAGE -> {
                    cap = imageCap;
                    instancesOfSeries.forEach((uid, sops) -> {
                        if (keys.get("SeriesInstanceUID").isEmpty() || keys.get("SeriesInstanceUID").equals(uid)) {
                            sops.forEach(sop -> matches.add(Map.of("StudyInstanceUID", STUDY, "SeriesInstanceUID", uid,
                                    "SOPInstanceUID", sop)));
                        }
                    });
                }
            }
            int delivered = Math.min(cap, matches.size());
            matches.subList(0, delivered).forEach(m -> onMatch.accept(DicomDataset.of(m)));
            return new FindOutcome(delivered, matches.size() > cap && !silent ? 0xFE00 : 0x0000);
        }

        long seriesQueriesFor(String modality) {
            return asked.stream().filter(k -> k.has("Modality") && k.get("Modality").equals(modality)).count();
        }
    }

    private static List<String> sops(List<StudyManifest.Entry> entries) {
        return entries.stream().map(StudyManifest.Entry::sopInstanceUid).toList();
    }

    @Test
    void aCappedSeriesAnswerIsSplitByModalityIncludingModalitiesTheCappedAnswerDidNotShow() throws Exception {
        CappedPacs pacs = new CappedPacs().series("CT", 2).series("CT", 2).series("MR", 2).series("MR", 2).series("PR", 1);
        pacs.seriesCap = 3;
        List<StudyManifest.Entry> manifest = StudyManifest.query(pacs, PACS, STUDY, 0, 0);

        assertThat(sops(manifest)).containsExactlyInAnyOrderElementsOf(pacs.allInstances());
        assertThat(pacs.seriesQueriesFor("PR")).as("PR was not in the capped answer (CT, CT, MR)").isEqualTo(1);
    }

    @Test
    void aSilentlyTruncatedSeriesAnswerIsSplitWhenTheCapIsKnown() throws Exception {
        CappedPacs pacs = new CappedPacs().series("CT", 1).series("CT", 1).series("MR", 1).series("MR", 1);
        pacs.seriesCap = 3;
        pacs.silent = true;
        assertThat(sops(StudyManifest.query(pacs, PACS, STUDY, 0, 3))).containsExactlyInAnyOrderElementsOf(pacs.allInstances());
    }

    @Test
    void whenOneModalityIsStillCappedTheRelationalQueryCompletesIt() throws Exception {
        CappedPacs pacs = new CappedPacs().series("CT", 2).series("CT", 2).series("CT", 2).series("CT", 2).series("MR", 1);
        pacs.seriesCap = 3;
        assertThat(sops(StudyManifest.query(pacs, PACS, STUDY, 0, 0))).containsExactlyInAnyOrderElementsOf(pacs.allInstances());
        assertThat(pacs.asked).anyMatch(k -> k.has("SOPInstanceUID") && k.get("SeriesInstanceUID").isEmpty());
    }

    @Test
    void whatNoSplitCompletesIsThrownWithWhatToChangeNeverReturnedPartial() {
        CappedPacs pacs = new CappedPacs().series("CT", 2).series("CT", 2).series("CT", 2).series("CT", 2);
        pacs.seriesCap = 3;
        pacs.imageCap = 5;
        assertThatThrownBy(() -> StudyManifest.query(pacs, PACS, STUDY, 8, 0)).isInstanceOf(DicomException.class)
                .hasMessageContaining("modality CT").hasMessageContaining("manifest incomplete")
                .hasMessageContaining("raise the PACS's C-FIND result limit");
    }

    @Test
    void aSplitThatCannotBeShownCompleteIsNotAccepted() {
        // No ModalitiesInStudy, no NumberOfStudyRelatedSeries: a series of a modality never seen could be missing.
        CappedPacs pacs = new CappedPacs().series("CT", 2).series("MR", 2).series("MR", 2).series("PR", 2);
        pacs.seriesCap = 2;
        pacs.imageCap = 7;
        pacs.describesStudy = false;
        assertThatThrownBy(() -> StudyManifest.query(pacs, PACS, STUDY, 0, 0)).isInstanceOf(DicomException.class)
                .hasMessageContaining("neither ModalitiesInStudy nor NumberOfStudyRelatedSeries");
    }

    @Test
    void anInstanceMissingFromTheExpectedCountIsListedAsMissingNotAsAnIncompleteManifest() throws Exception {
        CappedPacs pacs = new CappedPacs().series("CT", 2).series("MR", 2).series("CT", 2).series("MR", 2);
        pacs.seriesCap = 3;
        pacs.imageCap = 5;
        // The caller expects 9 (one was deleted): the relational answer is capped anyway, the split lists all 8.
        assertThat(sops(StudyManifest.query(pacs, PACS, STUDY, 9, 0))).containsExactlyInAnyOrderElementsOf(pacs.allInstances());
    }

    @Test
    void aCancelledImageLevelAnswerIsNeverAccepted() {
        CappedPacs pacs = new CappedPacs().series("CT", 6).series("MR", 1);
        pacs.imageCap = 5;
        assertThatThrownBy(() -> StudyManifest.query(pacs, PACS, STUDY, 7, 0)).isInstanceOf(DicomException.class)
                .hasMessageContaining("instances of series " + STUDY + ".1").hasMessageContaining("LimitFindInstances");
    }
}
