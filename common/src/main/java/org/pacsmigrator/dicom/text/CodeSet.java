package org.pacsmigrator.dicom.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.Optional;

/**
 * A code element of ISO 2022 as DICOM uses it (PS3.3 C.12.1.1.2, PS3.5 6.1.2.5): what its escape sequence
 * designates (G0 or G1), how many bytes make a character and which Java charset decodes them. Two-byte G0
 * sets (JIS X 0208, JIS X 0212) travel as 7-bit bytes and are decoded through EUC-JP; G1 sets as bytes
 * with the high bit set, through their EUC or ISO 8859 charset.
 */
enum CodeSet {
    ASCII(false, 1, "US-ASCII", 0x1B, '(', 'B'),
    /** JIS X 0201 Romaji: taken as ASCII (its yen sign at 0x5C is the DICOM value delimiter anyway). */
    JIS_ROMAN(false, 1, "US-ASCII", 0x1B, '(', 'J'),
    JIS_KATAKANA(true, 1, "JIS_X0201", 0x1B, ')', 'I'),
    LATIN1(true, 1, "ISO-8859-1", 0x1B, '-', 'A'),
    LATIN2(true, 1, "ISO-8859-2", 0x1B, '-', 'B'),
    LATIN3(true, 1, "ISO-8859-3", 0x1B, '-', 'C'),
    LATIN4(true, 1, "ISO-8859-4", 0x1B, '-', 'D'),
    CYRILLIC(true, 1, "ISO-8859-5", 0x1B, '-', 'L'),
    ARABIC(true, 1, "ISO-8859-6", 0x1B, '-', 'G'),
    GREEK(true, 1, "ISO-8859-7", 0x1B, '-', 'F'),
    HEBREW(true, 1, "ISO-8859-8", 0x1B, '-', 'H'),
    LATIN5(true, 1, "ISO-8859-9", 0x1B, '-', 'M'),
    LATIN9(true, 1, "ISO-8859-15", 0x1B, '-', 'b'),
    THAI(true, 1, "TIS-620", 0x1B, '-', 'T'),
    JIS_X0208(false, 2, "EUC-JP", 0x1B, '$', 'B'),
    JIS_X0212(false, 2, "EUC-JP", 0x1B, '$', '(', 'D'),
    KS_X1001(true, 2, "EUC-KR", 0x1B, '$', ')', 'C'),
    GB2312(true, 2, "GB2312", 0x1B, '$', ')', 'A');

    final boolean g1;
    final int bytesPerCharacter;
    final Charset charset;
    private final byte[] escape;

    CodeSet(boolean g1, int bytesPerCharacter, String charset, int... escape) {
        this.g1 = g1;
        this.bytesPerCharacter = bytesPerCharacter;
        this.charset = Charset.forName(charset);
        this.escape = new byte[escape.length];
        for (int i = 0; i < escape.length; i++) {
            this.escape[i] = (byte) escape[i];
        }
    }

    byte[] escape() {
        return escape.clone();
    }

    /** The code set whose escape sequence starts at {@code offset}, if any. */
    static Optional<CodeSet> escapeAt(byte[] bytes, int offset, int end) {
        for (CodeSet set : values()) {
            int n = set.escape.length;
            if (offset + n <= end && Arrays.equals(bytes, offset, offset + n, set.escape, 0, n)) {
                return Optional.of(set);
            }
        }
        return Optional.empty();
    }

    /**
     * The bytes of one character in this set as they go into the value (7-bit for G0, high bit set for
     * G1), or empty when the set has no such character.
     */
    Optional<byte[]> encode(int codePoint) {
        if (this == ASCII || this == JIS_ROMAN) {
            return codePoint < 0x80 ? Optional.of(new byte[] {(byte) codePoint}) : Optional.empty();
        }
        byte[] b;
        try {
            CharsetEncoder encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer out = encoder.encode(CharBuffer.wrap(Character.toChars(codePoint)));
            b = Arrays.copyOf(out.array(), out.limit());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        return switch (this) {
            // EUC-JP: JIS X 0208 is two bytes A1-FE, JIS X 0212 is 8F then two; the 7-bit form drops the high bits
            case JIS_X0208 -> b.length == 2 && (b[0] & 0xFF) >= 0xA1 ? Optional.of(new byte[] {(byte) (b[0] & 0x7F),
                (byte) (b[1] & 0x7F)}) : Optional.empty();
            case JIS_X0212 -> b.length == 3 && (b[0] & 0xFF) == 0x8F ? Optional.of(new byte[] {(byte) (b[1] & 0x7F),
                (byte) (b[2] & 0x7F)}) : Optional.empty();
            case KS_X1001, GB2312 -> b.length == 2 && (b[0] & 0xFF) >= 0xA1 ? Optional.of(b) : Optional.empty();
            case JIS_KATAKANA -> b.length == 1 && (b[0] & 0xFF) >= 0xA1 && (b[0] & 0xFF) <= 0xDF ? Optional.of(b) : Optional.empty();
            // the G1 half of an ISO 8859 set or TIS 620: the ASCII half is G0's
            default -> b.length == 1 && (b[0] & 0xFF) >= 0xA0 ? Optional.of(b) : Optional.empty();
        };
    }

    /** The bytes that, fed to {@link #charset}, decode the characters of a run in this set (as received). */
    void toCharsetBytes(byte[] in, int offset, int length, ByteArrayOutputStream out) {
        for (int i = offset; i < offset + length; i++) {
            int b = in[i] & 0xFF;
            switch (this) {
                case JIS_X0208 -> out.write(b | 0x80);
                case JIS_X0212 -> {
                    if ((i - offset) % 2 == 0) {
                        out.write(0x8F);
                    }
                    out.write(b | 0x80);
                }
                default -> out.write(b);
            }
        }
    }
}
