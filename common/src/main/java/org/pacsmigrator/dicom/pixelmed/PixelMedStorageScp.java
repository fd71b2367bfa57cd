package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final ServerSocket serverSocket;
    private final Path workDirectory;
    private final ReceivedInstanceHandler handler;
    private final ExecutorService pool;
    private final Thread acceptor;
    private volatile boolean closed;

    private PixelMedStorageScp(String aeTitle, ServerSocket serverSocket, Path workDirectory, ReceivedInstanceHandler handler) {
        this.aeTitle = aeTitle;
        this.serverSocket = serverSocket;
        this.workDirectory = workDirectory;
        this.handler = handler;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(MAX_ASSOCIATIONS, MAX_ASSOCIATIONS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "dicom-scp-" + aeTitle + "-" + n.incrementAndGet()));
        ((ThreadPoolExecutor) pool).allowCoreThreadTimeOut(true);
        this.acceptor = daemon(this::acceptLoop, "dicom-scp-" + aeTitle + "-accept");
    }

    public static PixelMedStorageScp start(String aeTitle, String bindAddress, int port, Path workDirectory,
                                           ReceivedInstanceHandler handler) throws IOException {
        Files.createDirectories(workDirectory);
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 64);
        PixelMedStorageScp scp = new PixelMedStorageScp(aeTitle, socket, workDirectory, handler);
        scp.acceptor.start();
        return scp;
    }

    @Override
    public int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        pool.shutdown();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
                pool.execute(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("storage SCP {} accept failed: {}", aeTitle, e.toString());
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    private void serve(Socket socket) {
        DimseHandler dimse = new DimseHandler(null, new StoreReceiver(workDirectory, handler), true);
        try {
            Association association = AssociationFactory.createNewAssociation(socket, aeTitle, ACCEPT_ALL);
            association.setReceivedDataHandler(dimse);
            association.waitForPDataPDUs(-1, false, false, false); // returns by release or abort
        } catch (AReleaseException e) {
            // normal end
        } catch (Exception e) {
            LOG.warn("storage SCP {}: association from {} ended abnormally: {}", aeTitle, socket.getRemoteSocketAddress(), e.getMessage());
        } finally {
            dimse.cleanup();
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
