package org.pacsmigrator.migrator;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.pacsmigrator.progress.MigrationProgress;
import org.pacsmigrator.progress.ProgressText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's progress on its output, from the start of indexing to the summary: on an interactive terminal a block
 * redrawn in place every second (the process's other output and log lines scroll above it), otherwise the same lines
 * printed every interval, or nothing. It writes to the output itself, never through the log. Samples are taken at
 * most every {@link #MIN_SAMPLE} and never more than a tenth of the time, so a slow state store is not kept busy.
 */
final class ProgressDisplay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressDisplay.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration MIN_SAMPLE = Duration.ofSeconds(2);
    private static final int SAMPLE_DUTY_DIVISOR = 10;

    private final ProgressOptions.Mode mode;
    private final Duration interval;
    private final Supplier<MigrationProgress> probe;
    private final PrintStream out;
    private final LiveTerminal terminal;
    private final PrintStream shown;
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final boolean replacedSystemStreams;
    private final Thread thread;
    private MigrationProgress latest;
    private String unavailable;
    private long nextSampleNanos;
    private long nextLinesNanos;
    private boolean closed;

    private ProgressDisplay(ProgressOptions.Mode mode, Duration interval, Supplier<MigrationProgress> probe, PrintStream out) {
        this.mode = mode;
        this.interval = interval;
        this.probe = probe;
        this.out = out;
        if (mode == ProgressOptions.Mode.TTY) {
            terminal = new LiveTerminal(out);
            // the log (logback's console appender writes to System.out whenever it logs) and errors scroll above the block
            replacedSystemStreams = out == System.out;
            if (replacedSystemStreams) {
                System.setOut(terminal.passthrough(originalOut));
                System.setErr(terminal.passthrough(originalErr));
                shown = System.out;
            } else {
                shown = terminal.passthrough(out);
            }
        } else {
            terminal = null;
            replacedSystemStreams = false;
            shown = out;
        }
        thread = mode == ProgressOptions.Mode.OFF ? null : new Thread(this::loop, "progress-display");
    }

    /** Starts showing the progress {@code probe} samples on {@code out}, as {@code options} say. */
    static ProgressDisplay start(ProgressOptions options, Supplier<MigrationProgress> probe, PrintStream out) {
        ProgressDisplay display = new ProgressDisplay(resolve(options.mode, out), options.interval(), probe, out);
        if (display.thread != null) {
            display.thread.setDaemon(true);
            display.thread.start();
        }
        return display;
    }

    /** auto: tty when {@code out} is the process's output and that is an interactive terminal, lines otherwise. */
    static ProgressOptions.Mode resolve(ProgressOptions.Mode mode, PrintStream out) {
        if (mode != ProgressOptions.Mode.AUTO) {
            return mode;
        }
        boolean terminal = out == System.out && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return terminal ? ProgressOptions.Mode.TTY : ProgressOptions.Mode.LINES;
    }

    /** Where the run prints its own messages while the display is on: above the block on a terminal. */
    PrintStream out() {
        return shown;
    }

    private void loop() {
        long now = System.nanoTime();
        nextSampleNanos = now;
        nextLinesNanos = now;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    tick();
                } catch (RuntimeException e) {
                    LOG.debug("progress display", e); // the display is a view: the run goes on without this tick
                }
                Thread.sleep(TICK.toMillis());
            }
        } catch (InterruptedException stopped) {
            // closed
        }
    }

    private void tick() {
        long now = System.nanoTime();
        if (now - nextSampleNanos >= 0) {
            sample();
            long took = System.nanoTime() - now;
            nextSampleNanos = System.nanoTime() + Math.max(MIN_SAMPLE.toNanos(), took * SAMPLE_DUTY_DIVISOR);
        }
        if (mode == ProgressOptions.Mode.TTY) {
            render(terminal::show);
        } else if (mode == ProgressOptions.Mode.LINES && now - nextLinesNanos >= 0 && latest != null) {
            // one write: a line the run prints meanwhile comes before or after the report, not inside it
            render(lines -> {
                out.print(String.join(System.lineSeparator(), lines) + System.lineSeparator());
                out.flush();
            });
            nextLinesNanos = now + interval.toNanos();
        }
    }

    private void sample() {
        try {
            latest = probe.get();
            unavailable = null;
        } catch (RuntimeException e) {
            // the last figures stay; the state store's own messages say more
            unavailable = e.getMessage();
            LOG.debug("progress sample failed", e);
        }
    }

    private void render(Consumer<List<String>> target) {
        if (latest == null && unavailable == null) {
            return;
        }
        List<String> lines = new ArrayList<>(latest == null ? List.of()
                : ProgressText.lines(latest, Instant.now(), ZoneId.systemDefault()));
        if (unavailable != null) {
            lines.add("progress not available now: " + unavailable);
        }
        target.accept(lines);
    }

    /** Stops the display; on a terminal its last state stays on screen, with the run's next lines below it. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        if (thread != null) {
            thread.interrupt();
            thread.join();
        }
        if (terminal != null) {
            sample();
            render(terminal::show);
            terminal.release(); // what is printed from now on (through out() too) goes below it
        }
        if (replacedSystemStreams) {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
