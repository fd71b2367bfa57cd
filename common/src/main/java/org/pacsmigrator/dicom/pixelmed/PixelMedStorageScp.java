package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedList;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.dicom.StorageScp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage SCP (C-MOVE destination). Accepts on its own ServerSocket bound to the configured address
 * (PixelMed's dispatcher binds all interfaces), sets TCP_NODELAY per connection, and serves each association
 * in a pool thread with {@link DimseHandler}: C-ECHO, and C-STORE whose response is sent only after the
 * handler has taken the instance (PixelMed's StorageSOPClassSCP answers success first, hiding handler failures).
 */
public final class PixelMedStorageScp implements StorageScp {
    private static final Logger LOG = LoggerFactory.getLogger(PixelMedStorageScp.class);
    private static final int MAX_ASSOCIATIONS = 32;
    private static final int IDLE_TIMEOUT_MILLIS = 5 * 60 * 1000;

    /**
     * Accepts every offered context with its first transfer syntax (the sender's preferred, normally the
     * original one). PixelMed's acceptor ignores the returned list, so the offered contexts are changed in place.
     */
    private static final PresentationContextSelectionPolicy ACCEPT_ALL = new PresentationContextSelectionPolicy() {
        @Override
        public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber) {
            for (Object o : contexts) {
                PresentationContext pc = (PresentationContext) o;
                String first = pc.getTransferSyntaxUIDs().isEmpty() ? null : (String) pc.getTransferSyntaxUIDs().get(0);
                pc.newTransferSyntaxUIDs();
                if (first == null) {
                    pc.setResultReason((byte) 4); // transfer syntaxes not supported
                } else {
                    pc.addTransferSyntaxUID(first);
                    pc.setResultReason((byte) 0);
                }
            }
            return contexts;
        }

        @Override
        public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber, int debugLevel) {
            return applyPresentationContextSelectionPolicy(contexts, associationNumber);
        }
    };

    private final String aeTitle;
    private final Path workDirectory;
    private final ReceivedInstanceHandler handler;
    private SocketAcceptor acceptor;

    private PixelMedStorageScp(String aeTitle, Path workDirectory, ReceivedInstanceHandler handler) {
        this.aeTitle = aeTitle;
        this.workDirectory = workDirectory;
        this.handler = handler;
    }

    public static PixelMedStorageScp start(String aeTitle, String bindAddress, int port, Path workDirectory,
                                           ReceivedInstanceHandler handler) throws IOException {
        Files.createDirectories(workDirectory);
        PixelMedStorageScp scp = new PixelMedStorageScp(aeTitle, workDirectory, handler);
        scp.acceptor = SocketAcceptor.start("dicom-scp-" + aeTitle, bindAddress, port, MAX_ASSOCIATIONS, IDLE_TIMEOUT_MILLIS, scp::serve);
        return scp;
    }

    @Override
    public int port() {
        return acceptor.port();
    }

    @Override
    public void close() {
        acceptor.close();
    }

    private void serve(Socket socket) {
        DimseHandler dimse = new DimseHandler(null, new StoreReceiver(workDirectory, handler), true);
        try {
            Association association = AssociationFactory.createNewAssociation(socket, aeTitle, ACCEPT_ALL);
            Associations.buffer(association);
            association.setReceivedDataHandler(dimse);
            association.waitForPDataPDUs(-1, false, false, false); // returns by release or abort
        } catch (AReleaseException e) {
            // normal end
        } catch (Exception e) {
            LOG.warn("storage SCP {}: association from {} ended abnormally: {}", aeTitle, socket.getRemoteSocketAddress(), e.getMessage());
        } finally {
            dimse.cleanup();
            SocketAcceptor.closeQuietly(socket);
        }
    }
}
