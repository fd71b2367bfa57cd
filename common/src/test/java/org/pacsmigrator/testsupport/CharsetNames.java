package org.pacsmigrator.testsupport;

import static org.pacsmigrator.testsupport.TextImages.hex;

import java.nio.charset.Charset;
import java.util.stream.Stream;

/** Patient names in every kind of Specific Character Set, as the bytes an image holds. */
public final class CharsetNames {
    private CharsetNames() {
    }

    /** A Specific Character Set, a name in it as bytes, and the name. */
    public record Name(String charset, byte[] bytes, String text) {
        @Override
        public String toString() {
            return (charset == null ? "(none)" : charset) + " " + text;
        }
    }

    private static Name encoded(String charset, String javaCharset, String text) {
        return new Name(charset, text.getBytes(Charset.forName(javaCharset)), text);
    }

    public static Stream<Name> names() {
        return Stream.of(
                encoded("ISO_IR 192", "UTF-8", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
                encoded("ISO_IR 192", "UTF-8", "Wang^XiaoDong=王^小東="),
                encoded("ISO_IR 192", "UTF-8", "Hong^Gildong=洪^吉洞=홍^길동"),
                encoded("ISO_IR 192", "UTF-8", "Διονυσιος^Ελένη"),
                encoded("ISO_IR 192", "UTF-8", "Иванов^Иван"),
                encoded("ISO_IR 192", "UTF-8", "שרון^דבורה"),
                encoded("ISO_IR 192", "UTF-8", "قباني^نزار"),
                encoded("ISO_IR 100", "ISO-8859-1", "Müller^Jörg"),
                encoded("ISO_IR 144", "ISO-8859-5", "Иванов^Иван"),
                encoded("ISO_IR 203", "ISO-8859-15", "Šimek^Žofie€"),
                encoded("GB18030", "GB18030", "Wang^XiaoDong=王^小东="),
                encoded(null, "ISO-8859-1", "Müller^Jörg"),
                // PS3.5 H.3.1, I.2 and K.2
                new Name("\\ISO 2022 IR 87", hex("59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24"
                        + " 42 42 40 4f 3a 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42"),
                        "Yamada^Tarou=山田^太郎=やまだ^たろう"),
                new Name("\\ISO 2022 IR 149", hex("48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce"
                        + " d4 d7 3d 1b 24 29 43 c8 ab 5e 1b 24 29 43 b1 e6 b5 bf"), "Hong^Gildong=洪^吉洞=홍^길동"),
                new Name("\\ISO 2022 IR 58", hex("5a 68 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d 1b 24 29 41 d5 c5 5e 1b 24 29 41 d0"
                        + " a1 b6 ab 3d"), "Zhang^XiaoDong=张^小东="));
    }
}
