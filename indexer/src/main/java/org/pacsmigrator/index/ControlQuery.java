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
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control queries: re-query days (with the same splitting, windows and pause as indexing),
 * compare the UID set and every study's NumberOfStudyRelatedInstances with the study database,
 * list new, vanished and changed studies in a {@link ControlReport}, and act: new studies are
 * indexed and published, changed ones updated and published again ("changed"). Vanished studies
 * are only reported (the old PACS may have deleted or merged them; a human decides). The day
 * record is refreshed with the new count and hash. A day never indexed is simply indexed.
 * Catch-up mode is a control query over the last N days up to today.
 */
public final class ControlQuery {
    private static final Logger LOG = LoggerFactory.getLogger(ControlQuery.class);

    private final Indexer indexer;

    public ControlQuery(Indexer indexer) {
        this.indexer = indexer;
    }

    /** Re-queries every day of the range that has a day record (plus the undated bucket when configured). */
    public ControlReport indexedDays(LocalDate from, LocalDate to) throws InterruptedException {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate day : Indexer.days(from, to, indexer.settings().newestFirst())) {
            if (indexer.state().findIndexDay(day).isPresent()) {
                days.add(day);
            }
        }
        if (indexer.settings().undatedStudies() && indexer.state().findIndexDay(Indexer.UNDATED).isPresent()) {
            days.add(Indexer.UNDATED);
        }
        return run(days);
    }

    /** Catch-up: the last {@code n} days up to today (in the windows' time zone), indexed or not. */
    public ControlReport catchUp(int n) throws InterruptedException {
        LocalDate today = LocalDate.ofInstant(indexer.clock().instant(), indexer.settings().windows().zone());
        return run(Indexer.days(today.minusDays(Math.max(1, n) - 1L), today, true));
    }

    /** Re-queries the given days, writes the report into the configured report directory and returns it. */
    public ControlReport run(List<LocalDate> days) throws InterruptedException {
        Instant started = indexer.clock().instant();
        List<ControlReport.DayCheck> checks = new ArrayList<>();
        List<ControlReport.Discrepancy> discrepancies = new ArrayList<>();
        for (LocalDate day : days) {
            checks.add(check(day, discrepancies));
        }
        ControlReport report = new ControlReport(started, indexer.clock().instant(), checks, discrepancies);
        Path file = report.writeTo(indexer.settings().reportDirectory());
        LOG.info("control query of {} days: {} new, {} vanished, {} changed, {} days failed; report {}", days.size(),
                report.count(ControlReport.Kind.NEW), report.count(ControlReport.Kind.VANISHED),
                report.count(ControlReport.Kind.CHANGED), report.failedDays(), file);
        return report;
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
        for (Map.Entry<String, DicomDataset> e : now.entrySet()) {
            if (!indexed.contains(e.getKey())) {
                toRecord.add(e.getValue());
                continue;
            }
            Optional<StudyRecord> known = state.findStudy(e.getKey());
            StudyRecord foundRecord = StudyRecorder.toRecord(e.getValue());
            if (known.isPresent() && (StudyRecorder.grew(known.get(), foundRecord)
                    || found.patientIdsOfCollisions().containsKey(e.getKey()))) {
                toRecord.add(e.getValue());
            }
        }
        Map<String, Integer> indexedInstances = new java.util.HashMap<>();
        for (DicomDataset m : toRecord) {
            String uid = m.get("StudyInstanceUID").trim();
            state.findStudy(uid).ifPresent(s -> indexedInstances.put(uid, s.expectedInstances()));
        }
        StudyRecorder.Recorded recorded = indexer.recorder().record(day, toRecord, found.patientIdsOfCollisions());
        for (DicomDataset m : toRecord) {
            String uid = m.get("StudyInstanceUID").trim();
            Integer foundInstances = StudyRecorder.parseCount(m.get("NumberOfStudyRelatedInstances"));
            if (recorded.fresh().contains(uid) || !indexed.contains(uid) && !indexedInstances.containsKey(uid)) {
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.NEW, uid, null, foundInstances,
                        "indexed, published"));
            } else if (!indexed.contains(uid)) {
                // Known study, newly filed under this day (its StudyDate changed in the old PACS).
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.NEW, uid, indexedInstances.get(uid),
                        foundInstances, recorded.changed().contains(uid) ? "updated, published" : "filed under this day"));
            } else {
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.CHANGED, uid, indexedInstances.get(uid),
                        foundInstances, "updated, published"));
            }
        }
        for (String uid : new TreeSet<>(indexed)) {
            if (!now.containsKey(uid)) {
                Integer had = state.findStudy(uid).map(StudyRecord::expectedInstances).orElse(null);
                out.add(new ControlReport.Discrepancy(label, ControlReport.Kind.VANISHED, uid, had, null, "reported only"));
            }
        }
        state.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.DONE, indexer.clock().instant(), now.size(),
                nowHash, found.split(), null));
        indexer.progress().studies(0, recorded.fresh().size(), recorded.changed().size());
        boolean matches = nowHash.equals(before.get().uidSetHash()) && toRecord.isEmpty();
        return new ControlReport.DayCheck(label, before.get().studyCount(), before.get().uidSetHash(), now.size(), nowHash,
                matches, found.split(), null);
    }
}
