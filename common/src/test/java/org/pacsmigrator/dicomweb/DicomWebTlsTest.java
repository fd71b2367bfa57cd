package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.testsupport.Commands;

/** An archive with a certificate of its own: trusted through destination.dicomweb.trustStore, refused without it. */
class DicomWebTlsTest {
    @TempDir
    Path dir;
    private HttpsServer server;
    private Path trustStore;

    @BeforeEach
    void startArchive() throws Exception {
        Path serverStore = dir.resolve("server.p12");
        Commands.run("keytool", "-genkeypair", "-alias", "archive", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", serverStore.toString(), "-storepass", "server-pass");
        Path cert = dir.resolve("archive.cer");
        Commands.run("keytool", "-exportcert", "-alias", "archive", "-keystore", serverStore.toString(), "-storepass", "server-pass",
                "-file", cert.toString());
        trustStore = dir.resolve("trust.p12");
        Commands.run("keytool", "-importcert", "-noprompt", "-alias", "archive", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", "trust-pass");

        KeyStore keys = KeyStore.getInstance(serverStore.toFile(), "server-pass".toCharArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "server-pass".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/dicom-web/studies", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private MigrationConfig config(String trust) {
        String yaml = """
                migrationId: tls
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}
                destination: {protocol: dicomweb, dicomweb: {url: 'https://127.0.0.1:%d/dicom-web'%s}}
                index: {from: 2024-01-01, to: 2024-01-07}
                """.formatted(server.getAddress().getPort(), trust);
        return ConfigLoader.validate(ConfigLoader.parse(yaml, Map.of("TRUST_PASSWORD", "trust-pass")::get));
    }

    @Test
    void theArchiveIsTrustedThroughTheConfiguredTrustStoreOnly() throws Exception {
        MigrationConfig trusting = config(", trustStore: '" + trustStore + "', trustStorePassword: '${TRUST_PASSWORD}'");
        QidoRsListing.probe(DicomWebEndpoint.of(trusting.destination.dicomweb));

        MigrationConfig withoutStore = config("");
        assertThatThrownBy(() -> QidoRsListing.probe(DicomWebEndpoint.of(withoutStore.destination.dicomweb)))
                .isInstanceOf(DicomException.class);
        assertThatThrownBy(() -> config(", trustStore: '" + trustStore + "', trustStorePassword: wrong"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("config key 'destination.dicomweb.trustStore'");
        assertThat(trusting.destination.dicomweb.trustStorePassword).isEqualTo("trust-pass");
    }
}
