package org.pacsmigrator.migrator;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How a run shows its progress: {@code --progress} and {@code --progress-interval} of {@code run} and {@code demo}. */
final class ProgressOptions {
    /** Where the progress goes. */
    enum Mode {
        /** tty when the output is an interactive terminal, lines otherwise. */
        AUTO,
        /** A block of lines redrawn in place every second (ANSI escapes). */
        TTY,
        /** Plain lines every interval, for a log file or a pipe. */
        LINES,
        /** Nothing between the start and the summary. */
        OFF
    }

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|tty|lines|off",
            converter = ModeValue.class,
            description = "progress per stage (counts, rates, ETA, what a stage waits for): tty redraws it in place, "
                    + "lines prints it every --progress-interval, auto picks tty on a terminal, else lines")
    Mode mode = Mode.AUTO;

    @Option(names = "--progress-interval", defaultValue = "30", paramLabel = "SECONDS", converter = Seconds.class,
            description = "seconds between two progress reports in lines mode")
    int intervalSeconds = 30;

    /** The mode in any case; the message names the choices. */
    static final class ModeValue implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String text) {
            for (Mode m : Mode.values()) {
                if (m.name().equalsIgnoreCase(text.strip())) {
                    return m;
                }
            }
            throw new TypeConversionException("expected auto, tty, lines or off, found '" + text + "'");
        }
    }

    /** A whole number of seconds, at least 1. */
    static final class Seconds implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                int seconds = Integer.parseInt(text.strip());
                if (seconds >= 1) {
                    return seconds;
                }
            } catch (NumberFormatException e) {
                // the message below says what was expected
            }
            throw new TypeConversionException("expected a whole number of seconds, at least 1, found '" + text + "'");
        }
    }

    /** No progress: the programmatic runs of tests and tools. */
    static ProgressOptions off() {
        ProgressOptions o = new ProgressOptions();
        o.mode = Mode.OFF;
        return o;
    }

    Duration interval() {
        return Duration.ofSeconds(intervalSeconds);
    }
}
