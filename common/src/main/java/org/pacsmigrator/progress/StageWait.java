package org.pacsmigrator.progress;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What holds a stage back: the operator's pause, a time window that opens later, a PACS that cannot be reached, or a
 * PACS whose adaptive limit was lowered after it struggled. Without it a stage that waits looks like one that hangs.
 *
 * @param until  when a window opens (null for the other kinds)
 * @param zone   the window's time zone (null for the other kinds)
 * @param remote the PACS's AE title (null for a pause or a window)
 * @param detail the last failure (unreachable) or "limit of max" (throttled); null otherwise
 */
public record StageWait(Kind kind, Instant until, ZoneId zone, String remote, String detail) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("EEE HH:mm", Locale.ROOT);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final int MAX_DETAIL = 100;

    public enum Kind { PAUSED, WINDOW, UNREACHABLE, THROTTLED }

    public static StageWait paused() {
        return new StageWait(Kind.PAUSED, null, null, null, null);
    }

    public static StageWait window(Instant opensAt, ZoneId zone) {
        return new StageWait(Kind.WINDOW, opensAt, zone, null, null);
    }

    /** {@code since}: when the failing association ended; {@code detail}: its failure. */
    public static StageWait unreachable(String remote, Instant since, String detail) {
        return new StageWait(Kind.UNREACHABLE, since, null, remote, detail);
    }

    public static StageWait throttled(String remote, int limit, int max) {
        return new StageWait(Kind.THROTTLED, null, null, remote, limit + " of " + max);
    }

    /** The wait in words, e.g. "outside its time windows: the next opens at 19:00 (in 3h 12m)"; times in {@code local}. */
    public String describe(Instant now, ZoneId local) {
        return switch (kind) {
            case PAUSED -> "paused (resume it in the console)";
            case WINDOW -> "outside its time windows: the next opens " + opening(now) + " (in "
                    + ProgressText.duration(Duration.between(now, until)) + ")";
            case UNREACHABLE -> remote + " unreachable since " + CLOCK.format(until.atZone(local)) + ": " + shortened(detail);
            case THROTTLED -> remote + " throttled to " + detail + " associations after it refused or timed out";
        };
    }

    private String opening(Instant now) {
        ZonedDateTime at = until.atZone(zone);
        boolean today = at.toLocalDate().equals(now.atZone(zone).toLocalDate());
        String when = (today ? "at " + TIME.format(at) : DAY_TIME.format(at));
        return zone.getRules().equals(ZoneId.systemDefault().getRules()) ? when : when + " " + zone.getId();
    }

    private static String shortened(String text) {
        String oneLine = String.valueOf(text).replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_DETAIL ? oneLine : oneLine.substring(0, MAX_DETAIL - 1) + "…";
    }
}
