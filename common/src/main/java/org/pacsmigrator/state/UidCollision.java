package org.pacsmigrator.state;

import java.time.Instant;
import java.util.Set;

/**
 * One UID the old PACS uses for two different things: a StudyInstanceUID answered under more than one
 * PatientID ({@code sopInstanceUid} empty), or a SOP Instance UID received twice with different content
 * (a known fault of some modalities and of patient merges). The study stops as {@code "UID collision"}
 * ({@code FailureCategory.UID_COLLISION}, whose action is the documented choice); both
 * objects are kept ({@code keptKeys}), nothing is overwritten. {@code patientIds} are patient data: they go
 * to the state store, the report and the console, never to the logs.
 */
public record UidCollision(String studyInstanceUid, String sopInstanceUid, Set<String> patientIds, String detail,
                           Set<String> keptKeys, Instant detectedAt) {
    public boolean studyLevel() {
        return sopInstanceUid == null || sopInstanceUid.isEmpty();
    }
}
