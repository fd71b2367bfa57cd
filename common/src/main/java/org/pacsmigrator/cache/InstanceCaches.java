package org.pacsmigrator.cache;

import java.io.IOException;
import java.nio.file.Path;
import org.pacsmigrator.config.MigrationConfig;

/** Opens the cache chosen by the configuration ({@code storage.cache.type}). */
public final class InstanceCaches {
    private InstanceCaches() {
    }

    /**
     * filesystem: {@code storage.cache.directory}, else the older {@code storage.cacheDirectory},
     * else {@code <dataDirectory>/cache}; s3: the bucket (created first when {@code createBucket}).
     */
    public static InstanceCache open(MigrationConfig.Storage storage) throws IOException {
        MigrationConfig.Cache c = storage.cache == null ? new MigrationConfig.Cache() : storage.cache;
        if ("s3".equals(c.type)) {
            S3InstanceCache s3 = new S3InstanceCache(new S3InstanceCache.Settings(c.endpoint, c.region, c.bucket,
                    c.prefix, c.pathStyle, c.accessKeyId, c.secretAccessKey,
                    c.multipartThresholdMb * 1024L * 1024, c.partSizeMb * 1024L * 1024));
            if (c.createBucket) {
                s3.createBucketIfAbsent();
            }
            return s3;
        }
        String dir = c.directory != null ? c.directory
                : storage.cacheDirectory != null ? storage.cacheDirectory
                : Path.of(storage.dataDirectory).resolve("cache").toString();
        return new FileSystemCache(Path.of(dir)); // creates it for its user only
    }
}
