package org.pacsmigrator.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The rate of a growing count over a sliding window of samples (e.g. studies retrieved over the last five minutes),
 * and the time the rest takes at that rate. A window rather than the whole run: a migration's pace changes with its
 * time windows, pauses and the PACS's load, and an estimate should follow what happens now.
 */
public final class RateWindow {
    /** Samples closer together than this give no rate: the count moves in whole studies. */
    private static final Duration MIN_SPAN = Duration.ofSeconds(1);

    private record Sample(Instant at, long count) {
    }

    private final Duration span;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    public RateWindow(Duration span) {
        this.span = span;
    }

    /** Adds the count at {@code at}; samples older than the window are dropped, but one at or before its start stays. */
    public synchronized void add(Instant at, long count) {
        Sample last = samples.peekLast();
        if (last != null && at.isBefore(last.at())) {
            return; // out of order: ignore rather than compute a negative time
        }
        samples.addLast(new Sample(at, count));
        Instant start = at.minus(span);
        while (samples.size() > 2 && !second().at().isAfter(start)) {
            samples.removeFirst();
        }
    }

    private Sample second() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }

    /**
     * Counted per second over the window; empty until two samples at least a second apart. A count that went down (a
     * study reopened) counts as no progress, never as a negative rate.
     */
    public synchronized OptionalDouble perSecond() {
        if (samples.size() < 2) {
            return OptionalDouble.empty();
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        Duration elapsed = Duration.between(first.at(), last.at());
        if (elapsed.compareTo(MIN_SPAN) < 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, last.count() - first.count()) * 1e9 / elapsed.toNanos());
    }

    /** How long {@code remaining} more take at the window's rate: zero when none remain, empty while the rate is unknown or zero. */
    public Optional<Duration> eta(long remaining) {
        if (remaining <= 0) {
            return Optional.of(Duration.ZERO);
        }
        OptionalDouble rate = perSecond();
        if (rate.isEmpty() || rate.getAsDouble() <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds((long) Math.ceil(remaining / rate.getAsDouble())));
    }
}
