package org.pacsmigrator.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A loopback TCP relay in front of a server (a PACS, Cassandra): what the tests put between a
 * worker and a peer to watch, slow down or cut the traffic. Each accepted connection gets a
 * {@link Link} that copies both directions; the relay counts connections and bytes, can be cut
 * (listener closed, every connection reset) and opened again on the same port.
 */
public final class TcpRelay implements AutoCloseable {
    /** How one connection's bytes are passed on (one instance per connection, both directions). */
    public interface Link {
        /**
         * Copies {@code in} to {@code out} until {@code in} ends; {@code fromTarget} tells the
         * direction. Every byte passed on is reported to {@code passed}.
         */
        void copy(InputStream in, OutputStream out, boolean fromTarget, Passed passed)
                throws IOException, InterruptedException;

        /** The connection ended (either side, or the relay was cut); may be called more than once. */
        default void ended() {
        }
    }

    /** Counts bytes as a link passes them on. */
    public interface Passed {
        void bytes(int n);
    }

    /** Chunk by chunk as they arrive, flushed at once. */
    private static final Link PLAIN = (in, out, fromTarget, passed) -> copyChunks(in, out, passed, 0);

    private final String targetHost;
    private final int targetPort;
    private final Supplier<Link> links;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private volatile ServerSocket server;
    private int port;

    public TcpRelay(String targetHost, int targetPort, Supplier<Link> links) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.links = links;
        open();
    }

    /** A relay that passes everything on unchanged. */
    public static TcpRelay plain(String targetHost, int targetPort) throws IOException {
        return new TcpRelay(targetHost, targetPort, () -> PLAIN);
    }

    /** A relay that holds every chunk, in both directions, {@code delayMillis} (a slow peer or WAN link). */
    public static TcpRelay delaying(String targetHost, int targetPort, long delayMillis) throws IOException {
        Link slow = (in, out, fromTarget, passed) -> copyChunks(in, out, passed, delayMillis);
        return new TcpRelay(targetHost, targetPort, () -> slow);
    }

    /** Copies chunk by chunk, each held {@code delayMillis} first. */
    private static void copyChunks(InputStream in, OutputStream out, Passed passed, long delayMillis)
            throws IOException, InterruptedException {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            out.write(buffer, 0, n);
            out.flush();
            passed.bytes(n);
        }
    }

    public int port() {
        return port;
    }

    /** Connections relayed so far (a refused upstream is not counted). */
    public int connections() {
        return connections.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** Writes of passed-on bytes so far. */
    public long chunks() {
        return chunks.get();
    }

    /** Listens again, on the same port once it had one. */
    public synchronized void open() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = s.getLocalPort();
        server = s;
        Thread accept = new Thread(() -> acceptLoop(s), "relay-accept-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    /** The peer "goes away": no new connection is accepted, the open ones are reset. */
    public synchronized void cut() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private void acceptLoop(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream;
                try {
                    upstream = new Socket(targetHost, targetPort);
                } catch (IOException refused) {
                    client.close(); // the peer is down: the caller's connection fails as it would without the relay
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                connections.incrementAndGet();
                sockets.add(client);
                sockets.add(upstream);
                Link link = links.get();
                pump(client, upstream, link, false);
                pump(upstream, client, link, true);
            } catch (IOException e) {
                return; // cut or closed
            }
        }
    }

    private void pump(Socket from, Socket to, Link link, boolean fromTarget) {
        Passed passed = n -> {
            bytes.addAndGet(n);
            chunks.incrementAndGet();
        };
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                link.copy(in, out, fromTarget, passed);
            } catch (IOException | InterruptedException ignored) {
                // one side closed, or the relay was cut
            } finally {
                link.ended();
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "relay-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
