package org.pacsmigrator.dicom.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Text in ISO 2022 with code extensions (a Specific Character Set of several "ISO 2022 IR" terms): escape
 * sequences switch G0 and G1 between the declared code sets. The designations of value 1 are active again
 * at the start of each value, after a PN component group delimiter '=' and after control characters
 * (PS3.5 6.1.2.5.3): decoding resets there, encoding switches back before them.
 */
final class Iso2022 {
    private static final int ESC = 0x1B;
    private static final char REPLACEMENT = '\uFFFD';

    private final CodeSet initialG0;
    private final CodeSet initialG1;
    /** The sets the declared terms allow, in their order: the encoder picks the first that has a character. */
    private final List<CodeSet> declared;

    Iso2022(CodeSet initialG0, CodeSet initialG1, List<CodeSet> declared) {
        this.initialG0 = initialG0;
        this.initialG1 = initialG1;
        this.declared = declared;
    }

    boolean canCarry(int codePoint) {
        return codePoint < 0x80 || declared.stream().anyMatch(s -> s.encode(codePoint).isPresent());
    }

    /** Every escape sequence is honoured, declared or not: what the sender meant is what counts when reading. */
    String decode(byte[] bytes, int offset, int length, boolean personName) {
        StringBuilder out = new StringBuilder(length);
        CodeSet g0 = initialG0;
        CodeSet g1 = initialG1;
        Run run = new Run(out);
        int end = offset + length;
        for (int i = offset; i < end; ) {
            int b = bytes[i] & 0xFF;
            if (b == ESC) {
                Optional<CodeSet> set = CodeSet.escapeAt(bytes, i, end);
                if (set.isEmpty()) {
                    run.flush();
                    out.append(REPLACEMENT); // an escape sequence we do not know: its text cannot be read
                    i++;
                    continue;
                }
                if (set.get().g1) {
                    g1 = set.get();
                } else {
                    g0 = set.get();
                }
                i += set.get().escape().length;
                continue;
            }
            if (b < 0x80) {
                if (g0.bytesPerCharacter == 2 && b > 0x20 && b < 0x7F) {
                    if (i + 1 >= end) {
                        run.flush();
                        out.append(REPLACEMENT);
                        i++;
                        continue;
                    }
                    run.add(g0, bytes, i, 2);
                    i += 2;
                    continue;
                }
                run.flush();
                out.append((char) b);
                if (resetsDesignations(b, personName)) {
                    g0 = initialG0;
                    g1 = initialG1;
                }
                i++;
                continue;
            }
            if (g1 == null) {
                run.flush();
                out.append(REPLACEMENT); // a high byte with no G1 set designated
                i++;
            } else if (g1.bytesPerCharacter == 2) {
                int n = i + 1 < end && (bytes[i + 1] & 0xFF) >= 0x80 ? 2 : 1;
                run.add(g1, bytes, i, n); // a lone byte decodes as a replacement character
                i += n;
            } else {
                run.add(g1, bytes, i, 1);
                i++;
            }
        }
        run.flush();
        return out.toString();
    }

    private static boolean resetsDesignations(int b, boolean personName) {
        return b == '\\' || (personName && b == '=') || b == '\r' || b == '\n' || b == '\t' || b == '\f';
    }

    /** Encodes with the declared sets; empty when a character is in none of them. */
    Optional<byte[]> encode(String value, boolean personName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodeSet g0 = initialG0;
        CodeSet g1 = initialG1;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                if (g0 != initialG0 && g0.bytesPerCharacter == 2) {
                    out.writeBytes(initialG0.escape());
                    g0 = initialG0;
                }
                out.write(cp);
                if (resetsDesignations(cp, personName)) {
                    g0 = initialG0;
                    g1 = initialG1;
                }
                continue;
            }
            Optional<byte[]> encoded = Optional.empty();
            CodeSet chosen = null;
            for (CodeSet set : candidates(g0, g1)) {
                encoded = set.encode(cp);
                if (encoded.isPresent()) {
                    chosen = set;
                    break;
                }
            }
            if (chosen == null) {
                return Optional.empty();
            }
            if (chosen.g1 && chosen != g1) {
                out.writeBytes(chosen.escape());
                g1 = chosen;
            } else if (!chosen.g1 && chosen != g0) {
                out.writeBytes(chosen.escape());
                g0 = chosen;
            }
            out.writeBytes(encoded.get());
        }
        if (g0 != initialG0) {
            out.writeBytes(initialG0.escape());
        }
        return Optional.of(out.toByteArray());
    }

    /** The sets designated now first (no escape needed), then the declared ones. */
    private List<CodeSet> candidates(CodeSet g0, CodeSet g1) {
        LinkedHashSet<CodeSet> sets = new LinkedHashSet<>();
        if (g1 != null && declared.contains(g1)) {
            sets.add(g1);
        }
        if (declared.contains(g0)) {
            sets.add(g0);
        }
        sets.addAll(declared);
        return List.copyOf(sets);
    }

    /** Consecutive bytes of one code set, decoded together by its charset. */
    private static final class Run {
        private final StringBuilder out;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private CodeSet set;

        Run(StringBuilder out) {
            this.out = out;
        }

        void add(CodeSet codeSet, byte[] in, int offset, int length) {
            if (codeSet != set) {
                flush();
                set = codeSet;
            }
            if (length < codeSet.bytesPerCharacter) {
                flush();
                out.append(REPLACEMENT);
                return;
            }
            codeSet.toCharsetBytes(in, offset, length, bytes);
        }

        void flush() {
            if (set != null && bytes.size() > 0) {
                try {
                    out.append(set.charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes.toByteArray())));
                } catch (CharacterCodingException e) {
                    throw new IllegalStateException(e); // REPLACE never reports
                }
            }
            bytes.reset();
            set = null;
        }
    }
}
