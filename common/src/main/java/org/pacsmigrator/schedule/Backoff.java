package org.pacsmigrator.schedule;

import java.time.Duration;

/**
 * Exponential back-off: the wait after the n-th failure is {@code initial × 2^(n-1)}, at most
 * {@code max}. Every retry loop of the product takes its waits from here.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off needs 0 <= initial <= max: " + initial + ", " + max);
        }
    }

    public static Backoff ofMillis(long initialMillis, long maxMillis) {
        return new Backoff(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis));
    }

    /** The wait after the {@code failures}-th consecutive failure (1-based). */
    public Duration after(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1: " + failures);
        }
        long millis = initial.toMillis() << Math.min(failures - 1, 30);
        return millis < initial.toMillis() || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
