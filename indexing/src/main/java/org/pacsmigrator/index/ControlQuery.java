package org.pacsmigrator.index;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.find.CappedResultException;
import org.pacsmigrator.dicom.find.SplittingFinder;
import org.pacsmigrator.state.ControlPassRecord;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.state.UidCollision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control queries: re-query days (with the same splitting, windows and pause as indexing),
 * compare the UID set and every study's NumberOfStudyRelatedInstances with the study database,
 * list new, vanished and changed studies in a {@link ControlReport}, and act: new studies are
 * indexed and published, changed ones updated, reopened when migrated, and published again
 * ("changed"). A study that changed while the stages are migrating it is left alone (its retrieve
 * may or may not have seen the change): it keeps its old count, so the next pass finds it again.
 * Vanished studies are only reported (the old PACS may have deleted or merged them; a human
 * decides). The day record is refreshed with the new count and hash. A day never indexed is simply
 * indexed. A pass over the indexed days is kept in the state store as the migration's last
 * ({@link ControlPassRecord}); one pass at a time per instance. Catch-up mode is a control query
 * over the last N days up to today.
 */
public final class ControlQuery {
    private static final Logger LOG = LoggerFactory.getLogger(ControlQuery.class);
    private static final Set<StudyState> IN_FLIGHT = Set.of(StudyState.RETRIEVING, StudyState.RETRIEVED,
            StudyState.FORWARDING, StudyState.FORWARDED);

    private final Indexer indexer;
    private final ReentrantLock oneAtATime = new ReentrantLock();

    public ControlQuery(Indexer indexer) {
        this.indexer = indexer;
    }

    /** A pass: its report (also written as JSON) and what was recorded as the migration's last pass. */
    public record Pass(ControlReport report, ControlPassRecord record) {
    }

    /** Re-queries every day of the range that has a day record (plus the undated bucket when configured). */
    public ControlReport indexedDays(LocalDate from, LocalDate to) throws InterruptedException {
        return pass(from, to, "control query").report();
    }

    /**
     * {@link #indexedDays(LocalDate, LocalDate)}, recorded as the migration's last control pass; waits while
     * another pass of this instance runs. {@code trigger} says who asked (shown with the pass).
     */
    public Pass pass(LocalDate from, LocalDate to, String trigger) throws InterruptedException {
        oneAtATime.lockInterruptibly();
        try {
            List<LocalDate> days = new ArrayList<>();
            for (LocalDate day : Indexer.days(from, to, indexer.settings().newestFirst())) {
                if (indexer.state().findIndexDay(day).isPresent()) {
                    days.add(day);
                }
            }
            if (indexer.settings().undatedStudies() && indexer.state().findIndexDay(Indexer.UNDATED).isPresent()) {
                days.add(Indexer.UNDATED);
            }
            Written written = check(days);
            ControlPassRecord record = written.report().toRecord(trigger, from, to, written.file());
            indexer.state().recordControlPass(record);
            return new Pass(written.report(), record);
        } finally {
            oneAtATime.unlock();
        }
    }

    /** True while a pass of this instance runs. */
    public boolean running() {
        return oneAtATime.isLocked();
    }

    /** Catch-up: the last {@code n} days up to today (in the windows' time zone), indexed or not. */
    public ControlReport catchUp(int n) throws InterruptedException {
        LocalDate today = LocalDate.ofInstant(indexer.clock().instant(), indexer.settings().windows().zone());
        return run(Indexer.days(today.minusDays(Math.max(1, n) - 1L), today, true));
    }

    /** Re-queries the given days, writes the report into the configured report directory and returns it. */
    public ControlReport run(List<LocalDate> days) throws InterruptedException {
        return check(days).report();
    }

    private record Written(ControlReport report, Path file) {
    }

    private Written check(List<LocalDate> days) throws InterruptedException {
        Instant started = indexer.clock().instant();
        List<ControlReport.DayCheck> checks = new ArrayList<>();
        List<ControlReport.Discrepancy> discrepancies = new ArrayList<>();
        for (LocalDate day : days) {
            checks.add(check(day, discrepancies));
        }
        ControlReport report = new ControlReport(started, indexer.clock().instant(), checks, discrepancies);
        Path file = report.writeTo(indexer.settings().reportDirectory());
        LOG.info("control query of {} days: {} new, {} vanished, {} changed ({} while being migrated), {} days failed; "
                        + "report {}", days.size(), report.count(ControlReport.Kind.NEW),
                report.count(ControlReport.Kind.VANISHED), report.count(ControlReport.Kind.CHANGED),
                report.count(ControlReport.Kind.CHANGED_IN_FLIGHT), report.failedDays(), file);
        return new Written(report, file);
    }

