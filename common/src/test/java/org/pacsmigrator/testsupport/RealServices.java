package org.pacsmigrator.testsupport;

import java.util.UUID;

/**
 * Addresses of the real Kafka and Cassandra the tests run against, from the environment:
 * PACSMIG_KAFKA (bootstrap servers), PACSMIG_CASSANDRA (host:port), PACSMIG_CASSANDRA_DC
 * (default datacenter1). Missing addresses fail the test: these tests are never skipped.
 * (Stand-in until the harness's TestServices is available in this module.)
 */
public final class RealServices {
    private RealServices() {
    }

    public static String kafka() {
        return required("PACSMIG_KAFKA", "Kafka bootstrap servers, e.g. 127.0.0.1:9092");
    }

    public static String cassandra() {
        return required("PACSMIG_CASSANDRA", "Cassandra contact point host:port, e.g. 127.0.0.1:9042");
    }

    public static String cassandraDatacenter() {
        String dc = System.getenv("PACSMIG_CASSANDRA_DC");
        return dc == null || dc.isBlank() ? "datacenter1" : dc;
    }

    /** A name unique to this run, usable as keyspace, topic prefix or group id: prefix + 12 hex. */
    public static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static String required(String variable, String what) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: it must name the " + what
                    + " these tests run against (start the services, e.g. with the harness, and export it)");
        }
        return value;
    }
}
