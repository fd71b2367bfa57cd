package org.pacsmigrator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingRowsTest {
    private final List<String> writes = new ArrayList<>();
    private boolean storeDown;

    private final PendingRows<Integer> rows = new PendingRows<>(3, (study, batch) -> {
        if (storeDown) {
            throw new StateStoreException("store down", null);
        }
        writes.add(study + batch);
    });

    @Test
    void aStudysRowsAreWrittenOnceTheBatchIsFullAndTheRestWhenFlushed() {
        rows.add("a", 1);
        rows.add("b", 10);
        rows.add("a", 2);
        assertThat(writes).isEmpty();
        rows.add("a", 3);
        assertThat(writes).containsExactly("a[1, 2, 3]");
        rows.add("a", 4);
        rows.flush("a");
        assertThat(writes).containsExactly("a[1, 2, 3]", "a[4]");
        assertThat(rows.size()).isEqualTo(1);
        rows.flushAll();
        assertThat(writes).containsExactly("a[1, 2, 3]", "a[4]", "b[10]");
        rows.flush("a");
        rows.flushAll();
        assertThat(writes).as("nothing left to write").hasSize(3);
    }

    @Test
    void aFailedWriteKeepsItsRowsInOrderForTheNextOne() {
        rows.add("a", 1);
        rows.add("a", 2);
        storeDown = true;
        assertThatThrownBy(() -> rows.add("a", 3)).isInstanceOf(StateStoreException.class);
        assertThatThrownBy(() -> rows.add("a", 4)).isInstanceOf(StateStoreException.class);
        assertThatThrownBy(() -> rows.flushAll()).isInstanceOf(StateStoreException.class);
        assertThat(rows.size()).isEqualTo(4);
        storeDown = false;
        rows.flush("a");
        assertThat(writes).containsExactly("a[1, 2, 3, 4]");
        assertThat(rows.size()).isZero();
    }

    @Test
    void flushAllWritesEveryStudyEvenWhenOneFails() {
        Map<String, List<Integer>> written = new ConcurrentHashMap<>();
        PendingRows<Integer> some = new PendingRows<>(10, (study, batch) -> {
            if (study.equals("bad")) {
                throw new StateStoreException("partition unavailable", null);
            }
            written.put(study, batch);
        });
        some.add("a", 1);
        some.add("bad", 2);
        some.add("c", 3);
        assertThatThrownBy(some::flushAll).hasMessageContaining("partition unavailable");
        assertThat(written).containsOnlyKeys("a", "c");
        assertThat(some.size()).as("the failed study's row is kept").isEqualTo(1);
    }

    @Test
    void rowsAreWrittenAtTheLatestAfterTheMaximumWaitAndOnlyOnce() throws Exception {
        List<String> timed = new CopyOnWriteArrayList<>();
        PendingRows<Integer> bounded = new PendingRows<>(3, Duration.ofMillis(200),
                (study, batch) -> timed.add(study + batch));
        bounded.add("a", 1);
        bounded.add("a", 2);
        bounded.add("a", 3); // full: written now, its timer finds nothing to do
        bounded.add("a", 4);
        bounded.add("b", 5);
        assertThat(timed).containsExactly("a[1, 2, 3]");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (timed.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(timed).containsExactlyInAnyOrder("a[1, 2, 3]", "a[4]", "b[5]");
        assertThat(bounded.size()).isZero();
        Thread.sleep(400);
        assertThat(timed).as("no row written twice").hasSize(3);
    }

    @Test
    void aTimedWriteThatFailsIsNotRetriedInTheBackground() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        PendingRows<Integer> closedStore = new PendingRows<>(10, Duration.ofMillis(50), (study, batch) -> {
            attempts.incrementAndGet();
            throw new StateStoreException("session closed", null);
        });
        closedStore.add("a", 1);
        Thread.sleep(600);
        assertThat(attempts.get()).as("one timed attempt, no retry loop").isEqualTo(1);
        assertThat(closedStore.size()).as("the row is kept").isEqualTo(1);
    }

    @Test
    void concurrentAddsLoseNoRowAndWriteNoneTwice() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        PendingRows<Integer> shared = new PendingRows<>(16, (study, batch) -> seen.addAll(batch));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int base = t * 1000;
            threads.submit(() -> {
                for (int i = 0; i < 1000; i++) {
                    shared.add("study-" + (i % 3), base + i);
                }
            });
        }
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        shared.flushAll();
        assertThat(seen).hasSize(4000).doesNotHaveDuplicates();
    }
}
