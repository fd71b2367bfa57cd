package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;

/** A user's error in any command (a bad option, a bad config, an unreachable PACS) is one line and exit 2: no stack trace. */
class CliUserErrorsTest {
    @TempDir
    Path dir;

    /** The command exits 2 with one line on stderr that contains {@code expected}. */
    private static CliRun userError(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.exit()).as("exit of %s; stderr:%n%s", String.join(" ", args), r.err()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(r.err().strip()).as(String.join(" ", args)).contains(expected).doesNotContain("\n").doesNotContain("\tat ")
                .doesNotContain("Usage:");
        return r;
    }

    private Path config(String yaml) throws Exception {
        return Files.writeString(dir.resolve("migration.yaml"), yaml);
    }

    private String valid() {
        return """
                migrationId: usererrors
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 104}
                destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 105}
                index: {from: 2024-01-01, to: 2024-01-02}
                storage: {dataDirectory: %s}
                """.formatted(dir.resolve("data"));
    }

    @Test
    void badOptionValuesOfEveryCommand() throws Exception {
        String c = config(valid()).toString();
        userError("Missing required option: '--config", "run");
        userError("Unknown option: '--colour'", "run", "--config", c, "--colour");
        userError("Unmatched argument at index 0: 'migrate'", "migrate");
        userError("Invalid value for option '--to': expected AE@host:port, found 'foo'", "generate", "--to", "foo");
        userError("Invalid value for option '--to': expected AE@host:port with a numeric port, found 'A@h:x'", "generate", "--to", "A@h:x");
        userError("Invalid value for option '--studies': expected a whole number, found 'many'", "generate", "--to", "A@h:104",
                "--studies", "many");
        userError("Invalid value for option '--days': expected at least 1, found 0", "generate", "--to", "A@h:104", "--days", "0");
        userError("Invalid value for option '--first-day': expected a date (yyyy-MM-dd), found 'monday'", "generate",
                "--to", "A@h:104", "--first-day", "monday");
        userError("Invalid value for option '--seed': expected a whole number, found '1.5'", "demo", "--seed", "1.5");
        userError("Invalid value for option '--console-port': expected -1 to 65535, found 70000", "demo", "--console-port", "70000");
        userError("Invalid value for option '--progress': expected auto, tty, lines or off, found 'fancy'", "run", "--config", c,
                "--progress", "fancy");
        userError("Invalid value for option '--progress-interval': expected a whole number of seconds, at least 1, found '0'",
                "demo", "--progress-interval", "0");
        userError("choose what to replay", "replay", "--config", c);
        userError("nowhere", "replay", "--config", c, "--all", "--stage", "nowhere");
        userError("'--from'", "control", "--config", c, "--from", "last-week");
        userError("Missing required parameter for option '--out'", "report", "--config", c, "--out");
    }

    @Test
    void demoWithAnUnknownRetrieveMethodStartsNoOrthanc() {
        Path demo = dir.resolve("demo");
        userError("Invalid value for option '--retrieve': expected C-MOVE or C-GET, found 'C-FOO'",
                "demo", "--dir", demo.toString(), "--retrieve", "C-FOO");
        assertThat(demo).doesNotExist();
    }

    @Test
    void generateAgainstAnUnreachablePacsNamesIt() {
        int closed = Ports.freePort();
        // in our words: what happened and to whom, not the DICOM library's exception text
        assertThat(userError("Invalid value for option '--to': PACS OLDPACS@127.0.0.1:" + closed + " is unreachable: "
                + "connection refused (is it running, is the port right?) (C-ECHO as GENERATOR)", "generate",
                "--to", "OLDPACS@127.0.0.1:" + closed, "--studies", "1").err()).doesNotContain("java.").doesNotContain("ABORT");
        assertThat(userError("PACS OLDPACS@no-such-host.invalid:104 is unreachable: unknown host (C-ECHO as ME)", "generate",
                "--to", "OLDPACS@no-such-host.invalid:104", "--calling-ae", "ME").err()).doesNotContain("java.");
    }

    @Test
    void badConfigsOfEveryKind() throws Exception {
        String c = dir.resolve("migration.yaml").toString();
        config(valid() + "migrationId: again\n");
        userError("config key 'migrationId': given twice, on lines 1 and 6 (keep one)", "run", "--config", c);
        config(valid().replace("from: 2024-01-01", "from: yesterday"));
        userError("config key 'index.from': expected a date (yyyy-MM-dd), found 'yesterday'", "report", "--config", c);
        config(valid().replace("source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 104}", "source: OLDPACS@127.0.0.1:104"));
        assertThat(userError("config key 'source': expected a mapping with the keys aeTitle, host, port, retrieveMethod, protocol, dicomweb, "
                + "found 'OLDPACS@127.0.0.1:104'", "control", "--config", c).err()).doesNotContain("MigrationConfig");
        config(valid() + "console: {token: '${PACSMIG_TEST_SURELY_UNSET}'}\n");
        userError("config key 'console.token': environment variable PACSMIG_TEST_SURELY_UNSET is not set", "replay", "--config", c,
                "--all");
        byte[] noise = new byte[512];
        new Random(22).nextBytes(noise);
        Files.write(dir.resolve("migration.yaml"), noise);
        userError("is not a YAML file: it is not UTF-8 text", "run", "--config", c);
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void anUnresolvableBindAddressIsNamedUnderItsOwnKey() throws Exception {
        OrthancServer oldPacs = MigrationFixture.services().oldPacs();
        OrthancServer newPacs = MigrationFixture.services().newPacs();
        String yaml = valid().replace("port: 104", "port: " + oldPacs.dicomPort()).replace("port: 105", "port: " + newPacs.dicomPort())
                + "migrator: {bindAddress: no-such-host.invalid, port: " + Ports.freePort() + "}\nconsole: {port: -1}\n";
        userError("config key 'migrator.bindAddress': expected an address of this machine, found 'no-such-host.invalid'",
                "run", "--config", config(yaml).toString());
        userError("config key 'migrator.bindAddress': expected an address of this machine, found '192.0.2.1'",
                "run", "--config", config(yaml.replace("no-such-host.invalid", "192.0.2.1")).toString());
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void helpListsTheExitCodes() {
        CliRun r = CliRun.of("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Exit codes:").contains("0   complete").contains("1   incomplete")
                .contains("2   usage or configuration error").contains("3   internal failure");
    }
}
