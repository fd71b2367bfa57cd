package org.pacsmigrator.dicom.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Decoding and encoding of every kind of Specific Character Set, on the examples of PS3.5 Annexes H to K
 * (bytes as the standard prints them) and on names of the languages the migrations meet.
 */
class DicomCharsetTest {
    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static String decode(String charset, String hex) {
        return DicomCharset.of(charset).decode(hex(hex), true);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "ISO_IR 100 | 42 75 63 5e 4a e9 72 f4 6d 65 | Buc^Jérôme",
        "ISO_IR 101 | 4e 6f 76 e1 6b 5e 50 f8 65 6d 79 73 6c | Novák^Přemysl",
        "ISO_IR 109 | 47 fc 6c 5e 4d 61 6c 74 65 73 65 20 b1 | Gül^Maltese ħ",
        "ISO_IR 110 | 50 f1 6c 6b 69 6d 5e 49 6e 67 e0 | Pņlkim^Ingā",
        "ISO_IR 144 | bb ee da e1 d5 dc d1 e3 e0 d3 5e b8 d2 d0 dd | Люксембург^Иван",
        "ISO_IR 127 | e2 c8 c7 e6 ea 5e e4 e6 d2 c7 d1 | قباني^لنزار",
        "ISO_IR 126 | c4 e9 ef ed f5 f3 e9 ef f2 | Διονυσιος",
        "ISO_IR 138 | f9 f8 e5 ef 5e e3 e1 e5 f8 e4 | שרון^דבורה",
        "ISO_IR 148 | c7 61 f0 6c 61 72 5e de fc 6b 72 fc | Çağlar^Şükrü",
        "ISO_IR 203 | a4 75 72 6f 5e a6 e9 6c b8 6e 65 | €uro^Šélžne",
        "ISO_IR 166 | b9 d2 c2 5e e4 b7 c2 | นาย^ไทย",
        "ISO_IR 13 | d4 cf c0 de 5e c0 db b3 | ﾔﾏﾀﾞ^ﾀﾛｳ",
        "ISO_IR 192 | 57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d e7 8e 8b 5e e5 b0 8f e6 9d b1 3d | Wang^XiaoDong=王^小東=",
        "GB18030 | 57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d | Wang^XiaoDong=王^小东=",
        "GBK | 57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d | Wang^XiaoDong=王^小东=",
        // PS3.5 H.3.1: Japanese with code extensions, value 1 empty (ASCII)
        "\\ISO 2022 IR 87 | 59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a"
            + " 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42"
            + " | Yamada^Tarou=山田^太郎=やまだ^たろう",
        // PS3.5 H.3.2: half-width katakana as value 1, then JIS X 0208
        "ISO 2022 IR 13\\ISO 2022 IR 87 | d4 cf c0 de 5e c0 db b3 3d 1b 24 42 3b 33 45 44 1b 28 4a 5e 1b 24 42 42 40 4f 3a"
            + " 1b 28 4a 3d 1b 24 42 24 64 24 5e 24 40 1b 28 4a 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 4a"
            + " | ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
        // PS3.5 I.2: Korean, KS X 1001 in G1, designated again in each component group
        "\\ISO 2022 IR 149 | 48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce d4 d7 3d"
            + " 1b 24 29 43 c8 ab 5e 1b 24 29 43 b1 e6 b5 bf | Hong^Gildong=洪^吉洞=홍^길동",
        // the same without the repeated designation after '^' (G1 stays designated within a group)
        "\\ISO 2022 IR 149 | 48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e d1 ce d4 d7 3d"
            + " 1b 24 29 43 c8 ab 5e b1 e6 b5 bf | Hong^Gildong=洪^吉洞=홍^길동",
        // PS3.5 K.2: Chinese, GB 2312 in G1 (PixelMed 20220618 drops this value)
        "\\ISO 2022 IR 58 | 5a 68 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d 1b 24 29 41 d5 c5 5e 1b 24 29 41 d0 a1 b6 ab 3d"
            + " | Zhang^XiaoDong=张^小东= ",
        // JIS X 0212 (supplementary kanji) in G0
        "\\ISO 2022 IR 159 | 1b 24 28 44 2b 21 1b 28 42 | á",
        // Greek and Cyrillic by code extension into G1
        "ISO 2022 IR 100\\ISO 2022 IR 126 | 4d fc 6c 6c 65 72 3d 1b 2d 46 c4 e9 ef ed f5 f3 e9 ef f2 | Müller=Διονυσιος",
        "ISO 2022 IR 6\\ISO 2022 IR 144 | 1b 2d 4c b8 d2 d0 dd | Иван",
    })
    void decodesEveryKindOfCharacterSet(String charset, String hex, String expected) {
        assertThat(decode(charset.strip(), hex)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ISO_IR 100 | Buc^Jérôme",
        "ISO_IR 144 | Люксембург^Иван",
        "ISO_IR 126 | Διονυσιος^Ελένη",
        "ISO_IR 203 | €uro^Šélžne",
        "ISO_IR 192 | 山田^太郎=やまだ^たろう",
        "GB18030 | 王^小东=𠀀",
        "\\ISO 2022 IR 87 | Yamada^Tarou=山田^太郎=やまだ^たろう",
        "ISO 2022 IR 13\\ISO 2022 IR 87 | ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
        "\\ISO 2022 IR 149 | Hong^Gildong=洪^吉洞=홍^길동",
        "\\ISO 2022 IR 58 | Zhang^XiaoDong=张^小东=",
        "ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 144 | Müller=Διονυσιος=Иван",
    })
    void encodesWhatItDecodes(String charset, String text) {
        DicomCharset cs = DicomCharset.of(charset.strip());
        byte[] bytes = cs.encode(text, true).orElseThrow();
        assertThat(cs.decode(bytes, true)).isEqualTo(text);
    }

    @Test
    void encodesJapaneseExactlyAsTheStandardsExample() {
        byte[] bytes = DicomCharset.of("\\ISO 2022 IR 87").encode("Yamada^Tarou=山田^太郎=やまだ^たろう", true).orElseThrow();
        assertThat(bytes).isEqualTo(hex("59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a"
                + " 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42"));
    }

    @Test
    void refusesToEncodeWhatTheSetCannotHold() {
        assertThat(DicomCharset.of("ISO_IR 100").encode("山田", true)).isEmpty();
        assertThat(DicomCharset.DEFAULT.encode("Müller", true)).isEmpty();
        assertThat(DicomCharset.of("\\ISO 2022 IR 87").encode("Διονυσιος", true)).isEmpty();
        assertThat(DicomCharset.DEFAULT.encode("Muller", true)).contains("Muller".getBytes());
    }

    @Test
    void aTrailByteThatLooksLikeABackslashStaysInsideItsCharacter() {
        // GBK 乗 is 81 5C: decoded whole, the 5C is not taken for a value delimiter
        assertThat(decode("GBK", "81 5c 5c 41")).isEqualTo("乗\\A");
        assertThat(decode("GB18030", "81 5c")).isEqualTo("乗");
    }

    @Test
    void multipleValuesKeepTheirDelimiterAndEachStartsInValueOnesSets() {
        // the second value has no escape of its own: G1 was reset by the backslash, its high bytes cannot be read
        assertThat(decode("ISO 2022 IR 6\\ISO 2022 IR 126", "1b 2d 46 c4 5c c4")).isEqualTo("Δ\\\uFFFD");
        assertThat(decode("ISO_IR 192", "ce a9 5c ce b1")).isEqualTo("Ω\\α");
    }

    @Test
    void bytesASetCannotHaveBecomeReplacementCharacters() {
        assertThat(decode("ISO_IR 192", "e5 b1")).isEqualTo("\uFFFD");
        assertThat(decode("\\ISO 2022 IR 87", "1b 24 42 3b")).isEqualTo("\uFFFD");
        assertThat(decode("\\ISO 2022 IR 87", "41 e9")).isEqualTo("A\uFFFD");
        assertThat(decode("\\ISO 2022 IR 87", "1b 25 47 41")).isEqualTo("\uFFFD%GA"); // an unknown escape sequence
    }

    @Test
    void withoutACharacterSetHighBytesAreReadAsLatin1AndOnlyAsciiIsCarried() {
        assertThat(decode("", "4d fc 6c 6c 65 72")).isEqualTo("Müller");
        assertThat(DicomCharset.DEFAULT.canCarry('ü')).isFalse();
        assertThat(DicomCharset.of("ISO_IR 100").canCarry('ü')).isTrue();
        assertThat(DicomCharset.of("ISO_IR 100").canCarry('山')).isFalse();
        assertThat(DicomCharset.of("\\ISO 2022 IR 87").canCarry('山')).isTrue();
        assertThat(DicomCharset.of("ISO_IR 192").carriesAllOfUnicode()).isTrue();
        assertThat(DicomCharset.of("ISO_IR 100").carriesAllOfUnicode()).isFalse();
    }

    @Test
    void anUnknownTermIsSaidAndTheKnownOnesStillApply() {
        DicomCharset cs = DicomCharset.of("ISO 2022 IR 6\\ISO 2022 IR 999\\ISO 2022 IR 126");
        assertThat(cs.recognised()).isFalse();
        assertThat(cs.decode(hex("1b 2d 46 c4"), true)).isEqualTo("Δ");
        assertThat(DicomCharset.of("ISO_IR 999").recognised()).isFalse();
        assertThat(DicomCharset.of("ISO_IR 100").recognised()).isTrue();
    }
}
