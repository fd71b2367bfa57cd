package org.pacsmigrator.schedule;

import java.time.Duration;

/** Waits for a duration. Injected next to a {@link java.time.Clock} so tests control time without real sleeps. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    /** Thread.sleep. */
    static Sleeper real() {
        return d -> {
            if (!d.isNegative() && !d.isZero()) {
                Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
            }
        };
    }
}
