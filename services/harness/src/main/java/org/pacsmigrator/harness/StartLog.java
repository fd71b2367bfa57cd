package org.pacsmigrator.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server wrote to its logs since one start: the line it writes once it listens, or that it could
 * not bind a port. The log is the server's own word: a port that accepts connections may belong to
 * something else, and a process that has not exited yet may still be failing.
 */
final class StartLog {
    private static final Logger LOG = LoggerFactory.getLogger(StartLog.class);
    /** Kafka ("Socket server failed to bind ...: Address already in use"), Cassandra ("Failed to bind port",
     * "is in use by another process"), Orthanc ("privileged or already in use"). */
    private static final Pattern BIND_FAILURE = Pattern.compile(
            "(?im)^.*(already in use|in use by another process|failed to bind).*$");
    /** Starts on other ports after a bind failure at most this many times in all. */
    static final int ATTEMPTS = 5;

    /** The server could not bind one of its ports (someone took it after it was chosen). */
    static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    private final Map<Path, Long> offsets = new LinkedHashMap<>();

    private StartLog(List<Path> files) {
        for (Path file : files) {
            offsets.put(file, size(file));
        }
    }

    /** Marks where the logs end now: only what is written after counts. */
    static StartLog of(Path... files) {
        return new StartLog(List.of(files));
    }

    /**
     * Runs {@code start} (which chooses its ports anew each time) until it does not fail on a taken port,
     * at most {@link #ATTEMPTS} times.
     */
    static <T> T retryingTakenPorts(String what, Supplier<T> start) {
        for (int attempt = 1; ; attempt++) {
            try {
                return start.get();
            } catch (PortTaken e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                LOG.info("{} started again on other ports: {}", what, e.getMessage());
            }
        }
    }

    /**
     * Waits until the logs show {@code readyLine}. Throws {@link PortTaken} (after stopping the process if
     * it still runs) when they show a bind failure, and an {@link IllegalStateException} with the log's
     * tail when the process exits otherwise or the time is up.
     */
    void awaitLine(String what, String readyLine, Process process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive();
            String text = text();
            if (text.contains(readyLine)) {
                return;
            }
            Matcher bind = BIND_FAILURE.matcher(text);
            if (bind.find()) {
                stop(process);
                throw new PortTaken(what + " could not bind a port: " + bind.group().strip());
            }
            if (exited) {
                throw new IllegalStateException(what + " exited with code " + process.exitValue() + ": " + tail(text));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not log '" + readyLine + "' within " + timeout + ": " + tail(text));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }
    }

    /** Everything written to the logs since {@link #of}. */
    String text() {
        StringBuilder text = new StringBuilder();
        offsets.forEach((file, offset) -> {
            try (SeekableByteChannel channel = Files.newByteChannel(file)) {
                channel.position(Math.min(offset, channel.size()));
                try (InputStream in = Channels.newInputStream(channel)) {
                    text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } catch (IOException notYetWritten) {
                // the server has not created it yet
            }
        });
        return text.toString();
    }

    private static String tail(String text) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static void stop(Process process) {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
