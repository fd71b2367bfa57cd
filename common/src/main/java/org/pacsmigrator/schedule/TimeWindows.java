package org.pacsmigrator.schedule;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Allowed time windows in a time zone, e.g. {@code "19:00-07:00"}, {@code "MON-FRI 19:00-07:00"},
 * {@code "Sat,Sun 00:00-24:00"}, {@code "DAILY 19:00-23:00"} (day names in any case). A window whose end is not after its start runs past midnight and
 * belongs to the day it starts on. No windows means "always open". The clock is injectable.
 */
public final class TimeWindows {
    private static final Pattern WINDOW = Pattern.compile(
            "(?:([A-Za-z]{3}(?:\\s*-\\s*[A-Za-z]{3})?(?:\\s*,\\s*[A-Za-z]{3}(?:\\s*-\\s*[A-Za-z]{3})?)*)\\s+)?"
                    + "(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})");

    /** One window: days it starts on, start, and length. */
    public record Window(Set<DayOfWeek> days, LocalTime start, Duration length) {
    }

    private final List<Window> windows;
    private final ZoneId zone;
    private final Clock clock;

    private TimeWindows(List<Window> windows, ZoneId zone, Clock clock) {
        this.windows = List.copyOf(windows);
        this.zone = zone;
        this.clock = clock;
    }

    public static TimeWindows always() {
        return new TimeWindows(List.of(), ZoneId.systemDefault(), Clock.systemUTC());
    }

    /**
     * Parses windows such as {@code "Mon-Fri 19:00-07:00"}; an empty list means always open.
     *
     * @throws IllegalArgumentException naming the offending window
     */
    public static TimeWindows parse(List<String> specs, ZoneId zone, Clock clock) {
        List<Window> out = new ArrayList<>();
        for (String spec : specs == null ? List.<String>of() : specs) {
            String text = spec.strip();
            if (text.regionMatches(true, 0, "DAILY ", 0, 6)) {
                text = text.substring(6).strip(); // "DAILY 19:00-23:00" = every day
            }
            Matcher m = WINDOW.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("invalid time window '" + spec
                        + "' (expected e.g. 'MON-FRI 19:00-07:00', 'SAT-SUN 00:00-24:00', 'DAILY 19:00-23:00' or '19:00-07:00')");
            }
            Set<DayOfWeek> days = m.group(1) == null ? EnumSet.allOf(DayOfWeek.class) : days(m.group(1), spec);
            LocalTime start = time(m.group(2), m.group(3), spec);
            int endMinutes = minutes(m.group(4), m.group(5), spec);
            int startMinutes = start.getHour() * 60 + start.getMinute();
            int length = endMinutes > startMinutes ? endMinutes - startMinutes : endMinutes + 24 * 60 - startMinutes;
            out.add(new Window(days, start, Duration.ofMinutes(length)));
        }
        return new TimeWindows(out, zone, clock);
    }

    /** As {@link #parse(List, ZoneId, Clock)} with the system clock (for callers that pass instants). */
    public static TimeWindows parse(List<String> specs, ZoneId zone) {
        return parse(specs, zone, Clock.systemUTC());
    }

    public TimeWindows withClock(Clock other) {
        return new TimeWindows(windows, zone, other);
    }

    public boolean isAlwaysOpen() {
        return windows.isEmpty();
    }

    /** Same as {@link #isAlwaysOpen()}. */
    public boolean alwaysOpen() {
        return isAlwaysOpen();
    }

    /** {@code at} itself when open, else when the next window opens. */
    public Instant nextOpen(Instant at) {
        return at.plus(untilOpen(at));
    }

    /** When the window open at {@code at} closes ({@code at} itself when closed). */
    public Instant closesAt(Instant at) {
        return at.plus(remainingOpen(at));
    }

    public boolean isOpen() {
        return isOpen(clock.instant());
    }

    public boolean isOpen(Instant at) {
        return windows.isEmpty() || untilOpen(at).isZero();
    }

    /** Zero when open now, else the time until the next window opens. */
    public Duration untilOpen() {
        return untilOpen(clock.instant());
    }

    public Duration untilOpen(Instant at) {
        if (windows.isEmpty()) {
            return Duration.ZERO;
        }
        ZonedDateTime now = at.atZone(zone);
        Duration best = null;
        // Windows started yesterday may still be open; look 8 days ahead for the next start.
        for (int d = -1; d <= 8; d++) {
            LocalDate day = now.toLocalDate().plusDays(d);
            for (Window w : windows) {
                if (!w.days().contains(day.getDayOfWeek())) {
                    continue;
                }
                ZonedDateTime start = day.atTime(w.start()).atZone(zone);
                ZonedDateTime end = start.plus(w.length());
                if (!now.isBefore(start) && now.isBefore(end)) {
                    return Duration.ZERO;
                }
                if (start.isAfter(now)) {
                    Duration wait = Duration.between(now, start);
                    if (best == null || wait.compareTo(best) < 0) {
                        best = wait;
                    }
                }
            }
        }
        return best == null ? Duration.ZERO : best;
    }

    /** Zero when closed now, else how long the current window stays open. */
    public Duration remainingOpen(Instant at) {
        if (windows.isEmpty()) {
            return Duration.ofDays(36500);
        }
        ZonedDateTime now = at.atZone(zone);
        Duration best = Duration.ZERO;
        for (int d = -1; d <= 0; d++) {
            LocalDate day = now.toLocalDate().plusDays(d);
            for (Window w : windows) {
                ZonedDateTime start = day.atTime(w.start()).atZone(zone);
                ZonedDateTime end = start.plus(w.length());
                if (w.days().contains(day.getDayOfWeek()) && !now.isBefore(start) && now.isBefore(end)) {
                    Duration left = Duration.between(now, end);
                    if (left.compareTo(best) > 0) {
                        best = left;
                    }
                }
            }
        }
        return best;
    }

    public List<Window> windows() {
        return windows;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The clock that says whether a window is open now. */
    public Clock clock() {
        return clock;
    }

    private static Set<DayOfWeek> days(String text, String spec) {
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String part : text.split(",")) {
            String[] range = part.strip().split("\\s*-\\s*");
            DayOfWeek from = day(range[0], spec);
            DayOfWeek to = range.length > 1 ? day(range[1], spec) : from;
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                out.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return out;
    }

    private static DayOfWeek day(String s, String spec) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().substring(0, 3).equalsIgnoreCase(s.strip())) {
                return d;
            }
        }
        throw new IllegalArgumentException("invalid day '" + s + "' in time window '" + spec
                + "' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
    }

    private static LocalTime time(String h, String m, String spec) {
        int minutes = minutes(h, m, spec);
        if (minutes == 24 * 60) {
            throw new IllegalArgumentException("a window cannot start at 24:00: '" + spec + "'");
        }
        return LocalTime.of(minutes / 60, minutes % 60);
    }

    private static int minutes(String h, String m, String spec) {
        int hour = Integer.parseInt(h);
        int minute = Integer.parseInt(m);
        if (hour > 24 || minute > 59 || (hour == 24 && minute != 0)) {
            throw new IllegalArgumentException("invalid time in window '" + spec + "'");
        }
        return hour * 60 + minute;
    }

    @Override
    public String toString() {
        return windows.isEmpty() ? "always" : windows.toString().toLowerCase(Locale.ROOT) + " " + zone;
    }
}
