package org.pacsmigrator.console;

import java.time.Instant;
import java.util.List;

/**
 * A prioritised patient as the console shows it: who asked and when, its studies newest first with their state,
 * and when the last of them was verified (null while one is not). Patient data: behind the console's token.
 */
public record PriorityView(String patientId, String source, Instant requestedAt, List<Study> studies, boolean complete,
                           Instant completedAt) {
    public record Study(String studyInstanceUid, String studyDate, String state) {
    }
}
