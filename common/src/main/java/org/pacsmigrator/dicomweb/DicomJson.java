package org.pacsmigrator.dicomweb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomKeywords;

/**
 * A DICOM JSON object (PS3.18 F.2) as the {@link DicomDataset} a C-FIND match gives: attributes by keyword, values
 * as text joined with a backslash, a person name as its groups joined with "=", numbers as their text, an attribute
 * without value as "". Sequences and binary values are left out, as a C-FIND match leaves them out.
 */
final class DicomJson {
    private DicomJson() {
    }

    static DicomDataset toDataset(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> attribute = it.next();
            String tag = attribute.getKey();
            JsonNode element = attribute.getValue();
            String vr = element.path("vr").asText("");
            if (!tag.matches("[0-9A-Fa-f]{8}") || vr.equals("SQ") || element.has("InlineBinary")
                    || element.has("BulkDataURI")) {
                continue;
            }
            values.put(DicomKeywords.keywordOf(tag), text(element.path("Value"), vr));
        }
        return new DicomDataset(values);
    }

    private static String text(JsonNode value, String vr) {
        if (!value.isArray()) {
            return "";
        }
        List<String> texts = new ArrayList<>(value.size());
        for (JsonNode v : value) {
            texts.add(vr.equals("PN") ? personName(v) : scalar(v));
        }
        return String.join("\\", texts);
    }

    private static String scalar(JsonNode v) {
        if (v.isNull()) {
            return "";
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? v.bigIntegerValue().toString() : v.decimalValue().stripTrailingZeros().toPlainString();
        }
        return v.asText();
    }

    /** Alphabetic=Ideographic=Phonetic, trailing empty groups dropped (as in the DICOM encoding). */
    private static String personName(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        String[] groups = {v.path("Alphabetic").asText(""), v.path("Ideographic").asText(""), v.path("Phonetic").asText("")};
        int last = groups.length;
        while (last > 0 && groups[last - 1].isEmpty()) {
            last--;
        }
        return String.join("=", Arrays.copyOf(groups, last));
    }
}
