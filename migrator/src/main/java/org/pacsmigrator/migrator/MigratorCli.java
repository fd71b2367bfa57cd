package org.pacsmigrator.migrator;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The product's command line: {@code run}, {@code demo}, {@code generate}, {@code replay}, {@code report},
 * {@code control}.
 */
@Command(name = "pacs-migrator", mixinStandardHelpOptions = true, version = "pacs-migrator 0.1.0",
        description = "Migrates every study from an old PACS to a new one over DICOM, resumably, with proof.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {MigratorCli.EXIT_COMPLETE, MigratorCli.EXIT_INCOMPLETE,
                MigratorCli.EXIT_CONFIG_ERROR, MigratorCli.EXIT_INTERNAL_FAILURE},
        subcommands = {MigratorCli.Run.class, DemoCommand.class, GenerateCommand.class, ReplayCommand.class,
                ReportCommand.class, ControlCommand.class})
public final class MigratorCli implements Callable<Integer> {
    /** Exit codes. */
    static final int COMPLETE = 0;
    static final int INCOMPLETE = 1;
    static final int CONFIG_ERROR = 2;
    /** A stage's consumer loop died, or an unexpected exception: see the error output; the next run resumes. */
    static final int INTERNAL_FAILURE = 3;
    static final String EXIT_COMPLETE = "0:complete: every indexed study verified and the last control pass found nothing "
            + "more in the old PACS (report: nothing missing)";
    static final String EXIT_INCOMPLETE = "1:incomplete: a study or a day failed, or the last control pass found studies "
            + "to migrate or could not re-query a day (see the summary and the report)";
    static final String EXIT_CONFIG_ERROR = "2:usage or configuration error, unreachable PACS";
    static final String EXIT_INTERNAL_FAILURE = "3:internal failure: a stage's consumer loop died or an unexpected error";

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command line with its exit codes: a user's error is one line and 2, anything unexpected 3 (see {@link UserErrors}).
     * Every command takes {@code --verbose}/{@code --quiet} ({@link Verbosity}) and shows its options' defaults.
     */
    public static CommandLine commandLine() {
        CommandLine root = new CommandLine(new MigratorCli());
        everyCommand(root);
        return OptionValues.withConverters(root)
                .setExecutionStrategy(parsed -> {
                    Verbosity.apply(parsed);
                    return new CommandLine.RunLast().execute(parsed);
                })
                .setParameterExceptionHandler(UserErrors::invalidInput)
                .setExecutionExceptionHandler(UserErrors::failure);
    }

    private static void everyCommand(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        spec.usageMessage().showDefaultValues(true).footerHeading("%n").footer(Verbosity.HELP);
        if (spec.parent() != null) {
            spec.addMixin("verbosity", CommandSpec.forAnnotatedObject(new Verbosity()));
        }
        command.getSubcommands().values().forEach(MigratorCli::everyCommand);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return CONFIG_ERROR;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Runs a whole migration from a YAML config: index, retrieve, forward, verify, then control passes",
                    "(every indexed day re-queried; what they find is migrated, up to index.maxControlPasses passes).",
                    "Exits 0 when every indexed study is verified and the last control pass found nothing more."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {EXIT_COMPLETE, EXIT_INCOMPLETE, EXIT_CONFIG_ERROR,
                    EXIT_INTERNAL_FAILURE})
    static final class Run implements Callable<Integer> {
        @CommandLine.Option(names = {"-c", "--config"}, required = true, description = "the migration's YAML file")
        Path config;
        @CommandLine.Option(names = "--serve", description = "keep the web console up after the migration ended")
        boolean serve;
        @CommandLine.Mixin
        ProgressOptions progress;

        @Override
        public Integer call() throws Exception {
            // a config problem goes to the command line's error handler: one line, exit 2
            return SingleMachine.run(SingleMachine.checked(config), System.out, serve, progress);
        }
    }
}
