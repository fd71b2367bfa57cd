package org.pacsmigrator.topics;

import java.time.Instant;

/**
 * The message passed between stages: which study is ready for the next stage, and why
 * (e.g. "new", "changed", "replay"). The state store holds everything else.
 */
public record StudyEvent(String studyInstanceUid, String reason, Instant at) {
    public static StudyEvent of(String studyInstanceUid, String reason) {
        return new StudyEvent(studyInstanceUid, reason, Instant.now());
    }
}
