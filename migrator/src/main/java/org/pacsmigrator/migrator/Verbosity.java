package org.pacsmigrator.migrator;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How much a command logs, mixed into every command: {@code --verbose} or {@code --quiet}, else the environment
 * variable {@value #ENVIRONMENT}, else INFO. It sets the level of the product's own loggers; libraries log warnings
 * and errors only whatever it says (logback.xml).
 */
final class Verbosity {
    static final String ENVIRONMENT = "PACSMIG_LOG_LEVEL";
    static final List<String> LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
    private static final String PRODUCT_LOGGERS = "org.pacsmigrator";

    @Option(names = "--verbose", description = "log the migration's details too (DEBUG); wins over " + ENVIRONMENT)
    boolean verbose;
    @Option(names = "--quiet", description = "log warnings and errors only (WARN); wins over " + ENVIRONMENT)
    boolean quiet;

    /** The footer of every command's help: where the log level comes from. */
    static final String HELP = "Log level: --verbose (DEBUG) or --quiet (WARN), else the environment variable " + ENVIRONMENT
            + " (" + String.join(", ", LEVELS) + "), else INFO.";

    /** Sets the level the parsed command line asks for, before its command runs. */
    static void apply(ParseResult parsed) {
        ParseResult command = parsed;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        Level level = level(command.commandSpec(), command.hasMatchedOption("--verbose"), command.hasMatchedOption("--quiet"),
                System.getenv(ENVIRONMENT));
        ((Logger) LoggerFactory.getLogger(PRODUCT_LOGGERS)).setLevel(level);
    }

    /** The options win over the environment, which wins over INFO; a user's error is a {@link ParameterException}. */
    static Level level(CommandSpec spec, boolean verbose, boolean quiet, String environment) {
        if (verbose && quiet) {
            throw new ParameterException(spec.commandLine(), "--verbose and --quiet exclude each other: give one");
        }
        if (verbose) {
            return Level.DEBUG;
        }
        if (quiet) {
            return Level.WARN;
        }
        if (environment == null || environment.isBlank()) {
            return Level.INFO;
        }
        String name = environment.strip().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(name)) {
            throw new ParameterException(spec.commandLine(), "environment variable " + ENVIRONMENT + ": expected "
                    + String.join(", ", LEVELS) + ", found '" + environment + "'");
        }
        return Level.toLevel(name);
    }
}
