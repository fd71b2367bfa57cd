package org.pacsmigrator.state;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The last control pass over indexed days (the old PACS re-queried and compared with the study
 * database), kept in the state store so that the run, the {@code control} and {@code report}
 * commands, the console and the indexer service all show the same one. The studies found are
 * listed up to {@link #MAX_LISTED} per kind (the control report's JSON file lists all); the counts
 * are exact.
 *
 * @param trigger    who started it ("run, pass 1 of 3", "control command", "console", "indexer service ...")
 * @param failedDays the days whose re-query failed ("2024-03-05: association rejected: ..."): nothing is known of them
 * @param reportFile the control report's JSON file
 */
public record ControlPassRecord(Instant startedAt, Instant finishedAt, String trigger, LocalDate from, LocalDate to,
                                int daysChecked, List<String> failedDays, Map<Finding, Integer> counts,
                                Map<Finding, List<String>> studies, String reportFile) {

    /** What a pass can find about a study. */
    public enum Finding {
        /** In the old PACS, not in the study database: indexed and published. */
        NEW,
        /** Its instance count changed in the old PACS: updated, reopened and published. */
        CHANGED,
        /** Changed while our stages were migrating it: left for the next pass, which takes it once it is done. */
        CHANGED_IN_FLIGHT,
        /** In the study database, no longer in the old PACS: reported only. */
        VANISHED
    }

    /** Studies listed per kind; more are counted, not listed (a row of the state store stays small). */
    public static final int MAX_LISTED = 10_000;

    public ControlPassRecord {
        failedDays = List.copyOf(failedDays);
        Map<Finding, Integer> c = new EnumMap<>(Finding.class);
        Map<Finding, List<String>> s = new EnumMap<>(Finding.class);
        for (Finding f : Finding.values()) {
            List<String> listed = studies.getOrDefault(f, List.of());
            s.put(f, List.copyOf(listed.size() > MAX_LISTED ? listed.subList(0, MAX_LISTED) : listed));
            c.put(f, Math.max(counts.getOrDefault(f, 0), listed.size()));
        }
        counts = c;
        studies = s;
    }

    /** A pass from its findings (every study of each kind; counted in full, listed up to {@link #MAX_LISTED}). */
    public static ControlPassRecord of(Instant startedAt, Instant finishedAt, String trigger, LocalDate from, LocalDate to,
                                       int daysChecked, List<String> failedDays, Map<Finding, List<String>> found,
                                       String reportFile) {
        Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
        found.forEach((f, uids) -> counts.put(f, uids.size()));
        return new ControlPassRecord(startedAt, finishedAt, trigger, from, to, daysChecked, failedDays, counts, found,
                reportFile);
    }

    public int count(Finding finding) {
        return counts.get(finding);
    }

    public List<String> studies(Finding finding) {
        return studies.get(finding);
    }

    /** Studies the pass found that the stages must (still) migrate: new, changed, changed in flight. */
    public int toMigrate() {
        return count(Finding.NEW) + count(Finding.CHANGED) + count(Finding.CHANGED_IN_FLIGHT);
    }

    /** Nothing to migrate found, and every day re-queried: the old PACS holds nothing the study database lacks. */
    public boolean clean() {
        return toMigrate() == 0 && failedDays.isEmpty();
    }

    /**
     * Why a migration cannot be called complete on the strength of this pass (and how to go on), or empty when
     * it is clean. A pass that found studies proves nothing about what the old PACS received while they were
     * being migrated: only a later pass that finds nothing does.
     */
    public Optional<String> shortfall() {
        if (!failedDays.isEmpty()) {
            return Optional.of("the last control pass could not re-query " + failedDays.size() + " days (" + failedDays.get(0)
                    + (failedDays.size() > 1 ? ", ..." : "") + "); run it again when the old PACS answers");
        }
        if (toMigrate() > 0) {
            return Optional.of("the last control pass found " + toMigrate() + " studies to migrate and no later pass has "
                    + "confirmed that the old PACS holds nothing more; run the migration again");
        }
        return Optional.empty();
    }

    /** {@link #shortfall()} of the last pass, or that there was none. */
    public static Optional<String> shortfall(Optional<ControlPassRecord> last) {
        return last.isEmpty() ? Optional.of("no control pass has re-queried the old PACS yet: run the migration or 'control'")
                : last.get().shortfall();
    }

    public boolean covers(LocalDate rangeFrom, LocalDate rangeTo) {
        return !from.isAfter(rangeFrom) && !to.isBefore(rangeTo);
    }

    /**
     * The studies this pass found that are not migrated now: new and changed ones not VERIFIED (or unknown,
     * or not listed), and every one changed in flight (only the next pass can tell whether the change arrived).
     */
    public long unmigrated(Function<String, Optional<StudyState>> stateOf) {
        long n = count(Finding.CHANGED_IN_FLIGHT);
        for (Finding f : List.of(Finding.NEW, Finding.CHANGED)) {
            List<String> listed = studies(f);
            n += count(f) - listed.size();
            for (String uid : listed) {
                n += stateOf.apply(uid).filter(s -> s == StudyState.VERIFIED).isPresent() ? 0 : 1;
            }
        }
        return n;
    }

    /** {@link #unmigrated(Function)} read from the state store (one read per listed study). */
    public long unmigrated(StateStore state) {
        return unmigrated(uid -> state.findStudy(uid).map(StudyRecord::state));
    }

    /** One line: when, who, which days, what was found. */
    public String describe() {
        StringBuilder b = new StringBuilder().append(finishedAt).append(" (").append(trigger).append("), ").append(from)
                .append("..").append(to).append(": ").append(daysChecked).append(" days re-queried");
        if (!failedDays.isEmpty()) {
            b.append(", ").append(failedDays.size()).append(" could not be");
        }
        b.append("; ").append(count(Finding.NEW)).append(" new, ").append(count(Finding.CHANGED)).append(" changed");
        if (count(Finding.CHANGED_IN_FLIGHT) > 0) {
            b.append(", ").append(count(Finding.CHANGED_IN_FLIGHT)).append(" changed while being migrated");
        }
        return b.append(", ").append(count(Finding.VANISHED)).append(" vanished").toString();
    }

    /** Every finding kind with an empty list: for building {@link #of}'s argument. */
    public static Map<Finding, List<String>> noFindings() {
        Map<Finding, List<String>> m = new EnumMap<>(Finding.class);
        for (Finding f : Finding.values()) {
            m.put(f, new ArrayList<>());
        }
        return m;
    }
}
