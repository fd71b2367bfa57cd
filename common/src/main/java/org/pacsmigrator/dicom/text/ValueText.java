package org.pacsmigrator.dicom.text;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A string attribute's value as its bytes were read, decoded to text: the one decoding of stored values,
 * whether a toolkit read the file or the storage SCP picked the bytes while they arrived, so that both
 * compare equal.
 */
public final class ValueText {
    private static final Pattern TRAILING_PADDING = Pattern.compile("[ \\x00]+$");
    private static final Pattern SURROUNDING_PADDING = Pattern.compile("^[ \\x00]+|[ \\x00]+$");
    private static final Pattern VALUE_DELIMITER = Pattern.compile("\\\\");

    private ValueText() {
    }

    /** VRs whose text is in the data set's Specific Character Set (PS3.5 6.1.2.5.2). */
    public static boolean inCharacterSet(String vr) {
        return switch (vr) {
            case "SH", "LO", "ST", "LT", "UT", "UC", "PN" -> true;
            default -> false;
        };
    }

    /** The Specific Character Set whose value (0008,0005) is these bytes as read. */
    public static DicomCharset characterSet(byte[] value) {
        return DicomCharset.of(value == null ? "" : new String(value, StandardCharsets.US_ASCII).replace('\0', ' '));
    }

    /**
     * The value's text: VRs in the character set decoded by {@code charset}, others as ASCII. Multiple values
     * joined by a backslash; padding and the spaces DICOM deems insignificant removed (leading ones kept in ST,
     * LT, UT).
     */
    public static String decode(byte[] bytes, String vr, DicomCharset charset) {
        String decoded = (inCharacterSet(vr) ? charset : DicomCharset.DEFAULT).decode(bytes, vr.equals("PN"));
        if (vr.equals("ST") || vr.equals("LT") || vr.equals("UT")) {
            return TRAILING_PADDING.matcher(decoded).replaceAll(""); // one value, backslash included
        }
        String[] values = VALUE_DELIMITER.split(decoded, -1);
        for (int i = 0; i < values.length; i++) {
            values[i] = SURROUNDING_PADDING.matcher(values[i]).replaceAll("");
        }
        return String.join("\\", values);
    }
}
