package org.pacsmigrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.cache.InstanceCaches;
import org.pacsmigrator.cache.S3InstanceCache;

/**
 * The retrieve throttling keys, the cache choice (storage.cache), with the old storage.cacheDirectory, and
 * the forwarder's check of cached objects (forward.cacheCheck).
 */
class RetrieveAndCacheConfigTest {
    private static final String BASE = """
            migrationId: m1
            source: {aeTitle: OLD, host: 127.0.0.1, port: 104}
            destination: {aeTitle: NEW, host: 127.0.0.1, port: 105}
            index: {from: 2024-01-01, to: 2024-01-02}
            """;

    @TempDir
    Path dir;

    private static MigrationConfig load(String extra) {
        return ConfigLoader.validate(ConfigLoader.parse(BASE + extra));
    }

    @Test
    void defaultsAndExplicitRetrieveKeys() {
        MigrationConfig d = load("");
        assertThat(d.retrieve.maxAssociations).isEqualTo(2);
        assertThat(d.retrieve.windows).isEmpty();
        assertThat(d.storage.cache.type).isEqualTo("filesystem");
        MigrationConfig c = load("""
                retrieve: {maxAssociations: 4, minAssociations: 2, leaseTtlSeconds: 20, pauseMillis: 250,
                           windows: ["Mon-Fri 19:00-07:00", "Sat-Sun 00:00-24:00"], timeZone: Europe/Berlin}
                """);
        assertThat(c.retrieve.maxAssociations).isEqualTo(4);
        assertThat(c.retrieve.windows).hasSize(2);
        assertThat(c.retrieve.timeZone).isEqualTo("Europe/Berlin");
    }

    @Test
    void invalidRetrieveKeysAreNamed() {
        assertThatThrownBy(() -> load("retrieve: {maxAssociations: 0}\n")).hasMessageContaining("retrieve.maxAssociations");
        assertThatThrownBy(() -> load("retrieve: {maxAssociations: 2, minAssociations: 3}\n"))
                .hasMessageContaining("retrieve.minAssociations");
        assertThatThrownBy(() -> load("retrieve: {windows: [\"7-19\"]}\n")).hasMessageContaining("retrieve.windows");
        assertThatThrownBy(() -> load("retrieve: {timeZone: Mars/Olympus}\n")).hasMessageContaining("retrieve.timeZone");
        assertThatThrownBy(() -> load("retrieve: {pauseMilis: 5}\n")).hasMessageContaining("retrieve.pauseMilis");
    }

    @Test
    void forwardCacheCheckIsHashByDefaultSizeOnRequestAndNothingElse() {
        assertThat(load("").forward.cacheCheck).isEqualTo("hash");
        assertThat(load("forward: {cacheCheck: size}\n").forward.cacheCheck).isEqualTo("size");
        assertThatThrownBy(() -> load("forward: {cacheCheck: none}\n"))
                .hasMessageContaining("forward.cacheCheck").hasMessageContaining("hash, size").hasMessageContaining("'none'");
    }

    @Test
    void cacheTypeS3NeedsABucketAndUnknownTypesAreRefused() {
        assertThatThrownBy(() -> load("storage: {cache: {type: s3}}\n")).hasMessageContaining("storage.cache.bucket");
        assertThatThrownBy(() -> load("storage: {cache: {type: nfs}}\n")).hasMessageContaining("storage.cache.type");
        assertThatThrownBy(() -> load("storage: {cache: {type: s3, bucket: b, partSizeMb: 1}}\n"))
                .hasMessageContaining("storage.cache.partSizeMb");
        MigrationConfig c = load("storage: {cache: {type: s3, bucket: pacs, endpoint: \"http://127.0.0.1:9000\", prefix: m1/}}\n");
        assertThat(c.storage.cache.bucket).isEqualTo("pacs");
    }

    @Test
    void filesystemCacheDirectoryOldKeyStillWorksAndTheNewOneWins() throws Exception {
        MigrationConfig old = load("storage: {dataDirectory: %s, cacheDirectory: %s}\n".formatted(dir, dir.resolve("old")));
        InstanceCache a = InstanceCaches.open(old.storage);
        assertThat(((FileSystemCache) a).root()).isEqualTo(dir.resolve("old").toRealPath());
        MigrationConfig both = load("storage: {dataDirectory: %s, cacheDirectory: %s, cache: {directory: %s}}\n"
                .formatted(dir, dir.resolve("old"), dir.resolve("new")));
        assertThat(((FileSystemCache) InstanceCaches.open(both.storage)).root()).isEqualTo(dir.resolve("new").toRealPath());
        MigrationConfig none = load("storage: {dataDirectory: %s}\n".formatted(dir));
        assertThat(((FileSystemCache) InstanceCaches.open(none.storage)).root()).isEqualTo(dir.resolve("cache").toRealPath());
        MigrationConfig s3 = load("storage: {cache: {type: s3, bucket: pacs, endpoint: \"http://127.0.0.1:9\", accessKeyId: a, secretAccessKey: b}}\n");
        try (S3InstanceCache c = (S3InstanceCache) InstanceCaches.open(s3.storage)) {
            assertThat(c.settings().bucket()).isEqualTo("pacs");
            assertThat(c.settings().partSizeBytes()).isEqualTo(16L * 1024 * 1024);
        }
    }
}
