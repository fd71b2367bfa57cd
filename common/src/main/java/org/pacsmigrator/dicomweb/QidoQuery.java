package org.pacsmigrator.dicomweb;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomKeywords;
import org.pacsmigrator.dicom.QueryLevel;

/**
 * A C-FIND's keys as a QIDO-RS search (PS3.18 10.6): the resource of the level (the study, and the series at image
 * level, in the path when their UID is a single value), each matching key a query parameter by tag (ranges and
 * wildcards keep their DICOM form, URL-encoded; a UID list is separated by commas, PS3.18 8.3.4.1), each empty key an
 * {@code includefield}. Tags rather than keywords, so that the archive's dictionary cannot name an attribute
 * differently from ours. {@code implied}:
 * what every match says as a C-FIND match would, without the archive putting it in its JSON: the UIDs the path
 * carries, and, when asked for, the character set the answer came in (DICOM JSON is UTF-8: ISO_IR 192).
 * {@code pageable}: false when a key matches a value the archive computes from the series (ModalitiesInStudy):
 * Orthanc applies offset and limit before such a match, so that a second page loses matches without a sign.
 */
record QidoQuery(QueryLevel level, String resource, Map<String, String> implied, List<String> parameters,
                 boolean pageable) {
    private static final String STUDY_UID = "StudyInstanceUID";
    private static final String SERIES_UID = "SeriesInstanceUID";
    private static final String CHARACTER_SET = "SpecificCharacterSet";
    private static final String MODALITIES_IN_STUDY = "ModalitiesInStudy";
    private static final String UTF_8 = "ISO_IR 192";

    static QidoQuery of(QueryLevel level, DicomDataset keys) throws DicomException {
        String study = singleUid(keys.get(STUDY_UID));
        String series = singleUid(keys.get(SERIES_UID));
        String resource;
        List<String> inPath = new ArrayList<>();
        switch (level) {
            case STUDY -> resource = "/studies";
            case SERIES -> {
                resource = study == null ? "/series" : "/studies/" + study + "/series";
                if (study != null) {
                    inPath.add(STUDY_UID);
                }
            }
            default -> {
                if (study != null && series != null) {
                    resource = "/studies/" + study + "/series/" + series + "/instances";
                    inPath.addAll(List.of(STUDY_UID, SERIES_UID));
                } else if (study != null) {
                    resource = "/studies/" + study + "/instances";
                    inPath.add(STUDY_UID);
                } else {
                    resource = "/instances";
                }
            }
        }
        List<String> parameters = new ArrayList<>();
        for (Map.Entry<String, String> key : keys.asMap().entrySet()) {
            String keyword = key.getKey();
            if (inPath.contains(keyword) || keyword.equals("QueryRetrieveLevel") || keyword.equals(CHARACTER_SET)) {
                continue;
            }
            String tag = DicomKeywords.tagOf(keyword);
            if (tag == null) {
                throw new DicomException(DicomException.Category.OTHER, "unknown DICOM keyword: " + keyword);
            }
            parameters.add(key.getValue().isEmpty() ? "includefield=" + tag
                    : tag + "=" + encode(value(keyword, key.getValue())));
        }
        Map<String, String> implied = new LinkedHashMap<>();
        inPath.forEach(k -> implied.put(k, keys.get(k)));
        if (keys.has(CHARACTER_SET)) {
            implied.put(CHARACTER_SET, UTF_8);
        }
        boolean pageable = keys.get(MODALITIES_IN_STUDY).isEmpty();
        return new QidoQuery(level, resource, Map.copyOf(implied), List.copyOf(parameters), pageable);
    }

    /** A matching value as QIDO-RS writes it: the values of a UID list (VR UI, named "...UID") separated by commas. */
    private static String value(String keyword, String value) {
        return keyword.endsWith("UID") ? value.replace('\\', ',') : value;
    }

    /**
     * A value URL-encoded, but for the wildcard "?", which a query may carry as it is (RFC 3986 3.4): Orthanc does not
     * take an encoded one for a wildcard.
     */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%3F", "?");
    }

    /** The UID when it is one plain UID (a path segment), else null (absent, a list, a wildcard). */
    private static String singleUid(String value) {
        return value.matches("[0-9.]{1,64}") ? value : null;
    }

    /** The keyword of the UID that identifies a match at this level. */
    String matchUidKeyword() {
        return switch (level) {
            case STUDY -> STUDY_UID;
            case SERIES -> SERIES_UID;
            case IMAGE -> "SOPInstanceUID";
        };
    }

    /** Path and query of one page; the level's UID is always asked for, so that pages can be told apart. */
    String page(int limit, int offset) {
        StringBuilder b = new StringBuilder(resource).append('?');
        for (String p : parameters) {
            b.append(p).append('&');
        }
        b.append("includefield=").append(DicomKeywords.tagOf(matchUidKeyword()));
        return b.append("&limit=").append(limit).append("&offset=").append(offset).toString();
    }
}
