package org.pacsmigrator.forward.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.ChildMain;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * One study of 2,000 full-size images (512×512, 16 bits: ~1 GB) forwarded by STOW-RS by the forwarder service in a
 * JVM of its own with a heap of {@value #HEAP_MB} MiB, requests of {@value #MAX_REQUEST_MB} MB (each larger than that
 * heap), into a real Orthanc with its DICOMweb plugin. The service is the product's (Dropwizard, Kafka consumer,
 * Cassandra state), fed as the retriever leaves a study: in the filesystem cache, RETRIEVED, on the retrieved topic.
 * The heap's peak is read from the child's GC log (heap used before each collection): a forwarder that held the
 * study, a batch or a request would die of OutOfMemoryError instead.
 */
class LargeStudyStowHeapTest {
    private static final int HEAP_MB = 64;
    private static final int MAX_REQUEST_MB = 96;
    private static final int IMAGES = 2000;
    /** Heap used before a collection, from -Xlog:gc: "Pause Young (Normal) (G1 Evacuation Pause) 40M->12M(64M)". */
    private static final Pattern GC_PAUSE = Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @TempDir
    Path dir;

    @Test
    void aGigabyteStudyIsForwardedOnceByAForwarderWithA64MibHeap() throws Exception {
        Services services = TestServices.get();
        String id = "h" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Path data = Files.createDirectories(dir.resolve("data"));
        try (OrthancServer archive = OrthancServer.start("WEBPACS", Files.createDirectories(dir.resolve("archive")), 0, 0, Map.of(),
                OrthancServer.withDicomWeb(Map.of("DicomServerEnabled", false)));
             CassandraStateStore state = CassandraStateStore.open(services.cassandra().contactPoint(),
                     services.cassandra().localDatacenter(), "pacsmig_" + id)) {
            try {
                long started = System.nanoTime();
                SyntheticPacsGenerator.GeneratedStudy study = cachedAsRetrieved(state, new FileSystemCache(data.resolve("cache")));
                long studyBytes = state.instancesOf(study.studyInstanceUid()).stream().mapToLong(InstanceRecord::sizeBytes).sum();
                assertThat(studyBytes).as("the study is many times the forwarder's heap").isGreaterThan(8L * HEAP_MB << 20);
                KafkaSettings kafka = KafkaSettings.of(services.kafka().bootstrapServers(), id, 1);
                Topics topics = new Topics(id);
                TopicAdmin.ensureTopics(kafka, topics.all());
                try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka)) {
                    publisher.publish(topics.retrieved(), StudyEvent.of(study.studyInstanceUid(), "retrieved"));
                }

                Path gcLog = dir.resolve("gc.log");
                Path log = dir.resolve("forwarder.log");
                long prepared = System.nanoTime();
                Process forwarder = startForwarder(serviceYaml(migrationYaml(id, data, archive, services)), gcLog, log);
                try {
                    StudyState end = awaitForwardedOrFailed(state, study.studyInstanceUid(), forwarder);
                    assertThat(forwarder.isAlive()).as("the forwarder runs (exit code %s): %s",
                            forwarder.isAlive() ? "-" : forwarder.exitValue(), tail(log)).isTrue();
                    assertThat(end).as("study state; forwarder log: %s", tail(log)).isEqualTo(StudyState.FORWARDED);
                } finally {
                    stop(forwarder);
                }
                long forwarded = System.nanoTime();

                assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
                assertThat(archive.countInstances()).isEqualTo(IMAGES);
                assertThat(new HashSet<>(archive.sopInstanceUids())).isEqualTo(new HashSet<>(study.sopInstanceUids()));
                assertThat(archive.receivedStores()).as("each instance arrived once").hasSize(IMAGES).doesNotHaveDuplicates();
                assertThat(state.instancesOf(study.studyInstanceUid())).hasSize(IMAGES).allMatch(InstanceRecord::forwarded);

                HeapPeak peak = HeapPeak.of(Files.readAllLines(gcLog));
                System.out.printf("LargeStudyStowHeapTest: %d images, %d MiB forwarded by STOW-RS in requests of up to %d MB;"
                                + " forwarder heap -Xmx%dm, peak used %d MiB (before the largest of %d collections);"
                                + " generated and cached in %d s, forwarded (service start to stop) in %d s%n",
                        IMAGES, studyBytes >> 20, MAX_REQUEST_MB, HEAP_MB, peak.usedMb(), peak.collections(),
                        TimeUnit.NANOSECONDS.toSeconds(prepared - started), TimeUnit.NANOSECONDS.toSeconds(forwarded - prepared));
                assertThat(peak.collections()).as("the images passed through the heap, collected again and again")
                        .isGreaterThan(10);
                assertThat(peak.usedMb()).as("peak heap used, MiB: below one request's bytes and a fraction of the study's")
                        .isLessThan(MAX_REQUEST_MB).isLessThan(studyBytes / 8 >> 20);
            } finally {
                state.dropKeyspace();
            }
        }
    }

    /** The study in the cache with its rows, as the retriever leaves it: RETRIEVED, every instance recorded. */
    private SyntheticPacsGenerator.GeneratedStudy cachedAsRetrieved(CassandraStateStore state, InstanceCache cache) throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(2026, 1, LocalDate.of(2023, 8, 1), 1, 4, IMAGES / 4, 1);
        SyntheticPacsGenerator.GeneratedStudy study = generator.plan().findFirst().orElseThrow();
        assertThat(study.instanceCount()).isEqualTo(IMAGES);
        state.insertStudyIfAbsent(StudyRecord.indexed(study.studyInstanceUid(), study.patient().patientId(), "",
                study.patient().name(), study.patient().birthDate().format(DateTimeFormatter.BASIC_ISO_DATE),
                study.patient().sex(), study.accessionNumber(), "", "", "", study.modality(), study.series().size(),
                study.instanceCount()));
        List<InstanceRecord> rows = new ArrayList<>();
        for (Path file : generator.writeStudy(study, Files.createDirectories(dir.resolve("generated")))) {
            DicomFileInfo info = DicomFiles.readInfo(file);
            CachedObject stored = cache.put(InstanceCache.keyFor(info.studyInstanceUid(), info.seriesInstanceUid(),
                    info.sopInstanceUid()), file);
            rows.add(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(), info.seriesInstanceUid(),
                    info.sopClassUid(), info.transferSyntaxUid(), stored.sizeBytes(), stored.sha256(), stored.key(),
                    Instant.now(), null, null, null));
            if (rows.size() == 100) {
                state.recordRetrieved(rows);
                rows.clear();
            }
        }
        state.recordRetrieved(rows);
        state.transition(study.studyInstanceUid(), StudyState.RETRIEVED, StudyState.INDEXED);
        return study;
    }

    private Path migrationYaml(String id, Path data, OrthancServer archive, Services services) throws IOException {
        return Files.writeString(dir.resolve("migration.yaml"), """
                migrationId: %s
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 104}
                destination: {protocol: dicomweb, aeTitle: WEBPACS, dicomweb: {url: '%s', maxRequestMb: %d}}
                index: {from: 2023-08-01, to: 2023-08-01}
                forward: {batchSize: 500}
                storage: {dataDirectory: %s}
                console: {port: -1}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 1}
                """.formatted(id, archive.dicomWebUrl(), MAX_REQUEST_MB, data.toAbsolutePath(),
                services.kafka().bootstrapServers(), services.cassandra().contactPoint(), services.cassandra().localDatacenter()));
    }

    private Path serviceYaml(Path migrationYaml) throws IOException {
        return Files.writeString(dir.resolve("forwarder.yaml"), """
                migrationConfig: %s
                server:
                  applicationConnectors: [{type: http, port: 0}]
                  adminConnectors: [{type: http, port: 0}]
                  requestLog: {appenders: []}
                logging:
                  level: INFO
                  loggers: {org.apache.kafka: WARN, com.datastax: WARN, org.eclipse.jetty: WARN}
                """.formatted(migrationYaml.toAbsolutePath()));
    }

    /** The forwarder service's own main class in a JVM of its own, as its Deployment runs it (exit on OutOfMemoryError). */
    private static Process startForwarder(Path serviceYaml, Path gcLog, Path log) throws IOException {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx" + HEAP_MB + "m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog.toAbsolutePath(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                ChildMain.class.getName(), Long.toString(ProcessHandle.current().pid()),
                ForwarderApplication.class.getName(), "server", serviceYaml.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TCP_NODELAY", "1");
        return pb.start();
    }

    /** Polls the study's state until the forwarder is done with it (or died); the test's timeout bounds the wait. */
    private static StudyState awaitForwardedOrFailed(CassandraStateStore state, String studyInstanceUid, Process forwarder)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<StudyRecord> study = state.findStudy(studyInstanceUid);
            StudyState now = study.map(StudyRecord::state).orElse(null);
            if (now == StudyState.FORWARDED || now == StudyState.FAILED || !forwarder.isAlive()) {
                return now;
            }
            Thread.sleep(500);
        }
        return state.findStudy(studyInstanceUid).map(StudyRecord::state).orElse(null);
    }

    /** SIGTERM (the service stops gracefully and closes the GC log), SIGKILL if it hangs. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The most heap in use at any collection of a -Xlog:gc log, and how many there were. */
    record HeapPeak(long usedMb, int collections) {
        static HeapPeak of(List<String> gcLog) {
            long peak = 0;
            int collections = 0;
            for (String line : gcLog) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    collections++;
                    peak = Math.max(peak, Long.parseLong(m.group(1)));
                }
            }
            return new HeapPeak(peak, collections);
        }
    }
}
