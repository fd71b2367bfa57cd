package org.pacsmigrator.migrator;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The product's command line: {@code run}, {@code demo}, {@code generate}, {@code replay}, {@code report}. */
@Command(name = "pacs-migrator", mixinStandardHelpOptions = true, version = "pacs-migrator 0.1.0",
        description = "Migrates every study from an old PACS to a new one over DICOM, resumably, with proof.",
        subcommands = {MigratorCli.Run.class, DemoCommand.class, GenerateCommand.class, ReplayCommand.class,
                ReportCommand.class})
public final class MigratorCli implements Callable<Integer> {
    /** Exit codes. */
    static final int COMPLETE = 0;
    static final int INCOMPLETE = 1;
    static final int CONFIG_ERROR = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return new CommandLine(new MigratorCli()).execute(args);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return CONFIG_ERROR;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs a whole migration from a YAML config; exits 0 when every indexed study is verified.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Option(names = {"-c", "--config"}, required = true, description = "the migration's YAML file")
        Path config;
        @CommandLine.Option(names = "--serve", description = "keep the web console up after the migration ended")
        boolean serve;

        @Override
        public Integer call() throws Exception {
            return SingleMachine.run(config, System.out, System.err, serve);
        }
    }
}
