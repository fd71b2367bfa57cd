package org.pacsmigrator.cache;

/** An object stored in the cache: its key, size in bytes and SHA-256 (hex) of its content. */
public record CachedObject(String key, long sizeBytes, String sha256) {
}
