package org.pacsmigrator.console;

import java.util.List;

/** {@code GET /api/studies/{uid}}: the study, its instance counts, completion and pending dead letters. */
public record StudyDetail(StudyView study, ProgressSnapshot.Instances instances, boolean complete,
                          List<DeadLetterView> deadLetters) {

    public record DeadLetterView(String stage, String category, String message, String failedAt) {
    }
}
