package org.pacsmigrator.throttle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Additive-increase / multiplicative-decrease concurrency limit for one remote peer. Rejected
 * associations and timeouts halve the limit at once; a response time well above the long-run
 * average halves it too; every success adds {@code 1 / limit} (one whole step per "round" of
 * {@code limit} successes, and at most one step per {@code recoveryInterval}), so recovery is
 * slow and the peer is probed gently. Decreases are spaced by a cool-down so that one burst of
 * failures from associations opened before the first decrease only counts once.
 */
public final class AdaptiveLimit {
    private final int min;
    private final int max;
    private final double slowFactor;
    private final long coolDownNanos;
    private final long recoveryIntervalNanos;
    private final LongSupplier nanoTime;

    private double limit;
    private double fastAverageMillis = -1;
    private double slowAverageMillis = -1;
    private long lastDecrease = Long.MIN_VALUE / 2;
    private long lastIncrease = Long.MIN_VALUE / 2;
    private long decreases;

    public AdaptiveLimit(int min, int max, double slowFactor, Duration coolDown, Duration recoveryInterval,
                         LongSupplier nanoTime) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("need 1 <= min <= max, got " + min + ".." + max);
        }
        this.min = min;
        this.max = max;
        this.slowFactor = slowFactor;
        this.coolDownNanos = coolDown.toNanos();
        this.recoveryIntervalNanos = recoveryInterval.toNanos();
        this.nanoTime = nanoTime;
        this.limit = max;
    }

    /** Starts at {@code max}; halves on trouble (at most every 2 s); +1 at most every 5 s. */
    public static AdaptiveLimit of(int min, int max) {
        return new AdaptiveLimit(min, max, 3.0, Duration.ofSeconds(2), Duration.ofSeconds(5), System::nanoTime);
    }

    /** Registers the current limit as gauge {@code name} with tag {@code remote}. */
    public AdaptiveLimit register(MeterRegistry registry, String name, String remote) {
        Gauge.builder(name, this, AdaptiveLimit::current).tag("remote", remote)
                .description("current adaptive concurrency limit toward the remote AE").register(registry);
        return this;
    }

    /** The whole number of simultaneous associations currently allowed (min..max). */
    public synchronized int current() {
        return (int) Math.max(min, Math.min(max, Math.floor(limit)));
    }

    public int max() {
        return max;
    }

    public synchronized long decreases() {
        return decreases;
    }

    /** A successful exchange that took {@code responseTime}. */
    public synchronized void onSuccess(Duration responseTime) {
        double ms = responseTime.toNanos() / 1e6;
        boolean slow = slowAverageMillis > 0 && fastAverageMillis > slowFactor * slowAverageMillis
                && ms > slowFactor * slowAverageMillis;
        fastAverageMillis = fastAverageMillis < 0 ? ms : fastAverageMillis * 0.7 + ms * 0.3;
        slowAverageMillis = slowAverageMillis < 0 ? ms : slowAverageMillis * 0.95 + ms * 0.05;
        if (slow) {
            decrease();
            return;
        }
        long now = nanoTime.getAsLong();
        if (limit < max && now - lastIncrease >= recoveryIntervalNanos && now - lastDecrease >= coolDownNanos) {
            double before = Math.floor(limit);
            limit = Math.min(max, limit + 1.0 / Math.max(1.0, limit));
            if (Math.floor(limit) > before) {
                lastIncrease = now; // one whole step per recovery interval at most
            }
        }
    }

    /** The peer rejected or aborted an association, refused the connection, or did not answer in time. */
    public synchronized void onOverload() {
        decrease();
    }

    private void decrease() {
        long now = nanoTime.getAsLong();
        if (now - lastDecrease < coolDownNanos) {
            return;
        }
        lastDecrease = now;
        lastIncrease = now;
        decreases++;
        limit = Math.max(min, Math.floor(limit) / 2.0);
    }
}
