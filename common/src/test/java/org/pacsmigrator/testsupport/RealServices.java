package org.pacsmigrator.testsupport;

import java.util.UUID;
import org.pacsmigrator.harness.TestServices;

/**
 * Addresses of the real Kafka and Cassandra the tests run against: the build's shared services
 * (PACSMIG_* variables set by scripts/test.sh), or services the harness starts once for this JVM.
 */
public final class RealServices {
    private RealServices() {
    }

    public static String kafka() {
        return TestServices.get().kafka().bootstrapServers();
    }

    public static String cassandra() {
        return TestServices.get().cassandra().contactPoint();
    }

    public static String cassandraDatacenter() {
        return TestServices.get().cassandra().localDatacenter();
    }

    /** A name unique to this run, usable as keyspace, topic prefix or group id: prefix + 12 hex. */
    public static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
