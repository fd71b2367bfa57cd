package org.pacsmigrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final String VALID = """
            migrationId: demo
            source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242, retrieveMethod: C-GET}
            destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 4243}
            index: {from: 2024-01-01, to: 2024-01-07}
            """;

    @Test
    void validConfigGetsDefaults() {
        MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(VALID));
        assertThat(c.source.retrieveMethod).isEqualTo(MigrationConfig.RetrieveMethod.C_GET);
        assertThat(c.index.from).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(c.migrator.aeTitle).isEqualTo("MIGRATOR");
        assertThat(c.migrator.bindAddress).isEqualTo("127.0.0.1");
        assertThat(c.services.kafka).isEqualTo("embedded");
    }

    @Test
    void environmentVariablesAreSubstitutedInValuesNotInComments() {
        String yaml = VALID + """
                # secrets come as ${NAME}; this comment is left alone
                storage: {cache: {type: s3, bucket: b, secretAccessKey: "${S3_SECRET}", accessKeyId: '${S3_KEY}'}}
                console:
                  port: ${PORT}
                  bindAddress: ${BIND}
                """;
        Map<String, String> env = Map.of("S3_SECRET", "p$w:d #1", "S3_KEY", "AKIA1", "BIND", "0.0.0.0", "PORT", "8091");
        MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(yaml, env::get));
        assertThat(c.storage.cache.secretAccessKey).isEqualTo("p$w:d #1");
        assertThat(c.storage.cache.accessKeyId).isEqualTo("AKIA1");
        assertThat(c.console.bindAddress).isEqualTo("0.0.0.0");
        assertThat(c.console.port).isEqualTo(8091);
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of("S3_SECRET", "x", "PORT", "1", "BIND", "b")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'storage.cache.accessKeyId': environment variable S3_KEY is not set (named as ${S3_KEY})");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID + "console: {port: 70000}\n")))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("console.port");
    }

    @Test
    void aVariableIsTheWholeTextOfItsValueNeverYaml() {
        String yaml = VALID + """
                migrator:
                  aeTitle: ${AE}
                  bindAddress: ${BIND}
                console: {token: '${TOKEN}'}
                """;
        Map<String, String> env = Map.of("AE", "MIG, port: 1", "BIND", "127.0.0.1 # not a comment",
                "TOKEN", "0123456789abcdef}, port: 1");
        MigrationConfig c = ConfigLoader.parse(yaml, env::get);
        assertThat(c.migrator.aeTitle).isEqualTo("MIG, port: 1");
        assertThat(c.migrator.bindAddress).isEqualTo("127.0.0.1 # not a comment");
        assertThat(c.console.token).isEqualTo("0123456789abcdef}, port: 1");
        assertThat(c.migrator.port).isEqualTo(11112);
        assertThat(c.console.port).isEqualTo(8090);
    }

    @Test
    void substitutionTakesDefaultsKeepsEscapesAndNeverSubstitutesAValueAgain() {
        EnvironmentSubstitution env = new EnvironmentSubstitution(Map.of("SECRET", "a${OTHER}b", "SET", "set")::get);
        assertThat(env.value("k", "${SET}")).isEqualTo("set");
        assertThat(env.value("k", "${UNSET:-fallback}")).isEqualTo("fallback");
        assertThat(env.value("k", "${SET:-fallback}")).isEqualTo("set");
        assertThat(env.value("k", "$${SET}")).isEqualTo("${SET}");
        assertThat(env.value("k", "${SECRET}")).isEqualTo("a${OTHER}b");
        assertThat(env.value("k", "x-${SET}-y")).isEqualTo("x-set-y");
        assertThatThrownBy(() -> env.value("a.b", "${DEFAULTED:-x}${MISSING}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'a.b': environment variable MISSING is not set (named as ${MISSING})");
    }

    @Test
    void consoleTokenAndAllowedHostsAreValidated() {
        MigrationConfig none = ConfigLoader.validate(ConfigLoader.parse(VALID));
        assertThat(none.console.token).isNull();
        assertThat(none.console.allowedHosts).isEmpty();
        String yaml = VALID + "console: {token: '${TOKEN}', allowedHosts: [console.example.org, 10.1.2.3, '[fd00::1]']}\n";
        MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(yaml, Map.of("TOKEN", "0123456789abcdef")::get));
        assertThat(c.console.token).isEqualTo("0123456789abcdef");
        assertThat(c.console.allowedHosts).containsExactly("console.example.org", "10.1.2.3", "[fd00::1]");
        for (String bad : new String[] {"short", "", "with space in the token", "tökenWithUmlaut12345"}) {
            assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(yaml, Map.of("TOKEN", bad)::get)))
                    .as(bad).isInstanceOf(ConfigException.class)
                    .extracting(e -> ((ConfigException) e).key()).isEqualTo("console.token");
        }
        for (String bad : new String[] {"'*'", "'http://console.example.org'", "'console.example.org:8443'", "'*.example.org'"}) {
            assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID + "console: {allowedHosts: [ok.example.org, "
                    + bad + "]}\n"))).as(bad).isInstanceOf(ConfigException.class)
                    .extracting(e -> ((ConfigException) e).key()).isEqualTo("console.allowedHosts[1]");
        }
    }

    @Test
    void indexScheduleKeysAreValidated() {
        MigrationConfig ok = ConfigLoader.validate(ConfigLoader.parse(VALID.replace("index: {", "index: {windows: [\"MON-FRI 19:00-07:00\", \"SAT-SUN 00:00-24:00\"], timeZone: Europe/Zurich, pauseMillis: 500, ")));
        assertThat(ok.index.windows).hasSize(2);
        assertThat(ok.index.pauseMillis).isEqualTo(500);
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID.replace("index: {", "index: {windows: [\"weekdays\"], "))))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("index.windows");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID.replace("index: {", "index: {timeZone: Mars/Olympus, "))))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("index.timeZone");
    }

    @Test
    void unknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse(VALID + "migrator: {aetitle: X}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'migrator.aetitle'")
                .hasMessageContaining("unknown key")
                .hasMessageContaining("aeTitle");
    }

    @Test
    void missingAeTitleIsNamed() {
        String yaml = VALID.replace("aeTitle: NEWPACS, ", "");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(yaml)))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("destination.aeTitle");
    }

    @Test
    void portOutOfRangeIsNamed() {
        String yaml = VALID.replace("port: 4242", "port: 70000");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(yaml)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("source.port")
                .hasMessageContaining("out of range");
    }

    @Test
    void wrongTypeIsNamed() {
        String yaml = VALID.replace("from: 2024-01-01", "from: yesterday");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("index.from");
    }

    @Test
    void unknownRetrieveMethodIsNamed() {
        String yaml = VALID.replace("C-GET", "C-SEND");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("source.retrieveMethod");
    }

    @Test
    void tooLongAeTitleAndReversedRangeAreRejected() {
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID.replace("OLDPACS", "A_VERY_LONG_AE_TITLE"))))
                .hasMessageContaining("source.aeTitle");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID.replace("2024-01-07", "2023-12-01"))))
                .hasMessageContaining("index.to");
    }

    @Test
    void priorityWorklistIsOffByDefaultAndNeedsItsAddressWhenOn() {
        MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(VALID));
        assertThat(c.priority.worklist.configured()).isFalse();
        assertThat(c.priority.outsideWindows).isFalse();
        assertThat(c.priority.intervalSeconds).isEqualTo(900);
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID
                + "priority: {worklist: {aeTitle: RIS, host: ris.example}}\n")))
                .hasMessageContaining("priority.worklist.port");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID + "priority: {intervalSeconds: 0}\n")))
                .hasMessageContaining("priority.intervalSeconds");
        MigrationConfig on = ConfigLoader.validate(ConfigLoader.parse(VALID
                + "priority: {outsideWindows: true, worklist: {aeTitle: RIS, host: ris.example, port: 104, daysAhead: 3}}\n"));
        assertThat(on.priority.worklist.configured()).isTrue();
        assertThat(on.priority.worklist.daysAhead).isEqualTo(3);
    }
}
