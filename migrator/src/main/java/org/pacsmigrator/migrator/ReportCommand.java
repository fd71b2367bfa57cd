package org.pacsmigrator.migrator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.report.MigrationReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code report}: writes the final report (CSV, HTML) and the old-versus-new reconciliation from the state
 * store and C-FIND of both PACS; {@code --resend-missing} hands instances missing in the new PACS back to
 * the forwarder (sent by the next {@code run}). Exit 0 when every study is complete, nothing is missing, the last
 * control pass over the configured range found nothing more in the old PACS, and both PACS could be listed
 * completely (no capped answer left the reconciliation incomplete).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Writes report.csv, report.html, reconciliation.csv and control.csv (the last control pass) for a",
                "migration; optionally re-sends what is missing. Exits 0 when every study is complete, nothing is",
                "missing in the new PACS, the last control pass over the configured range found nothing more, and",
                "both PACS could be listed completely."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {MigratorCli.EXIT_COMPLETE, MigratorCli.EXIT_INCOMPLETE,
                MigratorCli.EXIT_CONFIG_ERROR, MigratorCli.EXIT_INTERNAL_FAILURE})
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Option(names = {"-c", "--config"}, required = true, description = "the migration's YAML file")
    Path config;

    @CommandLine.Option(names = "--out", description = "output directory (default: {storage.dataDirectory}/report)")
    Path out;

    @CommandLine.Option(names = "--resend-missing",
            description = "clear the 'stored' marks of instances missing in the new PACS and queue their studies for the forwarder")
    boolean resendMissing;

    @Override
    public Integer call() throws Exception {
        // a config problem goes to the command line's error handler: one line, exit 2
        return run(ConfigLoader.load(config), out, resendMissing, System.out);
    }

    static int run(MigrationConfig c, Path out, boolean resend, PrintStream stdout) throws Exception {
        Path dir = out != null ? out : Path.of(c.storage.dataDirectory).resolve("report");
        try (EmbeddedServices services = EmbeddedServices.start(c);
             MigrationRunner runner = new MigrationRunner(c, services.kafkaBootstrap(), services.cassandraContactPoint())) {
            MigrationReport.Result r = runner.writeReport(dir);
            stdout.printf("Report: %s, %s: %d studies, %d complete (criterion %s)%n", r.csv(), r.html(), r.studies(),
                    r.studiesComplete(), runner.criterion().key());
            stdout.printf("Reconciliation: %s: %d findings, %d instances missing in the new PACS%s%n", r.reconciliationCsv(),
                    r.discrepancies().size(), r.instancesMissingInNew(), r.reconciliationIncomplete()
                            ? "; INCOMPLETE: a PACS could not be listed completely (see the '" + MigrationReport.INCOMPLETE + "' finding)"
                            : "");
            Optional<String> control = r.control().shortfall(c.index.from, c.index.to);
            stdout.printf("Control: %s; %s%n", r.control().last().map(p -> "last pass " + p.describe() + ", "
                    + r.control().unmigrated() + " of its studies not migrated now").orElse("no control pass yet"),
                    r.controlCsv());
            control.ifPresent(s -> stdout.println("Not proven complete: " + s));
            if (resend) {
                int studies = runner.resendMissing(r);
                stdout.printf("Re-send: %d studies queued for the forwarder; run the migration again to send them%n", studies);
            }
            boolean ok = r.studies() > 0 && r.studiesComplete() == r.studies() && r.instancesMissingInNew() == 0
                    && control.isEmpty() && !r.reconciliationIncomplete();
            return ok ? MigratorCli.COMPLETE : MigratorCli.INCOMPLETE;
        }
    }
}
