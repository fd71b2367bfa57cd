package org.pacsmigrator.cache;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Hashes (SHA-256) and counts every byte read through it, skipped bytes included (unlike
 * {@link java.security.DigestInputStream}, whose skip passes bytes by unhashed), so a parser above it can
 * read and skip as it likes: {@link #drain} then hashes the rest, and {@link #sha256} is the file's.
 */
public final class HashingInputStream extends FilterInputStream {
    private final MessageDigest digest = Sha256.newDigest();
    private long bytesRead;

    public HashingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digest.update((byte) b);
            bytesRead++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
            bytesRead += n;
        }
        return n;
    }

    /** Reads what it skips, to hash it. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 1 << 16)];
        long skipped = 0;
        for (int r; skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) > 0; ) {
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false; // a reset would hash bytes twice
    }

    @Override
    public synchronized void mark(int readLimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Bytes read (and hashed) so far: the offset of the next byte. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Through {@link #read(byte[], int, int)}: a filter's own transferTo might pass bytes by unhashed. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = read(buffer, 0, buffer.length)) >= 0; ) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    /** Reads to the end, hashing: to {@code out}, or nowhere when null. */
    public void drain(OutputStream out) throws IOException {
        transferTo(out == null ? OutputStream.nullOutputStream() : out);
    }

    /** The SHA-256 (hex) of the bytes read so far; call once, at the end. */
    public String sha256() {
        return Sha256.hex(digest);
    }
}
