package org.pacsmigrator.dicom.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.pacsmigrator.dicom.PatientAttributes;

/**
 * Walks a received data set element by element without loading values, proving that it is whole: every
 * element, item and sequence ends inside the bytes received, undefined lengths are closed by their
 * delimiters, encapsulated pixel data by its sequence delimiter, native pixel data is as long as its
 * image attributes say. On the way it picks the few attributes the receiving side needs (identity,
 * pixel description, the patient attributes), so the header is parsed once at receipt.
 */
public final class DatasetScanner {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    static final String DEFLATED = "1.2.840.10008.1.2.1.99";

    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_DELIMITER = 0xFFFEE00D;
    private static final int SEQUENCE_DELIMITER = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int MAX_DEPTH = 64;
    /** Longest value read into memory; everything else is skipped. */
    private static final int MAX_PICKED_VALUE = 256;

    /** The data set is not whole or not well formed. */
    public static final class InvalidDataSetException extends Exception {
        InvalidDataSetException(String message) {
            super(message);
        }
    }

    /**
     * What the scan found; {@code complete} is false when a header scan ran out of bytes before its stop tag;
     * {@code patient} is null when its attributes could not be picked as a read of the file would decode them
     * (and after a header scan, which does not decode them).
     */
    public record Result(boolean complete, String sopClassUid, String sopInstanceUid, String studyInstanceUid,
                         String seriesInstanceUid, String patientId, PatientAttributes patient) {
    }

    private final Counting in;
    /** The syntax's VR encoding; inside a UN sequence of undefined length the walk is implicit (PS3.5 6.2.2). */
    private final boolean explicit;
    private final boolean bigEndian;
    private final int stopAfterTag;
    private final PatientValues patient = new PatientValues();
    private String sopClassUid = "";
    private String sopInstanceUid = "";
    private String studyInstanceUid = "";
    private String seriesInstanceUid = "";
    private String patientId = "";
    private String photometric = "";
    private int rows;
    private int columns;
    private int samples = 1;
    private int bitsAllocated;
    private long frames = 1;
    private long nativePixelLength = -1;

    private DatasetScanner(InputStream raw, long length, String transferSyntax, int stopAfterTag) {
        boolean deflated = DEFLATED.equals(transferSyntax);
        InputStream source = deflated ? new InflaterInputStream(raw, new Inflater(true), 8192) : raw;
        this.in = new Counting(source, deflated ? -1 : length);
        this.explicit = !IMPLICIT_LE.equals(transferSyntax);
        this.bigEndian = EXPLICIT_BE.equals(transferSyntax);
        this.stopAfterTag = stopAfterTag;
        if (deflated || stopAfterTag != -1) {
            // the file-reading toolkit decodes deflated text its own way; a header scan only needs the identity
            patient.markUnknown();
        }
    }

    /** Scans the whole data set: {@code length} bytes of the stream (the received data set). */
    public static Result scan(InputStream dataSet, long length, String transferSyntax)
            throws IOException, InvalidDataSetException {
        return new DatasetScanner(dataSet, length, transferSyntax, -1).run();
    }

    /**
     * Scans the beginning of a data set up to and including {@code stopAfterTag} (a top-level tag, e.g.
     * SeriesInstanceUID): the identity of an instance whose bytes are still arriving. Incomplete when the
     * bytes end first.
     */
    public static Result scanHeader(InputStream head, String transferSyntax, int stopAfterTag) throws IOException {
        try {
            return new DatasetScanner(head, -1, transferSyntax, stopAfterTag).run();
        } catch (InvalidDataSetException e) {
            return new Result(false, "", "", "", "", "", null);
        }
    }

    private Result run() throws IOException, InvalidDataSetException {
        try {
            elements(-1, 0, true, explicit);
        } catch (Stop stop) {
            return result(true);
        } catch (EOFException e) {
            if (stopAfterTag != -1) {
                return result(false);
            }
            throw new InvalidDataSetException("data set ends inside an element at byte " + in.position);
        }
        if (stopAfterTag != -1) {
            return result(false);
        }
        checkPixelLength();
        return result(true);
    }

    private Result result(boolean complete) {
        return new Result(complete, sopClassUid, sopInstanceUid, studyInstanceUid, seriesInstanceUid, patientId,
                patient.result());
    }

