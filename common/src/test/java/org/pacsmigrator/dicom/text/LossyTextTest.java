package org.pacsmigrator.dicom.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lossy C-FIND answers as Orthanc 1.10 gives them (ISO_IR 100 whatever the images hold), and real differences. */
class LossyTextTest {
    private static final DicomCharset LATIN1 = DicomCharset.of("ISO_IR 100");

    @Test
    void replacementCharactersQuestionMarksAndEmptyGroupsShowLoss() {
        assertThat(LossyText.showsLoss("M\uFFFDller", true)).isTrue();
        assertThat(LossyText.showsLoss("??^???", true)).isTrue();
        assertThat(LossyText.showsLoss("^ ", true)).isTrue();
        assertThat(LossyText.showsLoss("Yamada^Tarou=^=^", true)).isTrue();
        assertThat(LossyText.showsLoss("Doe^John", true)).isFalse();
        assertThat(LossyText.showsLoss("Müller^Jörg", true)).isFalse();
        assertThat(LossyText.showsLoss("Yamada^Tarou=山田^太郎", true)).isFalse();
        assertThat(LossyText.showsLoss("", true)).isFalse();
        assertThat(LossyText.showsLoss("ID?1", false)).isTrue();
        assertThat(LossyText.showsLoss("^", false)).isFalse();
    }

    @Test
    void whatTheAnswersSetCouldNotCarryMayBeMissingOrReplaced() {
        String image = "Yamada^Tarou=山田^太郎=やまだ^たろう";
        assertThat(LossyText.explainedByLoss("Yamada^Tarou=^=^", LATIN1, image, true)).isTrue();
        assertThat(LossyText.explainedByLoss("Yamada^Tarou=??^??=???^???", LATIN1, image, true)).isTrue();
        assertThat(LossyText.explainedByLoss("^ ", LATIN1, "Διονυσιος^Ελένη", true)).isTrue();
        assertThat(LossyText.explainedByLoss("Ivanov^", LATIN1, "Ivanov^Иван", true)).isTrue();
        assertThat(LossyText.explainedByLoss("^", LATIN1, "山田^太郎^^", true)).isTrue();
        // groups of lost characters only, dropped with their delimiters
        assertThat(LossyText.explainedByLoss("Hong^Gildong", LATIN1, "Hong^Gildong=洪^吉洞=홍^길동", true)).isTrue();
        // mojibake in place of the lost characters (UTF-8 bytes read as Latin-1)
        assertThat(LossyText.explainedByLoss("Ã\u0096zil^Ali", DicomCharset.DEFAULT, "Özil^Ali", true)).isTrue();
    }

    @Test
    void aDifferenceInWhatTheSetCarriesIsAnotherValue() {
        assertThat(LossyText.explainedByLoss("Smith^John", LATIN1, "山田^太郎", true)).isFalse();
        assertThat(LossyText.explainedByLoss("Yamada^Jiro=^", LATIN1, "Yamada^Tarou=山田^太郎", true)).isFalse();
        // ü is Latin-1: an answer without it is not a lossy form of this name
        assertThat(LossyText.explainedByLoss("Mller^Jrg", LATIN1, "Müller^Jörg", true)).isFalse();
        assertThat(LossyText.explainedByLoss("Möller^Jörg", LATIN1, "Müller^Jörg", true)).isFalse();
        // a set that carries everything loses nothing
        assertThat(LossyText.explainedByLoss("^", DicomCharset.of("ISO_IR 192"), "山田^太郎", true)).isFalse();
        assertThat(LossyText.explainedByLoss("P1", LATIN1, "P2", false)).isFalse();
        // more than the image has is never a loss
        assertThat(LossyText.explainedByLoss("^=Extra", LATIN1, "山田^太郎", true)).isFalse();
        assertThat(LossyText.explainedByLoss("^^Jr", LATIN1, "山田^太郎", true)).isFalse();
    }

    @Test
    void comparableFormsIgnoreTrailingSpacesEmptyComponentsAndTheUnicodeForm() {
        assertThat(TextValues.normalisePersonName("Doe^John^^^ ")).isEqualTo("Doe^John");
        assertThat(TextValues.normalisePersonName("Doe ^ John==")).isEqualTo("Doe^John");
        assertThat(TextValues.normalisePersonName("Yamada^Tarou=山田^太郎=")).isEqualTo("Yamada^Tarou=山田^太郎");
        assertThat(TextValues.normalisePersonName("=山田^太郎")).isEqualTo("=山田^太郎");
        assertThat(TextValues.normalisePersonName("\u1112\u1169\u11BC^\u1100\u1175\u11AF\u1103\u1169\u11BC"))
                .isEqualTo("홍^길동"); // Hangul written as jamo (NFD)
        assertThat(TextValues.normalisePersonName("Mu\u0308ller")).isEqualTo("Müller");
        assertThat(TextValues.normalisePersonName("A\\B^^\\")).isEqualTo("A\\B");
        assertThat(TextValues.normalise(" 19700101 ")).isEqualTo("19700101");
        assertThat(TextValues.normalisePersonName("Doe^John")).isNotEqualTo(TextValues.normalisePersonName("Doe^Jane"));
    }
}
