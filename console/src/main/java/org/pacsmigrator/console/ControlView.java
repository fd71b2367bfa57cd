package org.pacsmigrator.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.StudyState;

/**
 * What {@code GET /api/control} (and the progress) shows of control passes: whether one started by the
 * console runs now, why the last one the console started failed, and the migration's last pass.
 */
public record ControlView(boolean running, String lastError, Last last) {
    /** Studies listed per kind in the view (the report and the pass's JSON file list them all). */
    static final int LISTED = 50;

    /**
     * The migration's last pass: counts per finding, the studies found (up to {@value #LISTED} per kind), how many
     * of those are not migrated now, and what keeps it from proving the migration complete ({@code shortfall}).
     */
    public record Last(Instant startedAt, Instant finishedAt, String trigger, String from, String to,
                       int daysChecked, List<String> failedDays, Map<String, Integer> found,
                       Map<String, List<String>> studies, long unmigrated, boolean clean, String shortfall) {
        static Last of(ControlPassRecord p, Function<String, Optional<StudyState>> stateOf) {
            Map<String, Integer> found = new TreeMap<>();
            Map<String, List<String>> studies = new TreeMap<>();
            for (ControlPassRecord.Finding f : ControlPassRecord.Finding.values()) {
                found.put(f.name(), p.count(f));
                List<String> uids = p.studies(f);
                studies.put(f.name(), uids.subList(0, Math.min(LISTED, uids.size())));
            }
            // days as yyyy-MM-dd text, whatever the JSON mapper does with dates
            return new Last(p.startedAt(), p.finishedAt(), p.trigger(), p.from().toString(), p.to().toString(),
                    p.daysChecked(), p.failedDays(),
                    found, studies, p.unmigrated(stateOf), p.clean(), p.shortfall().orElse(null));
        }
    }

    ControlView withRunning(boolean nowRunning, String error) {
        return new ControlView(nowRunning, error, last);
    }
}
