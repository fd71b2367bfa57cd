package org.pacsmigrator.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.StorageScp;

/**
 * A second C-MOVE retriever on the same host finds the storage SCP's port taken: its start fails with one line that
 * names the address, the port and the config keys, so the operator knows what to change (issue 21).
 */
class StorageScpPortTakenTest {
    private static final ReceivedInstanceHandler IGNORING = instance -> { };

    @TempDir
    Path scratch;

    @Test
    void aTakenPortStopsTheStartNamingAddressPortAndKeys() throws Exception {
        try (ServerSocket otherRetriever = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            MigrationConfig config = configListeningOn(otherRetriever.getLocalPort());

            assertThatThrownBy(() -> RetrieveStage.startStorageScp(config, scratch, IGNORING, new SimpleMeterRegistry()))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("migrator.port"))
                    .hasMessageStartingWith("config key 'migrator.port': storage-scp (AE MIGRATOR) cannot listen on 127.0.0.1:"
                            + otherRetriever.getLocalPort() + ": ")
                    .hasMessageContaining("Address already in use")
                    .hasMessageContaining("migrator.bindAddress")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void theSameSettingsStartOnAFreePort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        try (StorageScp scp = RetrieveStage.startStorageScp(configListeningOn(port), scratch, IGNORING,
                new SimpleMeterRegistry())) {
            assertThat(scp.port()).isEqualTo(port);
        }
    }

    private static MigrationConfig configListeningOn(int port) {
        MigrationConfig config = new MigrationConfig();
        config.source = new MigrationConfig.Pacs();
        config.source.aeTitle = "OLDPACS";
        config.migrator.bindAddress = "127.0.0.1";
        config.migrator.port = port;
        return config;
    }
}
