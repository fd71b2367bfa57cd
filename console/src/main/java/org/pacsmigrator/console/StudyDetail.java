package org.pacsmigrator.console;

import java.util.List;

/**
 * {@code GET /api/studies/{uid}}: the study, its instance counts, completion, pending dead letters and the instances
 * our storage SCP refused while retrieving it (not in the manifest, incomplete, inconsistent), its UID collisions
 * (with the PatientIDs involved: the console is behind its token) and, when it failed, what to do about it.
 */
public record StudyDetail(StudyView study, ProgressSnapshot.Instances instances, boolean complete,
                          List<DeadLetterView> deadLetters, List<RefusedView> refusedInstances,
                          List<CollisionView> collisions, String action) {

    public record CollisionView(String sopInstanceUid, List<String> patientIds, String detail, String detectedAt) {
    }

    public record DeadLetterView(String stage, String category, String message, String failedAt) {
    }

    public record RefusedView(String sopInstanceUid, String category, String detail, String callingAeTitle,
                              String refusedAt) {
    }
}
