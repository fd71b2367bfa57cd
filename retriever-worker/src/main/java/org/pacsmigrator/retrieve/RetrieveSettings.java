package org.pacsmigrator.retrieve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the retriever pulls studies: C-MOVE to {@code moveDestinationAeTitle} (our storage SCP) or
 * C-GET; attempts per study; how long to wait for C-STOREs that trail the final C-MOVE response.
 */
public record RetrieveSettings(
        boolean useCGet,
        String moveDestinationAeTitle,
        boolean instanceManifest,
        int maxAttempts,
        Duration arrivalGrace,
        Path scratchDirectory) {
}
