package org.pacsmigrator.dicom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances a PACS holds for one study, found by C-FIND at SERIES level and then IMAGE level
 * per series (the hierarchical query every PACS supports). The retriever uses it as the expected
 * manifest on the old PACS; the verifier uses it to check the new PACS. All queries of one study
 * share one association (opening one costs the PACS more than answering a query).
 */
public final class StudyManifest {
    /** One instance as listed by the PACS. */
    public record Entry(String seriesInstanceUid, String sopInstanceUid, String sopClassUid) {
    }

    private StudyManifest() {
    }

    /** The study's series, then the instances of each, over one association. */
    public static List<Entry> query(DicomClient client, DicomNode pacs, String studyInstanceUid) throws DicomException {
        try (DicomClient.FindSession session = client.findSession(pacs)) {
            List<String> seriesUids = new ArrayList<>();
            FindOutcome series = session.find(QueryLevel.SERIES, DicomDataset.of(Map.of(
                    "StudyInstanceUID", studyInstanceUid,
                    "SeriesInstanceUID", "")), match -> seriesUids.add(match.get("SeriesInstanceUID")));
            requireComplete(series, pacs, "series of study " + studyInstanceUid);
            List<Entry> entries = new ArrayList<>();
            for (String seriesUid : seriesUids) {
                Map<String, String> keys = new LinkedHashMap<>();
                keys.put("StudyInstanceUID", studyInstanceUid);
                keys.put("SeriesInstanceUID", seriesUid);
                keys.put("SOPInstanceUID", "");
                keys.put("SOPClassUID", "");
                FindOutcome images = session.find(QueryLevel.IMAGE, DicomDataset.of(keys),
                        match -> entries.add(new Entry(seriesUid, match.get("SOPInstanceUID"), match.get("SOPClassUID"))));
                requireComplete(images, pacs, "instances of series " + seriesUid);
            }
            return entries;
        }
    }

    private static void requireComplete(FindOutcome outcome, DicomNode pacs, String what) throws DicomException {
        if (!outcome.success()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, String.format(
                    "C-FIND for %s on %s ended with status 0x%04X after %d matches: manifest incomplete",
                    what, pacs, outcome.finalStatus(), outcome.matches()));
        }
    }
}
