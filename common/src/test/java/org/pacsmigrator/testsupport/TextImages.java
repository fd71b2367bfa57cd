package org.pacsmigrator.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Minimal Part 10 images (Secondary Capture, explicit VR little endian, 4×4 pixels) whose Specific Character
 * Set and PatientName are given as bytes, written byte by byte without any toolkit, so that what a test
 * compares the migrated image with cannot have been shaped by the code under test.
 */
public final class TextImages {
    public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";

    /** The patient and study of an image; {@code specificCharacterSet} null for none. */
    public record Image(String specificCharacterSet, byte[] patientName, String patientId, String birthDate, String sex,
                        String studyDate, String studyUid, String seriesUid, String sopUid) {
    }

    private TextImages() {
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    public static byte[] part10(Image i) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        if (i.specificCharacterSet() != null) {
            element(data, 0x0008, 0x0005, "CS", ascii(i.specificCharacterSet()));
        }
        element(data, 0x0008, 0x0016, "UI", uid(SECONDARY_CAPTURE));
        element(data, 0x0008, 0x0018, "UI", uid(i.sopUid()));
        element(data, 0x0008, 0x0020, "DA", ascii(i.studyDate()));
        element(data, 0x0008, 0x0030, "TM", ascii("101500"));
        element(data, 0x0008, 0x0050, "SH", ascii(""));
        element(data, 0x0008, 0x0060, "CS", ascii("OT"));
        element(data, 0x0010, 0x0010, "PN", i.patientName());
        element(data, 0x0010, 0x0020, "LO", ascii(i.patientId()));
        element(data, 0x0010, 0x0030, "DA", ascii(i.birthDate()));
        element(data, 0x0010, 0x0040, "CS", ascii(i.sex()));
        element(data, 0x0020, 0x000D, "UI", uid(i.studyUid()));
        element(data, 0x0020, 0x000E, "UI", uid(i.seriesUid()));
        element(data, 0x0020, 0x0010, "SH", ascii("1"));
        element(data, 0x0020, 0x0011, "IS", ascii("1"));
        element(data, 0x0020, 0x0013, "IS", ascii("1"));
        element(data, 0x0028, 0x0002, "US", u16(1));
        element(data, 0x0028, 0x0004, "CS", ascii("MONOCHROME2"));
        element(data, 0x0028, 0x0010, "US", u16(4));
        element(data, 0x0028, 0x0011, "US", u16(4));
        element(data, 0x0028, 0x0100, "US", u16(8));
        element(data, 0x0028, 0x0101, "US", u16(8));
        element(data, 0x0028, 0x0102, "US", u16(7));
        element(data, 0x0028, 0x0103, "US", u16(0));
        byte[] pixels = new byte[16];
        Arrays.fill(pixels, (byte) 0x40);
        element(data, 0x7FE0, 0x0010, "OB", pixels);

        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0002, 0x0001, "OB", new byte[] {0, 1});
        element(meta, 0x0002, 0x0002, "UI", uid(SECONDARY_CAPTURE));
        element(meta, 0x0002, 0x0003, "UI", uid(i.sopUid()));
        element(meta, 0x0002, 0x0010, "UI", uid(EXPLICIT_LE));
        element(meta, 0x0002, 0x0012, "UI", uid("1.2.826.0.1.3680043.10.1000.1"));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(new byte[128]);
        file.writeBytes(ascii("DICM"));
        element(file, 0x0002, 0x0000, "UL", u32(meta.size()));
        file.writeBytes(meta.toByteArray());
        file.writeBytes(data.toByteArray());
        return file.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int group, int element, String vr, byte[] value) {
        byte[] v = value;
        if (v.length % 2 == 1) {
            v = Arrays.copyOf(v, v.length + 1);
            v[v.length - 1] = (byte) (vr.equals("UI") || vr.equals("OB") ? 0 : ' ');
        }
        out.writeBytes(u16(group));
        out.writeBytes(u16(element));
        out.writeBytes(ascii(vr));
        if (vr.equals("OB") || vr.equals("UT") || vr.equals("SQ") || vr.equals("UN")) {
            out.writeBytes(new byte[2]);
            out.writeBytes(u32(v.length));
        } else {
            out.writeBytes(u16(v.length));
        }
        out.writeBytes(v);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] uid(String s) {
        return ascii(s);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }
}
