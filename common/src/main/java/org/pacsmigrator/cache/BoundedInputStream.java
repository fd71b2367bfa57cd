package org.pacsmigrator.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads at most a given number of bytes of the underlying stream (an object's range, a member of an archive): the
 * reader sees the end there. Closing closes the underlying stream only when asked to.
 */
public final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private final boolean closesUnderlying;
    private long remaining;

    public BoundedInputStream(InputStream in, long limit, boolean closesUnderlying) {
        this.in = in;
        this.remaining = limit;
        this.closesUnderlying = closesUnderlying;
    }

    /** The bytes of the bound not read yet. */
    public long remaining() {
        return remaining;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int b = in.read();
        if (b >= 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n > 0) {
            remaining -= n;
        }
        return n;
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        // sized by the bound (at most 1 MiB up front), not by the default growth from 8 KiB
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(remaining, 0), 1 << 20));
        transferTo(out);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        if (closesUnderlying) {
            in.close();
        }
    }
}
