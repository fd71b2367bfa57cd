package org.pacsmigrator.migrator;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.StudyStatus;

/** Studies and instances at each stage, read from the state store. */
public record MigrationSummary(
        long studiesFound, long studiesRetrieved, long studiesSent, long studiesVerified, long studiesFailed,
        long instancesFound, long instancesRetrieved, long instancesSent, long instancesVerified,
        Map<String, Long> failuresByCategory, String criterion, long studiesComplete) {

    /**
     * The migration is complete when every known study is verified (and there is at least one) and, when
     * a completion criterion is given, every study's status (Kafka Streams) meets it.
     */
    public boolean complete() {
        return studiesFound > 0 && studiesVerified == studiesFound && (criterion == null || studiesComplete == studiesFound);
    }

    public static MigrationSummary of(StateStore state) {
        return of(state, null);
    }

    /** With the completion criterion: also counts studies whose status is complete. */
    public static MigrationSummary of(StateStore state, String criterion) {
        long found = 0, retrieved = 0, sent = 0, verified = 0, failed = 0;
        long iFound = 0, iRetrieved = 0, iSent = 0, iVerified = 0;
        Map<String, Long> failures = new TreeMap<>();
        for (StudyRecord s : state.allStudies()) {
            found++;
            StudyState st = s.state();
            if (st == StudyState.FAILED) {
                failed++;
                failures.merge(s.failureCategory() == null ? "unknown" : s.failureCategory(), 1L, Long::sum);
            }
            retrieved += st.atLeast(StudyState.RETRIEVED) ? 1 : 0;
            sent += st.atLeast(StudyState.FORWARDED) ? 1 : 0;
            verified += st == StudyState.VERIFIED ? 1 : 0;
            for (InstanceRecord i : state.instancesOf(s.studyInstanceUid())) {
                iFound++;
                iRetrieved += i.retrieved() ? 1 : 0;
                iSent += i.forwarded() ? 1 : 0;
                iVerified += i.verified() ? 1 : 0;
            }
        }
        long complete = 0;
        if (criterion != null) {
            for (StudyStatus st : state.allStudyStatuses()) {
                complete += st.complete() ? 1 : 0;
            }
        }
        return new MigrationSummary(found, retrieved, sent, verified, failed, iFound, iRetrieved, iSent, iVerified, failures,
                criterion, complete);
    }

    /** {@link #complete()}, and the last control pass (the run's own) found nothing to migrate. */
    public boolean complete(ControlPassRecord lastControl) {
        return complete() && lastControl != null && lastControl.clean();
    }

    /** The summary with the run's last control pass ({@code null}: none ran) and the result they give together. */
    public void print(PrintStream out, ControlPassRecord lastControl) {
        out.println("Migration summary");
        out.printf("  %-10s %10s %10s %10s %10s %10s%n", "", "found", "retrieved", "sent", "verified", "failed");
        out.printf("  %-10s %10d %10d %10d %10d %10d%n", "studies", studiesFound, studiesRetrieved, studiesSent,
                studiesVerified, studiesFailed);
        out.printf("  %-10s %10d %10d %10d %10d %10s%n", "instances", instancesFound, instancesRetrieved, instancesSent,
                instancesVerified, "-");
        failuresByCategory.forEach((category, count) -> out.printf("  failed: %d studies (%s)%n", count, category));
        if (criterion != null) {
            out.printf("  completion (%s): %d of %d studies complete%n", criterion, studiesComplete, studiesFound);
        }
        if (lastControl != null) {
            out.println("  last control pass: " + lastControl.describe());
        }
        if (complete(lastControl)) {
            out.println("RESULT: COMPLETE - every indexed study is verified in the new PACS"
                    + (criterion == null ? "" : " and meets the completion criterion " + criterion)
                    + ", and the last control pass found nothing more in the old PACS");
        } else {
            out.println("RESULT: INCOMPLETE" + (complete() ? " - " + ControlPassRecord.shortfall(
                    Optional.ofNullable(lastControl)).orElse("") : ""));
        }
    }
}
