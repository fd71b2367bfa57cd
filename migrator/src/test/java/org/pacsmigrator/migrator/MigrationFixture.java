package org.pacsmigrator.migrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * The shared data set of the end-to-end tests: 20 studies × 3 series × 5 instances over 7 days in
 * the old PACS (seeded once per service set), and configs that point a migration at the test
 * services.
 */
final class MigrationFixture {
    static final int STUDIES = 20;
    static final int DAYS = 7;
    static final int SERIES = 3;
    static final int INSTANCES = 5;
    static final LocalDate FIRST_DAY = LocalDate.of(2024, 3, 4);
    static final long SEED = 20261128L;
    /** 300 CT/MR images plus the generator's secondary captures (another SOP class) in every third study. */
    static final int TOTAL_INSTANCES = generator().plan().mapToInt(s -> s.instanceCount()).sum();

    private MigrationFixture() {
    }

    static Services services() {
        return TestServices.get();
    }

    static SyntheticPacsGenerator generator() {
        return new SyntheticPacsGenerator(SEED, STUDIES, FIRST_DAY, DAYS, SERIES, INSTANCES, 6);
    }

    /** Seeds the old PACS unless it already holds exactly the generated data set. */
    static synchronized void ensureOldPacsSeeded() throws Exception {
        OrthancServer old = services().oldPacs();
        Set<String> expected = new HashSet<>();
        generator().plan().forEach(s -> expected.addAll(s.sopInstanceUids()));
        if (old.countInstances() == TOTAL_INSTANCES && new HashSet<>(old.sopInstanceUids()).equals(expected)) {
            return;
        }
        old.deleteAll();
        SyntheticSeeding.sendTo(generator(), Dicom.client("GENERATOR", DicomTimeouts.defaults()), node(old), Files.createTempDirectory("seed"));
    }

    static DicomNode node(OrthancServer pacs) {
        return new DicomNode(pacs.aeTitle(), pacs.host(), pacs.dicomPort());
    }

    /** A config for a fresh migration (own keyspace and topics) against the running test services. */
    static MigrationConfig config(String retrieveMethod, Path dataDirectory) {
        return ConfigLoader.validate(ConfigLoader.parse(yaml(retrieveMethod, dataDirectory, services().oldPacs(), FIRST_DAY,
                FIRST_DAY.plusDays(DAYS - 1))));
    }

    /** The YAML of a fresh migration from {@code source} (an old PACS of the test's own) over {@code from..to}. */
    static String yaml(String retrieveMethod, Path dataDirectory, OrthancServer source, LocalDate from, LocalDate to) {
        Services s = services();
        String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return """
                migrationId: %s
                source: {aeTitle: %s, host: %s, port: %d, retrieveMethod: %s}
                destination: {aeTitle: %s, host: %s, port: %d}
                migrator: {aeTitle: %s, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s}
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 3}
                """.formatted(id, source.aeTitle(), source.host(), source.dicomPort(), retrieveMethod,
                s.newPacs().aeTitle(), s.newPacs().host(), s.newPacs().dicomPort(),
                s.migrator().aeTitle(), s.migrator().port(),
                from, to, dataDirectory,
                s.kafka().bootstrapServers(), s.cassandra().contactPoint(), s.cassandra().localDatacenter());
    }

    static Path writeInstance(OrthancServer pacs, String sopInstanceUid, Path dir) throws IOException {
        Path file = dir.resolve(pacs.aeTitle() + "-" + sopInstanceUid + ".dcm");
        Files.write(file, pacs.instanceFile(sopInstanceUid));
        return file;
    }

    static List<String> sorted(List<String> uids) {
        return uids.stream().sorted().toList();
    }
}
