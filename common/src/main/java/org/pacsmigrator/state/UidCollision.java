package org.pacsmigrator.state;

import java.time.Instant;
import java.util.Set;

/**
 * One UID the old PACS uses for two different things: a StudyInstanceUID answered under more than one
 * PatientID ({@code sopInstanceUid} empty), or a SOP Instance UID received twice with different content
 * (a known fault of some modalities and of patient merges). The study stops under {@link #CATEGORY}; both
 * objects are kept ({@code keptKeys}), nothing is overwritten. {@code patientIds} are patient data: they go
 * to the state store, the report and the console, never to the logs.
 */
public record UidCollision(String studyInstanceUid, String sopInstanceUid, Set<String> patientIds, String detail,
                           Set<String> keptKeys, Instant detectedAt) {
    public static final String CATEGORY = "UID collision";
    /** The documented choice, for the report, the console and the dead letter. */
    public static final String ACTION = "UID collision: the old PACS holds two different objects under one UID. "
            + "Resolve it there (merge the patients if they are one person, otherwise give one study or instance "
            + "new UIDs), then replay --category 'UID collision' (the study is checked again from scratch)";

    public boolean studyLevel() {
        return sopInstanceUid == null || sopInstanceUid.isEmpty();
    }
}
