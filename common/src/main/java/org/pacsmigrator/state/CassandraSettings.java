package org.pacsmigrator.state;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where the state store lives: contact points ("host:port", comma separated), the local
 * datacenter, the migration's keyspace, how it is replicated, and the page size used when
 * streaming large results.
 */
public record CassandraSettings(String contactPoints, String localDatacenter, String keyspace,
                                Replication replication, int pageSize) {

    private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    public CassandraSettings {
        Objects.requireNonNull(contactPoints, "contactPoints");
        Objects.requireNonNull(localDatacenter, "localDatacenter");
        Objects.requireNonNull(replication, "replication");
        // The keyspace name is spliced into CQL text (DDL cannot be bound): allow only a safe subset.
        if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("keyspace must match " + KEYSPACE.pattern() + ": " + keyspace);
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
        }
    }

    /** Single node / development: SimpleStrategy with replication factor 1, pages of 1000 rows. */
    public static CassandraSettings of(String contactPoints, String localDatacenter, String keyspace) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, Replication.simple(1), 1000);
    }

    public CassandraSettings withReplication(Replication r) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, r, pageSize);
    }

    public CassandraSettings withPageSize(int size) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, replication, size);
    }

    /** Keyspace replication, rendered as the CQL map of CREATE KEYSPACE. */
    public record Replication(String cql) {
        private static final Pattern DC = Pattern.compile("[A-Za-z0-9_.-]+");

        public static Replication simple(int factor) {
            if (factor < 1) {
                throw new IllegalArgumentException("replication factor must be positive");
            }
            return new Replication("{'class': 'SimpleStrategy', 'replication_factor': " + factor + "}");
        }

        /** Production: NetworkTopologyStrategy with a replication factor per datacenter. */
        public static Replication networkTopology(Map<String, Integer> factorPerDatacenter) {
            if (factorPerDatacenter.isEmpty()) {
                throw new IllegalArgumentException("at least one datacenter");
            }
            String dcs = new TreeMap<>(factorPerDatacenter).entrySet().stream().map(e -> {
                if (!DC.matcher(e.getKey()).matches() || e.getValue() < 1) {
                    throw new IllegalArgumentException("bad datacenter replication: " + e);
                }
                return "'" + e.getKey() + "': " + e.getValue();
            }).collect(Collectors.joining(", "));
            return new Replication("{'class': 'NetworkTopologyStrategy', " + dcs + "}");
        }
    }
}
