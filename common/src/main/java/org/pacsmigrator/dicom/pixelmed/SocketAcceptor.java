package org.pacsmigrator.dicom.pixelmed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of our SCPs: our own ServerSocket on the configured address (PixelMed's
 * dispatcher binds every interface), TCP_NODELAY and an idle timeout on each connection, each
 * served on a pool thread. The serving code owns (and closes) the socket.
 */
final class SocketAcceptor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SocketAcceptor.class);

    private final String name;
    private final ServerSocket serverSocket;
    private final ExecutorService pool;
    private final Consumer<Socket> serve;
    private final int idleTimeoutMillis;
    private volatile boolean closed;

    private SocketAcceptor(String name, ServerSocket serverSocket, int maxConnections, int idleTimeoutMillis,
                           Consumer<Socket> serve) {
        this.name = name;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.serverSocket = serverSocket;
        this.serve = serve;
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(maxConnections, maxConnections, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, name + "-" + n.incrementAndGet()));
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
    }

    /** Binds {@code bindAddress:port} (0 = any free port) and starts accepting. */
    static SocketAcceptor start(String name, String bindAddress, int port, int maxConnections, int idleTimeoutMillis,
                                Consumer<Socket> serve) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 64);
        SocketAcceptor acceptor = new SocketAcceptor(name, socket, maxConnections, idleTimeoutMillis, serve);
        daemon(acceptor::acceptLoop, name + "-accept").start();
        return acceptor;
    }

    int port() {
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
                socket.setSoTimeout(idleTimeoutMillis);
                pool.execute(() -> serve.accept(socket));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("{}: accept failed: {}", name, e.toString());
                }
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
