package org.pacsmigrator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeWindowsTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void noWindowsMeansAlwaysOpen() {
        TimeWindows w = TimeWindows.parse(List.of(), UTC, Clock.systemUTC());
        assertThat(w.isOpen()).isTrue();
        assertThat(w.untilOpen()).isZero();
    }

    @Test
    void overnightWindowBelongsToTheDayItStarts() {
        // 2026-11-27 is a Friday.
        TimeWindows w = TimeWindows.parse(List.of("Mon-Fri 19:00-07:00"), UTC, Clock.systemUTC());
        assertThat(w.isOpen(at("2026-11-27T18:59:00Z"))).isFalse();
        assertThat(w.untilOpen(at("2026-11-27T18:59:00Z"))).isEqualTo(Duration.ofMinutes(1));
        assertThat(w.isOpen(at("2026-11-27T19:00:00Z"))).isTrue();
        assertThat(w.isOpen(at("2026-11-28T06:59:59Z"))).isTrue();   // Saturday morning: Friday's window
        assertThat(w.isOpen(at("2026-11-28T07:00:00Z"))).isFalse();
        assertThat(w.isOpen(at("2026-11-28T20:00:00Z"))).isFalse();  // Saturday evening: no window
        // Next opening after Saturday 07:00 is Monday 19:00.
        assertThat(w.untilOpen(at("2026-11-28T07:00:00Z"))).isEqualTo(Duration.ofHours(24 + 24 + 12));
        assertThat(w.remainingOpen(at("2026-11-28T06:00:00Z"))).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void severalWindowsDayListsAndWholeDays() {
        TimeWindows w = TimeWindows.parse(List.of("Sat,Sun 00:00-24:00", "12:00-13:00"), UTC, Clock.systemUTC());
        assertThat(w.isOpen(at("2026-11-28T15:00:00Z"))).isTrue();  // Saturday
        assertThat(w.isOpen(at("2026-11-26T12:30:00Z"))).isTrue();  // Thursday lunch
        assertThat(w.isOpen(at("2026-11-26T13:00:00Z"))).isFalse();
        assertThat(w.untilOpen(at("2026-11-26T13:00:00Z"))).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void timeZoneAndInjectedClock() {
        ZoneId berlin = ZoneId.of("Europe/Berlin"); // UTC+1 in November
        Clock clock = Clock.fixed(at("2026-11-26T18:30:00Z"), UTC);
        TimeWindows w = TimeWindows.parse(List.of("19:00-20:00"), berlin, clock);
        assertThat(w.isOpen()).isTrue();
        assertThat(w.withClock(Clock.fixed(at("2026-11-26T19:00:00Z"), UTC)).isOpen()).isFalse();
    }

    @Test
    void invalidWindowsAreNamed() {
        assertThatThrownBy(() -> TimeWindows.parse(List.of("7-19"), UTC, Clock.systemUTC()))
                .hasMessageContaining("'7-19'");
        assertThatThrownBy(() -> TimeWindows.parse(List.of("Mox 19:00-20:00"), UTC, Clock.systemUTC()))
                .hasMessageContaining("Mox");
        assertThatThrownBy(() -> TimeWindows.parse(List.of("25:00-26:00"), UTC, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
