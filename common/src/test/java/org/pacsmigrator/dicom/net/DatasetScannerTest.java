package org.pacsmigrator.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.PatientAttributes;

/** The structural walk of received data sets, on data sets written byte by byte in each encoding. */
class DatasetScannerTest {
    private static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    private static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.70";

    @Test
    void aWholeExplicitDataSetYieldsItsIdentity() throws Exception {
        byte[] ds = image(new Writer(true, false), 4, 4, 16).bytes();
        DatasetScanner.Result r = scan(ds, EXPLICIT_LE);
        assertThat(r.complete()).isTrue();
        assertThat(r.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(r.sopInstanceUid()).isEqualTo("1.2.3.4.5");
        assertThat(r.studyInstanceUid()).isEqualTo("1.2.3.4");
        assertThat(r.seriesInstanceUid()).isEqualTo("1.2.3.4.1");
        assertThat(r.patientId()).isEqualTo("PID-1");
    }

    @Test
    void everyCutOfADataSetIsIncomplete() throws Exception {
        byte[] ds = image(new Writer(true, false), 4, 4, 16).bytes();
        for (int cut = 1; cut < ds.length; cut++) {
            if (endsAtElementBoundary(ds, cut)) {
                continue;
            }
            byte[] part = Arrays.copyOf(ds, cut);
            int at = cut;
            assertThatThrownBy(() -> scan(part, EXPLICIT_LE)).as("cut at %d of %d", at, ds.length)
                    .isInstanceOf(DatasetScanner.InvalidDataSetException.class);
        }
    }

    @Test
    void nativePixelDataShorterThanItsAttributesIsIncomplete() {
        Writer w = new Writer(true, false);
        identity(w);
        w.us(0x00280002, 1).us(0x00280010, 4).us(0x00280011, 4).us(0x00280100, 16);
        w.element(0x7FE00010, "OW", new byte[30]); // 4 x 4 x 16 bits need 32
        assertThatThrownBy(() -> scan(w.bytes(), EXPLICIT_LE)).hasMessageContaining("pixel data holds 30 bytes");
    }

    @Test
    void multiFrameColourImagesNeedAllTheirFrames() throws Exception {
        Writer w = new Writer(true, false);
        identity(w);
        w.us(0x00280002, 3).text(0x00280004, "CS", "RGB").text(0x00280008, "IS", "3 ").us(0x00280010, 2)
                .us(0x00280011, 2).us(0x00280100, 8);
        w.element(0x7FE00010, "OB", new byte[2 * 2 * 3 * 3]);
        assertThat(scan(w.bytes(), EXPLICIT_LE).complete()).isTrue();
        Writer shorter = new Writer(true, false);
        identity(shorter);
        shorter.us(0x00280002, 3).text(0x00280004, "CS", "RGB").text(0x00280008, "IS", "3 ").us(0x00280010, 2)
                .us(0x00280011, 2).us(0x00280100, 8);
        shorter.element(0x7FE00010, "OB", new byte[2 * 2 * 3 * 2]);
        assertThatThrownBy(() -> scan(shorter.bytes(), EXPLICIT_LE))
                .isInstanceOf(DatasetScanner.InvalidDataSetException.class);
    }

    @Test
    void encapsulatedPixelDataMustBeClosedByItsDelimiter() throws Exception {
        Writer w = new Writer(true, false);
        identity(w);
        w.us(0x00280010, 512).us(0x00280011, 512).us(0x00280100, 16);
        w.undefined(0x7FE00010, "OB").item(new byte[0]).item(new byte[100]);
        byte[] open = w.bytes();
        assertThatThrownBy(() -> scan(open, JPEG_LOSSLESS)).isInstanceOf(DatasetScanner.InvalidDataSetException.class);
        w.delimiter(0xFFFEE0DD);
        assertThat(scan(w.bytes(), JPEG_LOSSLESS).complete()).isTrue(); // compressed: no native length check
    }

    @Test
    void undefinedLengthSequencesNeedTheirDelimiters() throws Exception {
        Writer item = new Writer(true, false).text(0x00081150, "UI", "1.2.3").text(0x00081155, "UI", "1.2.3.4");
        Writer w = new Writer(true, false);
        identity(w);
        w.undefined(0x00081140, "SQ").undefinedItem(item.bytes());
        byte[] noItemEnd = w.bytes();
        assertThatThrownBy(() -> scan(noItemEnd, EXPLICIT_LE)).isInstanceOf(DatasetScanner.InvalidDataSetException.class);
        w.delimiter(0xFFFEE00D);
        byte[] noSequenceEnd = w.bytes();
        assertThatThrownBy(() -> scan(noSequenceEnd, EXPLICIT_LE)).isInstanceOf(DatasetScanner.InvalidDataSetException.class);
        w.delimiter(0xFFFEE0DD);
        w.text(0x00200013, "IS", "1 ");
        assertThat(scan(w.bytes(), EXPLICIT_LE).complete()).isTrue();
    }

    @Test
    void anElementRunningPastItsItemIsRefused() {
        Writer item = new Writer(true, false).text(0x00081150, "UI", "1.2.3.4.5.6");
        Writer w = new Writer(true, false);
        identity(w);
        byte[] itemBytes = item.bytes();
        // a defined-length sequence holding an item that claims fewer bytes than its element has
        ByteArrayOutputStream sq = new ByteArrayOutputStream();
        sq.writeBytes(le(0xFFFEE000));
        sq.writeBytes(le32(itemBytes.length - 4));
        sq.writeBytes(itemBytes);
        w.element(0x00081140, "SQ", sq.toByteArray());
        assertThatThrownBy(() -> scan(w.bytes(), EXPLICIT_LE)).isInstanceOf(DatasetScanner.InvalidDataSetException.class);
    }

    @Test
    void implicitLittleEndianWithSequencesAndBigEndianAreWalked() throws Exception {
        Writer implicit = new Writer(false, false);
        identity(implicit);
        implicit.undefined(0x00081140, null).undefinedItem(new Writer(false, false).text(0x00081150, "UI", "1.2").bytes())
                .delimiter(0xFFFEE00D).delimiter(0xFFFEE0DD);
        implicit.us(0x00280002, 1).us(0x00280010, 2).us(0x00280011, 2).us(0x00280100, 8).element(0x7FE00010, "OB", new byte[4]);
        assertThat(scan(implicit.bytes(), "1.2.840.10008.1.2").studyInstanceUid()).isEqualTo("1.2.3.4");

        Writer big = image(new Writer(true, true), 2, 2, 16);
        DatasetScanner.Result r = scan(big.bytes(), "1.2.840.10008.1.2.2");
        assertThat(r.sopInstanceUid()).isEqualTo("1.2.3.4.5");
        byte[] cut = Arrays.copyOf(big.bytes(), big.bytes().length - 2);
        assertThatThrownBy(() -> scan(cut, "1.2.840.10008.1.2.2")).isInstanceOf(DatasetScanner.InvalidDataSetException.class);
    }

    @Test
    void anUnknownVrSequenceOfUndefinedLengthIsWalkedAsImplicit() throws Exception {
        Writer w = new Writer(true, false);
        identity(w);
        w.undefined(0x00291010, "UN").undefinedItem(new Writer(false, false).text(0x00081150, "UI", "1.2").bytes())
                .delimiter(0xFFFEE00D).delimiter(0xFFFEE0DD);
        assertThat(scan(w.bytes(), EXPLICIT_LE).complete()).isTrue();
    }

    @Test
    void deflatedDataSetsAreInflatedAndChecked() throws Exception {
        byte[] plain = image(new Writer(true, false), 4, 4, 16).bytes();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(compressed, new Deflater(6, true))) {
            out.write(plain);
        }
        byte[] deflated = compressed.toByteArray();
        assertThat(scan(deflated, "1.2.840.10008.1.2.1.99").sopInstanceUid()).isEqualTo("1.2.3.4.5");
        assertThat(scan(deflated, "1.2.840.10008.1.2.1.99").patient()).as("left to a read of the file").isNull();
        byte[] cut = Arrays.copyOf(deflated, deflated.length / 2);
        assertThatThrownBy(() -> scan(cut, "1.2.840.10008.1.2.1.99"))
                .isInstanceOf(DatasetScanner.InvalidDataSetException.class);
    }

