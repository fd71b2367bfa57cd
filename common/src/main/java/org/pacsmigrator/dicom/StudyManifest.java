package org.pacsmigrator.dicom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances a PACS holds for one study, found by C-FIND at SERIES level and then IMAGE level
 * per series (the hierarchical query every PACS supports), or, when the caller knows how many to
 * expect, first by one IMAGE-level query keyed by the study alone (the relational query many PACS
 * answer, Orthanc among them), kept only when it lists exactly that many instances. The retriever
 * uses it as the expected manifest on the old PACS; the verifier uses it to check the new PACS; the
 * report reconciles both. All queries of one study share one association (opening one costs the
 * PACS more than answering a query).
 */
public final class StudyManifest {
    /**
     * One instance as listed by the PACS. Only UIDs are asked for: Orthanc (1.10, default
     * StorageAccessOnFind) answers SOPClassUID at IMAGE level by reading every matching file from
     * its storage, ~4x the CPU of the whole query; the SOP class is recorded from the image itself
     * when it arrives.
     */
    public record Entry(String seriesInstanceUid, String sopInstanceUid) {
    }

    private StudyManifest() {
    }

    /** The study's series, then the instances of each, over one association. */
    public static List<Entry> query(DicomClient client, DicomNode pacs, String studyInstanceUid) throws DicomException {
        return query(client, pacs, studyInstanceUid, 0);
    }

    /**
     * With {@code expectedInstances} > 0, one relational IMAGE-level query first (1 query instead of
     * 1 + one per series); its answer is kept only if it succeeded and lists {@code expectedInstances}
     * distinct instances, each with its series. Anything else (a strictly hierarchical PACS refuses
     * the query or answers it differently, instances are missing or extra) falls back to the
     * hierarchical queries, so the result never depends on how the PACS treats a relational query.
     */
    public static List<Entry> query(DicomClient client, DicomNode pacs, String studyInstanceUid, int expectedInstances)
            throws DicomException {
        try (DicomClient.FindSession session = client.findSession(pacs)) {
            if (expectedInstances > 0) {
                List<Entry> all = relational(session, studyInstanceUid, expectedInstances);
                if (all != null) {
                    return all;
                }
            }
            List<String> seriesUids = new ArrayList<>();
            FindOutcome series = session.find(QueryLevel.SERIES, DicomDataset.of(Map.of(
                    "StudyInstanceUID", studyInstanceUid,
                    "SeriesInstanceUID", "")), match -> seriesUids.add(match.get("SeriesInstanceUID")));
            requireComplete(series, pacs, "series of study " + studyInstanceUid);
            List<Entry> entries = new ArrayList<>();
            for (String seriesUid : seriesUids) {
                FindOutcome images = session.find(QueryLevel.IMAGE, imageKeys(studyInstanceUid, seriesUid),
                        match -> entries.add(new Entry(seriesUid, match.get("SOPInstanceUID"))));
                requireComplete(images, pacs, "instances of series " + seriesUid);
            }
            return entries;
        }
    }

    /** The study's instances from one IMAGE-level query keyed by the study, or null when not exactly as expected. */
    private static List<Entry> relational(DicomClient.FindSession session, String studyInstanceUid, int expectedInstances) {
        Map<String, Entry> bySop = new LinkedHashMap<>();
        boolean[] incomplete = {false};
        FindOutcome outcome;
        try {
            outcome = session.find(QueryLevel.IMAGE, imageKeys(studyInstanceUid, ""), match -> {
                String series = match.get("SeriesInstanceUID");
                String sop = match.get("SOPInstanceUID");
                incomplete[0] |= series.isEmpty() || sop.isEmpty() || !studyInstanceUid.equals(match.get("StudyInstanceUID"));
                bySop.put(sop, new Entry(series, sop));
            });
        } catch (DicomException e) {
            return null; // refused on this association: the hierarchical queries open it again if need be
        }
        boolean asExpected = outcome.success() && !incomplete[0] && bySop.size() == expectedInstances
                && outcome.matches() == expectedInstances;
        return asExpected ? new ArrayList<>(bySop.values()) : null;
    }

    /** IMAGE-level keys of a study's instances: of one series, or of all ({@code seriesUid} empty, returned). */
    private static DicomDataset imageKeys(String studyInstanceUid, String seriesUid) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("StudyInstanceUID", studyInstanceUid);
        keys.put("SeriesInstanceUID", seriesUid);
        keys.put("SOPInstanceUID", "");
        return DicomDataset.of(keys);
    }

    private static void requireComplete(FindOutcome outcome, DicomNode pacs, String what) throws DicomException {
        if (!outcome.success()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, String.format(
                    "C-FIND for %s on %s ended with status 0x%04X after %d matches: manifest incomplete",
                    what, pacs, outcome.finalStatus(), outcome.matches()));
        }
    }
}
