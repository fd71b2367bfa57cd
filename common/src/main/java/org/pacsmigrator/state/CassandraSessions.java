package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** The driver session of a migration's state store: timeouts, consistency and reconnection chosen for LWTs. */
final class CassandraSessions {
    private CassandraSessions() {
    }

    static CqlSession connect(CassandraSettings s) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                // Generous: LWTs and a busy node on a small machine can take seconds.
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.LOCAL_QUORUM.name())
                .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, ConsistencyLevel.LOCAL_SERIAL.name())
                .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, s.pageSize())
                // Schema DDL waits for the debouncer on every CREATE: 1 s by default, 0.1 s is plenty.
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(100))
                .withStringList(DefaultDriverOption.METADATA_SCHEMA_REFRESHED_KEYSPACES, List.of(s.keyspace()))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                // A restarted node is reconnected to within 10 s; requests meanwhile fail and are retried
                // by the caller (the consumer loop's retry policy).
                .withString(DefaultDriverOption.RECONNECTION_POLICY_CLASS, "ExponentialReconnectionPolicy")
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(10))
                // close() otherwise waits 2 s of Netty's quiet period for tasks nobody submits after it
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .build();
        CqlSessionBuilder builder = CqlSession.builder().withConfigLoader(config).withLocalDatacenter(s.localDatacenter());
        for (String contact : s.contactPoints().split(",")) {
            builder.addContactPoint(address(contact.trim()));
        }
        try {
            return builder.build();
        } catch (DriverException e) {
            throw new StateStoreException("cannot connect to Cassandra at " + s.contactPoints(), e);
        }
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("contact point must be host:port: " + hostPort);
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
