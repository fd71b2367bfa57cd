package org.pacsmigrator.migrator;

import java.io.PrintWriter;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.harness.ChildProcesses;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How the command line ends on an error: a user's error (a bad option, a bad config, an unreachable PACS) is one
 * line and exit 2, without usage text or stack trace; anything else is an internal failure (3) with its stack trace.
 */
final class UserErrors {
    private UserErrors() {
    }

    /** A bad option or option value, found while parsing or by a command's own checks. */
    static int invalidInput(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println(oneLine(e.getMessage()) + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        return MigratorCli.CONFIG_ERROR;
    }

    /** An exception a command did not handle: a configuration problem anywhere in its causes is still the user's. */
    static int failure(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigException config) {
                err.println("configuration error: " + oneLine(config.getMessage()));
                return MigratorCli.CONFIG_ERROR;
            }
        }
        if (ChildProcesses.stopping()) {
            // a signal stopped the stages and services under the command: its failure is that, in one line
            err.println("stopped by a signal (" + e.getClass().getSimpleName() + " while stopping); run it again to resume");
            return MigratorCli.INCOMPLETE;
        }
        err.println("internal failure: " + e);
        e.printStackTrace(err);
        return MigratorCli.INTERNAL_FAILURE;
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
