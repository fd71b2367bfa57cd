package org.pacsmigrator.state;

import java.time.Instant;

/**
 * Per-study completion as computed by the completion topology (Kafka Streams) from the forwarded,
 * progress and commitment topics: instances expected / retrieved / sent / confirmed (by the
 * configured method) / failed confirmation, and whether the study meets the completion criterion.
 *
 * @param criterion  sent, sent-and-cfind or sent-and-committed
 * @param method     how "confirmed" was established: sent, c-find, storage-commitment
 * @param completedAt when the study first met the criterion (null while incomplete)
 */
public record StudyStatus(String studyInstanceUid, int expected, int retrieved, int sent, int confirmed, int failed,
                          String criterion, String method, boolean complete, Instant completedAt, Instant updatedAt) {
}