    /**
     * Elements until {@code end} (a position), or until an item delimiter when {@code end} is -1 inside an
     * item, or until the stream ends at top level.
     */
    private void elements(long end, int depth, boolean topLevel, boolean explicitVr)
            throws IOException, InvalidDataSetException, Stop {
        if (depth > MAX_DEPTH) {
            throw new InvalidDataSetException("sequences nested deeper than " + MAX_DEPTH);
        }
        while (end < 0 || in.position < end) {
            int tag;
            if (topLevel) {
                int first = in.read();
                if (first < 0) {
                    return; // the data set ends between two elements: whole
                }
                tag = tagFrom(first);
            } else {
                tag = tag();
            }
            if (tag == ITEM_DELIMITER && !topLevel && end < 0) {
                int length = int32();
                if (length != 0) {
                    throw new InvalidDataSetException("item delimiter with length " + Integer.toUnsignedLong(length));
                }
                return;
            }
            if (topLevel && stopAfterTag != -1 && Integer.compareUnsigned(tag, stopAfterTag) > 0) {
                throw new Stop();
            }
            element(tag, depth, topLevel, explicitVr);
            if (end >= 0 && in.position > end) {
                throw new InvalidDataSetException(String.format("element (%04X,%04X) runs past the end of its item",
                        tag >>> 16, tag & 0xffff));
            }
        }
        if (end < 0 && !topLevel) {
            throw new EOFException();
        }
    }

    private void element(int tag, int depth, boolean topLevel, boolean explicitVr)
            throws IOException, InvalidDataSetException, Stop {
        String vr = null;
        long length;
        if (explicitVr && (tag >>> 16) != 0xFFFE) {
            vr = new String(in.readFully(2), StandardCharsets.ISO_8859_1);
            if (longLengthVr(vr)) {
                in.readFully(2);
                length = Integer.toUnsignedLong(int32());
            } else {
                length = uint16();
            }
        } else {
            length = Integer.toUnsignedLong(int32());
        }
        if (length == UNDEFINED) {
            if (tag == PIXEL_DATA && topLevel && explicitVr) {
                encapsulatedPixelData();
            } else if (vr == null || vr.equals("SQ")) {
                sequence(-1, depth, explicitVr);
            } else if (vr.equals("UN")) {
                sequence(-1, depth, false); // a sequence encoded in implicit VR little endian (PS3.5 6.2.2)
            } else {
                throw new InvalidDataSetException(String.format("(%04X,%04X) %s with undefined length",
                        tag >>> 16, tag & 0xffff, vr));
            }
            return;
        }
        if ("SQ".equals(vr)) {
            sequence(in.position + length, depth, explicitVr);
            return;
        }
        // implicit VR: a defined-length sequence is skipped as one value (its bounds are still checked)
        if (topLevel && PatientValues.wants(tag)) {
            byte[] value = length <= PatientValues.MAX_VALUE ? in.readFully((int) length) : null;
            if (value == null) {
                in.skipFully(length);
            } else if (picks(tag) && length <= MAX_PICKED_VALUE) {
                pick(tag, value);
            }
            patient.take(tag, vr, value);
        } else if (topLevel && picks(tag) && length <= MAX_PICKED_VALUE) {
            pick(tag, in.readFully((int) length));
        } else {
            if (topLevel && tag == PIXEL_DATA) {
                nativePixelLength = length;
            }
            in.skipFully(length);
        }
    }

    private void sequence(long end, int depth, boolean explicitVr) throws IOException, InvalidDataSetException, Stop {
        while (end < 0 || in.position < end) {
            int tag = tag();
            long length = Integer.toUnsignedLong(int32());
            if (tag == SEQUENCE_DELIMITER) {
                if (end >= 0) {
                    throw new InvalidDataSetException("sequence delimiter in a sequence of defined length");
                }
                return;
            }
            if (tag != ITEM) {
                throw new InvalidDataSetException(String.format("(%04X,%04X) where a sequence item was expected",
                        tag >>> 16, tag & 0xffff));
            }
            elements(length == UNDEFINED ? -1 : in.position + length, depth + 1, false, explicitVr);
        }
        if (in.position != end) {
            throw new InvalidDataSetException("a sequence item runs past the end of its sequence");
        }
    }

    private void encapsulatedPixelData() throws IOException, InvalidDataSetException {
        while (true) {
            int tag = tag();
            long length = Integer.toUnsignedLong(int32());
            if (tag == SEQUENCE_DELIMITER) {
                return;
            }
            if (tag != ITEM || length == UNDEFINED) {
                throw new InvalidDataSetException("encapsulated pixel data: a fragment is not an item of defined length");
            }
            in.skipFully(length);
        }
    }

