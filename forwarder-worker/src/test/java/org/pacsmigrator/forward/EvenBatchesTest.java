package org.pacsmigrator.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EvenBatchesTest {
    private static List<Integer> sizes(int items, int max) {
        List<Integer> list = IntStream.range(0, items).boxed().toList();
        List<List<Integer>> batches = Forwarder.evenBatches(list, max);
        assertThat(batches.stream().flatMap(List::stream).toList()).as("every item once, in order").isEqualTo(list);
        return batches.stream().map(List::size).toList();
    }

    @Test
    void fewestBatchesOfEqualSize() {
        assertThat(sizes(51, 50)).containsExactly(26, 25);
        assertThat(sizes(100, 50)).containsExactly(50, 50);
        assertThat(sizes(101, 50)).containsExactly(34, 34, 33);
        assertThat(sizes(7, 3)).containsExactly(3, 2, 2);
        assertThat(sizes(1, 50)).containsExactly(1);
        assertThat(sizes(0, 50)).isEmpty();
    }
}
