package org.pacsmigrator.progress;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.pacsmigrator.topics.StageId;

/** The progress in words, one line per stage: what the terminal shows and the console's ETA and waits say. */
public final class ProgressText {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final String INDENT = "           ";
    /** Shown for a rate or ETA that is not known yet. */
    public static final String UNKNOWN = "--";

    private ProgressText() {
    }

    /** "45s", "3m 05s", "2h 10m", "3d 4h": two units at most, the larger first. */
    public static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %dh", s / 86_400, s % 86_400 / 3600);
    }

    /** The ETA: "done" when nothing is left, {@value #UNKNOWN} while the rate is unknown or zero. */
    public static String eta(StageProgress stage) {
        if (stage.finished()) {
            return "done";
        }
        return stage.eta() == null ? UNKNOWN : duration(stage.eta());
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A rate with one decimal below 10, whole above; {@value #UNKNOWN} when NaN. */
    public static String rate(double value) {
        if (Double.isNaN(value)) {
            return UNKNOWN;
        }
        return value < 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%,.0f", value);
    }

    /** E.g. "retrieve   12/20 studies, 180/300 images, 0.6 studies/min, 6.0 images/s, ETA 1m 05s". */
    public static String line(StageProgress s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %s/%s %s", s.stage().label(), count(s.done()),
                count(s.known()), s.unit().label()));
        if (s.imagesDone() >= 0) {
            b.append(", ").append(count(s.imagesDone())).append('/').append(count(s.imagesKnown())).append(" images");
        }
        b.append(", ").append(rate(s.perMinute())).append(' ').append(s.unit().label()).append("/min");
        if (s.imagesDone() >= 0) {
            b.append(", ").append(rate(s.imagesPerSecond())).append(" images/s");
        }
        return b.append(", ETA ").append(eta(s)).toString();
    }

    /** Every wait of a stage in words. */
    public static List<String> waits(StageProgress s, Instant now, ZoneId local) {
        return s.waits().stream().map(w -> w.describe(now, local)).toList();
    }

    /**
     * The whole picture: a heading (clock, studies verified, overall ETA), a line per stage with its waits below it, and
     * the failed studies by category.
     */
    public static List<String> lines(MigrationProgress p, Instant now, ZoneId local) {
        List<String> out = new ArrayList<>();
        StageProgress verify = p.stage(StageId.VERIFY);
        out.add(String.format(Locale.ROOT, "[%s] migration %s: %s studies found, %s verified, %s failed, ETA %s",
                CLOCK.format(p.at().atZone(local)), p.migrationId(), count(p.studiesFound()), count(verify.done()),
                count(p.studiesFailed()), eta(verify)));
        for (StageProgress s : p.stages()) {
            out.add(line(s));
            waits(s, now, local).forEach(w -> out.add(INDENT + "waiting: " + w));
        }
        if (!p.failuresByCategory().isEmpty()) {
            out.add(String.format(Locale.ROOT, "%-10s %s", "failed", failures(p.failuresByCategory())));
        }
        return out;
    }

    /** Failed studies by category, e.g. "2 missing instances, 1 association refused". */
    public static String failures(Map<String, Long> byCategory) {
        return byCategory.entrySet().stream().map(e -> count(e.getValue()) + " " + e.getKey()).collect(Collectors.joining(", "));
    }
}
