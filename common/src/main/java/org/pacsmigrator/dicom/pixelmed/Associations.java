package org.pacsmigrator.dicom.pixelmed;

import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.SCUSCPRoleSelection;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomException.Category;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;

/** Opening, tuning and closing PixelMed associations, and mapping PixelMed failures to categories. */
final class Associations {
    private static final Field SOCKET_FIELD;
    private static final Field IN_FIELD;
    private static final Field OUT_FIELD;
    /** Larger than the PDUs we negotiate, so a PDV's header and data leave in one write. */
    private static final int STREAM_BUFFER = 1 << 17;
    /** PixelMed connects with {@code new Socket(host, port)} (no timeout), so establishment runs here and we stop waiting. */
    private static final ExecutorService CONNECTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dicom-connect");
        t.setDaemon(true);
        return t;
    });

    static {
        try {
            SOCKET_FIELD = Association.class.getDeclaredField("socket");
            SOCKET_FIELD.setAccessible(true);
            IN_FIELD = Association.class.getDeclaredField("in");
            IN_FIELD.setAccessible(true);
            OUT_FIELD = Association.class.getDeclaredField("out");
            OUT_FIELD.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("PixelMed Association has no 'socket', 'in' or 'out' field: " + e);
        }
    }

    private Associations() {
    }

    /**
     * Opens an association as {@code callingAe}. Establishment (TCP connect and A-ASSOCIATE) is bounded by
     * {@code timeouts.connect()}; afterwards TCP_NODELAY and the response timeout are set on the socket.
     */
    static Association open(String operation, DicomNode remote, String callingAe, LinkedList<PresentationContext> contexts,
                            LinkedList<SCUSCPRoleSelection> roles, DicomTimeouts timeouts) throws DicomException {
        CompletableFuture<Association> future = CompletableFuture.supplyAsync(() -> {
            try {
                return AssociationFactory.createNewAssociation(remote.host(), remote.port(), remote.aeTitle(), callingAe,
                        contexts, roles, false);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, CONNECTOR);
        Association association;
        try {
            association = future.get(timeouts.connect().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.thenAccept(Associations::abortQuietly); // if it still succeeds later, do not leak it
            throw new DicomException(Category.TIMEOUT, describe(operation, remote, callingAe)
                    + ": no association within " + timeouts.connect().toMillis() + " ms");
        } catch (ExecutionException e) {
            throw failure(operation, remote, callingAe, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(Category.OTHER, describe(operation, remote, callingAe) + ": interrupted", e);
        }
        tune(association, (int) Math.min(Integer.MAX_VALUE, timeouts.response().toMillis()));
        return association;
    }

    /**
     * PixelMed never sets TCP_NODELAY; with Nagle and delayed ACK every DIMSE exchange stalls ~40 ms.
     * The socket is only reachable through Association's protected field.
     */
    static void tune(Association association, int soTimeoutMillis) {
        try {
            Socket socket = (Socket) SOCKET_FIELD.get(association);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(soTimeoutMillis);
        } catch (IllegalAccessException | SocketException e) {
            throw new IllegalStateException("cannot tune association socket", e);
        }
        buffer(association);
    }

    /**
     * Buffers the association's socket streams. PixelMed writes each PDV's 12 header bytes one
     * {@code write(int)} at a time straight to the socket: with TCP_NODELAY that is 13 system calls
     * and as many packets per PDV (profiled). It flushes after every PDV and PDU, so buffering
     * changes only how many writes carry them. Called once the association is established (the
     * raw streams hold no data of their own then), before any P-DATA.
     */
    static void buffer(Association association) {
        try {
            Socket socket = (Socket) SOCKET_FIELD.get(association);
            IN_FIELD.set(association, new BufferedInputStream(socket.getInputStream(), STREAM_BUFFER));
            OUT_FIELD.set(association, new BufferedOutputStream(socket.getOutputStream(), STREAM_BUFFER));
        } catch (IllegalAccessException | IOException e) {
            throw new IllegalStateException("cannot buffer association streams", e);
        }
    }

    /**
     * Waits up to {@code wait} for the peer to send something on the association, without reading it. PixelMed
     * logs an ERROR with a stack trace for every read that times out, so "nothing came" is found out here.
     */
    static boolean awaitData(Association association, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            InputStream in = (InputStream) IN_FIELD.get(association);
            while (true) {
                if (in.available() > 0) {
                    return true;
                }
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                Thread.sleep(10);
            }
        } catch (IllegalAccessException | IOException e) {
            return true; // let the read find out what is wrong
        }
    }

    /** Releases normally; falls back to abort when the release handshake fails. */
    static void release(Association association) {
        if (association == null) {
            return;
        }
        try {
            association.release();
        } catch (Exception e) {
            abortQuietly(association);
        }
    }

    static void abortQuietly(Association association) {
        try {
            association.abort();
        } catch (Exception ignored) {
            // the connection is gone either way
        }
    }

    static String describe(String operation, DicomNode remote, String callingAe) {
        return operation + " " + callingAe + " -> " + remote;
    }

    /** Maps a PixelMed or I/O failure to a category. PixelMed wraps most causes into message text only. */
    static DicomException failure(String operation, DicomNode remote, String callingAe, Throwable e) {
        if (e instanceof DicomException d) {
            return d;
        }
        return new DicomException(categorize(e), describe(operation, remote, callingAe) + ": " + e.getMessage(), e);
    }

    static Category categorize(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return Category.CONNECTION_REFUSED;
            }
            if (t instanceof SocketTimeoutException) {
                return Category.TIMEOUT;
            }
            text.append(' ').append(t.getMessage());
        }
        String m = text.toString();
        if (m.contains("ConnectException") || m.contains("Connection refused") || m.contains("UnknownHostException")
                || m.contains("NoRouteToHostException")) {
            return Category.CONNECTION_REFUSED;
        }
        if (m.contains("SocketTimeoutException") || m.contains("timed out")) {
            return Category.TIMEOUT;
        }
        if (m.contains("No presentation context") || m.contains("presentation context")) {
            return Category.NOT_NEGOTIATED;
        }
        if (m.contains("A-ASSOCIATE-RJ") || m.contains("A-ABORT") || m.contains("A-P-ABORT")) {
            return Category.ASSOCIATION_REJECTED;
        }
        return Category.OTHER;
    }
}
