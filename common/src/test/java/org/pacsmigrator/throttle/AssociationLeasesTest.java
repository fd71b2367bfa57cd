package org.pacsmigrator.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.state.CassandraSettings;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.RealServices;

/** Leases against the real Cassandra: LWT slots, release, expiry of a dead holder's slot. */
class AssociationLeasesTest {
    private static CassandraStateStore store;
    private static AssociationLeases workerA;
    private static AssociationLeases workerB;

    @BeforeAll
    static void open() {
        store = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(),
                RealServices.unique("leasetest_")));
        workerA = new AssociationLeases(store.session(), store.keyspace(), "A", Duration.ofSeconds(2));
        workerB = new AssociationLeases(store.session(), store.keyspace(), "B", Duration.ofSeconds(2));
    }

    @AfterAll
    static void close() {
        workerA.close();
        workerB.close();
        try {
            store.session().execute(SimpleStatement
                    .newInstance("DROP KEYSPACE IF EXISTS " + store.keyspace()).setTimeout(Duration.ofSeconds(60)));
        } finally {
            store.close();
        }
    }

    @Test
    void slotsAreExclusiveAcrossWorkersAndReleased() throws Exception {
        AssociationLeases.Lease a1 = workerA.tryAcquire("PACS1", 2);
        AssociationLeases.Lease b1 = workerB.tryAcquire("PACS1", 2);
        assertThat(a1).isNotNull();
        assertThat(b1).isNotNull();
        assertThat(a1.slot()).isNotEqualTo(b1.slot());
        assertThat(workerA.tryAcquire("PACS1", 2)).isNull();
        assertThat(workerB.tryAcquire("OTHER", 2)).isNotNull().satisfies(AssociationLeases.Lease::close);
        b1.close();
        AssociationLeases.Lease a2 = workerA.acquire("PACS1", 2, Duration.ofSeconds(5));
        assertThat(a2).isNotNull();
        a1.close();
        a2.close();
        assertThat(workerA.holders("PACS1")).isEmpty();
    }

    @Test
    void aSlotGivenBackIsReusedWithoutATransactionThenReleasedWhenIdleOrHeldTooLong() throws Exception {
        try (AssociationLeases keeping = new AssociationLeases(store.session(), store.keyspace(), "K", Duration.ofSeconds(10))
                .keepingIdle(Duration.ofMillis(700), Duration.ofSeconds(3))) {
            AssociationLeases.Lease first = keeping.tryAcquire("PACS4", 2);
            List<String> heldFirst = keeping.holders("PACS4");
            first.close();
            first.close(); // idempotent: the slot is given back once
            assertThat(keeping.holders("PACS4")).as("kept, not released").isEqualTo(heldFirst);

            AssociationLeases.Lease again = keeping.tryAcquire("PACS4", 2);
            assertThat(again.slot()).isEqualTo(first.slot());
            assertThat(keeping.holders("PACS4")).as("the same row: no new transaction").isEqualTo(heldFirst);
            first.close(); // a stale handle does not give back the slot its successor holds
            assertThat(keeping.holders("PACS4")).isEqualTo(heldFirst);
            AssociationLeases.Lease otherWorker = workerB.tryAcquire("PACS4", 2);
            assertThat(otherWorker.slot()).isNotEqualTo(again.slot());
            otherWorker.close();
            again.close();

            // Not asked for again within keepIdle: released, another worker takes it.
            await().atMost(5, TimeUnit.SECONDS).until(() -> keeping.holders("PACS4").isEmpty());

            // Held longer than maxReuse in total: given back for real, to be competed for again.
            AssociationLeases.Lease longHeld = keeping.tryAcquire("PACS5", 1);
            Thread.sleep(3200);
            longHeld.close();
            assertThat(keeping.holders("PACS5")).isEmpty();
            AssociationLeases.Lease other = workerB.tryAcquire("PACS5", 1);
            assertThat(other).isNotNull();
            other.close();
        }
    }

    @Test
    void heldLeasesAreRenewedAndACrashedHoldersLeaseExpires() throws Exception {
        AssociationLeases.Lease held = workerA.tryAcquire("PACS2", 1);
        assertThat(held).isNotNull();
        Thread.sleep(3500); // longer than the TTL: renewal keeps it
        assertThat(workerB.tryAcquire("PACS2", 1)).isNull();
        assertThat(held.lost()).isFalse();
        held.abandon(); // the worker dies: no release, no renewal
        long start = System.nanoTime();
        AssociationLeases.Lease taken = workerB.acquire("PACS2", 1, Duration.ofSeconds(10));
        assertThat(taken).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        taken.close();
    }

    @Test
    void manyThreadsOfTwoWorkersNeverHoldMoreThanTheLimit() throws Exception {
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            AssociationLeases leases = t % 2 == 0 ? workerA : workerB;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 4; i++) {
                    try (AssociationLeases.Lease l = leases.acquire("PACS3", 2, Duration.ofSeconds(30))) {
                        assertThat(l).isNotNull();
                        peak.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        Thread.sleep(30);
                        holding.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertThat(peak.get()).isBetween(1, 2);
    }
}
