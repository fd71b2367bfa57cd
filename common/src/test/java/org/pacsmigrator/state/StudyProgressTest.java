package org.pacsmigrator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.testsupport.RealServices;

/**
 * The per-day aggregates and the listing by state stay exact across repeated, raced and half-done changes; the study
 * search finds by key.
 */
class StudyProgressTest {
    private static final List<String> DATES = List.of("20240301", "20240302", "20240303", "", "2024-XX");

    private CassandraStateStore store;

    @BeforeEach
    void open() {
        store = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(),
                RealServices.unique("progress_")).withPageSize(7));
    }

    @AfterEach
    void drop() {
        store.dropKeyspace();
        store.close();
    }

    private static StudyRecord study(String uid, String date) {
        return StudyRecord.indexed(uid, "PID-" + uid, null, "Doe^Jane", null, null, "ACC-" + uid, date, null, null, "CT",
                1, 3);
    }

    @Test
    void countsStayExactAcrossRepeatedAndRacedChanges() throws Exception {
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            uids.add("1.2.40." + i);
        }
        StudyState[] path = StudyState.values();
        ExecutorService workers = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                Random random = new Random(w);
                done.add(workers.submit(() -> {
                    for (int n = 0; n < 250; n++) {
                        String uid = uids.get(random.nextInt(uids.size()));
                        // every worker inserts, advances, fails, reopens and reports statuses of the same studies
                        switch (random.nextInt(6)) {
                            case 0 -> store.insertStudyIfAbsent(study(uid, DATES.get(Math.floorMod(uid.hashCode(), DATES.size()))));
                            case 1 -> store.markFailed(uid, random.nextBoolean() ? "a" : "b", "boom");
                            case 2 -> store.reopen(uid);
                            case 3 -> store.saveStudyStatus(new StudyStatus(uid, 3, random.nextInt(4), random.nextInt(4),
                                    0, 0, "sent", "sent", random.nextBoolean(), null, null));
                            default -> {
                                StudyState target = path[1 + random.nextInt(5)];
                                store.transition(uid, target, path);
                            }
                        }
                        if (n % 50 == 0) {
                            store.progress(); // recounts race the changes
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        StudyProgress progress = store.progress();
        assertThat(progress.current()).isTrue();
        assertThat(progress.total()).isEqualTo(scanned());
        assertThat(progress.total().studies()).isPositive();
        assertThat(progress.days().keySet()).contains(StudyStore.UNDATED, StudyStore.UNREADABLE_DATE);
        assertThat(store.countStudiesByState()).isEqualTo(scanned().byState());
        // the listing by state, kept beside the raced changes and refiled by the recounts, lists each study once, right
        for (StudyState state : StudyState.values()) {
            assertThat(listed(state, 5)).as(state.name()).containsExactlyInAnyOrderElementsOf(scannedUids(state));
        }
    }

    @Test
    void aHalfDoneChangeIsCountedAndRepairRecountsWhatNoStampMarked() {
        store.insertStudyIfAbsent(study("1.2.41.1", "20240305"));
        store.insertStudyIfAbsent(study("1.2.41.2", "20240305"));
        LocalDate day = LocalDate.of(2024, 3, 5);
        assertThat(store.progress().total().count(StudyState.INDEXED)).isEqualTo(2);
        settle(day);

        // A change whose first stamp was written and whose process died after the transition, before the second.
        new CassandraProgress(store.session(), store.keyspace(), new CassandraStudyStates(store.session(), store.keyspace()))
                .markChanged(day);
        setState("1.2.41.1", StudyState.RETRIEVING);
        assertThat(store.progress().total().count(StudyState.RETRIEVING)).isEqualTo(1);
        // its listing entry was never moved: the recount refiled it
        assertThat(listed(StudyState.RETRIEVING, 10)).containsExactly("1.2.41.1");
        assertThat(listed(StudyState.INDEXED, 10)).containsExactly("1.2.41.2");
        settle(day);

        // A change made behind the store's back (no stamp at all): the settled day is not recounted...
        setState("1.2.41.2", StudyState.RETRIEVING);
        assertThat(store.progress().total().count(StudyState.RETRIEVING)).as("no scan").isEqualTo(1);
        // ...until the repair path is asked for.
        store.recountProgress();
        assertThat(store.progress().total()).isEqualTo(scanned());
        assertThat(store.progress().total().count(StudyState.RETRIEVING)).isEqualTo(2);
        assertThat(listed(StudyState.RETRIEVING, 10)).containsExactlyInAnyOrder("1.2.41.1", "1.2.41.2");
        assertThat(listed(StudyState.INDEXED, 10)).isEmpty();
    }

    @Test
    void aDayCountedSinceItsLastStampIsTrustedThenCheckedOnceWhenTheStampHasSettled() {
        store.insertStudyIfAbsent(study("1.2.44.1", "20240307"));
        LocalDate day = LocalDate.of(2024, 3, 7);
        assertThat(store.progress().total().count(StudyState.INDEXED)).isEqualTo(1);
        Instant now = Instant.now();
        // counted 20 s ago, after the last stamp (30 s ago): trusted, not recounted
        stamped(day, now.minusSeconds(30), now.minusSeconds(20));
        // a change whose process died after its write, before its second stamp (its first was the one 30 s ago)
        setState("1.2.44.1", StudyState.RETRIEVING);
        StudyProgress trusted = store.progress();
        assertThat(trusted.current()).isTrue();
        assertThat(trusted.total().count(StudyState.RETRIEVING)).as("not recounted").isZero();
        // once that stamp is a settle period old, the day is recounted once more: the change is counted
        stamped(day, now.minus(CassandraProgress.SETTLE).minusSeconds(1), now.minusSeconds(50));
        assertThat(store.progress().total().count(StudyState.RETRIEVING)).isEqualTo(1);
        // and then the day is quiet: a change behind the store's back is no longer seen
        setState("1.2.44.1", StudyState.RETRIEVED);
        assertThat(store.progress().total().count(StudyState.RETRIEVING)).isEqualTo(1);
    }

    @Test
    void anOlderKeyspaceLosesItsStateIndexAndIsListedByStateOnce() {
        for (int i = 0; i < 12; i++) {
            store.insertStudyIfAbsent(study("1.2.43." + i, DATES.get(i % 3)));
            store.transition("1.2.43." + i, i % 2 == 0 ? StudyState.RETRIEVED : StudyState.RETRIEVING, StudyState.INDEXED);
        }
        // the keyspace as the version before left it: a storage-attached index on state, no copies of the states
        store.session().execute(SimpleStatement.newInstance("ALTER TABLE " + store.keyspace() + ".studies_by_day DROP state")
                .setTimeout(Duration.ofSeconds(60)));
        store.session().execute(SimpleStatement.newInstance("CREATE INDEX IF NOT EXISTS studies_state ON "
                + store.keyspace() + ".studies (state) USING 'sai'").setTimeout(Duration.ofSeconds(60)));
        String keyspace = store.keyspace();
        store.close();
        store = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(),
                keyspace).withPageSize(7));
        assertThat(store.session().execute(SimpleStatement.newInstance(
                "SELECT index_name FROM system_schema.indexes WHERE keyspace_name = ?", keyspace)).all()).isEmpty();
        assertThat(listed(StudyState.RETRIEVED, 4)).hasSize(6).containsExactlyInAnyOrderElementsOf(scannedUids(StudyState.RETRIEVED));
        assertThat(listed(StudyState.RETRIEVING, 4)).hasSize(6).containsExactlyInAnyOrderElementsOf(scannedUids(StudyState.RETRIEVING));
    }

    @Test
    void searchFindsByKeyAndPagesThroughAStateAcrossDays() {
        for (int i = 0; i < 30; i++) {
            String uid = "1.2.42." + i;
            store.insertStudyIfAbsent(study(uid, "2024030" + (6 + i % 3)));
            if (i % 2 == 0) {
                store.markFailed(uid, "x", "boom");
            }
        }
        assertThat(store.findStudiesByKey("1.2.42.3", 10)).extracting(StudyRecord::studyInstanceUid).containsExactly("1.2.42.3");
        assertThat(store.findStudiesByKey("ACC-1.2.42.4", 10)).extracting(StudyRecord::studyInstanceUid).containsExactly("1.2.42.4");
        assertThat(store.findStudiesByKey("PID-1.2.42.5", 10)).extracting(StudyRecord::studyInstanceUid).containsExactly("1.2.42.5");
        assertThat(store.findStudiesByKey("1.2.42", 10)).as("exact keys only").isEmpty();

        Set<String> failed = new HashSet<>();
        String page = null;
        int pages = 0;
        do {
            StudyPage p = store.studies(StudyState.FAILED, 4, page);
            assertThat(p.studies()).hasSizeLessThanOrEqualTo(4).allMatch(s -> s.state() == StudyState.FAILED);
            p.studies().forEach(s -> assertThat(failed.add(s.studyInstanceUid())).as("no repeats").isTrue());
            page = p.next();
            pages++;
        } while (page != null);
        assertThat(failed).hasSize(15);
        assertThat(pages).isGreaterThanOrEqualTo(4);
        assertThat(listed(StudyState.INDEXED, 4)).containsExactlyInAnyOrderElementsOf(scannedUids(StudyState.INDEXED)).hasSize(15);
        assertThat(store.studies(null, 100, null).studies()).hasSize(30);
        assertThatThrownBy(() -> store.studies(StudyState.FAILED, 4, "not-a-page")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Every study listed under {@code state}, walking the pages; a study listed twice fails. */
    private List<String> listed(StudyState state, int limit) {
        List<String> uids = new ArrayList<>();
        String page = null;
        do {
            StudyPage p = store.studies(state, limit, page);
            p.studies().forEach(s -> {
                assertThat(s.state()).isEqualTo(state);
                assertThat(uids).as("listed once").doesNotContain(s.studyInstanceUid());
                uids.add(s.studyInstanceUid());
            });
            page = p.next();
        } while (page != null);
        return uids;
    }

    private List<String> scannedUids(StudyState state) {
        List<String> uids = new ArrayList<>();
        store.allStudies().forEach(s -> {
            if (s.state() == state) {
                uids.add(s.studyInstanceUid());
            }
        });
        return uids;
    }

    /** The oracle: every study row and status read one by one (the full scan the aggregates replace). */
    private StudyCounts scanned() {
        StudyCounts.Tally tally = new StudyCounts.Tally();
        for (StudyRecord s : store.allStudies()) {
            tally.addStudy(s.state(), s.failureCategory(), store.findStudyStatus(s.studyInstanceUid()).orElse(null));
        }
        return tally.counts();
    }

    /** Makes the day's last change and count look long past, as if it had been quiet for minutes. */
    private void settle(LocalDate day) {
        Instant past = Instant.now().minus(10, ChronoUnit.MINUTES);
        store.session().execute(SimpleStatement.newInstance("UPDATE " + store.keyspace()
                + ".day_progress SET changed_at = ?, counted_from = ? WHERE day = ?", past, past.plusSeconds(120), day));
    }

    /** Sets the day's last stamp and last count. */
    private void stamped(LocalDate day, Instant changedAt, Instant countedFrom) {
        store.session().execute(SimpleStatement.newInstance("UPDATE " + store.keyspace()
                + ".day_progress SET changed_at = ?, counted_from = ? WHERE day = ?", changedAt, countedFrom, day));
    }

    /** A transition as the store would apply it, without the store's stamps (a crash, or a write behind its back). */
    private void setState(String uid, StudyState state) {
        store.session().execute(SimpleStatement.newInstance("UPDATE " + store.keyspace()
                + ".studies SET state = ? WHERE study_uid = ? IF EXISTS", state.name(), uid));
    }
}
