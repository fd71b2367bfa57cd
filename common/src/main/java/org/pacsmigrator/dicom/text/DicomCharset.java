package org.pacsmigrator.dicom.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Specific Character Set (0008,0005) of a data set: decodes its text values (SH, LO, ST, LT, UT, UC,
 * PN) to Unicode and encodes new ones, for every term of PS3.3 C.12.1.1.2: the single-byte sets, UTF-8,
 * GB18030 and GBK, and ISO 2022 with code extensions (several values). Our own because PixelMed's
 * (20220618) fails on standard ISO 2022 text (GB 2312 names are dropped with a logged stack trace) and
 * writes every ISO 2022 value back as '?', and does not know ISO_IR 203.
 * <p>
 * Bytes a set cannot have (invalid UTF-8, a high byte with no G1 set) decode to U+FFFD. Without a
 * declared set (the default repertoire, ASCII) high bytes are read as ISO 8859-1, as most archives wrote
 * them: that keeps different names different.
 */
public final class DicomCharset {
    private static final Map<String, String> SINGLE = Map.ofEntries(
            Map.entry("ISO_IR 100", "ISO-8859-1"), Map.entry("ISO_IR 101", "ISO-8859-2"),
            Map.entry("ISO_IR 109", "ISO-8859-3"), Map.entry("ISO_IR 110", "ISO-8859-4"),
            Map.entry("ISO_IR 144", "ISO-8859-5"), Map.entry("ISO_IR 127", "ISO-8859-6"),
            Map.entry("ISO_IR 126", "ISO-8859-7"), Map.entry("ISO_IR 138", "ISO-8859-8"),
            Map.entry("ISO_IR 148", "ISO-8859-9"), Map.entry("ISO_IR 203", "ISO-8859-15"),
            Map.entry("ISO_IR 166", "TIS-620"), Map.entry("ISO_IR 192", "UTF-8"),
            Map.entry("GB18030", "GB18030"), Map.entry("GBK", "GBK"));
    /** Code sets of each ISO 2022 term; the first of a term is its G0 (if any) as value 1. */
    private static final Map<String, List<CodeSet>> EXTENSIONS = Map.ofEntries(
            Map.entry("ISO 2022 IR 6", List.of(CodeSet.ASCII)),
            Map.entry("ISO 2022 IR 100", List.of(CodeSet.LATIN1)), Map.entry("ISO 2022 IR 101", List.of(CodeSet.LATIN2)),
            Map.entry("ISO 2022 IR 109", List.of(CodeSet.LATIN3)), Map.entry("ISO 2022 IR 110", List.of(CodeSet.LATIN4)),
            Map.entry("ISO 2022 IR 144", List.of(CodeSet.CYRILLIC)), Map.entry("ISO 2022 IR 127", List.of(CodeSet.ARABIC)),
            Map.entry("ISO 2022 IR 126", List.of(CodeSet.GREEK)), Map.entry("ISO 2022 IR 138", List.of(CodeSet.HEBREW)),
            Map.entry("ISO 2022 IR 148", List.of(CodeSet.LATIN5)), Map.entry("ISO 2022 IR 203", List.of(CodeSet.LATIN9)),
            Map.entry("ISO 2022 IR 166", List.of(CodeSet.THAI)),
            Map.entry("ISO 2022 IR 13", List.of(CodeSet.JIS_ROMAN, CodeSet.JIS_KATAKANA)),
            Map.entry("ISO 2022 IR 87", List.of(CodeSet.JIS_X0208)), Map.entry("ISO 2022 IR 159", List.of(CodeSet.JIS_X0212)),
            Map.entry("ISO 2022 IR 149", List.of(CodeSet.KS_X1001)), Map.entry("ISO 2022 IR 58", List.of(CodeSet.GB2312)));

    /** No Specific Character Set: the default repertoire. */
    public static final DicomCharset DEFAULT = of("");

    private final String declared;
    private final boolean recognised;
    /** Set for a single non-ISO 2022 term; null for the default repertoire and for ISO 2022. */
    private final Charset charset;
    /** Set for ISO 2022 terms. */
    private final Iso2022 iso2022;

    private DicomCharset(String declared, boolean recognised, Charset charset, Iso2022 iso2022) {
        this.declared = declared;
        this.recognised = recognised;
        this.charset = charset;
        this.iso2022 = iso2022;
    }

