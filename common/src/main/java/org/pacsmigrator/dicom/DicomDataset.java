package org.pacsmigrator.dicom;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A toolkit-neutral set of attributes, keyed by DICOM keyword (e.g. "StudyInstanceUID"),
 * values as decoded strings (multi-valued attributes joined with a backslash, as in DICOM).
 * Used for query keys and C-FIND matches so that no worker sees PixelMed types.
 */
public final class DicomDataset {
    private final Map<String, String> values;

    public DicomDataset(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static DicomDataset of(Map<String, String> values) {
        return new DicomDataset(values);
    }

    /** The value, or "" when absent or empty. */
    public String get(String keyword) {
        String v = values.get(keyword);
        return v == null ? "" : v;
    }

    public boolean has(String keyword) {
        return values.containsKey(keyword);
    }

    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
