package org.pacsmigrator.verify;

import java.time.Instant;

/**
 * A snapshot of a study's instance counts, published by the verifier to the progress topic (keyed by
 * StudyInstanceUID): expected (manifest), retrieved (in the cache), sent (stored in the new PACS) and,
 * once checked, how many the new PACS listed by C-FIND (-1 = not checked). The latest snapshot wins.
 */
public record ProgressEvent(String studyInstanceUid, int expected, int retrieved, int sent, int cfindConfirmed,
                            Instant at) {
}
