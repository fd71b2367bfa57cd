package org.pacsmigrator.dicom.text;

import java.text.Normalizer;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/**
 * Tells text that lost characters on its way to us: many archives answer C-FIND in their own character set
 * (Orthanc in ISO_IR 100) whatever their images hold, and replace what that set cannot carry by '?' or
 * U+FFFD, or drop it ("山田^太郎" arrives as "^"). Such a value is unknown, never evidence of a conflict.
 */
public final class LossyText {
    private static final char REPLACEMENT = '\uFFFD';
    /** What a character the answer's set could not carry may have become: nothing, '?', U+FFFD, a space, mojibake. */
    private static final String LOST = "(?:[?\\x{FFFD} ]|[^\\x00-\\x7F])*";

    private LossyText() {
    }

    /**
     * Signs of loss in a value as answered, without anything to compare it with: a replacement character,
     * a '?' (a query wildcard, never part of a real name or ID), or a person name component group made of
     * delimiters only ("^", "Yamada^Tarou=^=^").
     */
    public static boolean showsLoss(String value, boolean personName) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (value.indexOf(REPLACEMENT) >= 0 || value.indexOf('?') >= 0) {
            return true;
        }
        if (personName) {
            for (String v : value.split("\\\\", -1)) {
                for (String group : v.split("=", -1)) {
                    if (group.indexOf('^') >= 0 && group.replace("^", "").isBlank()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code answered} can be the image's {@code imageValue} after passing through the answer's
     * character set: every character that set carries is there as it is, each one it cannot carry may be
     * missing or replaced. A value that differs anywhere else is another value. Person names are compared
     * value by value, component group by group, component by component, so that the empty components and
     * groups a loss leaves behind (or drops: "Hong^Gildong" for "Hong^Gildong=洪^吉洞") count as lost.
     */
    public static boolean explainedByLoss(String answered, DicomCharset answerCharset, String imageValue, boolean personName) {
        String image = Normalizer.normalize(imageValue == null ? "" : imageValue, Normalizer.Form.NFC).strip();
        String found = Normalizer.normalize(answered == null ? "" : answered, Normalizer.Form.NFC).strip();
        if (image.codePoints().allMatch(answerCharset::canCarry)) {
            return false; // the answer's set carries all of it: a difference is another value
        }
        BiPredicate<String, String> component = (f, i) -> lossyForms(i.strip(), answerCharset).matcher(f.strip()).matches();
        if (!personName) {
            return component.test(found, image);
        }
        return parts(found, image, "\\\\", (fv, iv) -> parts(fv, iv, "=", (fg, ig) -> parts(fg, ig, "\\^", component)));
    }

    /** Each part of {@code image} against the same part of {@code found} (missing ones empty); extra found parts must be empty. */
    private static boolean parts(String found, String image, String delimiter, BiPredicate<String, String> each) {
        String[] f = found.split(delimiter, -1);
        String[] i = image.split(delimiter, -1);
        for (int k = i.length; k < f.length; k++) {
            if (!f[k].isBlank()) {
                return false;
            }
        }
        for (int k = 0; k < i.length; k++) {
            if (!each.test(k < f.length ? f[k] : "", i[k])) {
                return false;
            }
        }
        return true;
    }

    private static Pattern lossyForms(String image, DicomCharset charset) {
        StringBuilder regex = new StringBuilder();
        boolean lostBefore = false;
        for (int i = 0; i < image.length(); ) {
            int cp = image.codePointAt(i);
            i += Character.charCount(cp);
            if (charset.canCarry(cp)) {
                regex.append(Pattern.quote(new String(Character.toChars(cp))));
                lostBefore = false;
            } else if (!lostBefore) {
                regex.append(LOST);
                lostBefore = true;
            }
        }
        return Pattern.compile(regex.toString());
    }
}
