package org.pacsmigrator.report;

/**
 * One line of the reconciliation: an entity (study, series or instance) present on one side only, or one the
 * migration stopped on.
 *
 * @param side   "missing in new" (in the old PACS, not in the new) or "extra in new" (in the new PACS only),
 *               or "not indexed" (a study of the old PACS in the date range that the state store does not know),
 *               or "refused: <reason>" (an instance our storage SCP refused while retrieving the study),
 *               or "UID collision" (one UID, two different objects in the old PACS),
 *               or "reconciliation incomplete" (a PACS could not be listed completely; no study UID)
 * @param action what to do about it
 * @param detail what else the line needs to be acted on (e.g. the PatientIDs of a UID collision)
 */
public record Discrepancy(String level, String side, String studyInstanceUid, String seriesInstanceUid,
                          String sopInstanceUid, String action, String detail) {
    public static final String[] HEADER = {"level", "side", "study_instance_uid", "series_instance_uid",
        "sop_instance_uid", "action", "detail"};

    public Discrepancy(String level, String side, String studyInstanceUid, String seriesInstanceUid,
                       String sopInstanceUid, String action) {
        this(level, side, studyInstanceUid, seriesInstanceUid, sopInstanceUid, action, "");
    }

    Object[] values() {
        return new Object[] {level, side, studyInstanceUid, seriesInstanceUid, sopInstanceUid, action, detail};
    }
}
