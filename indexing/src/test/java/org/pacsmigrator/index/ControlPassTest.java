package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.topics.StudyEvent;

/**
 * A control pass over indexed days is kept as the migration's last; a migrated study that changed in the old
 * PACS is reopened for the stages, one that changed while being migrated is left for the next pass.
 */
class ControlPassTest {
    private static final LocalDate DAY = LocalDate.of(2023, 8, 1);

    @Test
    void passIsKeptReopensMigratedChangedStudiesAndLeavesThoseInFlightForTheNext() throws Exception {
        try (IndexerFixture world = new IndexerFixture("ctlpass", 0)) {
            SyntheticPacsGenerator original = new SyntheticPacsGenerator(601, 3, DAY, 1, 1, 1, 3).small();
            SyntheticSeeding.sendTo(original, world.client, world.pacs, world.dir.resolve("s"));
            IndexSettings settings = world.settings(DAY, DAY, 0).withUndated(false);
            world.indexer(settings).run();
            List<String> uids = original.plan().map(SyntheticPacsGenerator.GeneratedStudy::studyInstanceUid).toList();
            String migrated = uids.get(0);
            String inFlight = uids.get(1);
            StateStore state = world.state;
            advance(state, migrated, StudyState.VERIFIED);
            advance(state, inFlight, StudyState.RETRIEVING);

            // the old PACS receives: one more image for studies 0 and 1, one study more that day
            SyntheticPacsGenerator grown = new SyntheticPacsGenerator(601, 3, DAY, 1, 1, 2, 3).small();
            for (SyntheticPacsGenerator.GeneratedStudy s : grown.plan().limit(2).toList()) {
                world.client.store(world.pacs, grown.writeStudy(s, world.dir.resolve("g" + s.index())), (f, u, st, d) -> { });
            }
            SyntheticPacsGenerator later = new SyntheticPacsGenerator(602, 1, DAY, 1, 1, 1, 1).small();
            SyntheticSeeding.sendTo(later, world.client, world.pacs, world.dir.resolve("l"));
            String fresh = later.plan().findFirst().orElseThrow().studyInstanceUid();

            ControlQuery control = new ControlQuery(world.indexer(settings));
            ControlQuery.Pass pass = control.pass(DAY, DAY, "test");
            assertThat(pass.report().uids(ControlReport.Kind.NEW)).containsExactly(fresh);
            assertThat(pass.report().uids(ControlReport.Kind.CHANGED)).containsExactly(migrated);
            assertThat(pass.report().uids(ControlReport.Kind.CHANGED_IN_FLIGHT)).containsExactly(inFlight);
            assertThat(state.findStudy(migrated).orElseThrow().state()).as("reopened").isEqualTo(StudyState.INDEXED);
            assertThat(state.findStudy(migrated).orElseThrow().expectedInstances()).isEqualTo(2);
            assertThat(state.findStudy(inFlight).orElseThrow().state()).as("left alone").isEqualTo(StudyState.RETRIEVING);
            assertThat(state.findStudy(inFlight).orElseThrow().expectedInstances()).as("count kept").isEqualTo(1);
            List<StudyEvent> events = world.events();
            assertThat(events).filteredOn(e -> e.reason().equals("changed")).extracting(StudyEvent::studyInstanceUid)
                    .containsExactly(migrated);
            assertThat(events).noneMatch(e -> e.studyInstanceUid().equals(inFlight) && !e.reason().equals("new"));
            assertThat(state.findIndexDay(DAY).orElseThrow().status()).isEqualTo(IndexDayRecord.Status.DONE);
            assertThat(state.findIndexDay(DAY).orElseThrow().studyCount()).isEqualTo(4);

            ControlPassRecord last = state.lastControlPass().orElseThrow();
            assertThat(last).isEqualTo(pass.record());
            assertThat(last.trigger()).isEqualTo("test");
            assertThat(last.daysChecked()).isEqualTo(1);
            assertThat(last.studies(ControlPassRecord.Finding.NEW)).containsExactly(fresh);
            assertThat(last.studies(ControlPassRecord.Finding.CHANGED_IN_FLIGHT)).containsExactly(inFlight);
            assertThat(last.toMigrate()).isEqualTo(3);
            assertThat(last.clean()).isFalse();
            assertThat(last.reportFile()).endsWith(".json");
            // the in-flight change counts as not migrated until a later pass has seen the study finished
            advance(state, migrated, StudyState.VERIFIED);
            advance(state, fresh, StudyState.VERIFIED);
            assertThat(last.unmigrated(state)).isEqualTo(1);

            // once its migration ended, the next pass takes the change of the study that was in flight
            advance(state, inFlight, StudyState.VERIFIED);
            ControlQuery.Pass next = control.pass(DAY, DAY, "test 2");
            assertThat(next.report().uids(ControlReport.Kind.CHANGED)).containsExactly(inFlight);
            assertThat(next.report().count(ControlReport.Kind.NEW)).isZero();
            assertThat(state.findStudy(inFlight).orElseThrow().state()).isEqualTo(StudyState.INDEXED);
            advance(state, inFlight, StudyState.VERIFIED);
            ControlQuery.Pass quiet = control.pass(DAY, DAY, "test 3");
            assertThat(quiet.record().clean()).isTrue();
            assertThat(state.lastControlPass().orElseThrow().trigger()).isEqualTo("test 3");

            // catch-up re-queries too, but is not the migration's pass over its range
            control.catchUp(1);
            assertThat(state.lastControlPass().orElseThrow().trigger()).isEqualTo("test 3");
        }
    }

    /** Moves a study along the success path up to {@code target}, as the stages would. */
    private static void advance(StateStore state, String uid, StudyState target) {
        StudyState[] path = {StudyState.INDEXED, StudyState.RETRIEVING, StudyState.RETRIEVED, StudyState.FORWARDING,
                StudyState.FORWARDED, StudyState.VERIFIED};
        for (int i = 1; i < path.length && !state.findStudy(uid).orElseThrow().state().atLeast(target); i++) {
            state.transition(uid, path[i], path[i - 1]);
        }
    }
}
