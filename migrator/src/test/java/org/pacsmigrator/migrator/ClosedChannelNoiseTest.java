package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class ClosedChannelNoiseTest {
    private final ClosedChannelNoise filter = new ClosedChannelNoise();
    private final LoggerContext logging = new LoggerContext();

    private FilterReply decide(String logger, Object... arguments) {
        LoggingEvent event = new LoggingEvent(getClass().getName(), logging.getLogger(logger), Level.WARN,
                "Uncaught exception in scheduled task ({})", null, arguments);
        return filter.decide(event);
    }

    @Test
    void dropsTheDriversClosedChannelRaceOnly() {
        assertThat(decide(ClosedChannelNoise.DRIVER_TASK_LOGGER, "StacklessClosedChannelException: null"))
                .isEqualTo(FilterReply.DENY);
        assertThat(decide(ClosedChannelNoise.DRIVER_TASK_LOGGER, "ClosedChannelException: null"))
                .isEqualTo(FilterReply.DENY);
    }

    @Test
    void passesEveryOtherWarning() {
        assertThat(decide(ClosedChannelNoise.DRIVER_TASK_LOGGER, "IllegalStateException: pool closed"))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(ClosedChannelNoise.DRIVER_TASK_LOGGER)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("com.datastax.oss.driver.internal.core.pool.ChannelPool", "StacklessClosedChannelException: null"))
                .isEqualTo(FilterReply.NEUTRAL);
    }
}
