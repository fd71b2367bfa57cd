package org.pacsmigrator.state;

import java.time.Instant;

/**
 * An instance the storage SCP refused for a study being retrieved: not in the study's manifest, incomplete, or
 * its command and data set differed. Kept on the study for the report and the console (the latest per
 * instance and category).
 */
public record RefusedInstance(String studyInstanceUid, String sopInstanceUid, String category, String detail,
                              String callingAeTitle, int status, Instant refusedAt) {
}
