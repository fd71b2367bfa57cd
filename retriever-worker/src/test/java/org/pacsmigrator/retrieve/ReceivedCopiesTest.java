package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceivedCopiesTest {
    private final ReceivedCopies copies = new ReceivedCopies();

    @Test
    void theSameContentAgainIsNoCollisionOtherContentIs() {
        ReceivedCopies.Copy first = new ReceivedCopies.Copy("aa", "s/1/x.dcm");
        assertThat(copies.claim("s", "x", first)).isNull();
        assertThat(copies.claim("s", "x", new ReceivedCopies.Copy("aa", "s/1/x.dcm"))).isNull();
        // other content under the same SOP Instance UID, whatever its series
        assertThat(copies.claim("s", "x", new ReceivedCopies.Copy("bb", "s/2/x.dcm"))).isEqualTo(first);
        // another study may use the UID: not this study's collision
        assertThat(copies.claim("t", "x", new ReceivedCopies.Copy("bb", "t/2/x.dcm"))).isNull();
    }

    @Test
    void aCopyNotKeptOrAForgottenStudyStartsAfresh() {
        ReceivedCopies.Copy first = new ReceivedCopies.Copy("aa", "k");
        copies.claim("s", "x", first);
        copies.release("s", "x", first);
        assertThat(copies.claim("s", "x", new ReceivedCopies.Copy("bb", "k"))).isNull();
        copies.forget("s");
        assertThat(copies.claim("s", "x", new ReceivedCopies.Copy("cc", "k"))).isNull();
    }

    @Test
    void onlyTheMostRecentStudiesAreRemembered() {
        for (int i = 0; i <= ReceivedCopies.STUDIES; i++) {
            copies.claim("s" + i, "x", new ReceivedCopies.Copy("aa", "k"));
        }
        // s0 was evicted: its SOP is a first arrival again; s1 is still known
        assertThat(copies.claim("s0", "x", new ReceivedCopies.Copy("bb", "k"))).isNull();
        assertThat(copies.claim(("s" + ReceivedCopies.STUDIES), "x", new ReceivedCopies.Copy("bb", "k"))).isNotNull();
    }
}
