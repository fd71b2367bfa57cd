package org.pacsmigrator.dicomweb;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The File Meta Information of a Part 10 file (PS3.10 7.1), read from its first bytes without a toolkit: where the
 * data set starts, its transfer syntax and the SOP Class and Instance the meta group names.
 */
record PartTenMeta(long dataSetOffset, String transferSyntaxUid, String sopClassUid, String sopInstanceUid) {
    /** A meta group longer than this is not one (it holds a few UIDs). */
    private static final int MAX_GROUP_LENGTH = 64 * 1024;

    /** Reads the meta group; the stream is left at the data set's first byte. */
    static PartTenMeta read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] head = new byte[144];
        in.readFully(head);
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        boolean dicm = head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        if (!dicm || b.getShort(132) != 0x0002 || b.getShort(134) != 0x0000 || head[136] != 'U' || head[137] != 'L') {
            throw new IOException("not a Part 10 file with a meta group length");
        }
        long groupLength = b.getInt(140) & 0xffffffffL;
        if (groupLength > MAX_GROUP_LENGTH) {
            throw new IOException("meta group of " + groupLength + " bytes");
        }
        byte[] group = new byte[(int) groupLength];
        in.readFully(group);
        ByteBuffer g = ByteBuffer.wrap(group).order(ByteOrder.LITTLE_ENDIAN);
        String transferSyntax = "";
        String sopClass = "";
        String sopInstance = "";
        while (g.remaining() >= 8) {
            int groupNumber = g.getShort() & 0xFFFF;
            int element = g.getShort() & 0xFFFF;
            String vr = new String(new byte[] {g.get(), g.get()}, StandardCharsets.US_ASCII);
            long length;
            if (vr.equals("OB") || vr.equals("OW") || vr.equals("UN") || vr.equals("SQ") || vr.equals("UT")) {
                g.getShort();
                length = g.getInt() & 0xffffffffL;
            } else {
                length = g.getShort() & 0xFFFF;
            }
            if (groupNumber != 0x0002 || length > g.remaining()) {
                throw new IOException("malformed meta group");
            }
            byte[] value = new byte[(int) length];
            g.get(value);
            switch (element) {
                case 0x0002 -> sopClass = uid(value);
                case 0x0003 -> sopInstance = uid(value);
                case 0x0010 -> transferSyntax = uid(value);
                default -> {
                }
            }
        }
        if (transferSyntax.isEmpty()) {
            throw new IOException("the meta group names no transfer syntax");
        }
        return new PartTenMeta(144 + groupLength, transferSyntax, sopClass, sopInstance);
    }

    private static String uid(byte[] value) {
        return new String(value, StandardCharsets.US_ASCII).replace("\0", "").strip();
    }
}
