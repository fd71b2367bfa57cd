package org.pacsmigrator.topics;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a consumer group member (a stage consumer, the completion topology) shows it is alive: a member that
 * stops heartbeating (kill -9, a lost node) keeps its partitions for {@code sessionTimeout}, then the group's
 * other members take them over. A member that closes (SIGTERM) leaves at once and costs no timeout.
 */
public record GroupMembership(Duration sessionTimeout, Duration heartbeatInterval) {
    /** A dead replica's partitions move after ~10 s instead of Kafka's default 45 s. */
    public static final GroupMembership FAST_TAKEOVER = new GroupMembership(Duration.ofSeconds(10), Duration.ofSeconds(3));

    public GroupMembership {
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.isZero() || heartbeatInterval.isNegative() || heartbeatInterval.compareTo(sessionTimeout) >= 0) {
            throw new IllegalArgumentException("the heartbeat interval must be positive and shorter than the session timeout");
        }
    }

    public static GroupMembership ofSeconds(int sessionTimeoutSeconds, int heartbeatSeconds) {
        return new GroupMembership(Duration.ofSeconds(sessionTimeoutSeconds), Duration.ofSeconds(heartbeatSeconds));
    }

    /** The consumer configs (classic group protocol, where the client chooses its session timeout). */
    public Map<String, String> consumerProperties() {
        return Map.of("session.timeout.ms", Long.toString(sessionTimeout.toMillis()),
                "heartbeat.interval.ms", Long.toString(heartbeatInterval.toMillis()));
    }
}
