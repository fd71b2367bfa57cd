package org.pacsmigrator.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects what this JVM logs at WARN and above while it is open, so a test can prove a healthy run quiet: no
 * ERROR, no stack trace.
 */
public final class LogWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public static LogWatch watch() {
        LogWatch watch = new LogWatch();
        watch.setName("log-watch");
        watch.setContext(watch.root.getLoggerContext());
        watch.start();
        watch.root.addAppender(watch);
        return watch;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            events.add(event);
        }
    }

    /** ERROR lines and lines with a stack trace, as "LEVEL logger: message". */
    public List<String> errorsAndStackTraces() {
        return events.stream().filter(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null)
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    }

    /** Every WARN and ERROR line, as "LEVEL logger: message" (with its exception's message, if any). */
    public List<String> warningsAndErrors() {
        return events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
