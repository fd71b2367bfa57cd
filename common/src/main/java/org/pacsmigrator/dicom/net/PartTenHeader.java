package org.pacsmigrator.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The preamble and File Meta Information (PS3.10 section 7.1) that turn a received data set into a Part 10 file. */
final class PartTenHeader {
    private PartTenHeader() {
    }

    static byte[] of(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle) {
        ByteArrayOutputStream group = new ByteArrayOutputStream(256);
        element(group, 0x0001, "OB", new byte[] {0, 1});
        element(group, 0x0002, "UI", uid(sopClassUid));
        element(group, 0x0003, "UI", uid(sopInstanceUid));
        element(group, 0x0010, "UI", uid(transferSyntaxUid));
        element(group, 0x0012, "UI", uid(Pdus.IMPLEMENTATION_CLASS_UID));
        element(group, 0x0013, "SH", text(Pdus.IMPLEMENTATION_VERSION));
        if (sourceAeTitle != null && !sourceAeTitle.isEmpty()) {
            element(group, 0x0016, "AE", text(sourceAeTitle));
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream(400);
        file.writeBytes(new byte[128]);
        file.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        element(file, 0x0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(group.size()).array());
        file.writeBytes(group.toByteArray());
        return file.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int element, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x0002).putShort((short) element).put(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OB")) {
            b.putShort((short) 0).putInt(value.length);
        } else {
            b.putShort((short) value.length);
        }
        out.write(b.array(), 0, b.position());
        out.writeBytes(value);
    }

    private static byte[] uid(String uid) {
        return pad(uid, (byte) 0);
    }

    private static byte[] text(String s) {
        return pad(s, (byte) ' ');
    }

    private static byte[] pad(String s, byte padding) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if ((b.length & 1) == 0) {
            return b;
        }
        byte[] padded = Arrays.copyOf(b, b.length + 1);
        padded[b.length] = padding;
        return padded;
    }
}
