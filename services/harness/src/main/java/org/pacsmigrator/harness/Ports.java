package org.pacsmigrator.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Free loopback ports and waiting for a port to accept connections. */
public final class Ports {
    private Ports() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 500);
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
