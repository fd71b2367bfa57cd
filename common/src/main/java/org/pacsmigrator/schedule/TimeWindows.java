package org.pacsmigrator.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Daily time windows in which a stage may talk to a PACS, e.g. {@code "MON-FRI 19:00-07:00"}
 * and {@code "SAT-SUN 00:00-24:00"}, in a configured time zone. A window belongs to the day it
 * starts on; an end at or before its start runs into the next day (19:00-07:00 is the night
 * from Monday to Tuesday for MON). Days: {@code MON..SUN}, ranges {@code MON-FRI} (wrapping
 * allowed: {@code FRI-MON}), lists {@code SAT,SUN}, or {@code *} / {@code DAILY} for every day.
 * No windows at all means always open. Shared by indexer, retriever and forwarder.
 */
public final class TimeWindows {
    private static final Pattern SPEC = Pattern.compile(
            "\\s*(\\S+)\\s+(\\d{1,2}:\\d{2})\\s*-\\s*(\\d{1,2}:\\d{2})\\s*");

    /** One window: the days it starts on, its start time and its length. */
    public record Window(Set<DayOfWeek> days, LocalTime start, Duration length) {
        /** The window's occurrence starting on {@code day}, as local date-times [start, end). */
        LocalDateTime startOn(LocalDate day) {
            return day.atTime(start);
        }
    }

    private final List<Window> windows;
    private final ZoneId zone;

    private TimeWindows(List<Window> windows, ZoneId zone) {
        this.windows = List.copyOf(windows);
        this.zone = zone;
    }

    /** Always open. */
    public static TimeWindows always() {
        return new TimeWindows(List.of(), ZoneId.of("UTC"));
    }

    /**
     * Parses window specifications; throws {@link IllegalArgumentException} naming the bad one.
     * An empty list means always open.
     */
    public static TimeWindows parse(List<String> specs, ZoneId zone) {
        List<Window> parsed = new ArrayList<>();
        for (String spec : specs == null ? List.<String>of() : specs) {
            parsed.add(parseOne(spec));
        }
        return new TimeWindows(parsed, zone);
    }

    public static Window parseOne(String spec) {
        Matcher m = SPEC.matcher(spec == null ? "" : spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("time window must look like 'MON-FRI 19:00-07:00', got '" + spec + "'");
        }
        Set<DayOfWeek> days = days(m.group(1), spec);
        LocalTime start = time(m.group(2), spec, false);
        LocalTime endTime = time(m.group(3), spec, true);
        boolean endIsMidnight24 = m.group(3).startsWith("24");
        long startSec = start.toSecondOfDay();
        long endSec = endIsMidnight24 ? 24 * 3600 : endTime.toSecondOfDay();
        long length = endSec > startSec ? endSec - startSec : endSec + 24 * 3600 - startSec;
        return new Window(days, start, Duration.ofSeconds(length));
    }

    private static LocalTime time(String hhmm, String spec, boolean allow24) {
        if (allow24 && hhmm.equals("24:00")) {
            return LocalTime.MIDNIGHT;
        }
        try {
            String padded = hhmm.length() == 4 ? "0" + hhmm : hhmm;
            return LocalTime.parse(padded);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad time '" + hhmm + "' in time window '" + spec + "'");
        }
    }

    private static Set<DayOfWeek> days(String text, String spec) {
        String t = text.toUpperCase(Locale.ROOT);
        if (t.equals("*") || t.equals("DAILY")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String part : t.split(",")) {
            String[] range = part.split("-");
            if (range.length == 1) {
                days.add(day(range[0], spec));
            } else if (range.length == 2) {
                DayOfWeek from = day(range[0], spec);
                DayOfWeek to = day(range[1], spec);
                for (DayOfWeek d = from; ; d = d.plus(1)) {
                    days.add(d);
                    if (d == to) {
                        break;
                    }
                }
            } else {
                throw new IllegalArgumentException("bad days '" + text + "' in time window '" + spec + "'");
            }
        }
        return days;
    }

    private static DayOfWeek day(String abbreviation, String spec) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().startsWith(abbreviation) && abbreviation.length() >= 2) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown day '" + abbreviation + "' in time window '" + spec
                + "' (use MON, TUE, WED, THU, FRI, SAT, SUN)");
    }

    public boolean alwaysOpen() {
        return windows.isEmpty();
    }

    public ZoneId zone() {
        return zone;
    }

    public List<Window> windows() {
        return windows;
    }

    public boolean isOpen(Instant t) {
        return closesAt(t) != null;
    }

    /** When the window containing {@code t} closes (null when closed; Instant.MAX when always open). */
    public Instant closesAt(Instant t) {
        if (windows.isEmpty()) {
            return Instant.MAX;
        }
        LocalDateTime now = LocalDateTime.ofInstant(t, zone);
        Instant latest = null;
        for (Window w : windows) {
            for (int back = 2; back >= 0; back--) {
                LocalDate day = now.toLocalDate().minusDays(back);
                if (!w.days().contains(day.getDayOfWeek())) {
                    continue;
                }
                LocalDateTime start = w.startOn(day);
                LocalDateTime end = start.plus(w.length());
                if (!now.isBefore(start) && now.isBefore(end)) {
                    Instant endInstant = end.atZone(zone).toInstant();
                    if (latest == null || endInstant.isAfter(latest)) {
                        latest = endInstant;
                    }
                }
            }
        }
        return latest;
    }

    /** {@code t} itself when open, else the next start of a window (null if there is none, i.e. no days). */
    public Instant nextOpen(Instant t) {
        if (isOpen(t)) {
            return t;
        }
        LocalDateTime now = LocalDateTime.ofInstant(t, zone);
        Instant best = null;
        for (Window w : windows) {
            for (int ahead = 0; ahead <= 8; ahead++) {
                LocalDate day = now.toLocalDate().plusDays(ahead);
                if (!w.days().contains(day.getDayOfWeek())) {
                    continue;
                }
                LocalDateTime start = w.startOn(day);
                if (start.isAfter(now)) {
                    Instant s = start.atZone(zone).toInstant();
                    if (best == null || s.isBefore(best)) {
                        best = s;
                    }
                    break;
                }
            }
        }
        return best;
    }

    @Override
    public String toString() {
        if (windows.isEmpty()) {
            return "always";
        }
        return windows.stream().map(w -> w.days() + " " + w.start() + "+" + w.length())
                .collect(Collectors.joining(", ")) + " " + zone;
    }
}
