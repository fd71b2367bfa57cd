package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.index.service.IndexerLoop;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.testsupport.FakeTime;
import org.pacsmigrator.testsupport.SyntheticSeeding;

/**
 * The indexer service's loop with the indexing module's fixture (its test-jar; this package so that
 * the fixture's package-private helpers are reachable): catch-up and scheduled control queries.
 */
class IndexerLoopTest {
    @Test
    void serviceLoopRunsCatchUpAndScheduledControlQueries() throws Exception {
        try (IndexerFixture world = new IndexerFixture("loop", 0)) {
            LocalDate day = LocalDate.of(2023, 12, 1);
            SyntheticSeeding.sendTo(new SyntheticPacsGenerator(801, 2, day, 1, 1, 1, 2), world.client, world.pacs, world.dir.resolve("s"));
            IndexSettings scheduled = new IndexSettings(day, day, true, 0, Duration.ofMinutes(15), List.of("CT", "MR"),
                    TimeWindows.always(), Duration.ZERO, 1, Duration.ZERO, false, "0123456789", 1,
                    Duration.ofMinutes(10), Duration.ofMinutes(20), world.dir.resolve("loop-reports"));
            FakeTime time = new FakeTime(Instant.parse("2023-12-03T08:00:00Z"));
            Indexer indexer = world.indexer(world.client, scheduled, time, time, IndexProgress.standalone());
            IndexerLoop loop = new IndexerLoop(indexer, new ControlQuery(indexer), time, time);
            loop.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    try (var files = Files.list(world.dir.resolve("loop-reports"))) {
                        return files.count() >= 4;
                    } catch (IOException e) {
                        return false;
                    }
                });
            } finally {
                loop.stop();
            }
            assertThat(world.state.findIndexDay(day).orElseThrow().status()).isEqualTo(IndexDayRecord.Status.DONE);
            // catch-up indexed "today" on the fake clock; the scheduled control query re-checked the range
            assertThat(world.state.findIndexDay(LocalDate.of(2023, 12, 3))).isPresent();
            List<ControlReport> reports = new ArrayList<>();
            try (var files = Files.list(world.dir.resolve("loop-reports"))) {
                for (var f : files.sorted().toList()) {
                    reports.add(ControlReport.read(f));
                }
            }
            assertThat(reports).anySatisfy(r -> assertThat(r.days()).extracting(ControlReport.DayCheck::day)
                    .containsExactly("2023-12-01"));
            assertThat(reports).anySatisfy(r -> assertThat(r.days()).extracting(ControlReport.DayCheck::day)
                    .containsExactly("2023-12-03"));
            assertThat(world.events()).hasSize(2);
        }
    }
}
