package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress of {@code run} as a user sees it, the command line in a JVM of its own against the shared services: in
 * a pseudo-terminal ({@code script}) a block redrawn in place with each stage's counts and ETA; with the output in a
 * file, plain lines every interval that say what a stage waits for (here a retrieve window that opens later).
 */
class ProgressDisplayCliTest {
    private static final String ESC = "\033";
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
    }

    /** The fixture's migration without a console; {@code extra} YAML lines added. */
    private Path config(String extra) throws IOException {
        String yaml = MigrationFixture.yaml("C-GET", dir.resolve("data"), MigrationFixture.services().oldPacs(),
                MigrationFixture.FIRST_DAY, MigrationFixture.FIRST_DAY.plusDays(MigrationFixture.DAYS - 1))
                .replace("console: {port: 0}", "console: {port: -1}") + extra;
        return Files.writeString(dir.resolve("migration.yaml"), yaml);
    }

    /** {@code java MigratorCli args} on this test's class path, through an argument file (the class path is long). */
    private List<String> cli(String... args) throws IOException {
        StringBuilder file = new StringBuilder("-Xmx512m\n-cp\n").append(quoted(System.getProperty("java.class.path")))
                .append("\norg.pacsmigrator.migrator.MigratorCli\n");
        for (String a : args) {
            file.append(quoted(a)).append('\n');
        }
        Path argFile = Files.writeString(dir.resolve("java.args"), file);
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + argFile);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void aTerminalShowsEachStagesCountsAndEtaRedrawnInPlace() throws Exception {
        // a pause after each association keeps the retrieve stage busy for several progress samples
        Path config = config("retrieve: {pauseMillis: 700}\n");
        String command = String.join(" ", cli("run", "-c", config.toString()).stream().map(ProgressDisplayCliTest::shellQuoted).toList());
        Path log = dir.resolve("terminal.log");
        Process script = new ProcessBuilder("script", "-qefc", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(script.waitFor(6, TimeUnit.MINUTES)).as("the run ends; output:%n%s", tail(log)).isTrue();
        } finally {
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(script.exitValue()).as("exit code; output:%n%s", tail(log)).isZero();
        assertThat(out).as("the block is redrawn in place (cursor up, erase)").containsPattern(Pattern.quote(ESC + "[") + "\\d+A"
                + Pattern.quote(ESC + "[J"));
        assertThat(out).containsPattern("index +7/7 days");
        Matcher retrieve = Pattern.compile("retrieve +(\\d+)/20 studies, (\\d+)/(\\d+) images, [\\d.]+ studies/min, "
                + "[\\d.]+ images/s, ETA (\\d+[smhd][^\\r\\n]*)").matcher(out);
        boolean etaShown = false;
        while (retrieve.find()) {
            etaShown |= Integer.parseInt(retrieve.group(1)) < 20;
        }
        assertThat(etaShown).as("a retrieve line with an ETA while studies were left; output:%n%s", tail(log)).isTrue();
        assertThat(out).containsPattern("verify +20/20 studies, \\d+/\\d+ images, .*ETA done");
        assertThat(out).contains("RESULT: COMPLETE");
        assertThat(out.indexOf("RESULT: COMPLETE")).as("the summary comes below the last block")
                .isGreaterThan(out.lastIndexOf("ETA done"));
    }

    @Test
    void pipedOutputGetsPeriodicLinesThatNameTheWindowARetrieveWaitsFor() throws Exception {
        LocalTime opens = LocalTime.now(ZoneOffset.UTC).plusHours(2).withSecond(0).withNano(0);
        Path config = config("retrieve: {windows: ['" + HH_MM.format(opens) + "-" + HH_MM.format(opens.plusHours(1))
                + "'], timeZone: UTC}\n");
        Path log = dir.resolve("piped.log");
        Process cli = new ProcessBuilder(cli("run", "-c", config.toString(), "--progress-interval", "2"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            // "at 19:00" today; after 22:00 UTC the window opens tomorrow: "Tue 00:28"
            Pattern waiting = Pattern.compile("retrieve +0/20 studies.*\\n +waiting: outside its time windows: the next opens "
                    + "(at|\\p{Alpha}{3}) " + Pattern.quote(HH_MM.format(opens)) + "( UTC)? \\(in 1h 5\\dm\\)");
            while (countMatches(waiting, Files.readString(log)) < 2) {
                assertThat(cli.isAlive()).as("the run ended; output:%n%s", tail(log)).isTrue();
                assertThat(System.nanoTime()).as("no two progress reports of the waiting retrieve stage; output:%n%s", tail(log))
                        .isLessThan(deadline);
                Thread.sleep(500);
            }
        } finally {
            cli.destroy();
            cli.waitFor(60, TimeUnit.SECONDS);
            cli.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(out).as("plain lines: no terminal escapes").doesNotContain(ESC);
        assertThat(out).contains("Indexed 2024-03-04..2024-03-10");
        assertThat(countMatches(Pattern.compile("(?m)^\\[\\d\\d:\\d\\d:\\d\\d] migration t\\w+: 20 studies found, 0 verified"), out))
                .as("a heading per report").isGreaterThanOrEqualTo(2);
    }

    private static int countMatches(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String shellQuoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String tail(Path log) throws IOException {
        String text = Files.exists(log) ? Files.readString(log) : "";
        return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
    }
}
