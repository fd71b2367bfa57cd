package org.pacsmigrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.CountingProxy;
import org.pacsmigrator.testsupport.RealServices;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.AssociationLeases;

/**
 * A health check polled every second adds no association beyond the PACS's limit: it reports the latest
 * association's outcome, and echoes (through the gate) only when that is stale and a slot is free.
 */
class PacsHealthCheckTest {
    @Test
    void probesReuseTheLatestOutcomeAndNeverExceedTheLimit() throws Exception {
        OrthancServer pacs = TestServices.get().oldPacs();
        DicomClient dicom = Dicom.client("HEALTH", DicomTimeouts.defaults());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (CountingProxy proxy = new CountingProxy(pacs.host(), pacs.dicomPort());
             CassandraStateStore store = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(),
                     RealServices.cassandraDatacenter(), RealServices.unique("health_")));
             AssociationLeases leases = new AssociationLeases(store.session(), store.keyspace(), "w1", Duration.ofSeconds(30))) {
            DicomNode node = new DicomNode(pacs.aeTitle(), "127.0.0.1", proxy.port());
            AssociationGate gate = new AssociationGate(node, leases, AdaptiveLimit.of(1, 1), TimeWindows.always(),
                    Duration.ZERO, Duration.ofSeconds(30));
            PacsHealthCheck check = new PacsHealthCheck(dicom, gate, Duration.ofSeconds(2));

            // Nothing known yet, slot free: one C-ECHO through the gate; the next probes reuse its outcome.
            assertThat(check.execute().isHealthy()).isTrue();
            assertThat(proxy.total()).isEqualTo(1);
            for (int i = 0; i < 5; i++) { // what a readiness probe polled every few hundred ms does
                assertThat(check.execute().isHealthy()).isTrue();
            }
            assertThat(proxy.total()).as("probes within the freshness reuse the latest outcome").isEqualTo(1);

            // The only slot busy with the migration's own association, outcome stale: no association of its own.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> busy = pool.submit(() -> gate.call(() -> {
                dicom.echo(node);
                holding.countDown();
                release.await();
                return null;
            }));
            holding.await();
            int before = proxy.total();
            Thread.sleep(2_100); // the latest outcome is stale now
            assertThat(check.execute().isHealthy()).as("busy is not down").isTrue();
            assertThat(proxy.total()).as("no association while the limit is reached").isEqualTo(before);
            assertThat(proxy.peak()).isEqualTo(1);
            release.countDown();
            busy.get();
            // With the slot free again and the outcome stale, the next probe echoes once more.
            Thread.sleep(2_100);
            int beforeEcho = proxy.total();
            assertThat(check.execute().isHealthy()).isTrue();
            assertThat(proxy.total()).isEqualTo(beforeEcho + 1);
        } finally {
            pool.shutdownNow();
        }
    }

}
