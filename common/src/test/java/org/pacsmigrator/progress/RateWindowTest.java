package org.pacsmigrator.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateWindowTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void noRateBeforeTwoSamplesASecondApart() {
        RateWindow w = new RateWindow(Duration.ofMinutes(5));
        assertThat(w.perSecond()).isEmpty();
        w.add(T0, 0);
        assertThat(w.perSecond()).isEmpty();
        w.add(T0.plusMillis(500), 3);
        assertThat(w.perSecond()).as("half a second: whole studies give no rate yet").isEmpty();
        assertThat(w.eta(10)).isEmpty();
        assertThat(w.eta(0)).as("nothing left: done, whatever the rate").contains(Duration.ZERO);
    }

    @Test
    void rateAndEtaFollowTheWindowNotTheWholeRun() {
        RateWindow w = new RateWindow(Duration.ofMinutes(1));
        // 10 per second for two minutes, then 1 per second for a minute
        long count = 0;
        for (int s = 0; s <= 120; s += 10) {
            w.add(T0.plusSeconds(s), count);
            count += 100;
        }
        count -= 100;
        assertThat(w.perSecond().getAsDouble()).isCloseTo(10.0, within(1e-9));
        for (int s = 130; s <= 180; s += 10) {
            count += 10;
            w.add(T0.plusSeconds(s), count);
        }
        assertThat(w.perSecond().getAsDouble()).as("the last minute only").isCloseTo(1.0, within(1e-9));
        assertThat(w.eta(90)).contains(Duration.ofSeconds(90));
        assertThat(w.eta(1)).as("rounded up: never an ETA of 0 with work left").contains(Duration.ofSeconds(1));
    }

    @Test
    void aStandstillHasNoEtaAndACountGoingDownIsNoProgress() {
        RateWindow w = new RateWindow(Duration.ofMinutes(1));
        w.add(T0, 50);
        w.add(T0.plusSeconds(30), 50);
        assertThat(w.perSecond().getAsDouble()).isZero();
        assertThat(w.eta(5)).as("no progress: unknown, not infinite").isEmpty();
        w.add(T0.plusSeconds(40), 45); // a study reopened
        assertThat(w.perSecond().getAsDouble()).isZero();
        w.add(T0.plusSeconds(20), 1000);
        assertThat(w.perSecond().getAsDouble()).as("a sample out of order is ignored").isZero();
    }
}