    private ControlReport.DayCheck check(LocalDate day, List<ControlReport.Discrepancy> out) throws InterruptedException {
        StateStore state = indexer.state();
        Optional<IndexDayRecord> before = state.findIndexDay(day);
        String label = Indexer.label(day);
        Set<String> indexed = new HashSet<>(state.studiesOfDay(day));
        if (before.isEmpty() || before.get().status() != IndexDayRecord.Status.DONE) {
            // Not (completely) indexed yet: index it now; everything found counts as new.
            Indexer.DayOutcome outcome = indexer.indexDay(day);
            if (!outcome.done()) {
                return new ControlReport.DayCheck(label, null, null, 0, null, false, outcome.record().split(),
                        outcome.record().lastError());
            }
            for (String uid : outcome.recorded().fresh()) {
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.NEW, uid, null, null, "indexed, published"));
            }
            for (String uid : outcome.recorded().changed()) {
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.CHANGED, uid, null, null,
                        "updated, published"));
            }
            return new ControlReport.DayCheck(label, before.map(IndexDayRecord::studyCount).orElse(null), null,
                    outcome.record().studyCount(), outcome.record().uidSetHash(), false, outcome.record().split(), null);
        }
        SplittingFinder.Found found;
        try {
            found = Indexer.UNDATED.equals(day) ? indexer.finder().findUndated() : indexer.finder().findDay(day);
        } catch (DicomException | CappedResultException e) {
            String reason = (e instanceof DicomException de ? de.deadLetterCategory() : "capped") + ": " + e.getMessage();
            indexer.progress().error("control " + label + ": " + reason);
            // The day stays DONE: it was complete when indexed; the failed control is in the report.
            return new ControlReport.DayCheck(label, before.get().studyCount(), before.get().uidSetHash(), 0, null,
                    false, null, reason);
        }
        Map<String, DicomDataset> now = found.studies();
        String nowHash = Indexer.hash(new TreeSet<>(now.keySet()));
        List<DicomDataset> toRecord = new ArrayList<>();
        int inFlight = 0;
        for (Map.Entry<String, DicomDataset> e : now.entrySet()) {
            String uid = e.getKey();
            Integer foundInstances = StudyRecorder.parseCount(e.getValue().get("NumberOfStudyRelatedInstances"));
            Optional<StudyRecord> known = state.findStudy(uid);
            if (known.isEmpty()) {
                toRecord.add(e.getValue());
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.NEW, uid, null, foundInstances,
                        "indexed, published"));
            } else if (StudyRecorder.grew(known.get(), StudyRecorder.toRecord(e.getValue()))) {
                Integer had = known.get().expectedInstances();
                if (IN_FLIGHT.contains(known.get().state())) {
                    inFlight++;
                    out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.CHANGED_IN_FLIGHT, uid, had,
                            foundInstances, "being migrated: left as it is for the next control pass"));
                } else {
                    toRecord.add(e.getValue());
                    out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.CHANGED, uid, had, foundInstances,
                            "updated, published"));
                }
            } else if (found.patientIdsOfCollisions().containsKey(uid)
                    && state.collisionsOf(uid).stream().noneMatch(UidCollision::studyLevel)) {
                toRecord.add(e.getValue()); // a new UID collision: recorded, the study stops (unmigrated)
            }
            // A known, unchanged study filed under another day (its StudyDate changed) is migrated as it is.
        }
        if (!toRecord.isEmpty()) {
            // Not DONE while studies are recorded and published: after a crash the next run indexes the day again,
            // which publishes what is still INDEXED.
            IndexDayRecord b = before.get();
            state.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.PENDING, b.queriedAt(), b.studyCount(),
                    b.uidSetHash(), b.split(), null));
            StudyRecorder.Recorded recorded = indexer.recorder().record(day, toRecord, found.patientIdsOfCollisions());
            indexer.progress().studies(0, recorded.fresh().size(), recorded.changed().size());
        }
        for (String uid : new TreeSet<>(indexed)) {
            if (!now.containsKey(uid)) {
                Integer had = state.findStudy(uid).map(StudyRecord::expectedInstances).orElse(null);
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.VANISHED, uid, had, null, "reported only"));
            }
        }
        state.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.DONE, indexer.clock().instant(), now.size(),
                nowHash, found.split(), null));
        boolean matches = nowHash.equals(before.get().uidSetHash()) && toRecord.isEmpty() && inFlight == 0;
        return new ControlReport.DayCheck(label, before.get().studyCount(), before.get().uidSetHash(), now.size(), nowHash,
                matches, found.split(), null);
    }
}
