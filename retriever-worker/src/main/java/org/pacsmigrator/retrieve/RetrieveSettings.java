package org.pacsmigrator.retrieve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the retriever pulls studies: C-MOVE to {@code moveDestinationAeTitle} (our storage SCP) or
 * C-GET; attempts per study; how long to wait for C-STOREs that trail the final C-MOVE response;
 * the old PACS's C-FIND result limit for the manifest ({@code findResultCap}, 0 = unknown).
 */
public record RetrieveSettings(
        boolean useCGet,
        String moveDestinationAeTitle,
        boolean instanceManifest,
        int maxAttempts,
        Duration arrivalGrace,
        Path scratchDirectory,
        int findResultCap) {

    /** No C-FIND limit known (a PACS's 0xFE00 is honoured anyway). */
    public RetrieveSettings(boolean useCGet, String moveDestinationAeTitle, boolean instanceManifest, int maxAttempts,
                            Duration arrivalGrace, Path scratchDirectory) {
        this(useCGet, moveDestinationAeTitle, instanceManifest, maxAttempts, arrivalGrace, scratchDirectory, 0);
    }
}
