package org.pacsmigrator.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 cache against s3proxy, a real S3 server (filesystem blobstore), started in-process. */
class S3InstanceCacheTest {
    @TempDir
    static Path dir;
    private static S3ProxyServer server;
    private static S3InstanceCache cache;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(Files.createDirectories(dir.resolve("blobs")));
        // Small parts so that a 12 MiB object goes up in three parts.
        cache = new S3InstanceCache(server.settings("pacsmig-cache").withPrefix("m1/")
                .withMultipart(10L * 1024 * 1024, 5L * 1024 * 1024));
        cache.createBucketIfAbsent();
        cache.createBucketIfAbsent(); // idempotent
    }

    @AfterAll
    static void stop() throws Exception {
        if (cache != null) {
            cache.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void putStoresSizeAndSha256AndConsumesTheLocalFile() throws Exception {
        Path f = file("a.dcm", 300_000, 1);
        byte[] content = Files.readAllBytes(f);
        CachedObject o = cache.put("1.2.3/1.2.3.4/1.2.3.4.5.dcm", f);
        assertThat(o.sizeBytes()).isEqualTo(300_000);
        assertThat(o.sha256()).isEqualTo(sha256(content));
        assertThat(f).doesNotExist();
        assertThat(cache.exists("1.2.3/1.2.3.4/1.2.3.4.5.dcm")).isTrue();
        assertThat(cache.storedSha256("1.2.3/1.2.3.4/1.2.3.4.5.dcm")).contains(o.sha256());
        try (InputStream in = cache.open("1.2.3/1.2.3.4/1.2.3.4.5.dcm").orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        Path copy = cache.localCopy("1.2.3/1.2.3.4/1.2.3.4.5.dcm", dir.resolve("scratch"));
        assertThat(copy).startsWith(dir.resolve("scratch")).hasBinaryContent(content);
        assertThat(cache.list()).contains("1.2.3/1.2.3.4/1.2.3.4.5.dcm");
    }

    @Test
    void largeObjectsGoUpInPartsAndAreComplete() throws Exception {
        Path f = file("big.dcm", 12 * 1024 * 1024 + 123, 2);
        byte[] content = Files.readAllBytes(f);
        CachedObject o = cache.put("9.9/9.9.1/9.9.1.1.dcm", f);
        assertThat(o.sizeBytes()).isEqualTo(content.length);
        try (InputStream in = cache.open("9.9/9.9.1/9.9.1.1.dcm").orElseThrow()) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(content)).isEqualTo(o.sha256());
        }
    }

    @Test
    void overwriteReplacesAndDeleteRemoves() throws Exception {
        cache.put("5/5/5.dcm", file("x1", 1000, 3));
        Path second = file("x2", 2000, 4);
        byte[] content = Files.readAllBytes(second);
        cache.put("5/5/5.dcm", second);
        try (InputStream in = cache.open("5/5/5.dcm").orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        cache.delete("5/5/5.dcm");
        assertThat(cache.exists("5/5/5.dcm")).isFalse();
        assertThat(cache.open("5/5/5.dcm")).isEmpty();
        assertThatThrownBy(() -> cache.localCopy("5/5/5.dcm", dir.resolve("scratch"))).isInstanceOf(IOException.class);
    }

    @Test
    void aFailedUploadLeavesNothingUnderTheKey() throws Exception {
        // A wrong secret: the store refuses the PUT; the key must stay absent and the local file kept.
        try (S3InstanceCache bad = new S3InstanceCache(S3InstanceCache.Settings.of(server.endpoint(), "pacsmig-cache",
                S3ProxyServer.IDENTITY, "wrong").withPrefix("m1/"))) {
            Path f = file("c.dcm", 5000, 5);
            assertThatThrownBy(() -> bad.put("7/7/7.dcm", f)).isInstanceOf(IOException.class);
            assertThat(f).exists();
        }
        assertThat(cache.exists("7/7/7.dcm")).isFalse();
    }

    @Test
    void invalidKeysAreRefused() {
        assertThatThrownBy(() -> cache.exists("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.exists("/abs")).isInstanceOf(IllegalArgumentException.class);
    }
}
