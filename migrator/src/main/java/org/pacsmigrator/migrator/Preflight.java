package org.pacsmigrator.migrator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicomweb.DicomWebEndpoint;
import org.pacsmigrator.dicomweb.QidoRsListing;
import org.pacsmigrator.worker.MigrationContext;

/** Start-up checks that turn an unreachable peer or a taken port into one clear message. */
final class Preflight {
    private Preflight() {
    }

    static void check(MigrationConfig config, DicomClient dicom) {
        reach("source", config.source, config.migrator.aeTitle, dicom);
        reach("destination", config.destination, config.migrator.aeTitle, dicom);
        if (config.source.retrieveMethod == MigrationConfig.RetrieveMethod.C_MOVE) {
            canListen("migrator", config.migrator.bindAddress, config.migrator.port);
        }
        // the console starts while the migration runs: a taken port is found here, before anything starts
        if (config.console.port > 0) {
            canListen("console", config.console.bindAddress, config.console.port);
        }
    }

    /** {@code section}.bindAddress must resolve, then {@code section}.port be free on it: each named under its own key. */
    private static void canListen(String section, String address, int port) {
        InetAddress resolved;
        try {
            resolved = InetAddress.getByName(address);
            if (!resolved.isAnyLocalAddress() && NetworkInterface.getByInetAddress(resolved) == null) {
                throw new ConfigException(section + ".bindAddress", "expected an address of this machine, found '" + address
                        + "' (" + resolved.getHostAddress() + " is not one of its interfaces)");
            }
        } catch (UnknownHostException e) {
            throw new ConfigException(section + ".bindAddress", "expected an address of this machine, found '" + address
                    + "' (unknown host)");
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(resolved, port));
        } catch (IOException e) {
            throw new ConfigException(section + ".port", "cannot listen on " + address + ":" + port + " (" + e.getMessage() + ")");
        }
    }

    /** Only the old PACS: what a control pass queries. */
    static void checkSource(MigrationConfig config, DicomClient dicom) {
        reach("source", config.source, config.migrator.aeTitle, dicom);
    }

    /** A C-ECHO, or for a DICOMweb archive a QIDO-RS query. */
    private static void reach(String key, MigrationConfig.Pacs pacs, String callingAe, DicomClient dicom) {
        if (pacs.usesDicomWeb()) {
            probe(key, DicomWebEndpoint.of(pacs.dicomweb));
        } else {
            echo(key, MigrationContext.node(pacs), callingAe, dicom);
        }
    }

    private static void echo(String key, DicomNode node, String callingAe, DicomClient dicom) {
        try {
            dicom.echo(node);
        } catch (DicomException e) {
            throw new ConfigException(key, key + " " + unreachable(node, callingAe, e));
        }
    }

    /** A QIDO-RS query shows the DICOMweb archive answers and takes our credentials. */
    private static void probe(String key, DicomWebEndpoint web) {
        try {
            QidoRsListing.probe(web);
        } catch (DicomException e) {
            throw new ConfigException(key, key + " DICOMweb service " + web + " is unreachable: QIDO-RS failed ("
                    + e.deadLetterCategory() + ": " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * "PACS AE@host:port is unreachable: connection refused (C-ECHO as OURAE)", in our words: the DICOM library's
     * exception text names its own classes and internal states.
     */
    static String unreachable(DicomNode node, String callingAe, DicomException e) {
        return "PACS " + node + " is unreachable: " + reason(e, callingAe) + " (C-ECHO as " + callingAe + ")";
    }

    private static String reason(DicomException e, String callingAe) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(' ').append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        // the library wraps the socket's exception into its own message text only
        String text = chain.toString();
        if (text.contains("UnknownHostException")) {
            return "unknown host";
        }
        if (text.contains("Connection refused")) {
            return "connection refused (is it running, is the port right?)";
        }
        if (text.contains("Connection reset")) {
            return "connection reset by the PACS";
        }
        if (text.contains("No route to host") || text.contains("NoRouteToHostException")) {
            return "no route to host";
        }
        return switch (e.category()) {
            case TIMEOUT -> "no answer in time (timeout)";
            case ASSOCIATION_REJECTED -> "it rejected the association (does it know our AE title " + callingAe + "?)";
            case NOT_NEGOTIATED -> "it does not accept C-ECHO (Verification)";
            case FAILURE_STATUS -> "it answered C-ECHO with a failure status";
            default -> "C-ECHO failed";
        };
    }
}
