package org.pacsmigrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.MigrationConfig;

/** The pure rules behind the console's request checks: token comparison, Host names, same origin. */
class ConsoleAccessRulesTest {
    @Test
    void tokenMatchesOnlyAsBearerWithTheExactSecret() {
        ConsoleToken token = ConsoleToken.of("0123456789abcdef-secret");
        assertThat(token.matches("Bearer 0123456789abcdef-secret")).isTrue();
        assertThat(token.matches("bearer 0123456789abcdef-secret")).isTrue();
        assertThat(token.matches("Bearer 0123456789abcdef-secreT")).isFalse();
        assertThat(token.matches("Bearer 0123456789abcdef-secret2")).isFalse();
        assertThat(token.matches("Bearer ")).isFalse();
        assertThat(token.matches("Basic 0123456789abcdef-secret")).isFalse();
        assertThat(token.matches("0123456789abcdef-secret")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.toString()).doesNotContain("secret".substring(1));
        ConsoleToken generated = ConsoleToken.generate();
        assertThat(generated.reveal()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(ConsoleToken.generate().reveal());
    }

    @Test
    void hostNamesAreLoopbackTheBindAddressAndTheConfiguredOnes() {
        MigrationConfig.Console console = new MigrationConfig.Console();
        assertThat(HostFilter.allowedHosts(console)).containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]");
        console.bindAddress = "0.0.0.0";
        console.allowedHosts = List.of("Console.Example.org", "10.1.2.3");
        assertThat(HostFilter.allowedHosts(console))
                .containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]", "console.example.org", "10.1.2.3");
        console.bindAddress = "fd00::5";
        assertThat(HostFilter.allowedHosts(console)).contains("[fd00::5]");

        assertThat(HostFilter.Authority.parse("127.0.0.1:8090")).isEqualTo(new HostFilter.Authority("127.0.0.1", 8090));
        assertThat(HostFilter.Authority.parse("LOCALHOST")).isEqualTo(new HostFilter.Authority("localhost", -1));
        assertThat(HostFilter.Authority.parse("[::1]:8090")).isEqualTo(new HostFilter.Authority("[::1]", 8090));
        for (String bad : new String[] {null, "", ":8090", "[::1", "host:port", "host:99999", "a b", "host:80:80", "user@host"}) {
            assertThat(HostFilter.Authority.parse(bad)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void originMustBeTheRequestsOwnOrOnAConfiguredHost() {
        OriginFilter filter = new OriginFilter(Set.of("console.example.org"));
        assertThat(filter.allowed("http://127.0.0.1:8090", "127.0.0.1:8090")).isTrue();
        assertThat(filter.allowed("http://localhost", "localhost")).isTrue();
        assertThat(filter.allowed("https://localhost", "localhost:443")).isTrue();
        assertThat(filter.allowed("http://[::1]:8090", "[::1]:8090")).isTrue();
        assertThat(filter.allowed("https://console.example.org", "127.0.0.1:8090")).as("proxy in front").isTrue();
        // another port of the same machine is another site (another local web application)
        assertThat(filter.allowed("http://127.0.0.1:3000", "127.0.0.1:8090")).isFalse();
        assertThat(filter.allowed("http://localhost:8090", "127.0.0.1:8090")).isFalse();
        assertThat(filter.allowed("http://localhost", "localhost:8090")).isFalse();
        assertThat(filter.allowed("http://attacker.example", "127.0.0.1:8090")).isFalse();
        assertThat(filter.allowed("null", "127.0.0.1:8090")).isFalse();
        assertThat(filter.allowed("file://", "127.0.0.1:8090")).isFalse();
        assertThat(filter.allowed("http://127.0.0.1:8090/path", "127.0.0.1:8090")).isFalse();
        assertThat(filter.allowed("http://127.0.0.1:8090", null)).isFalse();
    }
}
