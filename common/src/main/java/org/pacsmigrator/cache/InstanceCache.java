package org.pacsmigrator.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Object storage for received instances, shared by all workers (filesystem or S3).
 * Writes are atomic: an object is either absent or complete, never half-written.
 */
public interface InstanceCache {

    /** Key under which an instance is stored: stable, so a re-received instance overwrites itself. */
    static String keyFor(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid) {
        return studyInstanceUid + "/" + seriesInstanceUid + "/" + sopInstanceUid + ".dcm";
    }

    /**
     * Where the second of two different objects received under one SOP Instance UID is kept (a UID
     * collision): beside the first, named by its content, so neither replaces the other.
     */
    static String collisionKeyFor(String key, String sha256) {
        String base = key.endsWith(".dcm") ? key.substring(0, key.length() - 4) : key;
        return base + ".collision-" + sha256.substring(0, Math.min(16, sha256.length())) + ".dcm";
    }

    /**
     * Moves (or uploads) a complete local file into the cache under {@code key}, computing its
     * size and SHA-256 while streaming. The source file is consumed (moved or deleted).
     */
    CachedObject put(String key, Path localFile) throws IOException;

    /**
     * {@link #put(String, Path)} of a file whose SHA-256 the caller computed while writing it: a
     * cache that would otherwise read the file again only to hash it may take the caller's.
     */
    default CachedObject put(String key, Path localFile, String knownSha256) throws IOException {
        return put(key, localFile);
    }

    /** Opens the object for streaming; empty when absent. */
    Optional<InputStream> open(String key) throws IOException;

    /**
     * A local file with the object's content, for senders that need a path. For the filesystem
     * cache this is the object itself; remote caches download to {@code scratchDirectory}.
     */
    Path localCopy(String key, Path scratchDirectory) throws IOException;

    /**
     * True when {@code file} (from {@link #localCopy}) is the cache's own object and must not be
     * deleted by the caller; false for a temporary download.
     */
    default boolean isOwnObject(Path file) {
        return false;
    }

    boolean exists(String key) throws IOException;

    void delete(String key) throws IOException;
}
