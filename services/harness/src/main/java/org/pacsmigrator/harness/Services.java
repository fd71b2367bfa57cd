package org.pacsmigrator.harness;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.pacsmigrator.harness.OrthancServer.Modality;

/**
 * Everything the product talks to: Kafka, Cassandra, the old PACS and the new PACS (both Orthanc),
 * started under one base directory, or attached to when someone else started them (see
 * {@link #toEnvironment()} and {@link #attach(Map)}).
 */
public final class Services implements AutoCloseable {
    public static final String OLD_PACS_AE = "OLDPACS";
    public static final String NEW_PACS_AE = "NEWPACS";

    public static final String ENV_KAFKA = "PACSMIG_KAFKA";
    public static final String ENV_CASSANDRA = "PACSMIG_CASSANDRA";
    public static final String ENV_CASSANDRA_DC = "PACSMIG_CASSANDRA_DC";
    public static final String ENV_OLD_PACS = "PACSMIG_OLD_PACS";
    public static final String ENV_NEW_PACS = "PACSMIG_NEW_PACS";
    public static final String ENV_OLD_PACS_DIR = "PACSMIG_OLD_PACS_DIR";
    public static final String ENV_NEW_PACS_DIR = "PACSMIG_NEW_PACS_DIR";
    public static final String ENV_MIGRATOR_AE = "PACSMIG_MIGRATOR_AE";
    public static final String ENV_MIGRATOR_PORT = "PACSMIG_MIGRATOR_PORT";
    public static final List<String> ENV_NAMES = List.of(ENV_KAFKA, ENV_CASSANDRA, ENV_CASSANDRA_DC, ENV_OLD_PACS,
            ENV_NEW_PACS, ENV_OLD_PACS_DIR, ENV_NEW_PACS_DIR, ENV_MIGRATOR_AE, ENV_MIGRATOR_PORT);

    /**
     * @param migratorAeTitle the migrator's AE title, known to both PACS
     * @param migratorPort    where the migrator listens (C-MOVE destination, commitment reports); 0 = a free port
     * @param cassandraUnsafeSystem no fsync of Cassandra system tables: faster, for tests only
     */
    public record Options(String migratorAeTitle, int migratorPort, boolean cassandraUnsafeSystem) {
        public static Options defaults() {
            return new Options("MIGRATOR", 0, false);
        }

        public static Options forTests() {
            return new Options("MIGRATOR", 0, true);
        }

        public Options withMigrator(String aeTitle, int port) {
            return new Options(aeTitle, port, cassandraUnsafeSystem);
        }
    }

    private final KafkaBroker kafka;
    private final CassandraNode cassandra;
    private final OrthancServer oldPacs;
    private final OrthancServer newPacs;
    private final Modality migrator;

    private Services(KafkaBroker kafka, CassandraNode cassandra, OrthancServer oldPacs, OrthancServer newPacs,
                     Modality migrator) {
        this.kafka = kafka;
        this.cassandra = cassandra;
        this.oldPacs = oldPacs;
        this.newPacs = newPacs;
        this.migrator = migrator;
    }

    /**
     * Starts all four concurrently in {@code baseDir}/kafka, /cassandra, /old-pacs and /new-pacs. Each PACS
     * knows the migrator and the other PACS as modalities, so the migrator's C-FIND/C-MOVE/C-GET are
     * accepted and C-MOVE can target the migrator (or the new PACS, for a baseline).
     */
    public static Services start(Path baseDir, Options options) {
        Path base = baseDir.toAbsolutePath();
        // the migrator listens later, in the tests: its port is only chosen here (each test binds it itself)
        Modality migrator = new Modality(options.migratorAeTitle(), "127.0.0.1",
                options.migratorPort() == 0 ? Ports.freePort() : options.migratorPort());

        StartTogether starting = new StartTogether();
        CompletableFuture<KafkaBroker> kafka = starting.start(() -> KafkaBroker.start(base.resolve("kafka")));
        CompletableFuture<CassandraNode> cassandra = starting.start(
                () -> CassandraNode.start(base.resolve("cassandra"), options.cassandraUnsafeSystem()));
        CompletableFuture<OrthancServer> old = starting.start(() -> orthanc(base.resolve("old-pacs"), OLD_PACS_AE, migrator));
        CompletableFuture<OrthancServer> fresh = starting.start(() -> orthanc(base.resolve("new-pacs"), NEW_PACS_AE, migrator));
        starting.await();
        // each PACS knows the other under the ports it really got
        old.join().addModality(NEW_PACS_AE, modality(fresh.join()));
        fresh.join().addModality(OLD_PACS_AE, modality(old.join()));
        return new Services(kafka.join(), cassandra.join(), old.join(), fresh.join(), migrator);
    }

    /** Services someone else started, from the variables {@link #toEnvironment()} produces. */
    public static Services attach(Map<String, String> env) {
        List<String> missing = ENV_NAMES.stream().filter(n -> env.get(n) == null || env.get(n).isBlank()).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot attach to the services: missing " + missing);
        }
        return new Services(KafkaBroker.attach(env.get(ENV_KAFKA)),
                CassandraNode.attach(env.get(ENV_CASSANDRA)),
                OrthancServer.attach(env.get(ENV_OLD_PACS), Path.of(env.get(ENV_OLD_PACS_DIR))),
                OrthancServer.attach(env.get(ENV_NEW_PACS), Path.of(env.get(ENV_NEW_PACS_DIR))),
                new Modality(env.get(ENV_MIGRATOR_AE), "127.0.0.1", Integer.parseInt(env.get(ENV_MIGRATOR_PORT))));
    }

    /** The variables that let another process (or {@link #attach(Map)}) use these services. */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ENV_KAFKA, kafka.bootstrapServers());
        env.put(ENV_CASSANDRA, cassandra.contactPoint());
        env.put(ENV_CASSANDRA_DC, cassandra.localDatacenter());
        env.put(ENV_OLD_PACS, oldPacs.address());
        env.put(ENV_NEW_PACS, newPacs.address());
        env.put(ENV_OLD_PACS_DIR, oldPacs.directory().toAbsolutePath().toString());
        env.put(ENV_NEW_PACS_DIR, newPacs.directory().toAbsolutePath().toString());
        env.put(ENV_MIGRATOR_AE, migrator.aeTitle());
        env.put(ENV_MIGRATOR_PORT, Integer.toString(migrator.port()));
        return env;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public CassandraNode cassandra() {
        return cassandra;
    }

    public OrthancServer oldPacs() {
        return oldPacs;
    }

    public OrthancServer newPacs() {
        return newPacs;
    }

    /** The migrator as both PACS know it (AE title, 127.0.0.1, port). */
    public Modality migrator() {
        return migrator;
    }

    /** Stops what this object started (nothing when attached), concurrently. */
    @Override
    public void close() {
        StartTogether.closeAll(kafka, cassandra, oldPacs, newPacs);
    }

    private static OrthancServer orthanc(Path dir, String aeTitle, Modality migrator) {
        return OrthancServer.start(aeTitle, dir, 0, 0, Map.of(migrator.aeTitle(), migrator), Map.of());
    }

    private static Modality modality(OrthancServer pacs) {
        return new Modality(pacs.aeTitle(), pacs.host(), pacs.dicomPort());
    }
}
