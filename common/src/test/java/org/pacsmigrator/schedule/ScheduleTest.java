package org.pacsmigrator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.testsupport.FakeTime;

/** A role's turns: windows, hold and pause, on a clock that moves only when the schedule sleeps. */
class ScheduleTest {
    @Test
    void thePauseCountsFromTheEndOfThePreviousAssociation() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
        Schedule schedule = Schedule.perThread(TimeWindows.always().withClock(time), Duration.ofSeconds(10), time);
        schedule.awaitTurn();
        time.advance(Duration.ofSeconds(4)); // the association takes 4 s
        schedule.ended();
        schedule.awaitTurn();
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void aPerThreadPauseDoesNotHoldOtherThreadsAndASerialOneDoes() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
        Schedule perThread = Schedule.perThread(TimeWindows.always().withClock(time), Duration.ofSeconds(10), time);
        perThread.awaitTurn();
        Thread other = new Thread(() -> {
            try {
                perThread.awaitTurn();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        other.join();
        assertThat(time.sleeps).isEmpty();

        Schedule serial = Schedule.serial(TimeWindows.always().withClock(time), Duration.ofSeconds(10), time);
        serial.awaitTurn();
        Thread next = new Thread(() -> {
            try {
                serial.awaitTurn();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        next.start();
        next.join();
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void waivedWindowsLetAThreadStartOutsideThemAndOnlyThatThread() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
        TimeWindows nights = TimeWindows.parse(java.util.List.of("DAILY 20:00-06:00"), java.time.ZoneOffset.UTC).withClock(time);
        Schedule schedule = Schedule.perThread(nights, Duration.ZERO, time);
        assertThat(schedule.openNow()).isFalse();
        Schedule.waivingWindows(() -> {
            assertThat(schedule.openNow()).isTrue();
            schedule.awaitTurn();
        });
        assertThat(time.sleeps).as("a waived turn starts at noon at once").isEmpty();
        assertThat(schedule.openNow()).as("after the waived work").isFalse();
        Thread other = new Thread(() -> {
            try {
                schedule.awaitTurn();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        other.join();
        assertThat(time.sleeps).as("another thread waits for the evening's window").isNotEmpty();
        assertThat(time.instant()).isAfterOrEqualTo(Instant.parse("2026-01-05T20:00:00Z"));
    }

    @Test
    void aHeldScheduleWaitsUntilReleased() throws Exception {
        FakeTime time = new FakeTime(Instant.parse("2026-01-05T12:00:00Z"));
        AtomicBoolean paused = new AtomicBoolean(true);
        Schedule schedule = Schedule.serial(TimeWindows.always().withClock(time), Duration.ZERO, d -> {
            time.sleep(d);
            if (time.sleeps.size() == 3) {
                paused.set(false); // the operator resumes
            }
        }).holdWhile(paused::get);
        schedule.awaitTurn();
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }
}
