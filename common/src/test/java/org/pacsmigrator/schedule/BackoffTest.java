package org.pacsmigrator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromTheInitialWaitUpToTheMaximum() {
        Backoff backoff = Backoff.ofMillis(500, 5_000);
        assertEquals(Duration.ofMillis(500), backoff.after(1));
        assertEquals(Duration.ofMillis(1_000), backoff.after(2));
        assertEquals(Duration.ofMillis(4_000), backoff.after(4));
        assertEquals(Duration.ofMillis(5_000), backoff.after(5));
        assertEquals(Duration.ofMillis(5_000), backoff.after(1_000), "no overflow after many failures");
    }

    @Test
    void aZeroInitialWaitStaysZero() {
        assertEquals(Duration.ZERO, Backoff.ofMillis(0, 100).after(7));
    }

    @Test
    void rejectsAMaximumBelowTheInitialWaitAndAttemptsBeforeTheFirstFailure() {
        assertThrows(IllegalArgumentException.class, () -> Backoff.ofMillis(100, 50));
        assertThrows(IllegalArgumentException.class, () -> Backoff.ofMillis(100, 500).after(0));
    }
}
