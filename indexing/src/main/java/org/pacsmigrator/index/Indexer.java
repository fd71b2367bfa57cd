package org.pacsmigrator.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.find.CappedResultException;
import org.pacsmigrator.dicom.find.SplittingFinder;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyStore;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.Topics;
import org.pacsmigrator.worker.MigrationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the study database of the old PACS day by day (Study Root C-FIND, STUDY level) in the
 * configured order, through the old PACS's gate on the indexer's own schedule (the {@code index.*} time windows
 * and pause between queries; the PACS's association limit counts its queries with every other role's), and
 * publishes each study for the retriever. A capped day is split ({@link SplittingFinder}). A day
 * is marked DONE only after all its studies are stored and published, so a crash at any point is
 * resumed by re-querying the day; days already DONE are skipped (not re-published). A day whose
 * queries keep failing (refused association, timeout, failure status) after the retries is
 * recorded FAILED with the reason and retried on the next run; the other days go on.
 * Studies without a StudyDate are indexed by a separate pass under the bucket {@link #UNDATED}.
 */
public final class Indexer {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    /** The index_days / studies_by_day bucket of studies without a StudyDate. */
    public static final LocalDate UNDATED = StudyStore.UNDATED;
    /** Return keys requested for every study: what downstream stages and the report need. */
    public static final List<String> RETURN_KEYS = List.of(
            "StudyInstanceUID", "PatientID", "IssuerOfPatientID", "PatientName", "PatientBirthDate", "PatientSex",
            "AccessionNumber", "StudyDate", "StudyTime", "StudyDescription", "ModalitiesInStudy",
            "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances", "SpecificCharacterSet");

    /** What indexing a range achieved. */
    public record Summary(int daysDone, int daysSkipped, int daysFailed, int studiesFound, int studiesNew,
                          int studiesChanged) {
    }

    /** What indexing one day (or the undated bucket) achieved. */
    public record DayOutcome(LocalDate day, IndexDayRecord record, StudyRecorder.Recorded recorded) {
        public boolean done() {
            return record.status() == IndexDayRecord.Status.DONE;
        }
    }

    private final StateStore state;
    private final IndexSettings settings;
    private final Clock clock;
    private final IndexProgress progress;
    private final SplittingFinder finder;
    private final StudyRecorder recorder;
    private volatile boolean stopped;
    /** The indexer's own turns at the old PACS's gate: index windows, pause between queries, the console's pause. */
    private final Schedule turns;

    /**
     * @param source the old PACS's gate; the indexer's queries take its slots on the indexer's own schedule
     *               ({@code settings}' windows and pause, on {@code clock}, waiting with {@code sleeper})
     */
    public Indexer(DicomClient dicom, AssociationGate source, StateStore state, EventPublisher publisher, Topics topics,
                   IndexSettings settings, Clock clock, Sleeper sleeper, IndexProgress progress) {
        this.state = state;
        this.settings = settings;
        this.clock = clock;
        this.progress = progress;
        // serial: one pause between any two queries, whichever thread (loop, REST control query) sends them
        this.turns = Schedule.serial(settings.windows().withClock(clock), settings.pause(), sleeper);
        QueryRunner runner = new QueryRunner(dicom, source, turns, progress, settings.findResultCap(),
                settings.maxAttempts(), settings.retryBackoff());
        this.finder = new SplittingFinder(runner, RETURN_KEYS, settings.split());
        this.recorder = new StudyRecorder(state, publisher, topics);
    }

    /**
     * The indexer of a migration's open context: its config's {@code index.*} settings, the system clock, the
     * process's gate of the old PACS, and no C-FIND while the index stage is paused (the console's pause).
     */
    public static Indexer of(MigrationContext context, IndexProgress progress) {
        Indexer indexer = new Indexer(context.sourceClient(), context.sourceGate(), context.state(), context.publisher(),
                context.topics(), IndexSettings.from(context.config()), Clock.systemUTC(), Sleeper.real(), progress);
        indexer.pauseWhile(context.pauses().of(StageId.INDEX));
        return indexer;
    }

    /** No C-FIND is sent while {@code paused} is true (the console's pause of the index stage). */
    public void pauseWhile(BooleanSupplier paused) {
        turns.holdWhile(paused);
    }

    public IndexSettings settings() {
        return settings;
    }

    public IndexProgress progress() {
        return progress;
    }

    SplittingFinder finder() {
        return finder;
    }

    StudyRecorder recorder() {
        return recorder;
    }

    StateStore state() {
        return state;
    }

    public StateStore stateStore() {
        return state;
    }

    Clock clock() {
        return clock;
    }

    /** Asks a running {@link #indexRange} to stop after the current day. */
    public void stop() {
        stopped = true;
    }

    /** Indexes the configured range (and the undated bucket when configured). */
    public Summary run() throws InterruptedException {
        return index(settings.from(), settings.to(), settings.newestFirst(), settings.undatedStudies());
    }

    /**
     * Indexes every day of the range in the given order, then the undated bucket if configured;
     * failed days are recorded and skipped. Interruption stops it (the current day stays not done).
     */
    public Summary indexRange(LocalDate from, LocalDate to, boolean newestFirst) {
        try {
            return index(from, to, newestFirst, settings.undatedStudies());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("indexing interrupted", e);
        }
    }

    Summary index(LocalDate from, LocalDate to, boolean newestFirst, boolean undated) throws InterruptedException {
        List<LocalDate> days = days(from, to, newestFirst);
        if (undated) {
            days.add(UNDATED);
        }
        long done = 0, failed = 0;
        List<Optional<IndexDayRecord>> known = new ArrayList<>();
        for (LocalDate day : days) {
            Optional<IndexDayRecord> r = state.findIndexDay(day);
            known.add(r);
            done += r.filter(d -> d.status() == IndexDayRecord.Status.DONE).isPresent() ? 1 : 0;
            failed += r.filter(d -> d.status() == IndexDayRecord.Status.FAILED).isPresent() ? 1 : 0;
        }
        progress.plan(days.size(), done, failed);
        int daysDone = 0, skipped = 0, daysFailed = 0, found = 0, fresh = 0, changed = 0;
        for (int i = 0; i < days.size() && !stopped; i++) {
            LocalDate day = days.get(i);
            Optional<IndexDayRecord> before = known.get(i);
            if (before.map(d -> d.status() == IndexDayRecord.Status.DONE).orElse(false)) {
                skipped++;
                continue;
            }
            DayOutcome outcome = indexDay(day, before);
            if (outcome.done()) {
                daysDone++;
                found += outcome.recorded().studies();
                fresh += outcome.recorded().fresh().size();
                changed += outcome.recorded().changed().size();
            } else {
                daysFailed++;
            }
        }
        return new Summary(daysDone, skipped, daysFailed, found, fresh, changed);
    }

    /** Queries one day (or {@link #UNDATED}), stores and publishes its studies, records the day DONE or FAILED. */
    public DayOutcome indexDay(LocalDate day) throws InterruptedException {
        return indexDay(day, state.findIndexDay(day));
    }

    private DayOutcome indexDay(LocalDate day, Optional<IndexDayRecord> before) throws InterruptedException {
        boolean wasFailed = before.map(d -> d.status() == IndexDayRecord.Status.FAILED).orElse(false);
        boolean wasDone = before.map(d -> d.status() == IndexDayRecord.Status.DONE).orElse(false);
        progress.dayStarted(day);
        SplittingFinder.Found found;
        try {
            found = UNDATED.equals(day) ? finder.findUndated() : finder.findDay(day);
        } catch (DicomException | CappedResultException e) {
            String reason = (e instanceof DicomException de ? de.deadLetterCategory() : "capped") + ": " + e.getMessage();
            LOG.warn("index day {} failed: {}", label(day), reason);
            IndexDayRecord failedRecord = new IndexDayRecord(day, IndexDayRecord.Status.FAILED, clock.instant(),
                    before.map(IndexDayRecord::studyCount).orElse(0), before.map(IndexDayRecord::uidSetHash).orElse(null),
                    before.map(IndexDayRecord::split).orElse("none"), reason);
            state.recordIndexDay(failedRecord);
            progress.dayFailed(day, reason, wasFailed);
            return new DayOutcome(day, failedRecord, new StudyRecorder.Recorded(0, List.of(), List.of(), List.of()));
        }
        StudyRecorder.Recorded recorded = recorder.record(day, found.studies().values(), found.patientIdsOfCollisions());
        IndexDayRecord record = new IndexDayRecord(day, IndexDayRecord.Status.DONE, clock.instant(),
                found.studies().size(), hash(new TreeSet<>(found.studies().keySet())), found.split(), null);
        state.recordIndexDay(record);
        progress.studies(recorded.studies(), recorded.fresh().size(), recorded.changed().size());
        progress.dayDone(wasFailed, wasDone);
        LOG.info("indexed {}: {} studies ({} new, {} changed), split {}", label(day), found.studies().size(),
                recorded.fresh().size(), recorded.changed().size(), found.split());
        return new DayOutcome(day, record, recorded);
    }

    static List<LocalDate> days(LocalDate from, LocalDate to, boolean newestFirst) {
        List<LocalDate> days = new ArrayList<>(from.datesUntil(to.plusDays(1)).toList());
        if (newestFirst) {
            Collections.reverse(days);
        }
        return days;
    }

    /** "undated" for the bucket of studies without a StudyDate, else the ISO date. */
    public static String label(LocalDate day) {
        return UNDATED.equals(day) ? "undated" : day.toString();
    }

    /** SHA-256 of the sorted UID set, to detect changes when a day is re-queried. */
    public static String hash(Iterable<String> sortedUids) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String uid : sortedUids) {
                sha.update(uid.getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
