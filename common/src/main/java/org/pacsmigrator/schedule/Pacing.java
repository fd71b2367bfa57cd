package org.pacsmigrator.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spares a PACS: before each request, waits until a time window is open and the configured
 * pause since the previous request has passed. Time comes from an injected {@link Clock} and
 * waiting from a {@link Sleeper}, so tests run without real sleeps. Thread-safe (one request
 * at a time passes).
 */
public final class Pacing {
    private static final Logger LOG = LoggerFactory.getLogger(Pacing.class);
    /** Outside a window, wake up at least this often (a changed clock or config is noticed). */
    private static final Duration MAX_NAP = Duration.ofMinutes(10);

    private final TimeWindows windows;
    private final Duration pause;
    private final Clock clock;
    private final Sleeper sleeper;
    private Instant lastRequest;
    private volatile java.util.function.BooleanSupplier held = () -> false;

    public Pacing(TimeWindows windows, Duration pause, Clock clock, Sleeper sleeper) {
        this.windows = windows;
        this.pause = pause;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public static Pacing unpaced() {
        return new Pacing(TimeWindows.always(), Duration.ZERO, Clock.systemUTC(), Sleeper.real());
    }

    public Clock clock() {
        return clock;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    public TimeWindows windows() {
        return windows;
    }

    /** Requests wait while {@code hold} is true (a stage paused by the operator), checked every second. */
    public void holdWhile(java.util.function.BooleanSupplier hold) {
        this.held = hold;
    }

    /** True when a request could be made now (window open). */
    public boolean openNow() {
        return windows.isOpen(clock.instant());
    }

    /** Blocks until a window is open and the pause has passed; then counts a request as made now. */
    public synchronized void awaitTurn() throws InterruptedException {
        while (true) {
            if (held.getAsBoolean()) {
                sleeper.sleep(Duration.ofSeconds(1));
                continue;
            }
            Instant now = clock.instant();
            Instant open = windows.nextOpen(now);
            if (open == null) {
                throw new IllegalStateException("time windows " + windows + " never open");
            }
            if (open.isAfter(now)) {
                Duration wait = Duration.between(now, open);
                LOG.info("outside the time windows: sleeping until {}", open);
                sleeper.sleep(wait.compareTo(MAX_NAP) > 0 ? MAX_NAP : wait);
                continue;
            }
            if (lastRequest != null && !pause.isZero()) {
                Instant allowed = lastRequest.plus(pause);
                if (allowed.isAfter(now)) {
                    sleeper.sleep(Duration.between(now, allowed));
                    continue;
                }
            }
            lastRequest = clock.instant();
            return;
        }
    }
}