    private void checkPixelLength() throws InvalidDataSetException {
        if (nativePixelLength < 0 || rows == 0 || columns == 0 || bitsAllocated == 0) {
            return;
        }
        long perPixelSamples = photometric.startsWith("YBR_FULL_422") || photometric.startsWith("YBR_PARTIAL_422")
                ? 2 : samples;
        long bits = (long) rows * columns * frames * perPixelSamples * bitsAllocated;
        long expected = (bits + 7) / 8;
        if (nativePixelLength < expected) {
            throw new InvalidDataSetException(String.format(
                    "pixel data holds %d bytes, %d rows x %d columns x %d frames x %d samples x %d bits need %d",
                    nativePixelLength, rows, columns, frames, samples, bitsAllocated, expected));
        }
    }

    private static boolean picks(int tag) {
        return switch (tag) {
            case 0x00080016, 0x00080018, 0x0020000D, 0x0020000E, 0x00100020, 0x00280002, 0x00280004, 0x00280008,
                 0x00280010, 0x00280011, 0x00280100 -> true;
            default -> false;
        };
    }

    private void pick(int tag, byte[] value) {
        switch (tag) {
            case 0x00080016 -> sopClassUid = text(value);
            case 0x00080018 -> sopInstanceUid = text(value);
            case 0x0020000D -> studyInstanceUid = text(value);
            case 0x0020000E -> seriesInstanceUid = text(value);
            case 0x00100020 -> patientId = text(value);
            case 0x00280004 -> photometric = text(value);
            case 0x00280002 -> samples = us(value);
            case 0x00280010 -> rows = us(value);
            case 0x00280011 -> columns = us(value);
            case 0x00280100 -> bitsAllocated = us(value);
            case 0x00280008 -> frames = Math.max(1, parseLong(text(value)));
            default -> { }
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private int us(byte[] v) {
        if (v.length < 2) {
            return 0;
        }
        return bigEndian ? (v[0] & 0xff) << 8 | (v[1] & 0xff) : (v[0] & 0xff) | (v[1] & 0xff) << 8;
    }

    private static String text(byte[] v) {
        return CommandSet.unpadded(v);
    }

    private static boolean longLengthVr(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    private int tag() throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException();
        }
        return tagFrom(first);
    }

    /** Group and element (each in the syntax's byte order; item tags are always little endian here). */
    private int tagFrom(int firstByte) throws IOException {
        byte[] rest = in.readFully(3);
        int b0 = firstByte, b1 = rest[0] & 0xff, b2 = rest[1] & 0xff, b3 = rest[2] & 0xff;
        int group = bigEndian ? b0 << 8 | b1 : b1 << 8 | b0;
        int element = bigEndian ? b2 << 8 | b3 : b3 << 8 | b2;
        return group << 16 | element;
    }

    private int uint16() throws IOException {
        byte[] b = in.readFully(2);
        return bigEndian ? (b[0] & 0xff) << 8 | (b[1] & 0xff) : (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    private int int32() throws IOException {
        byte[] b = in.readFully(4);
        return bigEndian
                ? (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff)
                : (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /** Thrown to end a header scan at its stop tag. */
    private static final class Stop extends Exception {
        Stop() {
            super(null, null, false, false);
        }
    }

    /** A stream that knows its position and skips or reads exactly, failing with EOF when the bytes end. */
    private static final class Counting {
        private final InputStream in;
        /** Bytes the stream holds, -1 when unknown; a file's skip() passes its end silently, so it is checked here. */
        private final long limit;
        private long position;
        private final byte[] scratch = new byte[8192];

        Counting(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        byte[] readFully(int n) throws IOException {
            byte[] b = new byte[n];
            int off = 0;
            while (off < n) {
                int r = in.read(b, off, n - off);
                if (r < 0) {
                    throw new EOFException();
                }
                off += r;
            }
            position += n;
            return b;
        }

        void skipFully(long n) throws IOException {
            if (limit >= 0 && position + n > limit) {
                throw new EOFException();
            }
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    // skip may return 0 at EOF or for streams that cannot skip: read to tell which
                    int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                    if (r < 0) {
                        throw new EOFException();
                    }
                    skipped = r;
                }
                left -= skipped;
            }
            position += n;
        }
    }
}
