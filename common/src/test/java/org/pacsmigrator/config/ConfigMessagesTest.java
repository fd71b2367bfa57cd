package org.pacsmigrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config problem is one line in the user's words: the key, what it takes, what was found; no Java type names. */
class ConfigMessagesTest {
    private static final String VALID = """
            migrationId: demo
            source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}
            destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 4243}
            index: {from: 2024-01-01, to: 2024-01-07}
            """;

    @TempDir
    Path dir;

    private static ConfigException problem(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.validate(ConfigLoader.parse(yaml)));
        assertThat(e).as("no ConfigException for:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("java.").doesNotContain("Config$").doesNotContain("`")
                .doesNotContain("MigrationConfig").doesNotContain("Exception");
        return e;
    }

    @Test
    void aValueOfTheWrongKindSaysWhatTheKeyTakesAndWhatWasFound() {
        assertThat(problem(VALID.replace("from: 2024-01-01", "from: yesterday")).getMessage())
                .isEqualTo("config key 'index.from': expected a date (yyyy-MM-dd), found 'yesterday'");
        assertThat(problem(VALID.replace("source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}", "source: 5")).getMessage())
                .isEqualTo("config key 'source': expected a mapping with the keys aeTitle, host, port, retrieveMethod, protocol, dicomweb, found 5");
        assertThat(problem(VALID.replace("port: 4242", "port: many")).getMessage())
                .isEqualTo("config key 'source.port': expected a whole number from -2147483648 to 2147483647, found 'many'");
        assertThat(problem(VALID.replace("port: 4242", "port: 99999999999")).getMessage())
                .isEqualTo("config key 'source.port': expected a whole number from -2147483648 to 2147483647, found 99999999999");
        assertThat(problem(VALID.replace("port: 4242", "port: 4242, retrieveMethod: C-SEND")).getMessage())
                .isEqualTo("config key 'source.retrieveMethod': expected one of C-MOVE, C-GET, WADO-RS, found 'C-SEND'");
        assertThat(problem(VALID.replace("index: {", "index: {windows: MON-FRI 19:00-07:00, ")).getMessage())
                .isEqualTo("config key 'index.windows': expected a list, found 'MON-FRI 19:00-07:00'");
        assertThat(problem(VALID + "retrieve: {instanceManifest: perhaps}\n").getMessage())
                .isEqualTo("config key 'retrieve.instanceManifest': expected true or false, found 'perhaps'");
        assertThat(problem(VALID + "retrieve: {maxAttempts: }\n").getMessage())
                .isEqualTo("config key 'retrieve.maxAttempts': expected a whole number from -2147483648 to 2147483647, found nothing");
        assertThat(problem(VALID + "forward: {transferSyntaxConversions: [{from: '*', to: [1]}]}\n").getMessage())
                .isEqualTo("config key 'forward.transferSyntaxConversions[0].to': expected text, found a list");
    }

    @Test
    void aKeyGivenTwiceIsRejectedWithBothLines() {
        assertThat(problem(VALID + "migrationId: other\n").getMessage())
                .isEqualTo("config key 'migrationId': given twice, on lines 1 and 5 (keep one)");
        assertThat(problem(VALID + "retrieve:\n  maxAttempts: 3\n  concurrency: 2\n  maxAttempts: 4\n").getMessage())
                .isEqualTo("config key 'retrieve.maxAttempts': given twice, on lines 6 and 8 (keep one)");
    }

    @Test
    void notAMappingNotYamlAndNotTextAreSaidSo() throws Exception {
        assertThat(problem("just some words\n").getMessage())
                .isEqualTo("the config must be a YAML mapping of keys (migrationId, source, ...), found 'just some words'");
        assertThat(problem("- a\n- b\n").getMessage())
                .isEqualTo("the config must be a YAML mapping of keys (migrationId, source, ...), found a list");
        ConfigException unclosed = problem(VALID.replace("index: {", "index: {windows: [MON-FRI 19:00-07:00, "));
        assertThat(unclosed.key()).isEqualTo("index.windows");
        assertThat(unclosed.getMessage()).startsWith("config key 'index.windows': not valid YAML at line ");
        assertThat(problem("a: \u0001\n").getMessage()).isEqualTo("not valid YAML at line 1, column 1: special characters are not allowed");
        assertThat(problem(VALID + "console: {token: ${TOKEN}}\n").getMessage()).contains("not valid YAML at line 5")
                .endsWith("(inside { } or [ ], quote a {NAME}: '{NAME}')".replace("{N", "${N"));
        byte[] noise = new byte[256];
        new Random(7).nextBytes(noise);
        Path file = Files.write(dir.resolve("noise.yaml"), noise);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.getMessage()).isEqualTo("config file " + file + " is not a YAML file: it is not UTF-8 text");
    }
}
