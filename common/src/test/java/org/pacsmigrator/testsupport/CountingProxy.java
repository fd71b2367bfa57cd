package org.pacsmigrator.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TcpRelay} in front of a PACS that counts the DICOM associations the PACS has open at the
 * same time, from the PDUs that pass: an association is open from the caller's A-ASSOCIATE-RQ until
 * the PACS's A-RELEASE-RP, A-ASSOCIATE-RJ or an A-ABORT from either side (or the connection ends).
 * The end is counted before the closing PDU is passed on, so a caller cannot start its next
 * association before the previous one is counted as ended. What the source experiences,
 * independent of what the workers believe they do.
 */
public final class CountingProxy implements AutoCloseable {
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger total = new AtomicInteger();
    private final TcpRelay relay;

    public CountingProxy(String targetHost, int targetPort) throws IOException {
        this.relay = new TcpRelay(targetHost, targetPort, Association::new);
    }

    public int port() {
        return relay.port();
    }

    public int peak() {
        return peak.get();
    }

    public int total() {
        return total.get();
    }

    @Override
    public void close() throws IOException {
        relay.close();
    }

    /** One connection: its association state, and a PDU-by-PDU copy that watches the PDU types. */
    private final class Association implements TcpRelay.Link {
        private boolean open;

        synchronized void start() {
            if (!open) {
                open = true;
                total.incrementAndGet();
                peak.accumulateAndGet(active.incrementAndGet(), Math::max);
            }
        }

        @Override
        public synchronized void ended() {
            if (open) {
                open = false;
                active.decrementAndGet();
            }
        }

        /** PDU header: type, reserved, 32-bit big-endian length. */
        @Override
        public void copy(InputStream in, OutputStream out, boolean fromPacs, TcpRelay.Passed passed)
                throws IOException {
            byte[] buf = new byte[64 * 1024];
            byte[] header = new byte[6];
            while (in.readNBytes(header, 0, 6) == 6) {
                int type = header[0] & 0xFF;
                long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFFL) << 16)
                        | ((header[4] & 0xFFL) << 8) | (header[5] & 0xFFL);
                if (!fromPacs && type == 0x01) {
                    start();                                     // A-ASSOCIATE-RQ
                } else if ((fromPacs && (type == 0x03 || type == 0x06)) || type == 0x07) {
                    ended();                                     // A-ASSOCIATE-RJ, A-RELEASE-RP, A-ABORT
                }
                out.write(header);
                passed.bytes(header.length);
                while (length > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, length));
                    if (n < 0) {
                        throw new IOException("connection ended inside a PDU");
                    }
                    out.write(buf, 0, n);
                    passed.bytes(n);
                    length -= n;
                }
                out.flush();
            }
        }
    }
}
