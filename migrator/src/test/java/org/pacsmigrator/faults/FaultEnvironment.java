package org.pacsmigrator.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.OrthancServer.Modality;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * What the fault scenarios share, once per test JVM: Kafka and Cassandra of {@link TestServices}
 * (attached through the PACSMIG_* variables, never stopped or restarted here), and an old and a new
 * PACS of the suite's own (Orthanc, under {@code target/faults/work}), so that scenarios may stop,
 * restart and empty them without disturbing anybody else's tests. The old PACS holds the end-to-end
 * data set (20 studies × 3 series × 5 CT/MR images over 7 days, plus a Secondary Capture series in
 * every third study: 306 instances); both PACS know the migrator's AE ({@link #MIGRATOR_AE} at
 * {@link #migratorPort()}).
 */
final class FaultEnvironment {
    static final String MIGRATOR_AE = "FAULTMIG";
    static final String OLD_AE = "FOLDPACS";
    static final String NEW_AE = "FNEWPACS";
    static final int STUDIES = 20;
    static final int DAYS = 7;
    static final LocalDate FIRST_DAY = LocalDate.of(2024, 3, 4);
    static final long SEED = 20261128L;
    static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

    private static FaultEnvironment instance;

    private final Services services;
    private final Path base;
    private final int migratorPort;
    private final OrthancServer oldPacs;
    private final OrthancServer newPacs;
    private final List<SyntheticPacsGenerator.GeneratedStudy> plan;

    private FaultEnvironment() throws Exception {
        services = TestServices.get();
        base = Files.createDirectories(resultsDirectory().resolve("work")
                .resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        // below the ephemeral range: the port is bound and released by every scenario in turn, and an outgoing
        // connection of this busy machine could take a port of that range meanwhile
        migratorPort = Ports.freePort();
        plan = generator().plan().toList();
        oldPacs = OrthancServer.start(OLD_AE, base.resolve("old-pacs"), 0, 0, knownPeers(), Map.of());
        newPacs = OrthancServer.start(NEW_AE, base.resolve("new-pacs"), 0, 0, knownPeers(), Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            oldPacs.close();
            newPacs.close();
        }, "fault-pacs-stop"));
        long started = System.nanoTime();
        int sent = SyntheticSeeding.sendTo(generator(), Dicom.client("GENERATOR", DicomTimeouts.defaults()), node(oldPacs),
                Files.createDirectories(base.resolve("seed")));
        System.err.printf("FaultEnvironment: old PACS seeded with %d instances in %d ms (%s)%n", sent,
                (System.nanoTime() - started) / 1_000_000, base);
        if (!new HashSet<>(oldPacs.sopInstanceUids()).equals(allSopInstanceUids())) {
            throw new IllegalStateException("the old PACS does not hold exactly the generated data set");
        }
    }

    static synchronized FaultEnvironment get() {
        if (instance == null) {
            try {
                instance = new FaultEnvironment();
            } catch (Exception e) {
                throw new IllegalStateException("cannot prepare the fault environment: " + e, e);
            }
        }
        return instance;
    }

    /** {@code target/faults} of the module (results table, logs, work directories). */
    static Path resultsDirectory() {
        String configured = System.getProperty("faults.directory");
        Path dir = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.dir"), "target", "faults");
        try {
            return Files.createDirectories(dir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SyntheticPacsGenerator generator() {
        return new SyntheticPacsGenerator(SEED, STUDIES, FIRST_DAY, DAYS, 3, 5, 6);
    }

    Map<String, Modality> knownPeers() {
        Map<String, Modality> peers = new LinkedHashMap<>();
        peers.put(MIGRATOR_AE, migrator());
        return peers;
    }

    Modality migrator() {
        return new Modality(MIGRATOR_AE, "127.0.0.1", migratorPort);
    }

    static DicomNode node(OrthancServer pacs) {
        return new DicomNode(pacs.aeTitle(), pacs.host(), pacs.dicomPort());
    }

    Services services() {
        return services;
    }

    int migratorPort() {
        return migratorPort;
    }

    OrthancServer oldPacs() {
        return oldPacs;
    }

    OrthancServer newPacs() {
        return newPacs;
    }

    List<SyntheticPacsGenerator.GeneratedStudy> plan() {
        return plan;
    }

    Set<String> allSopInstanceUids() {
        Set<String> all = new HashSet<>();
        plan.forEach(s -> all.addAll(s.sopInstanceUids()));
        return all;
    }

    int totalInstances() {
        return plan.stream().mapToInt(SyntheticPacsGenerator.GeneratedStudy::instanceCount).sum();
    }

    /** SOP Instance UIDs of the generated Secondary Capture images (the SOP class a PACS may refuse). */
    Set<String> secondaryCaptureUids() {
        Set<String> uids = new HashSet<>();
        plan.forEach(s -> s.series().stream().filter(se -> SECONDARY_CAPTURE.equals(se.sopClassUid()))
                .forEach(se -> uids.addAll(se.sopInstanceUids())));
        return uids;
    }

    /** A fresh working directory for a scenario. */
    Path scenarioDirectory(String name) {
        try {
            return Files.createDirectories(base.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path base() {
        return base;
    }

    /** A migration id of its own (keyspace pacsmig_<id>, topics <id>.*). */
    static String migrationId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    CassandraStateStore openState(String migrationId) {
        return openState(services.cassandra().contactPoint(), migrationId);
    }

    CassandraStateStore openState(String cassandraContactPoint, String migrationId) {
        return CassandraStateStore.open(cassandraContactPoint, services.cassandra().localDatacenter(),
                "pacsmig_" + migrationId);
    }

    /** A migration config pointing at the suite's PACS and the shared Kafka/Cassandra; adjust before writing. */
    MigrationYaml migrationYaml(String migrationId, Path dataDirectory) {
        return new MigrationYaml(migrationId)
                .set("source", "{aeTitle: %s, host: 127.0.0.1, port: %d, retrieveMethod: C-MOVE}"
                        .formatted(oldPacs.aeTitle(), oldPacs.dicomPort()))
                .set("destination", "{aeTitle: %s, host: 127.0.0.1, port: %d}".formatted(newPacs.aeTitle(), newPacs.dicomPort()))
                .set("migrator", "{aeTitle: %s, bindAddress: 127.0.0.1, port: %d}".formatted(MIGRATOR_AE, migratorPort))
                .set("index", "{from: %s, to: %s}".formatted(FIRST_DAY, FIRST_DAY.plusDays(DAYS - 1)))
                .set("storage", "{dataDirectory: %s}".formatted(dataDirectory.toAbsolutePath()))
                .set("console", "{port: -1}")
                .set("verify", "{commitment: {port: %d}}".formatted(Ports.freePort()))
                .set("services", "{kafka: \"%s\", cassandra: \"%s\", cassandraDatacenter: %s, partitions: 3}".formatted(
                        services.kafka().bootstrapServers(), services.cassandra().contactPoint(),
                        services.cassandra().localDatacenter()));
    }

    /** The classpath of child JVMs: the test run's own (every module's classes, always those under test). */
    static String classpath() {
        String configured = System.getProperty("faults.classpath");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static File workingDirectory() {
        return new File(System.getProperty("user.dir"));
    }

    /** Deletes a directory tree (scenario caches are large; their logs stay). */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }

    /** A migration YAML: one flow mapping per top-level section, replaceable before writing. */
    static final class MigrationYaml {
        private final String migrationId;
        private final Map<String, String> sections = new LinkedHashMap<>();

        MigrationYaml(String migrationId) {
            this.migrationId = migrationId;
        }

        String migrationId() {
            return migrationId;
        }

        MigrationYaml set(String section, String flowMapping) {
            sections.put(section, flowMapping);
            return this;
        }

        String get(String section) {
            return sections.get(section);
        }

        String text() {
            StringBuilder out = new StringBuilder("migrationId: ").append(migrationId).append('\n');
            sections.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
            return out.toString();
        }

        Path write(Path file) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                return Files.writeString(file, text());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
