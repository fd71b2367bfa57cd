package org.pacsmigrator.topics;

import java.time.Instant;

/**
 * The message passed between stages: which study is ready for the next stage, and why
 * (e.g. "new", "changed", "replay"). The state store holds everything else. A {@code priority} event travels the
 * stages' priority lane ({@link Topics#lane}): each stage takes it before the bulk, and passes it on in the same lane.
 * An {@code anyTime} event (a "migrate now" request with {@code priority.outsideWindows}) may also pass the PACS's
 * time windows ({@link org.pacsmigrator.schedule.Schedule#waivingWindows}), in every stage.
 */
public record StudyEvent(String studyInstanceUid, String reason, Instant at, boolean priority, boolean anyTime) {
    /** A bulk event (records written before priority lanes existed decode as bulk too). */
    public StudyEvent(String studyInstanceUid, String reason, Instant at) {
        this(studyInstanceUid, reason, at, false, false);
    }

    public StudyEvent(String studyInstanceUid, String reason, Instant at, boolean priority) {
        this(studyInstanceUid, reason, at, priority, false);
    }

    public static StudyEvent of(String studyInstanceUid, String reason) {
        return new StudyEvent(studyInstanceUid, reason, Instant.now());
    }

    /** A priority event: the study of a prioritised patient. */
    public static StudyEvent priority(String studyInstanceUid, String reason) {
        return new StudyEvent(studyInstanceUid, reason, Instant.now(), true, false);
    }

    /** A priority event whose stages may work outside the PACS's time windows. */
    public static StudyEvent priorityAnyTime(String studyInstanceUid, String reason) {
        return new StudyEvent(studyInstanceUid, reason, Instant.now(), true, true);
    }

    /** The event for the next stage about the same study, in this event's lane and with its licence. */
    public StudyEvent next(String nextReason) {
        return new StudyEvent(studyInstanceUid, nextReason, Instant.now(), priority, anyTime);
    }
}
