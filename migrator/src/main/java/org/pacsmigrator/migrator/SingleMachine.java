package org.pacsmigrator.migrator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.forward.ForwardStage;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.index.Indexer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The single-machine migration: validate, check peers, start services and workers, index, wait, control
 * passes (and the migration of what they find), report.
 */
final class SingleMachine {
    private SingleMachine() {
    }

    static int run(Path configFile, PrintStream out, PrintStream err) throws Exception {
        return run(configFile, out, err, false);
    }

    /** {@code serve}: after the migration, keep the console up until the process is stopped. */
    static int run(Path configFile, PrintStream out, PrintStream err, boolean serve) throws Exception {
        MigrationConfig config;
        try {
            config = checked(configFile);
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return MigratorCli.CONFIG_ERROR;
        }
        return run(config, out, serve);
    }

    /** The config, its rules and its peers checked before anything starts; a problem is a {@link ConfigException}. */
    static MigrationConfig checked(Path configFile) {
        MigrationConfig config = ConfigLoader.load(configFile);
        ForwardStage.loadRules(config);
        Preflight.check(config, Dicom.client(config.migrator.aeTitle, DicomTimeouts.defaults()));
        return config;
    }

    /** The final report under {dataDirectory}/report; a failing report does not change the migration's result. */
    static void writeReport(MigrationRunner runner, MigrationConfig config, PrintStream out) {
        try {
            var report = runner.writeReport(Path.of(config.storage.dataDirectory).resolve("report"));
            out.printf("Report: %s, %s (%d studies, %d complete); reconciliation: %s (%d findings, %d instances missing in the new PACS); "
                            + "last control pass: %s%n",
                    report.csv(), report.html(), report.studies(), report.studiesComplete(), report.reconciliationCsv(),
                    report.discrepancies().size(), report.instancesMissingInNew(), report.controlCsv());
        } catch (Exception e) {
            out.println("Report could not be written: " + e.getMessage());
        }
    }

    static int run(MigrationConfig config, PrintStream out, boolean serve) throws Exception {
        return run(config, ForwardStage.loadRules(config), out, serve);
    }

    /** With the forwarder's rules given (loaded from the config by the others); no progress display. */
    static int run(MigrationConfig config, RuleSet rules, PrintStream out, boolean serve) throws Exception {
        return run(config, rules, out, serve, ProgressOptions.off());
    }

    /** The command line's run: the progress shown on {@code out} as {@code progress} says. */
    static int run(MigrationConfig config, PrintStream out, boolean serve, ProgressOptions progress) throws Exception {
        return run(config, ForwardStage.loadRules(config), out, serve, progress);
    }

    static int run(MigrationConfig config, RuleSet rules, PrintStream out, boolean serve, ProgressOptions progress)
            throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (EmbeddedServices services = EmbeddedServices.start(config);
             MigrationRunner runner = new MigrationRunner(config, services.kafkaBootstrap(), services.cassandraContactPoint(),
                     rules, meters);
             ProgressDisplay display = ProgressDisplay.start(progress, new ProgressProbe(runner.context()), out);
             BackgroundConsole console = BackgroundConsole.start(config, runner, meters, display.out())) {
            // while the display is on, the run's own lines go above its block
            PrintStream shown = display.out();
            runner.startWorkers();
            Indexer.Summary indexed = runner.index();
            shown.printf("Indexed %s..%s: %d days queried, %d already done, %d failed; %d studies found (%d new)%n",
                    config.index.from, config.index.to, indexed.daysDone(), indexed.daysSkipped(), indexed.daysFailed(),
                    indexed.studiesFound(), indexed.studiesNew());
            FinalControl.Outcome control;
            try {
                control = FinalControl.run(runner, config.index.from, config.index.to, config.index.maxControlPasses,
                        Duration.ofSeconds(2), shown);
            } catch (MigrationRunner.StageDied e) {
                display.close();
                // no summary or report: the state store is consistent, the next run resumes where this one stopped
                out.println("RESULT: INTERNAL FAILURE: " + e.getMessage());
                return MigratorCli.INTERNAL_FAILURE;
            }
            display.close();
            MigrationSummary summary = control.summary();
            summary.print(out, control.last());
            writeReport(runner, config, out);
            if (serve && console.awaitStarted() != null) {
                out.println("Migration finished; the console stays up until this process is stopped (Ctrl-C).");
                Thread.currentThread().join();
            }
            // A day that failed to index is retried by the control pass, whose failed days keep it from being clean.
            return summary.complete(control.last()) ? MigratorCli.COMPLETE : MigratorCli.INCOMPLETE;
        }
    }
}
