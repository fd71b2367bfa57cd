package org.pacsmigrator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Calendar behaviour with instants (as the indexer uses it): nights and weekends, DST, syntax errors. */
class TimeWindowsCalendarTest {
    private static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");
    private static final TimeWindows NIGHTS_AND_WEEKENDS =
            TimeWindows.parse(List.of("MON-FRI 19:00-07:00", "SAT-SUN 00:00-24:00"), ZURICH);

    private static Instant at(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(ZURICH).toInstant();
    }

    @Test
    void weekdayNightsAndWholeWeekends() {
        // 2026-01-05 is a Monday
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-05T10:00"))).isFalse();
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-05T19:00"))).isTrue();
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-06T06:59"))).isTrue();
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-06T07:00"))).isFalse();
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-09T23:00"))).isTrue();  // Friday night
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-10T12:00"))).isTrue();  // Saturday
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-11T23:59"))).isTrue();  // Sunday
        assertThat(NIGHTS_AND_WEEKENDS.isOpen(at("2026-01-12T00:30"))).isFalse(); // Monday early: no Sunday-night window
        assertThat(NIGHTS_AND_WEEKENDS.nextOpen(at("2026-01-05T10:00"))).isEqualTo(at("2026-01-05T19:00"));
        assertThat(NIGHTS_AND_WEEKENDS.nextOpen(at("2026-01-12T00:30"))).isEqualTo(at("2026-01-12T19:00"));
        assertThat(NIGHTS_AND_WEEKENDS.closesAt(at("2026-01-09T23:00"))).isEqualTo(at("2026-01-10T07:00"));
        assertThat(TimeWindows.parse(List.of(), ZURICH).isOpen(at("2026-01-05T10:00"))).isTrue();
    }

    @Test
    void timeZoneAndDaylightSavingTime() {
        TimeWindows evenings = TimeWindows.parse(List.of("DAILY 19:00-23:00"), ZURICH);
        // 19:00 in Zurich is 18:00 UTC in winter and 17:00 UTC in summer
        assertThat(evenings.nextOpen(Instant.parse("2026-01-05T12:00:00Z"))).isEqualTo(Instant.parse("2026-01-05T18:00:00Z"));
        assertThat(evenings.nextOpen(Instant.parse("2026-07-06T12:00:00Z"))).isEqualTo(Instant.parse("2026-07-06T17:00:00Z"));
    }

    @Test
    void badSpecificationsNameTheProblem() {
        assertThatThrownBy(() -> TimeWindows.parse(List.of("MON-FRI 25:00-07:00"), ZURICH)).hasMessageContaining("25:00");
        assertThatThrownBy(() -> TimeWindows.parse(List.of("XYZ 10:00-11:00"), ZURICH)).hasMessageContaining("XYZ");
        assertThatThrownBy(() -> TimeWindows.parse(List.of("weekdays"), ZURICH)).hasMessageContaining("MON-FRI 19:00-07:00");
    }

    @Test
    void aSerialScheduleWaitsForTheWindowAndThePause() throws Exception {
        Instant[] now = {at("2026-01-05T18:00")};
        List<Duration> slept = new ArrayList<>();
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZURICH;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        Schedule schedule = Schedule.serial(NIGHTS_AND_WEEKENDS.withClock(clock), Duration.ofSeconds(30), d -> {
            slept.add(d);
            now[0] = now[0].plus(d);
        });
        schedule.awaitTurn();
        assertThat(now[0]).isEqualTo(at("2026-01-05T19:00"));
        schedule.awaitTurn();
        assertThat(now[0]).isEqualTo(at("2026-01-05T19:00:30"));
        assertThat(slept).containsExactly(Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(10),
                Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofSeconds(30));
    }
}
