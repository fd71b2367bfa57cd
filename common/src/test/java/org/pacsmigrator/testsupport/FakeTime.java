package org.pacsmigrator.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pacsmigrator.schedule.Sleeper;

/** A clock that only moves when the code under test sleeps: tests of windows and pauses without real waiting. */
public final class FakeTime extends Clock implements Sleeper {
    private volatile Instant now;
    /** Every sleep, in order. */
    public final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    public FakeTime(Instant start) {
        this.now = start;
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        now = now.plus(d);
    }

    /** Time passing without a sleep (e.g. an association's own duration). */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
