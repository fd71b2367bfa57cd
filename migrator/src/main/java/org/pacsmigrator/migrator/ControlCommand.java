package org.pacsmigrator.migrator;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.state.ControlPassRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code control}: one control pass on demand. It does not wait for the migration of what it finds (that
 * is {@code run}'s job, or the running workers'), so it exits 0 only when the pass found nothing to
 * migrate, re-queried every day, and every study of the study database is verified.
 */
@Command(name = "control", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Re-queries every indexed day of a date range in the old PACS (the same splitting, windows and pause",
                "as indexing) and compares the studies and their NumberOfStudyRelatedInstances with the study database.",
                "New and changed studies are indexed and published (the next 'run', or running workers, migrate them);",
                "vanished ones are reported. The pass is kept as the migration's last: the report and the console show it.",
                "Exits 0 only when the pass found nothing to migrate, re-queried every day, and every study is verified."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {MigratorCli.EXIT_COMPLETE, MigratorCli.EXIT_INCOMPLETE,
                MigratorCli.EXIT_CONFIG_ERROR, MigratorCli.EXIT_INTERNAL_FAILURE})
final class ControlCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "the migration's YAML file")
    Path config;

    @Option(names = "--from", paramLabel = "yyyy-MM-dd", defaultValue = "index.from",
            description = "first day to re-query (index.from: the config's)")
    String from;

    @Option(names = "--to", paramLabel = "yyyy-MM-dd", defaultValue = "index.to",
            description = "last day to re-query (index.to: the config's)")
    String to;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        MigrationConfig c;
        LocalDate first;
        LocalDate last;
        try {
            c = ConfigLoader.load(config);
            first = day("--from", from, c.index.from);
            last = day("--to", to, c.index.to);
            if (first.isAfter(last)) {
                throw new ConfigException("--from", first + " is after --to " + last);
            }
            Preflight.checkSource(c, Dicom.client(c.migrator.aeTitle, DicomTimeouts.defaults()));
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return MigratorCli.CONFIG_ERROR;
        }
        return run(c, first, last, spec.commandLine().getOut());
    }

    private static LocalDate day(String option, String value, LocalDate configured) {
        if (value.startsWith("index.")) {
            return configured;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigException(option, "is not a date (yyyy-MM-dd): " + value);
        }
    }

    /** One pass over the indexed days of {@code from..to}; prints what it found and the migration's state. */
    static int run(MigrationConfig c, LocalDate from, LocalDate to, PrintWriter out) throws Exception {
        try (EmbeddedServices services = EmbeddedServices.start(c);
             MigrationRunner runner = new MigrationRunner(c, services.kafkaBootstrap(), services.cassandraContactPoint())) {
            ControlPassRecord pass = runner.control(from, to, "control command");
            out.println("Control pass: " + pass.describe());
            out.println("Control report: " + pass.reportFile());
            if (pass.toMigrate() > 0) {
                out.printf("Published for migration: %d studies; 'run' migrates them (running workers take them at once)%n",
                        pass.toMigrate());
            }
            MigrationSummary summary = MigrationSummary.of(runner.state(), runner.criterion().key());
            if (!summary.complete()) {
                out.printf("Not migrated yet: %d of %d studies of the study database are verified%n",
                        summary.studiesVerified(), summary.studiesFound());
            }
            boolean complete = summary.complete(pass);
            out.println(complete ? "RESULT: COMPLETE - the old PACS holds nothing that is not verified in the new one"
                    : "RESULT: INCOMPLETE" + pass.shortfall().map(s -> " - " + s).orElse(""));
            out.flush();
            return complete ? MigratorCli.COMPLETE : MigratorCli.INCOMPLETE;
        }
    }
}
