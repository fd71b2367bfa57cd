package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.StorageScp;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * Benchmark (not a test; run by {@code bench/retrieve.sh}): retrieve instances/s and MB/s into the
 * filesystem cache with the migrator's retriever (C-GET and C-MOVE, state in Cassandra), side by
 * side with DCMTK {@code getscu}/{@code movescu} of the same studies into a folder, and the peak
 * heap of the worker while retrieving one large study. Source: an Orthanc of its own, seeded with
 * synthetic 512×512 16-bit images.
 *
 * <p>Arguments: studies seriesPerStudy instancesPerSeries largeStudyInstances (e.g. 10 2 20 2000).
 */
public final class RetrieveBenchmark {
    private static final String ME = "BENCHRETR";
    private static final String DCMTK = "BENCHDCMTK";

    private RetrieveBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int perSeries = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int large = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        Path dir = Files.createTempDirectory("retrieve-bench");
        int scpPort = Ports.freePort();
        int dcmtkPort = Ports.freePort();
        SyntheticPacsGenerator gen = new SyntheticPacsGenerator(7L, studies, RetrieverFixture.DAY, 1, series, perSeries, 3);
        SyntheticPacsGenerator big = new SyntheticPacsGenerator(8L, 1, RetrieverFixture.DAY.plusDays(1), 1, 4,
                Math.max(1, large / 4), 1);
        System.out.printf("seeding Orthanc: %d studies × %d × %d instances, plus one study of %d%n", studies, series,
                perSeries, big.plan().findFirst().orElseThrow().instanceCount());
        try (OrthancServer pacs = RetrieverFixture.startOrthanc("BENCHOLD", dir.resolve("orthanc"), Map.of(
                "me", new OrthancServer.Modality(ME, "127.0.0.1", scpPort),
                "dcmtk", new OrthancServer.Modality(DCMTK, "127.0.0.1", dcmtkPort)), gen)) {
            SyntheticSeeding.sendTo(big, Dicom.client("GENERATOR", DicomTimeouts.defaults()), RetrieverFixture.node(pacs),
                    Files.createDirectories(dir.resolve("seed-big")));
            DicomNode source = RetrieverFixture.node(pacs);
            List<String> uids = gen.plan().map(SyntheticPacsGenerator.GeneratedStudy::studyInstanceUid).toList();
            String bigUid = big.plan().findFirst().orElseThrow().studyInstanceUid();
            int bigCount = big.plan().findFirst().orElseThrow().instanceCount();
            int total = gen.plan().mapToInt(SyntheticPacsGenerator.GeneratedStudy::instanceCount).sum();
            List<String> rows = new ArrayList<>();

            for (String method : List.of("C-GET", "C-MOVE")) {
                try (CassandraStateStore state = RetrieverFixture.openState(RetrieverFixture.uniqueId("bench_"))) {
                    RetrieverFixture.index(state, gen);
                    RetrieverFixture.index(state, big);
                    Path cacheDir = dir.resolve("cache-" + method);
                    FileSystemCache cache = new FileSystemCache(cacheDir);
                    RetrieveMetrics metrics = new RetrieveMetrics(new SimpleMeterRegistry());
                    CacheWritingReceiver receiver = new CacheWritingReceiver(cache, state, metrics);
                    boolean cGet = method.equals("C-GET");
                    StorageScp scp = cGet ? null : Dicom.startStorageScp(ME, "127.0.0.1", scpPort, dir.resolve("scp"), receiver);
                    try {
                        Retriever r = new Retriever(Dicom.client(ME, DicomTimeouts.defaults()), source, state, receiver,
                                new RetrieverFixture.RecordingPublisher(), new Topics("bench"),
                                new RetrieveSettings(cGet, ME, true, 3, Duration.ofSeconds(10),
                                        Files.createDirectories(dir.resolve("scratch-" + method))),
                                cache, AssociationGate.unlimited(source, 4), metrics);
                        long t0 = System.nanoTime();
                        for (String uid : uids) {
                            r.handle(StudyEvent.of(uid, "bench"));
                        }
                        double s = (System.nanoTime() - t0) / 1e9;
                        long bytes = (long) metrics.bytesCached();
                        rows.add(row("migrator " + method + " → cache", total, bytes, s));
                        // Large study, heap sampled while it runs.
                        System.gc();
                        HeapSampler sampler = HeapSampler.start();
                        double before = metrics.bytesCached();
                        long t1 = System.nanoTime();
                        r.handle(StudyEvent.of(bigUid, "bench"));
                        double s1 = (System.nanoTime() - t1) / 1e9;
                        long peak = sampler.stop();
                        rows.add(row("migrator " + method + " large study", bigCount, (long) (metrics.bytesCached() - before), s1)
                                + String.format("  peak heap %d MiB (max %d MiB)", peak >> 20,
                                Runtime.getRuntime().maxMemory() >> 20));
                    } finally {
                        if (scp != null) {
                            scp.close();
                        }
                        RetrieverFixture.drop(state);
                    }
                }
            }

            // DCMTK baselines into folders, study by study like the retriever.
            for (String tool : List.of("getscu", "movescu")) {
                Path out = Files.createDirectories(dir.resolve(tool));
                long t0 = System.nanoTime();
                for (String uid : uids) {
                    List<String> cmd = new ArrayList<>(List.of(tool, "-aet", DCMTK, "-aec", pacs.aeTitle(), "-S",
                            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + uid, "-od", out.toString()));
                    if (tool.equals("movescu")) {
                        cmd.addAll(List.of("--port", Integer.toString(dcmtkPort), "-aem", DCMTK));
                    }
                    cmd.addAll(List.of(pacs.host(), Integer.toString(pacs.dicomPort())));
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                            .redirectOutput(dir.resolve(tool + ".log").toFile());
                    pb.environment().put("TCP_NODELAY", "1");
                    Process p = pb.start();
                    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                        throw new IllegalStateException(tool + " failed, see " + dir.resolve(tool + ".log"));
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                long[] counted = countFiles(out);
                rows.add(row("DCMTK " + tool + " → folder", (int) counted[0], counted[1], s));
            }
            System.out.println();
            System.out.printf("%-32s %9s %10s %8s %12s %8s%n", "run", "instances", "MB", "s", "instances/s", "MB/s");
            rows.forEach(System.out::println);
        } finally {
            deleteTree(dir);
        }
        System.exit(0);
    }

    private static String row(String name, int instances, long bytes, double seconds) {
        return String.format("%-32s %9d %10.1f %8.2f %12.1f %8.1f", name, instances, bytes / 1e6, seconds,
                instances / seconds, bytes / 1e6 / seconds);
    }

    private static long[] countFiles(Path dir) throws IOException {
        long n = 0;
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                n++;
                bytes += Files.size(p);
            }
        }
        return new long[] {n, bytes};
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Samples used heap (all heap pools) every 5 ms; reports the maximum. */
    private static final class HeapSampler {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long peak;

        private HeapSampler() {
            thread = new Thread(() -> {
                List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == MemoryType.HEAP).toList();
                while (running) {
                    long used = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
                    peak = Math.max(peak, used);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
        }

        static HeapSampler start() {
            HeapSampler s = new HeapSampler();
            s.thread.start();
            return s;
        }

        long stop() throws InterruptedException {
            running = false;
            thread.join();
            return peak;
        }
    }
}