    @Test
    void patientAttributesArePickedOnlyWhenEncodedAsAFileReadExpectsThem() throws Exception {
        Writer plain = new Writer(true, false);
        plain.text(0x00080005, "CS", "ISO_IR 192").text(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2")
                .text(0x00080018, "UI", "1.2.3.4.5").text(0x00100010, "PN", "Doe^Jane").text(0x00100020, "LO", "PID-1")
                .text(0x00100021, "LO", "ISSUER").text(0x00100040, "CS", "F");
        assertThat(scan(plain.bytes(), EXPLICIT_LE).patient())
                .isEqualTo(new PatientAttributes("PID-1", "ISSUER", "Doe^Jane", "", "F"));
        assertThat(scan(plain.bytes(), EXPLICIT_LE).patient().toString()).doesNotContain("Doe", "PID-1");

        Writer otherVr = new Writer(true, false);
        otherVr.text(0x00100010, "LO", "Doe^Jane").text(0x00100020, "LO", "PID-1");
        assertThat(scan(otherVr.bytes(), EXPLICIT_LE).patient()).as("PatientName as LO").isNull();

        Writer tooLong = new Writer(true, false);
        tooLong.text(0x00100010, "PN", "Doe^" + "J".repeat(2000)).text(0x00100020, "LO", "PID-1");
        DatasetScanner.Result r = scan(tooLong.bytes(), EXPLICIT_LE);
        assertThat(r.patient()).as("a name longer than picked").isNull();
        assertThat(r.patientId()).isEqualTo("PID-1");

        Writer implicit = new Writer(false, false);
        implicit.text(0x00100010, "PN", "Doe^Jane").text(0x00100020, "LO", "PID-1");
        assertThat(scan(implicit.bytes(), "1.2.840.10008.1.2").patient())
                .isEqualTo(new PatientAttributes("PID-1", "", "Doe^Jane", "", ""));
    }

    @Test
    void theHeaderScanStopsAtItsTagAndSaysWhenTheBytesEndedFirst() throws Exception {
        byte[] ds = image(new Writer(true, false), 4, 4, 16).bytes();
        DatasetScanner.Result head = DatasetScanner.scanHeader(new ByteArrayInputStream(ds), EXPLICIT_LE, 0x0020000E);
        assertThat(head.complete()).isTrue();
        assertThat(head.studyInstanceUid()).isEqualTo("1.2.3.4");
        assertThat(head.patient()).as("not decoded by a header scan").isNull();
        DatasetScanner.Result partial = DatasetScanner.scanHeader(new ByteArrayInputStream(Arrays.copyOf(ds, 20)),
                EXPLICIT_LE, 0x0020000E);
        assertThat(partial.complete()).isFalse();
    }

    private static DatasetScanner.Result scan(byte[] ds, String ts) throws Exception {
        return DatasetScanner.scan(new ByteArrayInputStream(ds), ds.length, ts);
    }

    private static Writer image(Writer w, int rows, int columns, int bits) {
        identity(w);
        w.us(0x00280002, 1).text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, rows).us(0x00280011, columns)
                .us(0x00280100, bits);
        w.element(0x7FE00010, "OW", new byte[rows * columns * bits / 8]);
        return w;
    }

