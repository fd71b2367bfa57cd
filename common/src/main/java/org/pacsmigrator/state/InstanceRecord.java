package org.pacsmigrator.state;

import java.time.Instant;

/**
 * One image of a study: what the manifest expects and what each stage achieved.
 * Null fields mean "not yet" (e.g. retrievedAt null = not in the cache).
 */
public record InstanceRecord(
        String studyInstanceUid,
        String sopInstanceUid,
        String seriesInstanceUid,
        String sopClassUid,
        String transferSyntaxUid,
        long sizeBytes,
        String sha256,
        String cacheKey,
        Instant retrievedAt,
        Instant forwardedAt,
        Integer forwardStatus,
        Instant verifiedAt) {

    public boolean retrieved() {
        return retrievedAt != null && cacheKey != null;
    }

    public boolean forwarded() {
        return forwardedAt != null;
    }

    public boolean verified() {
        return verifiedAt != null;
    }
}
