package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.QueryLevel;

/** Conversion between the toolkit-neutral {@link DicomDataset} and PixelMed attribute lists. */
final class Attributes {
    private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();

    private Attributes() {
    }

    /** A C-FIND/C-MOVE/C-GET identifier: the keys plus QueryRetrieveLevel. Non-ASCII keys are sent as UTF-8. */
    static AttributeList identifier(QueryLevel level, DicomDataset keys) throws com.pixelmed.dicom.DicomException {
        AttributeList list = new AttributeList();
        boolean nonAscii = keys.asMap().values().stream()
                .anyMatch(v -> !StandardCharsets.US_ASCII.newEncoder().canEncode(v));
        SpecificCharacterSet charset = null;
        if (nonAscii) {
            charset = new SpecificCharacterSet(new String[] {"ISO_IR 192"});
            put(list, TagFromName.SpecificCharacterSet, "ISO_IR 192", null);
        }
        for (Map.Entry<String, String> e : keys.asMap().entrySet()) {
            if (e.getKey().equals("QueryRetrieveLevel") || (nonAscii && e.getKey().equals("SpecificCharacterSet"))) {
                continue;
            }
            AttributeTag tag = DICTIONARY.getTagFromName(e.getKey());
            if (tag == null) {
                throw new IllegalArgumentException("unknown DICOM keyword: " + e.getKey());
            }
            put(list, tag, e.getValue(), charset);
        }
        put(list, TagFromName.QueryRetrieveLevel, level.name(), null);
        return list;
    }

    private static void put(AttributeList list, AttributeTag tag, String value, SpecificCharacterSet charset)
            throws com.pixelmed.dicom.DicomException {
        Attribute a = AttributeFactory.newAttribute(tag, DICTIONARY.getValueRepresentationFromTag(tag), charset);
        if (value != null && !value.isEmpty()) {
            for (String v : value.split("\\\\", -1)) {
                a.addValue(v);
            }
        }
        list.put(tag, a);
    }

    /**
     * Top-level attributes as decoded strings (PixelMed applies SpecificCharacterSet while reading).
     * Sequences and binary values (pixel data, OB/OW/UN...) are left out.
     */
    static DicomDataset toDataset(AttributeList list) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Object o : list.values()) {
            Attribute a = (Attribute) o;
            byte[] vr = a.getVR();
            if (ValueRepresentation.isSequenceVR(vr) || ValueRepresentation.isOtherByteOrWordVR(vr)
                    || ValueRepresentation.isOtherUnspecifiedVR(vr) || ValueRepresentation.isUnknownVR(vr)
                    || ValueRepresentation.isOtherFloatVR(vr) || ValueRepresentation.isOtherDoubleVR(vr)
                    || ValueRepresentation.isOtherLongVR(vr) || ValueRepresentation.isOtherVeryLongVR(vr)) {
                continue;
            }
            String keyword = DICTIONARY.getNameFromTag(a.getTag());
            if (keyword == null) {
                keyword = a.getTag().toString();
            }
            values.put(keyword, a.getDelimitedStringValuesOrEmptyString());
        }
        return new DicomDataset(values);
    }

    /** A data set encoded in the given transfer syntax, without meta header (for identifiers on the wire). */
    static byte[] encode(AttributeList list, String transferSyntaxUid) throws java.io.IOException, com.pixelmed.dicom.DicomException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        com.pixelmed.dicom.DicomOutputStream out = new com.pixelmed.dicom.DicomOutputStream(bytes, null, transferSyntaxUid);
        list.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** Reads a data set (no meta header) encoded in the given transfer syntax, e.g. a DIMSE command or identifier. */
    static AttributeList decode(byte[] bytes, String transferSyntaxUid) throws java.io.IOException, com.pixelmed.dicom.DicomException {
        AttributeList list = new AttributeList();
        list.read(new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(bytes), transferSyntaxUid, false));
        return list;
    }

    /** The C-ECHO-RSP (success) to a C-ECHO-RQ command, which any of our SCP associations answers. */
    static byte[] echoResponse(AttributeList echoRequest) throws com.pixelmed.dicom.DicomException, java.io.IOException {
        return new com.pixelmed.network.CEchoResponseCommandMessage(string(echoRequest, TagFromName.AffectedSOPClassUID),
                intValue(echoRequest, TagFromName.MessageID, 0), 0x0000).getBytes();
    }

    static int intValue(AttributeList list, AttributeTag tag, int defaultValue) {
        return Attribute.getSingleIntegerValueOrDefault(list, tag, defaultValue);
    }

    static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }
}
