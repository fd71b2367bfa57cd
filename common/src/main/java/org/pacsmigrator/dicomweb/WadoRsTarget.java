package org.pacsmigrator.dicomweb;

import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.QueryLevel;

/** What a retrieve asks for: a study, a series of it or one instance, as a WADO-RS resource. */
record WadoRsTarget(String study, String series, String sop) {
    static WadoRsTarget of(QueryLevel level, DicomDataset keys) throws DicomException {
        String study = uid(keys, "StudyInstanceUID");
        return switch (level) {
            case STUDY -> new WadoRsTarget(study, null, null);
            case SERIES -> new WadoRsTarget(study, uid(keys, "SeriesInstanceUID"), null);
            case IMAGE -> new WadoRsTarget(study, uid(keys, "SeriesInstanceUID"), uid(keys, "SOPInstanceUID"));
        };
    }

    private static String uid(DicomDataset keys, String keyword) throws DicomException {
        String value = keys.get(keyword);
        if (!value.matches("[0-9.]{1,64}")) {
            throw new DicomException(DicomException.Category.OTHER, "a WADO-RS retrieve needs one " + keyword
                    + ", not '" + value + "'");
        }
        return value;
    }

    String path() {
        return "/studies/" + study + (series == null ? "" : "/series/" + series) + (sop == null ? "" : "/instances/" + sop);
    }

    /** Whether an instance is one of those asked for. */
    boolean covers(String studyUid, String seriesUid, String sopUid) {
        return study.equals(studyUid) && (series == null || series.equals(seriesUid)) && (sop == null || sop.equals(sopUid));
    }
}
