package org.pacsmigrator.migrator;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The product's command line in a JVM of its own, as {@code scripts/migrate.sh} starts it but on this build's
 * classes: with the product's logging configuration (not the tests'), its output (stdout and stderr in order)
 * appended to a file.
 */
final class CliProcess {
    private CliProcess() {
    }

    static Process start(Path log, String... args) throws Exception {
        return start(log, Map.of(), args);
    }

    /** With {@code environment} added to this JVM's. */
    static Process start(Path log, Map<String, String> environment, String... args) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path classes = Path.of(MigratorCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-Dlogback.configurationFile=" + classes.resolve("logback.xml"), "-cp", classpath, MigratorCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(new File(System.getProperty("user.dir")));
        builder.environment().putAll(environment);
        return builder.start();
    }
}
