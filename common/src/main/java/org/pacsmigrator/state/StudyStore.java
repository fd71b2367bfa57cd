package org.pacsmigrator.state;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Studies as indexed from the old PACS, their state through the stages, and the source days they are filed under. */
public interface StudyStore {

    /** The day studies without a StudyDate are filed under (the indexer's undated bucket). */
    LocalDate UNDATED = LocalDate.of(1, 1, 1);

    /** The day studies whose StudyDate is not a date are filed under (counted, never compared by a control pass). */
    LocalDate UNREADABLE_DATE = LocalDate.of(1, 1, 2);

    /** Inserts the study if it is not known yet. Returns true when it was new (first seen). */
    boolean insertStudyIfAbsent(StudyRecord study);

    Optional<StudyRecord> findStudy(String studyInstanceUid);

    /**
     * Moves the study to {@code target} if its current state is one of {@code allowedFrom}
     * (a lightweight transaction). Returns true when the transition happened.
     */
    boolean transition(String studyInstanceUid, StudyState target, StudyState... allowedFrom);

    /**
     * Takes a VERIFIED study back to INDEXED (a lightweight transaction) so that the stages take it again: the one
     * deliberate step backwards, for a study that changed in the old PACS after it was migrated (its instances
     * keep their progress, so only what is new is retrieved and sent). Returns true when it was VERIFIED.
     */
    boolean reopen(String studyInstanceUid);

    /** Marks the study FAILED with a category and message (from any state), counting an attempt. */
    void markFailed(String studyInstanceUid, String category, String message);

    /** Marks indexed attributes of a study (DICOM keywords) as unknown: their C-FIND value arrived lossy. */
    void markUnknown(String studyInstanceUid, Set<String> attributes);

    /**
     * Updates what the old PACS reports for a known study (a lightweight transaction, so it keeps
     * the ordering of the study row's other writes). Returns false when the study is unknown.
     */
    boolean updateIndexedCounts(String studyInstanceUid, int expectedSeries, int expectedInstances,
                                String modalitiesInStudy);

    /**
     * Files a study under a source day explicitly (idempotent). {@link #insertStudyIfAbsent} files it
     * under its StudyDate already; this is for studies without one (the indexer's undated bucket).
     */
    void recordStudyOfDay(LocalDate day, String studyInstanceUid);

    /** Study UIDs indexed for a source day. */
    List<String> studiesOfDay(LocalDate day);

    /** Number of studies in each state, from the per-day aggregates ({@link #progress}). */
    default Map<StudyState, Long> countStudiesByState() {
        return progress().total().byState();
    }

    /**
     * Progress totals and per-day counts from aggregates kept per source day: costs one row per day plus a recount of
     * the days changed in the last minute, whatever the number of studies.
     */
    StudyProgress progress();

    /** The days {@link #progress} counts studies under, in order, read without recounting any of them. */
    List<LocalDate> progressDays();

    /** The repair path: every day's aggregate is recounted from the study rows by the next {@link #progress}. */
    void recountProgress();

    /** Studies whose StudyInstanceUID, AccessionNumber or PatientID is {@code key} exactly (indexed lookups). */
    List<StudyRecord> findStudiesByKey(String key, int limit);

    /**
     * A page of at most {@code limit} studies, all ({@code state} null) or in one state (an indexed lookup), starting
     * where {@code page} (a previous page's {@link StudyPage#next}, or null for the first) says.
     *
     * @throws IllegalArgumentException when {@code page} is not a paging state of the same query
     */
    StudyPage studies(StudyState state, int limit, String page);

    /** All studies (streamed from the store page by page): a full scan, for reports and tools, never a periodic path. */
    Iterable<StudyRecord> allStudies();
}
