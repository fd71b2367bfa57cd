package org.pacsmigrator.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When one role may open its next association to a PACS: inside the time windows, not while held (a stage
 * paused from the console), and not before the pause after its previous association has passed. The pause
 * counts either per thread (each worker thread rests after its own association) or across the role (its
 * associations are spaced one by one, whichever thread opens them). Time comes from the windows' clock and
 * waiting from a {@link Sleeper}, so tests run without real sleeps. The association gate waits on a schedule
 * before it takes a slot of the PACS's limit.
 */
public final class Schedule {
    private static final Logger LOG = LoggerFactory.getLogger(Schedule.class);
    /** Outside a window, wake up at least this often (a changed clock or config is noticed). */
    private static final Duration MAX_NAP = Duration.ofMinutes(10);
    private static final Duration HOLD_POLL = Duration.ofSeconds(1);

    private final TimeWindows windows;
    private final Duration pause;
    private final Sleeper sleeper;
    private final LastAssociation last;
    /** Held while a serial schedule's turn is decided (null: threads wait for their turns independently). */
    private final Object turnLock;
    private volatile BooleanSupplier held = () -> false;
    /** Set while a thread handles a "migrate now" request that may pass the windows (priority.outsideWindows). */
    private static final ThreadLocal<Boolean> WINDOWS_WAIVED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** Work run with the windows waived. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** Where the end of the previous association is remembered: per thread or for the whole role. */
    private interface LastAssociation {
        Instant get();

        void set(Instant at);
    }

    private Schedule(TimeWindows windows, Duration pause, Sleeper sleeper, LastAssociation last, Object turnLock) {
        this.windows = windows;
        this.pause = pause;
        this.sleeper = sleeper;
        this.last = last;
        this.turnLock = turnLock;
    }

    /** The pause separates the associations of each thread (a worker's concurrent studies each rest on their own). */
    public static Schedule perThread(TimeWindows windows, Duration pause, Sleeper sleeper) {
        ThreadLocal<Instant> lastOfThread = new ThreadLocal<>();
        return new Schedule(windows, pause, sleeper, new LastAssociation() {
            @Override
            public Instant get() {
                return lastOfThread.get();
            }

            @Override
            public void set(Instant at) {
                lastOfThread.set(at);
            }
        }, null);
    }

    /** The pause separates every two associations of the role, one at a time across its threads. */
    public static Schedule serial(TimeWindows windows, Duration pause, Sleeper sleeper) {
        AtomicReference<Instant> lastOfRole = new AtomicReference<>();
        return new Schedule(windows, pause, sleeper, new LastAssociation() {
            @Override
            public Instant get() {
                return lastOfRole.get();
            }

            @Override
            public void set(Instant at) {
                lastOfRole.set(at);
            }
        }, new Object());
    }

    /** Always open, no pause, never held. */
    public static Schedule always() {
        return perThread(TimeWindows.always(), Duration.ZERO, Sleeper.real());
    }

    /** Turns wait while {@code hold} is true (a stage paused by the operator), checked every second. */
    public Schedule holdWhile(BooleanSupplier hold) {
        this.held = hold;
        return this;
    }

    public TimeWindows windows() {
        return windows;
    }

    public Duration pause() {
        return pause;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    /**
     * Runs {@code work} on this thread with every schedule's time windows waived (its pause and the operator's hold
     * still apply): a study a clinician asked for now, with {@code priority.outsideWindows}.
     */
    public static void waivingWindows(Work work) throws Exception {
        Boolean before = WINDOWS_WAIVED.get();
        WINDOWS_WAIVED.set(Boolean.TRUE);
        try {
            work.run();
        } finally {
            WINDOWS_WAIVED.set(before);
        }
    }

    /** {@code task} for another thread (an association pool) with this thread's waiver of the windows, if any. */
    public static <T> Callable<T> carryingWaiver(Callable<T> task) {
        Boolean waived = WINDOWS_WAIVED.get();
        return () -> {
            Boolean before = WINDOWS_WAIVED.get();
            WINDOWS_WAIVED.set(waived);
            try {
                return task.call();
            } finally {
                WINDOWS_WAIVED.set(before);
            }
        };
    }

    /** True when an association could start now as far as the windows go. */
    public boolean openNow() {
        return WINDOWS_WAIVED.get() || windows.isOpen();
    }

    /**
     * Blocks until a window is open, the schedule is not held and the pause has passed; the turn then counts as an
     * association started now (a serial schedule's next turn waits the pause from here until {@link #ended}).
     */
    public void awaitTurn() throws InterruptedException {
        if (turnLock == null) {
            takeTurn();
            return;
        }
        synchronized (turnLock) {
            takeTurn();
        }
    }

    private void takeTurn() throws InterruptedException {
        while (true) {
            if (held.getAsBoolean()) {
                sleeper.sleep(HOLD_POLL);
                continue;
            }
            Instant now = windows.clock().instant();
            Instant open = WINDOWS_WAIVED.get() ? now : windows.nextOpen(now);
            if (open.isAfter(now)) {
                LOG.info("outside the time windows ({}): sleeping until {}", windows, open);
                Duration wait = Duration.between(now, open);
                sleeper.sleep(wait.compareTo(MAX_NAP) > 0 ? MAX_NAP : wait);
                continue;
            }
            Instant previous = last.get();
            if (previous != null && !pause.isZero() && !pause.isNegative()) {
                Instant allowed = previous.plus(pause);
                if (allowed.isAfter(now)) {
                    sleeper.sleep(Duration.between(now, allowed));
                    continue;
                }
            }
            last.set(now);
            return;
        }
    }

    /** The association that took the turn ended: the pause counts from now. */
    public void ended() {
        last.set(windows.clock().instant());
    }
}
