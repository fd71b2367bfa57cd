package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.report.MigrationReport;
import org.pacsmigrator.service.PacsHealthCheck;
import org.pacsmigrator.testsupport.CountingProxy;
import org.pacsmigrator.worker.MigrationContext;

/**
 * One gate per PACS: with retrievers, forwarders, the verifier's C-FIND, the indexer and its control queries, the
 * report's reconciliation and readiness probes all busy at once, in this process and in a second one (another
 * pod: its own context, the same leases), a counting proxy in front of each PACS never sees more simultaneous
 * associations than that PACS's one limit.
 */
class OneGatePerPacsTest {
    private static final int OLD_LIMIT = 2;
    private static final int NEW_LIMIT = 2;

    @TempDir
    Path dir;

    @Test
    void noPacsSeesMoreAssociationsThanItsLimitWhateverRunsAtOnce() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        OrthancServer oldPacs = MigrationFixture.services().oldPacs();
        OrthancServer newPacs = MigrationFixture.services().newPacs();
        newPacs.deleteAll();
        ExecutorService busy = Executors.newCachedThreadPool();
        AtomicBoolean running = new AtomicBoolean(true);
        try (CountingProxy oldProxy = new CountingProxy(oldPacs.host(), oldPacs.dicomPort());
             CountingProxy newProxy = new CountingProxy(newPacs.host(), newPacs.dicomPort())) {
            MigrationConfig config = MigrationFixture.config("C-MOVE", dir.resolve("data"));
            config.source.host = "127.0.0.1";
            config.source.port = oldProxy.port();
            config.destination.host = "127.0.0.1";
            config.destination.port = newProxy.port();
            config.retrieve.maxAssociations = OLD_LIMIT;
            config.retrieve.concurrency = 3; // more studies at once than the old PACS's limit
            config.forward.maxAssociations = NEW_LIMIT;
            config.forward.concurrency = 3;
            config.forward.associations = 2;
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra);
                 MigrationContext otherPod = MigrationContext.open(config, config.services.kafka,
                         config.services.cassandra, new SimpleMeterRegistry())) {
                List<Future<?>> load = new ArrayList<>();
                AtomicInteger probes = new AtomicInteger();
                AtomicInteger controlPasses = new AtomicInteger();
                for (MigrationContext pod : List.of(runner.context(), otherPod)) {
                    // readiness polled without rest, never reusing an outcome: each probe tries its own C-ECHO
                    for (PacsHealthCheck probe : List.of(
                            new PacsHealthCheck(pod.dicom(), pod.sourceGate(), Duration.ZERO),
                            new PacsHealthCheck(pod.dicom(), pod.destinationGate(), Duration.ZERO))) {
                        load.add(busy.submit(() -> {
                            while (running.get()) {
                                probe.execute();
                                probes.incrementAndGet();
                                Thread.sleep(50);
                            }
                            return null;
                        }));
                    }
                }
                runner.startWorkers();
                assertThat(runner.index().daysFailed()).isZero();
                // while the workers run, the other pod's indexer re-queries the indexed days (control queries)
                ControlQuery control = new ControlQuery(Indexer.of(otherPod, IndexProgress.standalone()));
                load.add(busy.submit(() -> {
                    while (running.get()) {
                        control.indexedDays(config.index.from, config.index.to);
                        controlPasses.incrementAndGet();
                    }
                    return null;
                }));
                MigrationSummary summary = runner.awaitCompletion(Duration.ofMillis(500));
                MigrationReport.Result report = runner.writeReport(dir.resolve("report"));
                running.set(false);
                for (Future<?> f : load) {
                    f.get();
                }

                assertThat(summary.complete()).as("summary %s", summary).isTrue();
                assertThat(summary.studiesVerified()).isEqualTo(MigrationFixture.STUDIES);
                assertThat(report.studiesComplete()).isEqualTo(MigrationFixture.STUDIES);
                assertThat(report.discrepancies()).isEmpty();
                assertThat(probes.get()).isGreaterThan(20);
                assertThat(controlPasses.get()).isPositive();
            }
            assertThat(oldProxy.total()).as("associations to the old PACS").isGreaterThan(2 * MigrationFixture.STUDIES);
            assertThat(newProxy.total()).as("associations to the new PACS").isGreaterThan(2 * MigrationFixture.STUDIES);
            // reached (every role was busy) and never exceeded: without the indexer and the verifier in the gates, 3
            assertThat(oldProxy.peak()).as("simultaneous associations at the old PACS").isEqualTo(OLD_LIMIT);
            assertThat(newProxy.peak()).as("simultaneous associations at the new PACS").isEqualTo(NEW_LIMIT);
        } finally {
            running.set(false);
            busy.shutdownNow();
        }
    }
}
