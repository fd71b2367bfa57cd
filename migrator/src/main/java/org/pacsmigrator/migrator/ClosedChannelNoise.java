package org.pacsmigrator.migrator;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the Cassandra driver's one-line warning that a write to a connection failed because the connection
 * was already closed. It comes from the driver's own housekeeping racing a connection's close (a graceful
 * and a forced close of the same channel while the session shuts down) and affects no request: a request on
 * a closed connection fails on its own and its caller reports it. Every other driver warning passes.
 */
public final class ClosedChannelNoise extends Filter<ILoggingEvent> {
    static final String DRIVER_TASK_LOGGER = "com.datastax.oss.driver.internal.core.util.concurrent.UncaughtExceptions";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (!DRIVER_TASK_LOGGER.equals(event.getLoggerName())) {
            return FilterReply.NEUTRAL;
        }
        Object[] arguments = event.getArgumentArray();
        if (arguments == null || arguments.length == 0) {
            return FilterReply.NEUTRAL;
        }
        // the driver logs the exception as "SimpleName: message" unless its logger is at DEBUG
        String cause = String.valueOf(arguments[arguments.length - 1]);
        return cause.startsWith("StacklessClosedChannelException:") || cause.startsWith("ClosedChannelException:")
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
