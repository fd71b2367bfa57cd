package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Hides a data set's Specific Character Set (0008,0005) from PixelMed while it parses, and puts it back
 * afterwards. PixelMed decodes text while reading, and with a standard ISO 2022 set (GB 2312, or a
 * value cut inside a two-byte character) it fails on the attribute, logs a stack trace and drops it.
 * With the set blanked it keeps every value's bytes, which {@link Attributes} decodes with
 * {@link org.pacsmigrator.dicom.text.DicomCharset}, and {@link VerbatimText} writes back unchanged.
 * <p>
 * The set is found among the first top-level elements (it is (0008,0005): only group 0008's first
 * elements come before it); the encoding is told by the bytes (group 0008 little or big endian, a VR or
 * not). Deflated data sets are not masked (PixelMed inflates them itself); neither is a data set whose
 * elements before the set cannot be walked.
 */
final class CharacterSetMask {
    /** Where the set's value lies in a data set, and its bytes. */
    record Found(int valueOffset, int valueLength, byte[] value) {
    }

    private static final int SCS = 0x0008_0005;
    private static final long UNDEFINED = 0xFFFF_FFFFL;
    /** Far more than the few elements that may precede the set. */
    private static final int LOOK_AHEAD = 8192;
    private static final int MAX_META = 1 << 16;

    private CharacterSetMask() {
    }

    /** The set's value in {@code data[offset..end)}, a data set without meta header; null when absent or not found. */
    static Found locate(byte[] data, int offset, int end) {
        if (end - offset < 8) {
            return null;
        }
        boolean bigEndian = data[offset] == 0x00 && data[offset + 1] != 0x00;
        boolean explicit = isUpper(data[offset + 4]) && isUpper(data[offset + 5]);
        int p = offset;
        while (p + 8 <= end) {
            int tag = (u16(data, p, bigEndian) << 16) | u16(data, p + 2, bigEndian);
            if (Integer.compareUnsigned(tag, SCS) > 0) {
                return null;
            }
            int header;
            long length;
            if (explicit) {
                String vr = new String(data, p + 4, 2, StandardCharsets.US_ASCII);
                if (longLength(vr)) {
                    if (p + 12 > end) {
                        return null;
                    }
                    header = 12;
                    length = u32(data, p + 8, bigEndian);
                } else {
                    header = 8;
                    length = u16(data, p + 6, bigEndian);
                }
            } else {
                header = 8;
                length = u32(data, p + 4, bigEndian);
            }
            if (length == UNDEFINED || p + header + length > end) {
                return null;
            }
            if (tag == SCS) {
                int from = p + header;
                return new Found(from, (int) length, Arrays.copyOfRange(data, from, from + (int) length));
            }
            p += header + (int) length;
        }
        return null;
    }

    /** A copy of {@code data} with the set's value blanked (spaces), or {@code data} itself when there is none. */
    static byte[] masked(byte[] data, Found found) {
        if (found == null) {
            return data;
        }
        byte[] copy = data.clone();
        Arrays.fill(copy, found.valueOffset(), found.valueOffset() + found.valueLength(), (byte) ' ');
        return copy;
    }

    /**
     * A Part 10 file's stream with the set masked; {@code found} gets it. A stream without a Part 10 header,
     * with a meta group over 64 KiB or a deflated data set is passed on as it is.
     */
    static InputStream maskingPart10(InputStream file, Found[] found) throws IOException {
        byte[] start = file.readNBytes(144);
        ByteBuffer b = ByteBuffer.wrap(start).order(ByteOrder.LITTLE_ENDIAN);
        boolean part10 = start.length == 144 && start[128] == 'D' && start[129] == 'I' && start[130] == 'C' && start[131] == 'M'
                && b.getShort(132) == 0x0002 && b.getShort(134) == 0x0000 && start[136] == 'U' && start[137] == 'L';
        long dataSetOffset = part10 ? 144L + (b.getInt(140) & 0xFFFFFFFFL) : -1;
        if (dataSetOffset < 0 || dataSetOffset > MAX_META) {
            return new SequenceInputStream(new ByteArrayInputStream(start), file);
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes(start);
        head.writeBytes(file.readNBytes((int) dataSetOffset - 144 + LOOK_AHEAD));
        byte[] bytes = head.toByteArray();
        if (bytes.length > dataSetOffset && !PresentationContexts.DEFLATED.equals(metaTransferSyntax(bytes, (int) dataSetOffset))) {
            found[0] = locate(bytes, (int) dataSetOffset, bytes.length);
        }
        return new SequenceInputStream(new ByteArrayInputStream(masked(bytes, found[0])), file);
    }

    /** (0002,0010) of a meta group (explicit VR little endian, from byte 132 to {@code end}), or "". */
    private static String metaTransferSyntax(byte[] file, int end) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int p = 132;
        while (p + 8 <= end) {
            int element = b.getShort(p + 2) & 0xFFFF;
            boolean longLength = longLength(new String(file, p + 4, 2, StandardCharsets.US_ASCII));
            int header = longLength ? 12 : 8;
            long length = longLength ? (p + 12 <= end ? b.getInt(p + 8) & 0xFFFFFFFFL : -1) : b.getShort(p + 6) & 0xFFFF;
            if ((b.getShort(p) & 0xFFFF) != 0x0002 || length < 0 || p + header + length > end) {
                return "";
            }
            if (element == 0x0010) {
                return new String(file, p + header, (int) length, StandardCharsets.US_ASCII).replaceAll("[ \\x00]+$", "");
            }
            p += header + (int) length;
        }
        return "";
    }

    /** Puts the set found before masking back into the list PixelMed read, as its original bytes. */
    static void restore(AttributeList list, Found found) {
        if (found != null) {
            list.put(TagFromName.SpecificCharacterSet,
                    new VerbatimText(TagFromName.SpecificCharacterSet, new byte[] {'C', 'S'}, found.value()));
        }
    }

    private static boolean longLength(String vr) {
        return switch (vr) {
            case "OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR", "SV", "UV" -> true;
            default -> false;
        };
    }

    private static boolean isUpper(byte b) {
        return b >= 'A' && b <= 'Z';
    }

    private static int u16(byte[] b, int p, boolean bigEndian) {
        return bigEndian ? ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF) : ((b[p + 1] & 0xFF) << 8) | (b[p] & 0xFF);
    }

    private static long u32(byte[] b, int p, boolean bigEndian) {
        return bigEndian
                ? ((long) (b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF)
                : ((long) (b[p + 3] & 0xFF) << 24) | ((b[p + 2] & 0xFF) << 16) | ((b[p + 1] & 0xFF) << 8) | (b[p] & 0xFF);
    }
}
