package org.pacsmigrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.worker.MigrationContext;

/** destination.protocol dicomweb: every problem of destination.dicomweb named by its key at start-up. */
class DicomWebConfigTest {
    private static final String BASE = """
            migrationId: demo
            source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}
            index: {from: 2024-01-01, to: 2024-01-07}
            """;

    @TempDir
    Path dir;

    private static MigrationConfig valid(String destination) {
        return ConfigLoader.validate(ConfigLoader.parse(BASE + destination, Map.of("WEB_TOKEN", "s3cr3t-t0ken", "WEB_PW", "pw")::get));
    }

    private static String problem(String destination) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> valid(destination));
        assertThat(e).as("no ConfigException for:%n%s", destination).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception");
        return e.getMessage();
    }

    @Test
    void aDicomWebDestinationNeedsNoDicomAddressAndIsNamedByItsUrl() {
        MigrationConfig c = valid("destination: {protocol: dicomweb, dicomweb: {url: 'https://archive.example/dicom-web'}}\n");
        assertThat(c.destination.usesDicomWeb()).isTrue();
        assertThat(c.destination.dicomweb.authentication).isEqualTo("none");
        assertThat(MigrationContext.node(c.destination).toString()).isEqualTo("DICOMWEB@archive.example:443");
        MigrationConfig named = valid("destination: {protocol: dicomweb, aeTitle: CLOUD, dicomweb: {url: 'http://10.0.0.5:8042/dicom-web/'}}\n");
        assertThat(MigrationContext.node(named.destination).toString()).isEqualTo("CLOUD@10.0.0.5:8042");
        assertThat(valid("destination: {aeTitle: NEWPACS, host: h, port: 104}\n").destination.usesDicomWeb())
                .as("dimse is the default").isFalse();
    }

    @Test
    void secretsComeFromTheEnvironment() {
        MigrationConfig bearer = valid("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', authentication: bearer, "
                + "token: '${WEB_TOKEN}'}}\n");
        assertThat(bearer.destination.dicomweb.token).isEqualTo("s3cr3t-t0ken");
        MigrationConfig basic = valid("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', authentication: basic, "
                + "username: migrator, password: '${WEB_PW}'}}\n");
        assertThat(basic.destination.dicomweb.password).isEqualTo("pw");
    }

    @Test
    void everyProblemNamesItsKey() throws Exception {
        assertThat(problem("destination: {protocol: fhir, aeTitle: N, host: h, port: 1}\n"))
                .isEqualTo("config key 'destination.protocol': must be dimse or dicomweb, got 'fhir'");
        assertThat(problem("destination: {protocol: dicomweb}\n"))
                .startsWith("config key 'destination.dicomweb': is required with protocol dicomweb");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {}}\n"))
                .isEqualTo("config key 'destination.dicomweb.url': is required");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'ftp://a/dw'}}\n"))
                .startsWith("config key 'destination.dicomweb.url': must be an http or https URL");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', authentication: digest}}\n"))
                .isEqualTo("config key 'destination.dicomweb.authentication': must be none, basic or bearer, got 'digest'");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', authentication: basic, username: u}}\n"))
                .isEqualTo("config key 'destination.dicomweb.password': is required");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', authentication: bearer}}\n"))
                .isEqualTo("config key 'destination.dicomweb.token': is required");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', authentication: bearer, "
                + "token: '${NOT_SET}'}}\n"))
                .isEqualTo("config key 'destination.dicomweb.token': environment variable NOT_SET is not set (named as ${NOT_SET})");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', maxRequestMb: 0}}\n"))
                .isEqualTo("config key 'destination.dicomweb.maxRequestMb': must be at least 1, got 0");
        Path notAStore = Files.writeString(dir.resolve("trust.p12"), "not a key store");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw', trustStore: '" + notAStore
                + "', trustStorePassword: x}}\n"))
                .startsWith("config key 'destination.dicomweb.trustStore': cannot be read as a PKCS12 or JKS trust store");
        assertThat(problem("destination: {protocol: dicomweb, dicomweb: {url: 'https://a/dw'}}\nverify: {completion: sent-and-committed}\n"))
                .startsWith("config key 'verify.completion': sent-and-committed needs DIMSE Storage Commitment");
    }

    private static MigrationConfig withSource(String source) {
        return ConfigLoader.validate(ConfigLoader.parse(BASE.replace("source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}",
                source) + "destination: {aeTitle: N, host: h, port: 1}\n"));
    }

    private static String sourceProblem(String source) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> withSource(source));
        assertThat(e).as("no ConfigException for:%n%s", source).isNotNull();
        return e.getMessage();
    }

    @Test
    void aDicomWebSourceIsRetrievedByWadoRs() {
        MigrationConfig web = withSource("source: {protocol: dicomweb, dicomweb: {url: 'https://old.example/dicom-web'}}");
        assertThat(web.source.retrieveMethod).isEqualTo(MigrationConfig.RetrieveMethod.WADO_RS);
        assertThat(web.source.aeTitle).isEqualTo("DICOMWEB");
        assertThat(withSource("source: {aeTitle: OLD, host: h, port: 104}").source.retrieveMethod)
                .isEqualTo(MigrationConfig.RetrieveMethod.C_MOVE);
        assertThat(sourceProblem("source: {protocol: dicomweb, retrieveMethod: C-GET, dicomweb: {url: 'https://o/dw'}}"))
                .isEqualTo("config key 'source.retrieveMethod': must be WADO-RS (or left out) with source.protocol dicomweb, got 'C-GET'");
        assertThat(sourceProblem("source: {aeTitle: OLD, host: h, port: 104, retrieveMethod: WADO-RS}"))
                .isEqualTo("config key 'source.retrieveMethod': WADO-RS needs source.protocol dicomweb (and source.dicomweb)");
        assertThat(sourceProblem("source: {protocol: dicomweb}"))
                .startsWith("config key 'source.dicomweb': is required with protocol dicomweb");
        assertThat(sourceProblem("source: {protocol: dicomweb, dicomweb: {url: 'https://o/dw', qidoPageSize: 0}}"))
                .isEqualTo("config key 'source.dicomweb.qidoPageSize': must be at least 1, got 0");
    }
}
