package org.pacsmigrator.forward;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.Topics;

/**
 * Benchmark (not a test): CPU per image of the forwarder's patient check before a study is sent
 * ({@code Forwarder.findPatientConflicts}, called directly), on rows without patient attributes (each cached image's
 * header is read, as before they were recorded) and on rows with them (as the retriever now records them). Thread
 * CPU time of the calling thread (ThreadMXBean), the rows fetched outside the measurement; the first rounds warm up.
 *
 * <p>Arguments: studies seriesPerStudy instancesPerSeries rounds (e.g. 10 2 10 7). Run like {@code bench/forward.sh}
 * with this class as the main class.
 */
public final class PatientCheckBenchmark {
    private static final int WARM_UP_ROUNDS = 2;

    private PatientCheckBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int perSeries = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        Path dir = Files.createTempDirectory("patient-check-bench");
        try {
            run(dir, studies, series, perSeries, rounds);
        } finally {
            deleteRecursively(dir); // ~0.5 MB per image
        }
        System.exit(0);
    }

    private static void run(Path dir, int studies, int series, int perSeries, int rounds) throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(13L, studies, LocalDate.of(2022, 2, 2), 3, series,
                perSeries, 5);
        List<SyntheticPacsGenerator.GeneratedStudy> plan = generator.plan().toList();
        Services services = TestServices.get();
        String id = "pc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (CassandraStateStore state = CassandraStateStore.open(services.cassandra().contactPoint(),
                services.cassandra().localDatacenter(), "pacsmig_" + id)) {
            FileSystemCache cache = new FileSystemCache(Files.createDirectories(dir.resolve("cache")));
            List<InstanceRecord> withoutPatient = new ArrayList<>();
            List<InstanceRecord> withPatient = new ArrayList<>();
            for (SyntheticPacsGenerator.GeneratedStudy s : plan) {
                state.insertStudyIfAbsent(StudyRecord.indexed(s.studyInstanceUid(), s.patient().patientId(), "", s.patient().name(),
                        s.patient().birthDate().format(DateTimeFormatter.BASIC_ISO_DATE), s.patient().sex(), s.accessionNumber(),
                        "", "", "", s.modality(), s.series().size(), s.instanceCount()));
                for (Path f : generator.writeStudy(s, Files.createDirectories(dir.resolve("files")))) {
                    DicomFileInfo info = DicomFiles.readInfo(f);
                    PatientAttributes patient = PatientAttributes.of(DicomFiles.readPatientAttributes(f));
                    CachedObject o = cache.put(InstanceCache.keyFor(info.studyInstanceUid(), info.seriesInstanceUid(),
                            info.sopInstanceUid()), f);
                    withoutPatient.add(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(),
                            info.seriesInstanceUid(), info.sopClassUid(), info.transferSyntaxUid(), o.sizeBytes(), o.sha256(),
                            o.key(), Instant.now(), null, null, null));
                    withPatient.add(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(),
                            info.seriesInstanceUid(), info.sopClassUid(), info.transferSyntaxUid(), o.sizeBytes(), o.sha256(),
                            o.key(), Instant.now(), null, null, null, patient));
                }
            }
            KafkaSettings kafka = KafkaSettings.of(services.kafka().bootstrapServers(), id, 1);
            DicomNode node = new DicomNode("UNUSED", "127.0.0.1", 1); // nothing is sent
            AssociationGate gate = new AssociationGate(node, new AssociationLeases(state.session(), state.keyspace(), "bench",
                    Duration.ofSeconds(30)), AdaptiveLimit.of(1, 1), TimeWindows.always(), Duration.ZERO, Duration.ofMinutes(5));
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka)) {
                Forwarder forwarder = new Forwarder(Dicom.client("MIGRATOR", DicomTimeouts.defaults()), node, state, cache,
                        publisher, new Topics(id), 50, Files.createDirectories(dir.resolve("scratch")), RuleSet.EMPTY, CacheCheck.HASH, "OLDPACS",
                        PatientConflictPolicy.STOP, 1, gate, new ForwardMetrics(new SimpleMeterRegistry()),
                        TransferSyntaxConversions.NONE);
                Method check = Forwarder.class.getDeclaredMethod("findPatientConflicts", StudyRecord.class, List.class);
                check.setAccessible(true);
                int images = withoutPatient.size();
                long[] headers = new long[rounds];
                long[] rows = new long[rounds];
                for (int r = 0; r < rounds; r++) {
                    state.recordRetrieved(withoutPatient);
                    headers[r] = cpuOfChecks(forwarder, check, state, plan);
                    state.recordRetrieved(withPatient);
                    rows[r] = cpuOfChecks(forwarder, check, state, plan);
                }
                System.out.printf("%d images in %d studies; CPU per image of findPatientConflicts (µs), rounds after %d warm-up:%n",
                        images, plan.size(), WARM_UP_ROUNDS);
                System.out.printf("| rows | median | min | every round |%n|---|---:|---:|---|%n");
                print("without patient attributes (headers read)", headers, images);
                print("with patient attributes (recorded at receipt)", rows, images);
            } finally {
                state.dropKeyspace();
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** CPU nanoseconds of this thread for the check of every study (its rows read before, outside the measurement). */
    private static long cpuOfChecks(Forwarder forwarder, Method check, CassandraStateStore state,
                                    List<SyntheticPacsGenerator.GeneratedStudy> plan) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = 0;
        for (SyntheticPacsGenerator.GeneratedStudy s : plan) {
            StudyRecord study = state.findStudy(s.studyInstanceUid()).orElseThrow();
            List<InstanceRecord> pending = state.instancesOf(s.studyInstanceUid());
            long start = threads.getCurrentThreadCpuTime();
            PatientConflicts.Findings findings = (PatientConflicts.Findings) check.invoke(forwarder, study, pending);
            cpu += threads.getCurrentThreadCpuTime() - start;
            if (!findings.problems().isEmpty()) {
                throw new IllegalStateException("unexpected patient conflicts in " + s.studyInstanceUid());
            }
        }
        return cpu;
    }

    private static void print(String name, long[] cpu, int images) {
        long[] measured = Arrays.copyOfRange(cpu, Math.min(WARM_UP_ROUNDS, cpu.length - 1), cpu.length);
        long[] sorted = measured.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %.1f | %.1f | %s |%n", name, sorted[sorted.length / 2] / 1e3 / images,
                sorted[0] / 1e3 / images, Arrays.stream(measured).mapToObj(c -> String.format("%.1f", c / 1e3 / images)).toList());
    }
}