    private static void identity(Writer w) {
        w.text(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2").text(0x00080018, "UI", "1.2.3.4.5")
                .text(0x00100020, "LO", "PID-1").text(0x0020000D, "UI", "1.2.3.4").text(0x0020000E, "UI", "1.2.3.4.1");
    }

    /** True when {@code cut} bytes end exactly after an element of the top level (such a prefix is a valid data set). */
    private static boolean endsAtElementBoundary(byte[] ds, int cut) {
        int pos = 0;
        while (pos < ds.length) {
            if (pos == cut) {
                return true;
            }
            String vr = new String(ds, pos + 4, 2, StandardCharsets.ISO_8859_1);
            boolean longForm = vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN");
            long length = longForm ? ByteBuffer.wrap(ds, pos + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL
                    : ByteBuffer.wrap(ds, pos + 6, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
            pos += (longForm ? 12 : 8) + (int) length;
        }
        return false;
    }

    private static byte[] le(int tag) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (tag >>> 16)).putShort((short) tag).array();
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** Writes elements in explicit or implicit VR, little or big endian. */
    private static final class Writer {
        private final boolean explicit;
        private final ByteOrder order;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer(boolean explicit, boolean bigEndian) {
            this.explicit = explicit;
            this.order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        Writer text(int tag, String vr, String value) {
            byte[] b = value.getBytes(StandardCharsets.US_ASCII);
            if ((b.length & 1) == 1) {
                b = Arrays.copyOf(b, b.length + 1);
                b[b.length - 1] = (byte) (vr.equals("UI") ? 0 : ' ');
            }
            return element(tag, vr, b);
        }

        Writer us(int tag, int value) {
            return element(tag, "US", ByteBuffer.allocate(2).order(order).putShort((short) value).array());
        }

        Writer element(int tag, String vr, byte[] value) {
            tag(tag);
            if (explicit) {
                out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
                if (vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN")) {
                    out.writeBytes(new byte[2]);
                    int32(value.length);
                } else {
                    out.writeBytes(ByteBuffer.allocate(2).order(order).putShort((short) value.length).array());
                }
            } else {
                int32(value.length);
            }
            out.writeBytes(value);
            return this;
        }

        Writer undefined(int tag, String vr) {
            tag(tag);
            if (explicit && vr != null) {
                out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(new byte[2]);
            }
            int32(-1);
            return this;
        }

        /** An item of defined length (encapsulated fragments are always little endian items). */
        Writer item(byte[] value) {
            tag(0xFFFEE000);
            int32(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer undefinedItem(byte[] content) {
            tag(0xFFFEE000);
            int32(-1);
            out.writeBytes(content);
            return this;
        }

        Writer delimiter(int tag) {
            tag(tag);
            int32(0);
            return this;
        }

        private void tag(int tag) {
            out.writeBytes(ByteBuffer.allocate(4).order(order).putShort((short) (tag >>> 16)).putShort((short) tag).array());
        }

        private void int32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(order).putInt(v).array());
        }
    }
}