    /** From the value of Specific Character Set as a string, several values separated by a backslash. */
    public static DicomCharset of(String specificCharacterSet) {
        String declared = specificCharacterSet == null ? "" : specificCharacterSet.strip();
        List<String> terms = new ArrayList<>(Arrays.stream(declared.split("\\\\", -1)).map(String::strip).toList());
        boolean multi = terms.size() > 1;
        String first = terms.get(0);
        if (!multi && (first.isEmpty() || first.equals("ISO_IR 6"))) {
            return new DicomCharset(declared, true, null, null);
        }
        // a Unicode set never has code extensions; as value 1 of several it still says how the text is written
        if (SINGLE.containsKey(first) && (!multi || first.equals("ISO_IR 192") || first.startsWith("GB"))) {
            return new DicomCharset(declared, true, Charset.forName(SINGLE.get(first)), null);
        }
        if (!multi && first.equals("ISO_IR 13")) {
            return new DicomCharset(declared, true, null, new Iso2022(CodeSet.JIS_ROMAN, CodeSet.JIS_KATAKANA,
                    List.of(CodeSet.JIS_ROMAN, CodeSet.JIS_KATAKANA)));
        }
        boolean recognised = true;
        List<CodeSet> sets = new ArrayList<>();
        for (String term : terms) {
            // "ISO_IR 100" among several values means its ISO 2022 form: tolerated, as archives write it
            String t = term.startsWith("ISO_IR ") ? "ISO 2022 IR " + term.substring(7) : term;
            List<CodeSet> s = EXTENSIONS.get(t);
            if (s == null && !term.isEmpty()) {
                recognised = false;
            } else if (s != null) {
                sets.addAll(s);
            }
        }
        List<CodeSet> firstSets = EXTENSIONS.getOrDefault(first.startsWith("ISO_IR ")
                ? "ISO 2022 IR " + first.substring(7) : first, List.of());
        CodeSet g0 = firstSets.contains(CodeSet.JIS_ROMAN) ? CodeSet.JIS_ROMAN : CodeSet.ASCII;
        CodeSet g1 = firstSets.stream().filter(s -> s.g1).findFirst().orElse(null);
        if (!sets.contains(g0)) {
            sets.add(0, g0);
        }
        return new DicomCharset(declared, recognised, null, new Iso2022(g0, g1, List.copyOf(sets)));
    }

    /** The Specific Character Set as declared (values separated by a backslash), "" for none. */
    public String declared() {
        return declared;
    }

    /** False when a term is not one of PS3.3's: its text is read as far as the known terms allow. */
    public boolean recognised() {
        return recognised;
    }

    /** True for sets that carry every character (UTF-8, GB18030): nothing is lost in them. */
    public boolean carriesAllOfUnicode() {
        return charset != null && (charset.equals(StandardCharsets.UTF_8) || charset.name().equals("GB18030"));
    }

    /**
     * The value's text. {@code personName}: PN, whose '=' ends a component group (where ISO 2022 returns to
     * value 1's sets). Multiple values stay joined by their backslash; padding is not removed here.
     */
    public String decode(byte[] value, boolean personName) {
        return decode(value, 0, value.length, personName);
    }

    public String decode(byte[] value, int offset, int length, boolean personName) {
        if (iso2022 != null) {
            return iso2022.decode(value, offset, length, personName);
        }
        if (charset == null) {
            return new String(value, offset, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(value, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // REPLACE never reports
        }
    }

    /** Whether a value in this set can hold the character (the default repertoire holds ASCII only). */
    public boolean canCarry(int codePoint) {
        if (codePoint < 0x80) {
            return true;
        }
        if (iso2022 != null) {
            return iso2022.canCarry(codePoint);
        }
        return charset != null && charset.newEncoder().canEncode(new String(Character.toChars(codePoint)));
    }

    /** The bytes of a new value in this set, or empty when it cannot hold every character of it. */
    public Optional<byte[]> encode(String value, boolean personName) {
        if (iso2022 != null) {
            return iso2022.encode(value, personName);
        }
        if (charset == null) {
            return value.chars().allMatch(c -> c < 0x80) ? Optional.of(value.getBytes(StandardCharsets.US_ASCII))
                    : Optional.empty();
        }
        try {
            ByteBuffer b = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(value));
            return Optional.of(Arrays.copyOf(b.array(), b.limit()));
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return declared.isEmpty() ? "(default repertoire)" : declared;
    }
}
