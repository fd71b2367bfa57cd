package org.pacsmigrator.dicom.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The comparable form of decoded text values: Unicode NFC (a name written composed in one image and
 * decomposed in another is the same name), surrounding spaces removed; for person names also the
 * empty components and component groups at the end ("Doe^John^^" is "Doe^John", "Doe^John==" too)
 * and spaces around the delimiters. Multiple values are compared value by value.
 */
public final class TextValues {
    private TextValues() {
    }

    /** A text value (LO, SH, CS, DA...). */
    public static String normalise(String value) {
        return value == null ? "" : Normalizer.normalize(value, Normalizer.Form.NFC).strip();
    }

    /** A person name (PN), possibly multi-valued. */
    public static String normalisePersonName(String value) {
        if (value == null) {
            return "";
        }
        List<String> values = new ArrayList<>();
        for (String v : Normalizer.normalize(value, Normalizer.Form.NFC).split("\\\\", -1)) {
            values.add(personName(v));
        }
        while (values.size() > 1 && values.get(values.size() - 1).isEmpty()) {
            values.remove(values.size() - 1);
        }
        return String.join("\\", values);
    }

    private static String personName(String value) {
        List<String> groups = new ArrayList<>();
        for (String group : value.split("=", -1)) {
            List<String> components = new ArrayList<>(Arrays.stream(group.split("\\^", -1)).map(String::strip).toList());
            trimEmptyTail(components);
            groups.add(String.join("^", components));
        }
        trimEmptyTail(groups);
        return String.join("=", groups);
    }

    private static void trimEmptyTail(List<String> parts) {
        while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1);
        }
    }
}
