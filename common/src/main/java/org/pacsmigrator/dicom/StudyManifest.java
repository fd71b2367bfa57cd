package org.pacsmigrator.dicom;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The instances a PACS holds for one study, found by C-FIND at SERIES level and then IMAGE level
 * per series (the hierarchical query every PACS supports), or, when the caller knows how many to
 * expect, first by one IMAGE-level query keyed by the study alone (the relational query many PACS
 * answer, Orthanc among them), kept only when it lists exactly that many instances. The retriever
 * uses it as the expected manifest on the old PACS; the verifier uses it to check the new PACS; the
 * report reconciles both. All queries of one study share one association (opening one costs the
 * PACS more than answering a query).
 *
 * <p>Capped answers: a capped SERIES-level answer (0xFE00, or {@code findResultCap} matches) is split by
 * Modality ({@link StudySeries}); if that cannot complete it, the relational query is the last resort,
 * accepted only when it is not capped either. An IMAGE-level answer of a series is never accepted when the
 * PACS cancelled it (the configured cap is not applied there: one CT series holds more images than a
 * study-level limit). What no split completes is thrown as an incomplete manifest naming what to change,
 * never returned partial.
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

    /** What to change when a capped answer cannot be completed by splitting. */
    static final String RAISE_LIMIT = "raise the PACS's C-FIND result limit (or index.findResultCap for the old PACS, "
            + "verify.findResultCap for the new one, if set below the PACS's own limit)";

    private StudyManifest() {
    }

    /** The study's series, then the instances of each, over one association (no cap known: 0xFE00 honoured). */
    public static List<Entry> query(DicomClient client, DicomNode pacs, String studyInstanceUid) throws DicomException {
        return query(client, pacs, studyInstanceUid, 0, 0);
    }

    /** As {@link #query(DicomClient, DicomNode, String, int, int)} with no cap known (0xFE00 honoured). */
    public static List<Entry> query(DicomClient client, DicomNode pacs, String studyInstanceUid, int expectedInstances)
            throws DicomException {
        return query(client, pacs, studyInstanceUid, expectedInstances, 0);
    }

    /**
     * With {@code expectedInstances} > 0, one relational IMAGE-level query first (1 query instead of
     * 1 + one per series); its answer is kept only if it succeeded and lists {@code expectedInstances}
     * distinct instances, each with its series. Anything else (a strictly hierarchical PACS refuses
     * the query or answers it differently, instances are missing or extra) falls back to the
     * hierarchical queries, so the result never depends on how the PACS treats a relational query.
     *
     * @param findResultCap the PACS's known C-FIND result limit (0 = unknown; 0xFE00 is honoured anyway)
     */
    public static List<Entry> query(DicomClient client, DicomNode pacs, String studyInstanceUid, int expectedInstances,
                                    int findResultCap) throws DicomException {
        try (DicomClient.FindSession session = client.findSession(pacs)) {
            return query(session, pacs, studyInstanceUid, expectedInstances, findResultCap);
        }
    }

    static List<Entry> query(DicomClient.FindSession session, DicomNode pacs, String studyInstanceUid, int expectedInstances,
                             int findResultCap) throws DicomException {
        Relational first = null;
        if (expectedInstances > 0) {
            first = relational(session, studyInstanceUid);
            if (first.lists(expectedInstances)) {
                return first.entries();
            }
        }
        StudySeries.Listing series = StudySeries.list(session, pacs, studyInstanceUid, findResultCap);
        if (!series.complete()) {
            // the last resort, unless asked already: one IMAGE-level answer of the whole study needs no series list
            Relational all = first != null ? first : relational(session, studyInstanceUid);
            if (all.complete(findResultCap) && all.series().containsAll(series.series().keySet())) {
                return all.entries();
            }
            throw new DicomException(DicomException.Category.FAILURE_STATUS, String.format(
                    "C-FIND for the series of study %s on %s is capped and splitting cannot complete it: %s; nor can "
                            + "the IMAGE-level query of the whole study (%s): manifest incomplete; %s",
                    studyInstanceUid, pacs, series.incomplete(), all.why(findResultCap), RAISE_LIMIT));
        }
        List<Entry> entries = new ArrayList<>();
        for (String seriesUid : series.series().keySet()) {
            FindOutcome images = session.find(QueryLevel.IMAGE, imageKeys(studyInstanceUid, seriesUid),
                    match -> entries.add(new Entry(seriesUid, match.get("SOPInstanceUID"))));
            if (!images.success()) {
                throw new DicomException(DicomException.Category.FAILURE_STATUS, String.format(
                        "C-FIND for the instances of series %s on %s ended with status 0x%04X after %d matches: manifest "
                                + "incomplete%s", seriesUid, pacs, images.finalStatus(), images.matches(),
                        images.cancelled() ? "; raise the PACS's C-FIND limit for IMAGE level (Orthanc: LimitFindInstances)" : ""));
            }
        }
        return entries;
    }

    /** The answer of one IMAGE-level query keyed by the study alone (null outcome: the PACS refused it). */
    private record Relational(List<Entry> entries, FindOutcome outcome, boolean wellFormed) {
        /** Exactly the expected instances: the count proves it complete, whatever the cap. */
        boolean lists(int expected) {
            return outcome != null && outcome.success() && wellFormed && entries.size() == expected
                    && outcome.matches() == expected;
        }

        /** Complete on its own: succeeded, not capped, one match per instance. */
        boolean complete(int cap) {
            return why(cap) == null;
        }

        /** Why the answer is not complete on its own, or null. */
        String why(int cap) {
            if (outcome == null) {
                return "refused";
            }
            if (!outcome.success() || outcome.cappedAt(cap)) {
                return String.format("%d matches, status 0x%04X", outcome.matches(), outcome.finalStatus());
            }
            return wellFormed && entries.size() == outcome.matches() ? null : "not answered as a relational query";
        }

        Set<String> series() {
            Set<String> uids = new HashSet<>();
            entries.forEach(e -> uids.add(e.seriesInstanceUid()));
            return uids;
        }
    }

    /** Refused: an empty answer (the hierarchical queries follow); busy is thrown, to be waited for, not refused. */
    private static Relational relational(DicomClient.FindSession session, String studyInstanceUid) throws PeerBusyException {
        Map<String, Entry> bySop = new LinkedHashMap<>();
        boolean[] wellFormed = {true};
        try {
            FindOutcome outcome = session.find(QueryLevel.IMAGE, imageKeys(studyInstanceUid, ""), match -> {
                String series = match.get("SeriesInstanceUID");
                String sop = match.get("SOPInstanceUID");
                wellFormed[0] &= !series.isEmpty() && !sop.isEmpty() && studyInstanceUid.equals(match.get("StudyInstanceUID"));
                bySop.put(sop, new Entry(series, sop));
            });
            return new Relational(new ArrayList<>(bySop.values()), outcome, wellFormed[0]);
        } catch (PeerBusyException busy) {
            throw busy;
        } catch (DicomException e) {
            return new Relational(List.of(), null, false); // refused on this association: the hierarchical queries open it again if need be
        }
    }

    /** IMAGE-level keys of a study's instances: of one series, or of all ({@code seriesUid} empty, returned). */
    private static DicomDataset imageKeys(String studyInstanceUid, String seriesUid) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("StudyInstanceUID", studyInstanceUid);
        keys.put("SeriesInstanceUID", seriesUid);
        keys.put("SOPInstanceUID", "");
        return DicomDataset.of(keys);
    }
}
