package org.pacsmigrator.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;

/**
 * The report's account of the migration's last control pass (the old PACS re-queried day by day):
 * {@code control.csv} with one row per study it found (and per day it could not re-query), each with
 * the study's state now and the action, and a section of the HTML page. Without a clean last pass over
 * the whole range the report cannot call the migration complete: the old PACS may hold more.
 */
public final class ControlSection {
    static final String[] HEADER = {"finding", "day", "study_instance_uid", "state_now", "migrated", "action"};

    private final Optional<ControlPassRecord> last;
    private final List<Object[]> rows;
    private final long unmigrated;

    private ControlSection(Optional<ControlPassRecord> last, List<Object[]> rows, long unmigrated) {
        this.last = last;
        this.rows = rows;
        this.unmigrated = unmigrated;
    }

    /** The last pass from the state store, with the state now of every study it lists. */
    static ControlSection of(StateStore state) {
        Optional<ControlPassRecord> last = state.lastControlPass();
        if (last.isEmpty()) {
            return new ControlSection(last, List.of(), 0);
        }
        ControlPassRecord pass = last.get();
        Map<String, Optional<StudyRecord>> studies = new HashMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (String failed : pass.failedDays()) {
            int colon = failed.indexOf(':');
            rows.add(new Object[] {"day not re-queried", colon < 0 ? failed : failed.substring(0, colon), "", "", "",
                    (colon < 0 ? "" : failed.substring(colon + 1).strip() + "; ")
                            + "run 'control' again when the old PACS answers"});
        }
        for (ControlPassRecord.Finding f : ControlPassRecord.Finding.values()) {
            for (String uid : pass.studies(f)) {
                Optional<StudyRecord> s = studies.computeIfAbsent(uid, state::findStudy);
                StudyState now = s.map(StudyRecord::state).orElse(null);
                rows.add(new Object[] {finding(f), "", uid, now == null ? "not indexed" : now.name(), migrated(f, now),
                        action(f, s)});
            }
        }
        long unmigrated = pass.unmigrated(uid -> studies.get(uid).map(StudyRecord::state));
        return new ControlSection(last, List.copyOf(rows), unmigrated);
    }

    public Optional<ControlPassRecord> last() {
        return last;
    }

    /** Studies the last pass found that are not migrated now (see {@link ControlPassRecord#unmigrated}). */
    public long unmigrated() {
        return unmigrated;
    }

    /**
     * Why the last control pass does not prove that the old PACS holds nothing more for {@code from..to}, or
     * empty: there is none, it covered fewer days, it could not re-query a day, or it found studies to migrate
     * (only a later pass that finds nothing proves that nothing came meanwhile).
     */
    public Optional<String> shortfall(LocalDate from, LocalDate to) {
        if (from != null && to != null && last.isPresent() && !last.get().covers(from, to)) {
            return Optional.of("the last control pass covered only " + last.get().from() + ".." + last.get().to()
                    + ": run 'control' over " + from + ".." + to);
        }
        return ControlPassRecord.shortfall(last);
    }

    List<Object[]> rows() {
        return rows;
    }

    private static String finding(ControlPassRecord.Finding f) {
        return switch (f) {
            case NEW -> "new in old PACS";
            case CHANGED -> "changed in old PACS";
            case CHANGED_IN_FLIGHT -> "changed while being migrated";
            case VANISHED -> "vanished from old PACS";
        };
    }

    private static String migrated(ControlPassRecord.Finding f, StudyState now) {
        return switch (f) {
            case NEW, CHANGED -> now == StudyState.VERIFIED ? "yes" : "no";
            case CHANGED_IN_FLIGHT -> "not known until the next pass";
            case VANISHED -> "";
        };
    }

    private static String action(ControlPassRecord.Finding f, Optional<StudyRecord> s) {
        StudyState now = s.map(StudyRecord::state).orElse(null);
        return switch (f) {
            case NEW, CHANGED -> now == StudyState.VERIFIED ? "none: migrated"
                    : now == StudyState.FAILED ? MigrationReport.missingAction(s.get().failureCategory())
                    : "published for migration: run the migration ('run'), which migrates it and controls again";
            case CHANGED_IN_FLIGHT -> "the next control pass ('run' or 'control') takes the change once its migration ended";
            case VANISHED -> "investigate: the old PACS no longer lists it (deleted or merged there?); it stays in the "
                    + "study database and the report";
        };
    }

    /** The HTML section: when, who, which days, what was found, and what it means for completeness. */
    String html(LocalDate from, LocalDate to) {
        StringBuilder b = new StringBuilder("<h2>Last control pass (old PACS re-queried)</h2>\n");
        if (last.isEmpty()) {
            return b.append("<p class=\"control-missing\"><b>No control pass yet</b>: nothing shows that the old PACS "
                    + "holds no studies beyond the study database. Run the migration or 'control'.</p>\n").toString();
        }
        ControlPassRecord p = last.get();
        b.append("<p id=\"control-pass\">").append(MigrationReport.html(p.describe())).append(". Not migrated now: <b>")
                .append(unmigrated).append("</b>.</p>\n");
        Optional<String> shortfall = shortfall(from, to);
        b.append(shortfall.isEmpty() ? "<p>It found nothing to migrate: the old PACS held nothing beyond the study "
                + "database on the days it re-queried.</p>\n" : "<p><b>Not proven complete</b>: "
                + MigrationReport.html(shortfall.get()) + ".</p>\n");
        if (!rows.isEmpty()) {
            b.append("<table><tr>");
            for (String h : HEADER) {
                b.append("<th>").append(MigrationReport.html(h)).append("</th>");
            }
            b.append("</tr>\n");
            for (Object[] row : rows) {
                b.append("<tr>");
                for (Object v : row) {
                    b.append("<td>").append(MigrationReport.html(v)).append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</table>\n");
        }
        return b.toString();
    }
}
