package org.pacsmigrator.testsupport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a top-level element's value in a Part 10 file (little endian, explicit or implicit VR), read
 * without any toolkit: to prove that a migrated file holds exactly the original bytes.
 */
public final class RawElements {
    private static final long UNDEFINED = 0xFFFFFFFFL;

    private RawElements() {
    }

    /** The value of (group,element) as stored (padding included), or null when the file has no such element. */
    public static byte[] value(byte[] file, int group, int element) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 132 || !new String(file, 128, 4, StandardCharsets.US_ASCII).equals("DICM")) {
            throw new IllegalArgumentException("not a Part 10 file");
        }
        int metaEnd = 144 + b.getInt(140);
        int[] p = {132};
        byte[] found = walk(b, file, p, metaEnd, true, (group << 16) | element);
        if (found != null || group == 0x0002) {
            return found;
        }
        boolean explicit = Character.isUpperCase(file[metaEnd + 4]) && Character.isUpperCase(file[metaEnd + 5]);
        p[0] = metaEnd;
        return walk(b, file, p, file.length, explicit, (group << 16) | element);
    }

    private static byte[] walk(ByteBuffer b, byte[] file, int[] p, int end, boolean explicit, int wanted) {
        while (p[0] + 8 <= end) {
            int start = p[0];
            int tag = ((b.getShort(start) & 0xFFFF) << 16) | (b.getShort(start + 2) & 0xFFFF);
            if (tag == 0xFFFEE00D || tag == 0xFFFEE0DD) { // end of an item or sequence of undefined length
                p[0] = start + 8;
                return null;
            }
            int header;
            long length;
            String vr = explicit ? new String(file, start + 4, 2, StandardCharsets.US_ASCII) : "";
            if (!explicit || tag == 0xFFFEE000) {
                header = 8;
                length = b.getInt(start + 4) & 0xFFFFFFFFL;
            } else if (Arrays.asList("OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR", "SV", "UV").contains(vr)) {
                header = 12;
                length = b.getInt(start + 8) & 0xFFFFFFFFL;
            } else {
                header = 8;
                length = b.getShort(start + 6) & 0xFFFF;
            }
            p[0] = start + header;
            if (length == UNDEFINED) {
                skipUndefined(b, file, p, end, explicit);
                continue;
            }
            if (tag == wanted) {
                return Arrays.copyOfRange(file, start + header, start + header + (int) length);
            }
            p[0] += (int) length;
        }
        return null;
    }

    /** Items (or encapsulated fragments) up to the sequence delimiter. */
    private static void skipUndefined(ByteBuffer b, byte[] file, int[] p, int end, boolean explicit) {
        while (p[0] + 8 <= end) {
            int tag = ((b.getShort(p[0]) & 0xFFFF) << 16) | (b.getShort(p[0] + 2) & 0xFFFF);
            long length = b.getInt(p[0] + 4) & 0xFFFFFFFFL;
            p[0] += 8;
            if (tag == 0xFFFEE0DD) {
                return;
            }
            if (length == UNDEFINED) {
                walk(b, file, p, end, explicit, -1); // an item's data set, up to its delimiter
            } else {
                p[0] += (int) length;
            }
        }
    }
}
