package org.pacsmigrator.state;

import java.time.Instant;
import java.util.Set;

/**
 * A patient whose studies go before the bulk: who asked ({@code source}: "worklist", "list", "now", "api"), when it
 * was first asked and last prioritised, and the studies found for the patient then (by StudyInstanceUID).
 * The PatientID is patient data: shown in the console behind its token, never logged.
 */
public record PriorityPatient(String patientId, String source, Instant requestedAt, Instant prioritisedAt,
                              Set<String> studyInstanceUids) {
    public PriorityPatient {
        studyInstanceUids = studyInstanceUids == null ? Set.of() : Set.copyOf(studyInstanceUids);
    }
}
