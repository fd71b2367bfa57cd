package org.pacsmigrator.dicom.net;

import java.util.HashMap;
import java.util.Map;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.dicom.text.DicomCharset;
import org.pacsmigrator.dicom.text.ValueText;

/**
 * The patient attributes of a data set, collected from the top-level elements a scan walks past (with the
 * Specific Character Set that decodes them), decoded as a read of the file decodes them. An element that
 * the file-reading toolkit would not take as the plain string it expects (another VR, a value too long to
 * pick) makes the result unknown: the attributes are then read from the file when needed, never guessed.
 */
final class PatientValues {
    /** Longest value picked: a person name of three 64-character groups in a four-byte encoding, and more. */
    static final int MAX_VALUE = 1024;
    private static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    /** Tag to the VR the file-reading toolkit expects, and to the keyword. */
    private static final Map<Integer, String> VRS = Map.of(SPECIFIC_CHARACTER_SET, "CS", 0x00100010, "PN",
            0x00100020, "LO", 0x00100021, "LO", 0x00100030, "DA", 0x00100040, "CS");
    private static final Map<Integer, String> KEYWORDS = Map.of(0x00100010, "PatientName", 0x00100020, "PatientID",
            0x00100021, "IssuerOfPatientID", 0x00100030, "PatientBirthDate", 0x00100040, "PatientSex");

    private final Map<Integer, byte[]> values = new HashMap<>();
    private boolean unknown;

    static boolean wants(int tag) {
        return VRS.containsKey(tag);
    }

    /**
     * A top-level element of a wanted tag: its VR as encoded (null in implicit VR: then the dictionary's), its
     * value, null when longer than {@link #MAX_VALUE}.
     */
    void take(int tag, String vr, byte[] value) {
        if (value == null || (vr != null && !vr.equals(VRS.get(tag)))) {
            markUnknown();
        } else {
            values.put(tag, value);
        }
    }

    /** The attributes cannot be known from the elements (e.g. the data set is deflated). */
    void markUnknown() {
        unknown = true;
    }

    /** The attributes, null when unknown. */
    PatientAttributes result() {
        if (unknown) {
            return null;
        }
        DicomCharset charset = ValueText.characterSet(values.get(SPECIFIC_CHARACTER_SET));
        Map<String, String> decoded = new HashMap<>();
        KEYWORDS.forEach((tag, keyword) -> {
            byte[] value = values.get(tag);
            if (value != null) {
                decoded.put(keyword, ValueText.decode(value, VRS.get(tag), charset));
            }
        });
        return PatientAttributes.fromMap(decoded);
    }
}
