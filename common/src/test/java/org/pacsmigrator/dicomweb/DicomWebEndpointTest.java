package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.MigrationConfig;

class DicomWebEndpointTest {
    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 7, 12, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void retryAfterIsSecondsOrADateWithinBounds() {
        assertThat(DicomWebEndpoint.retryAfter(Optional.of("3"), NOW)).isEqualTo(Duration.ofSeconds(3));
        assertThat(DicomWebEndpoint.retryAfter(Optional.of("Mon, 07 Dec 2026 12:00:20 GMT"), NOW)).isEqualTo(Duration.ofSeconds(20));
        assertThat(DicomWebEndpoint.retryAfter(Optional.of("Mon, 07 Dec 2026 11:00:00 GMT"), NOW)).isEqualTo(Duration.ZERO);
        assertThat(DicomWebEndpoint.retryAfter(Optional.of("86400"), NOW)).isEqualTo(DicomWebEndpoint.MAX_RETRY_AFTER);
        assertThat(DicomWebEndpoint.retryAfter(Optional.of("soon"), NOW)).isEqualTo(DicomWebEndpoint.DEFAULT_RETRY_AFTER);
        assertThat(DicomWebEndpoint.retryAfter(Optional.empty(), NOW)).isEqualTo(DicomWebEndpoint.DEFAULT_RETRY_AFTER);
    }

    @Test
    void credentialsBecomeTheAuthorizationHeader() {
        MigrationConfig.DicomWeb c = new MigrationConfig.DicomWeb();
        assertThat(DicomWebEndpoint.authorization(c)).isNull();
        c.authentication = "basic";
        c.username = "migrator";
        c.password = "pässword";
        assertThat(DicomWebEndpoint.authorization(c)).isEqualTo("Basic bWlncmF0b3I6cMOkc3N3b3Jk");
        c.authentication = "bearer";
        c.token = "abc.def";
        assertThat(DicomWebEndpoint.authorization(c)).isEqualTo("Bearer abc.def");
    }
}
