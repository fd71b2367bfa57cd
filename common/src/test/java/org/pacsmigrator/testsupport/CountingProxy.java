package org.pacsmigrator.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of a PACS that counts the DICOM associations the PACS has open at the same
 * time, from the PDUs that pass: an association is open from the caller's A-ASSOCIATE-RQ until the
 * PACS's A-RELEASE-RP, A-ASSOCIATE-RJ or an A-ABORT from either side (or the connection ends).
 * The end is counted before the closing PDU is passed on, so a caller cannot start its next
 * association before the previous one is counted as ended. What the source experiences,
 * independent of what the workers believe they do.
 */
public final class CountingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger total = new AtomicInteger();

    public CountingProxy(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::acceptLoop, "counting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int peak() {
        return peak.get();
    }

    public int total() {
        return total.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Association a = new Association();
                pump(client, upstream, a, false);
                pump(upstream, client, a, true);
            } catch (IOException e) {
                // server closed, or the target refused: the client's socket is dropped
            }
        }
    }

    /** One connection's association state. */
    private final class Association {
        private boolean open;

        synchronized void start() {
            if (!open) {
                open = true;
                total.incrementAndGet();
                peak.accumulateAndGet(active.incrementAndGet(), Math::max);
            }
        }

        synchronized void end() {
            if (open) {
                open = false;
                active.decrementAndGet();
            }
        }
    }

    /** Copies PDU by PDU (6-byte header: type, reserved, 32-bit big-endian length). */
    private static void pump(Socket from, Socket to, Association a, boolean fromPacs) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            byte[] header = new byte[6];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    if (in.readNBytes(header, 0, 6) < 6) {
                        break;
                    }
                    int type = header[0] & 0xFF;
                    long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFFL) << 16)
                            | ((header[4] & 0xFFL) << 8) | (header[5] & 0xFFL);
                    if (!fromPacs && type == 0x01) {
                        a.start();                                   // A-ASSOCIATE-RQ
                    } else if ((fromPacs && (type == 0x03 || type == 0x06)) || type == 0x07) {
                        a.end();                                     // A-ASSOCIATE-RJ, A-RELEASE-RP, A-ABORT
                    }
                    out.write(header);
                    while (length > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, length));
                        if (n < 0) {
                            throw new IOException("connection ended inside a PDU");
                        }
                        out.write(buf, 0, n);
                        length -= n;
                    }
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                a.end();
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "counting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
