package org.pacsmigrator.migrator;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.state.ControlPassRecord;

/**
 * How a run ends: once no study is in progress, control passes re-query every indexed day of the range
 * (an old PACS keeps receiving, often for past dates). What a pass finds is migrated, then the next pass
 * runs, until one finds nothing or {@code index.maxControlPasses} passes ran: an archive that receives
 * studies for indexed days faster than passes converge would otherwise keep the run going forever. The
 * run is complete only when its last pass found nothing to migrate.
 */
final class FinalControl {
    private FinalControl() {
    }

    /** The run's passes and the summary after the migration of what they found. */
    record Outcome(List<ControlPassRecord> passes, MigrationSummary summary) {
        ControlPassRecord last() {
            return passes.get(passes.size() - 1);
        }
    }

    /**
     * @throws MigrationRunner.StageDied when a stage's consumer loop died while waiting
     */
    static Outcome run(MigrationRunner runner, LocalDate from, LocalDate to, int maxPasses, Duration poll, PrintStream out)
            throws InterruptedException {
        MigrationSummary summary = runner.awaitCompletion(poll);
        List<ControlPassRecord> passes = new ArrayList<>();
        for (int n = 1; n <= maxPasses; n++) {
            ControlPassRecord pass = runner.control(from, to, "run, pass " + n + " of " + maxPasses);
            passes.add(pass);
            out.println("Control pass " + n + ": " + pass.describe() + (pass.toMigrate() > 0 ? "; migrating them" : ""));
            if (pass.toMigrate() == 0) {
                break;
            }
            summary = runner.awaitCompletion(poll);
        }
        return new Outcome(List.copyOf(passes), summary);
    }
}
