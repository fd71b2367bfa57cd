package org.pacsmigrator.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The series of one study (SERIES-level C-FIND), complete although the PACS caps answers: a capped answer
 * is split by Modality, one query per modality of the study (its ModalitiesInStudy, asked at STUDY level,
 * plus every modality seen in the capped answer). The split counts as complete only when no modality's
 * answer is capped and the PACS's own description of the study covers it: ModalitiesInStudy answered, or
 * as many series found as its NumberOfStudyRelatedSeries. Otherwise the listing says why it is incomplete;
 * it is never passed off as complete.
 */
final class StudySeries {
    /** SeriesInstanceUID → Modality of the series found; {@code incomplete}: why not all of them, or null. */
    record Listing(Map<String, String> series, String incomplete) {
        boolean complete() {
            return incomplete == null;
        }
    }

    private StudySeries() {
    }

    static Listing list(DicomClient.FindSession session, DicomNode pacs, String studyUid, int cap) throws DicomException {
        Map<String, String> series = new LinkedHashMap<>();
        FindOutcome all = find(session, pacs, studyUid, "", series);
        if (!all.cappedAt(cap)) {
            return new Listing(series, null);
        }
        Map<String, String> study = study(session, studyUid);
        Set<String> modalities = new TreeSet<>(series.values());
        modalities.addAll(List.of(study.get("ModalitiesInStudy").split("\\\\")));
        modalities.removeIf(String::isBlank);
        for (String modality : modalities) {
            FindOutcome one = find(session, pacs, studyUid, modality, series);
            if (one.cappedAt(cap)) {
                return new Listing(series, String.format("the series of modality %s are capped too (%d matches, status 0x%04X)",
                        modality, one.matches(), one.finalStatus()));
            }
        }
        int counted = count(study.get("NumberOfStudyRelatedSeries"));
        if (counted > series.size()) {
            return new Listing(series, String.format("split by modality it lists %d of the %d series the PACS counts",
                    series.size(), counted));
        }
        if (counted < 0 && study.get("ModalitiesInStudy").isBlank()) {
            return new Listing(series, "the PACS answers neither ModalitiesInStudy nor NumberOfStudyRelatedSeries, so a "
                    + "split by modality cannot be shown complete");
        }
        return new Listing(series, null);
    }

    /** The study's series (of one {@code modality}, or all when empty) into {@code series}; failures thrown. */
    private static FindOutcome find(DicomClient.FindSession session, DicomNode pacs, String studyUid, String modality,
                                    Map<String, String> series) throws DicomException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("StudyInstanceUID", studyUid);
        keys.put("SeriesInstanceUID", "");
        keys.put("Modality", modality);
        FindOutcome outcome = session.find(QueryLevel.SERIES, DicomDataset.of(keys), m -> {
            if (!m.get("SeriesInstanceUID").isBlank()) {
                series.putIfAbsent(m.get("SeriesInstanceUID"), m.get("Modality").trim());
            }
        });
        if (!outcome.success() && !outcome.cancelled()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, String.format(
                    "C-FIND for the series of study %s%s on %s ended with status 0x%04X after %d matches: manifest incomplete",
                    studyUid, modality.isEmpty() ? "" : " (modality " + modality + ")", pacs, outcome.finalStatus(),
                    outcome.matches()));
        }
        return outcome;
    }

    /** ModalitiesInStudy and NumberOfStudyRelatedSeries of the study, "" where the PACS does not answer them. */
    private static Map<String, String> study(DicomClient.FindSession session, String studyUid) throws DicomException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("StudyInstanceUID", studyUid);
        keys.put("ModalitiesInStudy", "");
        keys.put("NumberOfStudyRelatedSeries", "");
        Map<String, String> found = new LinkedHashMap<>(Map.of("ModalitiesInStudy", "", "NumberOfStudyRelatedSeries", ""));
        session.find(QueryLevel.STUDY, DicomDataset.of(keys), m -> {
            if (studyUid.equals(m.get("StudyInstanceUID").trim())) {
                found.put("ModalitiesInStudy", m.get("ModalitiesInStudy"));
                found.put("NumberOfStudyRelatedSeries", m.get("NumberOfStudyRelatedSeries"));
            }
        });
        return found;
    }

    private static int count(String value) {
        try {
            return value.isBlank() ? -1 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
