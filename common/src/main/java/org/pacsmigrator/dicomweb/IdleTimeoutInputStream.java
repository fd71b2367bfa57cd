package org.pacsmigrator.dicomweb;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body whose reads fail with {@link HttpTimeoutException} when no byte arrives for {@code idle}: the
 * HTTP client's request timeout ends with the response headers, and an archive that stalls in the middle of a
 * long answer would otherwise hold the reading thread (and its retrieve lease) for ever. The stalled stream is
 * closed from a watching thread, which fails the blocked read (the JDK client's body stream does not answer an
 * interrupt); only a stream stalled in a read is closed.
 */
final class IdleTimeoutInputStream extends FilterInputStream {
    private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dicomweb-idle-watch");
        t.setDaemon(true);
        return t;
    });

    private final long idleNanos;
    private final ScheduledFuture<?> watch;
    private volatile long lastProgress = System.nanoTime();
    private boolean reading; // guarded by this
    private volatile boolean timedOut;

    IdleTimeoutInputStream(InputStream in, Duration idle) {
        super(in);
        this.idleNanos = idle.toNanos();
        long period = Math.max(10, idle.toMillis() / 4);
        this.watch = WATCH.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (System.nanoTime() - lastProgress < idleNanos) {
            return;
        }
        synchronized (this) {
            if (!reading) {
                return;
            }
            timedOut = true;
        }
        try {
            in.close();
        } catch (IOException e) {
            // the blocked read fails all the same
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (timedOut) {
            throw stalled();
        }
        synchronized (this) {
            reading = true;
        }
        lastProgress = System.nanoTime();
        try {
            int n = in.read(b, off, len);
            lastProgress = System.nanoTime();
            return n;
        } catch (IOException e) {
            if (timedOut) {
                throw stalled();
            }
            throw e;
        } finally {
            synchronized (this) {
                reading = false;
            }
        }
    }

    private HttpTimeoutException stalled() {
        return new HttpTimeoutException("no data for " + Duration.ofNanos(idleNanos).toSeconds() + " s");
    }

    /** Through {@link #read(byte[], int, int)}, so that skipping is watched too. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        for (int r; skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) > 0; ) {
            skipped += r;
        }
        return skipped;
    }

    @Override
    public void close() throws IOException {
        watch.cancel(false);
        super.close();
    }
}
