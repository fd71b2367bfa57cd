package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.StringAttribute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * A string attribute written exactly as its bytes: PixelMed writes text back by encoding what it decoded,
 * which turns every ISO 2022 value (and high bytes without a declared set) into '?'. Values we did not
 * change go out as they came in; values we set go out as {@link org.pacsmigrator.dicom.text.DicomCharset}
 * encoded them.
 */
final class VerbatimText extends Attribute {
    private final byte[] vr;
    private final byte[] value;

    /** {@code value} is padded to an even length (UI with NUL, other VRs with a space) if it is not. */
    VerbatimText(AttributeTag tag, byte[] vr, byte[] value) {
        super(tag);
        this.vr = vr.clone();
        byte[] padded = value;
        if (value.length % 2 == 1) {
            padded = Arrays.copyOf(value, value.length + 1);
            padded[value.length] = Arrays.equals(vr, new byte[] {'U', 'I'}) ? 0 : (byte) ' ';
        }
        this.value = padded;
        this.valueLength = padded.length;
        this.valueMultiplicity = 1;
    }

    /**
     * Replaces every string attribute of {@code list}, in sequence items too, by its bytes as read (or as
     * PixelMed encodes one created since, ASCII for the VRs our edits set through it), except those already
     * verbatim. Called before PixelMed writes a list we read.
     */
    static void freeze(AttributeList list) throws DicomException {
        for (Object o : new ArrayList<>(list.values())) {
            Attribute a = (Attribute) o;
            if (a instanceof StringAttribute) {
                byte[] bytes = a.getByteValues();
                list.put(a.getTag(), new VerbatimText(a.getTag(), a.getVR(), bytes == null ? new byte[0] : bytes));
            } else if (a instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    SequenceItem item = sequence.getItem(i);
                    if (item.getAttributeList() != null) {
                        freeze(item.getAttributeList());
                    }
                }
            }
        }
    }

    @Override
    public byte[] getVR() {
        return vr.clone();
    }

    @Override
    public byte[] getByteValues() {
        return value.clone();
    }

    /** For PixelMed's own use (e.g. describing the attribute): the bytes as ISO 8859-1, values split, padding removed. */
    @Override
    public String[] getStringValues(NumberFormat format) {
        String text = new String(value, StandardCharsets.ISO_8859_1).replaceAll("[ \\x00]+$", "");
        return text.isEmpty() ? new String[0] : text.split("\\\\", -1);
    }

    @Override
    public void removeValues() {
        throw new UnsupportedOperationException("a verbatim value is replaced, not emptied");
    }

    @Override
    public void write(DicomOutputStream out) throws DicomException, IOException {
        writeBase(out);
        out.write(value);
    }
}
