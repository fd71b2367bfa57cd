package org.pacsmigrator.dicom;

import java.util.HashSet;
import java.util.Set;

/**
 * The SOP Instance UIDs a PACS lists for one study: what verification compares with what was sent. By C-FIND
 * ({@link StudyManifest}) or by QIDO-RS. One call is one exchange, made under the caller's gate.
 */
@FunctionalInterface
public interface StudyInstanceListing {

    /** @param expectedInstances how many the caller expects (0 = unknown), a hint for the cheapest query */
    Set<String> sopInstanceUids(String studyInstanceUid, int expectedInstances) throws DicomException;

    /** How the PACS is asked, for messages. */
    default String method() {
        return "C-FIND";
    }

    /** C-FIND at SERIES then IMAGE level, as {@link StudyManifest#query(DicomClient, DicomNode, String, int, int)}. */
    static StudyInstanceListing cFind(DicomClient dicom, DicomNode pacs, int findResultCap) {
        return (study, expected) -> {
            Set<String> uids = new HashSet<>();
            StudyManifest.query(dicom, pacs, study, expected, findResultCap).forEach(e -> uids.add(e.sopInstanceUid()));
            return uids;
        };
    }
}
