package org.pacsmigrator.migrator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.worker.MigrationContext;

/** Start-up checks that turn an unreachable peer or a taken port into one clear message. */
final class Preflight {
    private Preflight() {
    }

    static void check(MigrationConfig config, DicomClient dicom) {
        echo("source", MigrationContext.node(config.source), dicom);
        echo("destination", MigrationContext.node(config.destination), dicom);
        if (config.source.retrieveMethod == MigrationConfig.RetrieveMethod.C_MOVE) {
            canListen("migrator.port", config.migrator.bindAddress, config.migrator.port);
        }
        // the console starts while the migration runs: a taken port is found here, before anything starts
        if (config.console.port > 0) {
            canListen("console.port", config.console.bindAddress, config.console.port);
        }
    }

    private static void canListen(String key, String address, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        } catch (IOException e) {
            throw new ConfigException(key, "cannot listen on " + address + ":" + port + " (" + e.getMessage() + ")");
        }
    }

    /** Only the old PACS: what a control pass queries. */
    static void checkSource(MigrationConfig config, DicomClient dicom) {
        echo("source", MigrationContext.node(config.source), dicom);
    }

    private static void echo(String key, DicomNode node, DicomClient dicom) {
        try {
            dicom.echo(node);
        } catch (DicomException e) {
            throw new ConfigException(key, key + " PACS " + node + " is unreachable: C-ECHO failed ("
                    + e.deadLetterCategory() + ": " + e.getMessage() + ")");
        }
    }
}
