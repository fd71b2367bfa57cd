package org.pacsmigrator.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for servers about to start, and waiting for a port to accept connections. */
public final class Ports {
    /**
     * Candidates come from below Linux's ephemeral range (32768-60999 by default), from which the kernel
     * takes the local port of every outgoing connection: a port chosen there could be taken by one of the
     * many connections this machine opens while the server is still starting.
     */
    private static final int FIRST = 20000;
    private static final int END = 32768;

    private Ports() {
    }

    /**
     * A port nothing listens on right now, for a server about to start on it. It is released before that
     * server binds it, so something else may take it in between: the harness's servers (Kafka, Cassandra,
     * Orthanc) start again on other ports when their start fails on a bind error, and tests use it only for
     * listeners of their own (a DCMTK storescp, the port a PACS is told the migrator listens on).
     */
    public static int freePort() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 1000; i++) {
            int port = random.nextInt(FIRST, END);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(port), 1); // every interface: Orthanc binds them all
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in " + FIRST + ".." + (END - 1));
    }

    public static boolean isOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until {@code host:port} accepts connections or {@code process} dies. */
    public static void awaitOpen(String what, String host, int port, Process process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isOpen(host, port)) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(what + " exited with code " + process.exitValue() + " before listening on " + port);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }
        throw new IllegalStateException(what + " did not listen on " + host + ":" + port + " within " + timeout);
    }
}
