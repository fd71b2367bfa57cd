package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/** {@code --help} of every command describes every option with its default; every command takes --verbose and --quiet. */
class CliHelpTest {
    private final Logger product = (Logger) LoggerFactory.getLogger("org.pacsmigrator");
    private final Level before = product.getLevel();

    @AfterEach
    void restoreLevel() {
        product.setLevel(before);
    }

    private static List<CommandLine> subcommands() {
        return new ArrayList<>(MigratorCli.commandLine().getSubcommands().values());
    }

    @Test
    void everyOptionOfEveryCommandHasADescriptionAndShowsItsDefault() {
        assertThat(subcommands()).extracting(c -> c.getCommandName())
                .containsExactlyInAnyOrder("run", "demo", "generate", "replay", "report", "control");
        for (CommandLine command : subcommands()) {
            String name = command.getCommandName();
            String help = CliRun.of(name, "--help").out().replaceAll("\\s+", " "); // as one line: wrapped as wide as the terminal
            assertThat(help).as("help of %s", name).contains("--verbose").contains("--quiet")
                    .contains("Log level: --verbose (DEBUG) or --quiet (WARN), else the environment variable PACSMIG_LOG_LEVEL");
            for (OptionSpec option : command.getCommandSpec().options()) {
                String label = name + " " + option.longestName();
                assertThat(String.join(" ", option.description())).as("description of %s", label).isNotBlank();
                if (option.defaultValue() != null) {
                    assertThat(help).as("help of %s shows the default of %s", name, label)
                            .contains("Default: " + option.defaultValue());
                } else if (!option.required() && !option.usageHelp() && !option.versionHelp() && option.arity().max() > 0
                        && !option.isMultiValue()) {
                    // a default that is not a constant (e.g. a directory of the config): the description says it
                    assertThat(String.join(" ", option.description())).as("%s says its default", label).contains("default");
                }
            }
        }
    }

    @Test
    void helpListsTheExitCodes() {
        for (String command : List.of("run", "report", "control", "demo", "generate", "replay")) {
            assertThat(CliRun.of(command, "--help").out()).as(command).contains("Exit codes").contains("2   usage or configuration");
        }
    }

    @Test
    void theOptionsWinOverTheEnvironmentWhichWinsOverInfo() {
        CommandSpec spec = MigratorCli.commandLine().getSubcommands().get("run").getCommandSpec();
        assertThat(Verbosity.level(spec, false, false, null)).isEqualTo(Level.INFO);
        assertThat(Verbosity.level(spec, false, false, " ")).isEqualTo(Level.INFO);
        assertThat(Verbosity.level(spec, false, false, "debug")).isEqualTo(Level.DEBUG);
        assertThat(Verbosity.level(spec, false, false, "WARN")).isEqualTo(Level.WARN);
        assertThat(Verbosity.level(spec, true, false, "WARN")).isEqualTo(Level.DEBUG);
        assertThat(Verbosity.level(spec, false, true, "DEBUG")).isEqualTo(Level.WARN);
        assertThatThrownBy(() -> Verbosity.level(spec, false, false, "loud")).isInstanceOf(ParameterException.class)
                .hasMessage("environment variable PACSMIG_LOG_LEVEL: expected ERROR, WARN, INFO, DEBUG, TRACE, found 'loud'");
        assertThatThrownBy(() -> Verbosity.level(spec, true, true, null)).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--verbose and --quiet exclude each other");
    }

    @Test
    void everyCommandTakesVerboseAndQuietBeforeItRuns() {
        // the level is set before the command runs: a command that then fails on its arguments still had it applied
        for (CommandLine command : subcommands()) {
            String name = command.getCommandName();
            List<String> failing = switch (name) {
                case "demo" -> List.of(name, "--studies", "0");
                case "generate" -> List.of(name, "--to", "A@127.0.0.1:1", "--studies", "0");
                case "replay" -> List.of(name, "--config", "/nonexistent/migration.yaml", "--all");
                default -> List.of(name, "--config", "/nonexistent/migration.yaml");
            };
            for (String option : List.of("--verbose", "--quiet")) {
                product.setLevel(Level.INFO);
                List<String> args = new ArrayList<>(failing);
                args.add(option);
                CliRun.of(args.toArray(String[]::new));
                assertThat(product.getLevel()).as("%s %s", name, option).isEqualTo(option.equals("--verbose") ? Level.DEBUG : Level.WARN);
            }
        }
        CliRun both = CliRun.of("report", "--config", "/nonexistent/migration.yaml", "--verbose", "--quiet");
        assertThat(both.exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(both.err().strip()).startsWith("--verbose and --quiet exclude each other").doesNotContain("\n");
    }
}
