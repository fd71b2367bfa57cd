package org.pacsmigrator.state;

import java.time.Instant;
import org.pacsmigrator.dicom.PatientAttributes;

/**
 * One image of a study: what the manifest expects and what each stage achieved.
 * Null fields mean "not yet" (e.g. retrievedAt null = not in the cache); {@code patient} is the cached
 * image's patient attributes as picked at receipt, null when not recorded (e.g. by an older version).
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
        Instant verifiedAt,
        PatientAttributes patient) {

    /** Without patient attributes. */
    public InstanceRecord(String studyInstanceUid, String sopInstanceUid, String seriesInstanceUid, String sopClassUid,
                          String transferSyntaxUid, long sizeBytes, String sha256, String cacheKey, Instant retrievedAt,
                          Instant forwardedAt, Integer forwardStatus, Instant verifiedAt) {
        this(studyInstanceUid, sopInstanceUid, seriesInstanceUid, sopClassUid, transferSyntaxUid, sizeBytes, sha256,
                cacheKey, retrievedAt, forwardedAt, forwardStatus, verifiedAt, null);
    }

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
