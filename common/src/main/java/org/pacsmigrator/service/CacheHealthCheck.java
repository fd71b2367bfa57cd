package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pacsmigrator.cache.InstanceCache;

/**
 * Healthy when a small probe object can be written to and deleted from the cache: catches an
 * unmounted volume, a full disk, a wrong S3 endpoint or bucket, expired credentials.
 */
public final class CacheHealthCheck extends HealthCheck {
    private final InstanceCache cache;
    private final Path scratch;
    private final String probeKey;

    public CacheHealthCheck(InstanceCache cache, Path scratch, String workerName) {
        this.cache = cache;
        this.scratch = scratch;
        this.probeKey = "_health/" + workerName.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    protected Result check() {
        Path probe = null;
        try {
            probe = Files.createTempFile(scratch, "health-", ".probe");
            Files.writeString(probe, "probe", StandardCharsets.US_ASCII);
            cache.put(probeKey, probe);
            cache.delete(probeKey);
            return Result.healthy("cache writable");
        } catch (IOException | RuntimeException e) {
            return Result.unhealthy("cache not writable: " + e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover probe in scratch is harmless
                }
            }
        }
    }
}
