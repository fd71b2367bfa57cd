package org.pacsmigrator.forward;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.forward.rules.RuleSetLoader;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * Benchmark (not a test; run by {@code bench/forward.sh}): instances/s and MB/s sent by the
 * migrator's forwarder from the filesystem cache to an Orthanc (SHA-256 check, state rows in
 * Cassandra, Kafka hand-off), without and with a rule set, side by side with DCMTK
 * {@code storescu} of the same files to a freshly emptied Orthanc.
 *
 * <p>Arguments: studies seriesPerStudy instancesPerSeries associations (e.g. 10 2 20 2).
 */
public final class ForwardBenchmark {
    private ForwardBenchmark() {
    }

    private record Run(String name, int instances, long bytes, double seconds) {
        void print() {
            System.out.printf("| %-38s | %9d | %7.1f | %6.2f | %11.1f | %6.1f |%n", name, instances, bytes / 1e6, seconds,
                    instances / seconds, bytes / 1e6 / seconds);
        }
    }

    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int perSeries = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int associations = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path dir = Files.createTempDirectory("forward-bench");
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(11L, studies, LocalDate.of(2022, 2, 2), 1, series,
                perSeries, 3);
        Path files = Files.createDirectories(dir.resolve("files"));
        List<SyntheticPacsGenerator.GeneratedStudy> plan = generator.plan().toList();
        for (SyntheticPacsGenerator.GeneratedStudy s : plan) {
            generator.writeStudy(s, Files.createDirectories(files.resolve(s.studyInstanceUid())));
        }
        long bytes;
        try (var walk = Files.walk(files)) {
            bytes = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        int instances = plan.stream().mapToInt(SyntheticPacsGenerator.GeneratedStudy::instanceCount).sum();
        Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - {name: check, validate: {required: [PatientID, StudyInstanceUID], uidSyntax: true, patientIdMatchesIndex: true}}
                  - {name: domain, patientIdDomain: {prefix: "MIG-", issuer: "NEWDOMAIN"}}
                  - {name: no-private, removePrivateTags: true}
                  - {name: spelling, replace: {attribute: InstitutionName, pattern: "Klinikum Süd", with: "Klinikum Sued"}}
                """);
        List<Run> runs = new ArrayList<>();
        try (OrthancServer pacs = OrthancServer.start("BENCHNEW", dir.resolve("orthanc"), Map.of())) {
            runs.add(forward("migrator forwarder, no rules", plan, files, pacs, dir, RuleSet.EMPTY, associations, bytes, instances));
            pacs.deleteAll();
            runs.add(forward("migrator forwarder, 4 rules", plan, files, pacs, dir, RuleSetLoader.load(dir.resolve("rules.yaml")),
                    associations, bytes, instances));
            pacs.deleteAll();
            runs.add(storescu(files, pacs, bytes, instances));
        }
        System.out.printf("%n| run | instances | MB | s | instances/s | MB/s |%n|---|---:|---:|---:|---:|---:|%n");
        runs.forEach(Run::print);
        System.out.printf("%nratio migrator (no rules) / storescu: %.2f; with rules / storescu: %.2f%n",
                runs.get(2).seconds() / runs.get(0).seconds(), runs.get(2).seconds() / runs.get(1).seconds());
        System.exit(0);
    }

    /** Loads the files into a fresh cache and state store, then forwards every study and times it. */
    private static Run forward(String name, List<SyntheticPacsGenerator.GeneratedStudy> plan, Path files, OrthancServer pacs,
                               Path dir, RuleSet rules, int associations, long bytes, int instances) throws Exception {
        Services services = TestServices.get();
        String id = "fb" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (CassandraStateStore state = CassandraStateStore.open(services.cassandra().contactPoint(),
                services.cassandra().localDatacenter(), "pacsmig_" + id)) {
            KafkaSettings kafka = KafkaSettings.of(services.kafka().bootstrapServers(), id, 1);
            Topics topics = new Topics(id);
            TopicAdmin.ensureTopics(kafka, topics.forwarded());
            FileSystemCache cache = new FileSystemCache(Files.createDirectories(dir.resolve(id + "-cache")));
            for (SyntheticPacsGenerator.GeneratedStudy s : plan) {
                state.insertStudyIfAbsent(StudyRecord.indexed(s.studyInstanceUid(), s.patient().patientId(), "", s.patient().name(),
                        s.patient().birthDate().format(DateTimeFormatter.BASIC_ISO_DATE), s.patient().sex(), s.accessionNumber(),
                        "", "", "", s.modality(), s.series().size(), s.instanceCount()));
                try (var list = Files.list(files.resolve(s.studyInstanceUid()))) {
                    for (Path f : list.toList()) {
                        DicomFileInfo info = DicomFiles.readInfo(f);
                        Path copy = dir.resolve("copy.dcm");
                        Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
                        CachedObject o = cache.put(InstanceCache.keyFor(info.studyInstanceUid(), info.seriesInstanceUid(),
                                info.sopInstanceUid()), copy);
                        state.recordRetrieved(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(),
                                info.seriesInstanceUid(), info.sopClassUid(), info.transferSyntaxUid(), o.sizeBytes(), o.sha256(),
                                o.key(), Instant.now(), null, null, null));
                    }
                }
                state.transition(s.studyInstanceUid(), StudyState.RETRIEVED, StudyState.INDEXED);
            }
            DicomNode node = new DicomNode(pacs.aeTitle(), pacs.host(), pacs.dicomPort());
            AssociationGate gate = new AssociationGate(node, new AssociationLeases(state.session(), state.keyspace(), "bench",
                    Duration.ofSeconds(30)), AdaptiveLimit.of(1, associations), TimeWindows.always(), Duration.ZERO,
                    Duration.ofMinutes(5));
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka)) {
                Forwarder forwarder = new Forwarder(Dicom.client("MIGRATOR", DicomTimeouts.defaults()), node, state, cache,
                        publisher, topics, 50, Files.createDirectories(dir.resolve("scratch")), rules, CacheCheck.HASH, "OLDPACS",
                        PatientConflictPolicy.STOP, associations, gate, new ForwardMetrics(new SimpleMeterRegistry()),
                        TransferSyntaxConversions.NONE);
                long start = System.nanoTime();
                for (SyntheticPacsGenerator.GeneratedStudy s : plan) {
                    forwarder.handle(StudyEvent.of(s.studyInstanceUid(), "bench"));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (pacs.countInstances() != instances) {
                    throw new IllegalStateException(name + ": the PACS holds " + pacs.countInstances() + " of " + instances);
                }
                return new Run(name, instances, bytes, seconds);
            } finally {
                state.dropKeyspace();
            }
        }
    }

    private static Run storescu(Path files, OrthancServer pacs, long bytes, int instances) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("storescu", "-aec", pacs.aeTitle(), "-aet", "STORESCU", "+sd", "+r",
                "-xs", pacs.host(), Integer.toString(pacs.dicomPort()), files.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("storescu failed");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (pacs.countInstances() != instances) {
            throw new IllegalStateException("storescu: the PACS holds " + pacs.countInstances() + " of " + instances);
        }
        return new Run("DCMTK storescu (one association)", instances, bytes, seconds);
    }
}
