package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import com.pixelmed.network.CEchoResponseCommandMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.WorklistItem;
import org.pacsmigrator.dicom.text.DicomCharset;
import org.pacsmigrator.dicom.text.ValueText;

/** Conversion between the toolkit-neutral {@link DicomDataset} and PixelMed attribute lists. */
final class Attributes {
    private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    /** (0040,0100) Scheduled Procedure Step Sequence: missing from the 20220618 dictionary. */
    private static final AttributeTag SCHEDULED_PROCEDURE_STEPS = new AttributeTag(0x0040, 0x0100);

    private Attributes() {
    }

    /**
     * A C-FIND/C-MOVE/C-GET identifier: the keys plus QueryRetrieveLevel. Non-ASCII keys are sent as UTF-8;
     * {@code askUtf8} declares ISO_IR 192 anyway, which asks a C-FIND SCP to answer in UTF-8 (PS3.4 C.4.1.1.3.1;
     * an SCP may still answer in its own set, which the answer declares).
     */
    static AttributeList identifier(QueryLevel level, DicomDataset keys, boolean askUtf8) throws DicomException {
        AttributeList list = new AttributeList();
        boolean nonAscii = keys.asMap().values().stream()
                .anyMatch(v -> !StandardCharsets.US_ASCII.newEncoder().canEncode(v));
        SpecificCharacterSet charset = null;
        if (nonAscii || askUtf8) {
            charset = new SpecificCharacterSet(new String[] {"ISO_IR 192"});
            put(list, TagFromName.SpecificCharacterSet, "ISO_IR 192", null);
        }
        for (Map.Entry<String, String> e : keys.asMap().entrySet()) {
            if (e.getKey().equals("QueryRetrieveLevel") || (charset != null && e.getKey().equals("SpecificCharacterSet"))) {
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

    /**
     * A Modality Worklist identifier: the scheduled procedure steps whose start date is within {@code from}-{@code to},
     * returning the patient, the accession number and the step's start date.
     */
    static AttributeList worklistQuery(LocalDate from, LocalDate to) throws DicomException {
        AttributeList step = new AttributeList();
        put(step, TagFromName.ScheduledProcedureStepStartDate, DA.format(from) + "-" + DA.format(to), null);
        put(step, TagFromName.ScheduledProcedureStepStartTime, "", null);
        put(step, TagFromName.Modality, "", null);
        put(step, TagFromName.ScheduledStationAETitle, "", null);
        SequenceAttribute steps = new SequenceAttribute(SCHEDULED_PROCEDURE_STEPS);
        steps.addItem(step);
        AttributeList list = new AttributeList();
        list.put(steps);
        put(list, TagFromName.PatientID, "", null);
        put(list, TagFromName.AccessionNumber, "", null);
        return list;
    }

    /** A worklist answer's patient, accession number and (first) scheduled step's start date. */
    static WorklistItem worklistItem(AttributeList answer) {
        DicomCharset charset = charsetOf(answer);
        Attribute date = answer.get(SCHEDULED_PROCEDURE_STEPS) instanceof SequenceAttribute steps
                && steps.getNumberOfItems() > 0
                ? SequenceAttribute.getNamedAttributeFromWithinSelectedItemWithinSequence(steps, 0,
                        TagFromName.ScheduledProcedureStepStartDate)
                : null;
        return new WorklistItem(textOf(answer.get(TagFromName.PatientID), charset).trim(),
                textOf(answer.get(TagFromName.AccessionNumber), charset).trim(), textOf(date, charset).trim());
    }

    private static String textOf(Attribute a, DicomCharset charset) {
        return a == null ? "" : text(a, charset);
    }

    private static void put(AttributeList list, AttributeTag tag, String value, SpecificCharacterSet charset)
            throws DicomException {
        Attribute a = AttributeFactory.newAttribute(tag, DICTIONARY.getValueRepresentationFromTag(tag), charset);
        if (value != null && !value.isEmpty()) {
            for (String v : value.split("\\\\", -1)) {
                a.addValue(v);
            }
        }
        list.put(tag, a);
    }

    /**
     * Top-level attributes as decoded strings, text by the data set's Specific Character Set (see
     * {@link #text}). Sequences and binary values (pixel data, OB/OW/UN...) are left out.
     */
    static DicomDataset toDataset(AttributeList list) {
        DicomCharset charset = charsetOf(list);
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
            values.put(keyword, text(a, charset));
        }
        return new DicomDataset(values);
    }

    /** The Specific Character Set of a list as read (its original bytes, see {@link CharacterSetMask}). */
    static DicomCharset charsetOf(AttributeList list) {
        Attribute a = list.get(TagFromName.SpecificCharacterSet);
        if (a == null) {
            return DicomCharset.DEFAULT;
        }
        try {
            return ValueText.characterSet(a.getByteValues());
        } catch (DicomException e) {
            return DicomCharset.of(a.getDelimitedStringValuesOrEmptyString());
        }
    }

    /** VRs whose text is in the data set's Specific Character Set (PS3.5 6.1.2.5.2). */
    static boolean textInCharacterSet(byte[] vr) {
        return ValueText.inCharacterSet(ValueRepresentation.getAsString(vr));
    }

    /**
     * A string attribute's values decoded from its bytes as read ({@link ValueText#decode}): text VRs by
     * {@code charset} (never by PixelMed, see {@link CharacterSetMask}), others as ASCII.
     */
    static String text(Attribute a, DicomCharset charset) {
        byte[] vr = a.getVR();
        if (!(a instanceof StringAttribute) && !(a instanceof VerbatimText)) {
            return a.getDelimitedStringValuesOrEmptyString();
        }
        byte[] bytes;
        try {
            bytes = a.getByteValues();
        } catch (DicomException e) {
            return a.getDelimitedStringValuesOrEmptyString();
        }
        if (bytes == null) {
            return "";
        }
        return ValueText.decode(bytes, ValueRepresentation.getAsString(vr), charset);
    }

    /**
     * A data set encoded in the given transfer syntax, without meta header (for identifiers on the wire);
     * string values as their bytes ({@link VerbatimText#freeze}).
     */
    static byte[] encode(AttributeList list, String transferSyntaxUid) throws IOException, DicomException {
        VerbatimText.freeze(list);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DicomOutputStream out = new DicomOutputStream(bytes, null, transferSyntaxUid);
        list.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * Reads a data set (no meta header) encoded in the given transfer syntax, e.g. a DIMSE command or
     * identifier. Its Specific Character Set is hidden from PixelMed while it parses ({@link CharacterSetMask}).
     */
    static AttributeList decode(byte[] bytes, String transferSyntaxUid) throws IOException, DicomException {
        CharacterSetMask.Found found = PresentationContexts.DEFLATED.equals(transferSyntaxUid) ? null
                : CharacterSetMask.locate(bytes, 0, bytes.length);
        AttributeList list = new AttributeList();
        list.read(new DicomInputStream(new ByteArrayInputStream(CharacterSetMask.masked(bytes, found)),
                transferSyntaxUid, false));
        CharacterSetMask.restore(list, found);
        return list;
    }


    /** The C-ECHO-RSP (success) to a C-ECHO-RQ command, which any of our SCP associations answers. */
    static byte[] echoResponse(AttributeList echoRequest) throws DicomException, IOException {
        return new CEchoResponseCommandMessage(string(echoRequest, TagFromName.AffectedSOPClassUID),
                intValue(echoRequest, TagFromName.MessageID, 0), 0x0000).getBytes();
    }

    static int intValue(AttributeList list, AttributeTag tag, int defaultValue) {
        return Attribute.getSingleIntegerValueOrDefault(list, tag, defaultValue);
    }

    static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }
}
