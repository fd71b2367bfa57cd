package org.pacsmigrator.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.harness.FileModes;

class FileSystemCacheTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(Files.createDirectories(dir.resolve("scratch")).resolve(name), content);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void objectsAndDirectoriesAreForTheOwnerOnlyWhoeverWroteTheSource() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
        Path source = file("b.dcm", random(1000, 2));
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        cache.put(InstanceCache.keyFor("1.2.3", "1.2.3.4", "1.2.3.4.6"), source);
        assertThat(FileModes.of(dir.resolve("cache"))).isEqualTo("rwx------");
        assertThat(FileModes.notOwnerOnly(dir.resolve("cache"))).isEmpty();
    }

    @Test
    void putComputesSizeAndSha256AndConsumesTheSource() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
        byte[] content = random(300_000, 1);
        Path source = file("a.dcm", content);
        String key = InstanceCache.keyFor("1.2.3", "1.2.3.4", "1.2.3.4.5");

        CachedObject stored = cache.put(key, source);
        assertThat(stored.key()).isEqualTo(key);
        assertThat(stored.sizeBytes()).isEqualTo(content.length);
        assertThat(stored.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        assertThat(source).doesNotExist();
        assertThat(cache.exists(key)).isTrue();
        try (InputStream in = cache.open(key).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(Files.readAllBytes(cache.localCopy(key, dir))).isEqualTo(content);
        try (var incoming = Files.list(cache.root().resolve(".incoming"))) {
            assertThat(incoming).as("no temporary files left").isEmpty();
        }

        cache.delete(key);
        assertThat(cache.exists(key)).isFalse();
        assertThat(cache.open(key)).isEmpty();
        assertThatThrownBy(() -> cache.localCopy(key, dir)).isInstanceOf(NoSuchFileException.class);
        cache.delete(key); // idempotent
    }

    @Test
    void keysThatCouldEscapeTheCacheAreRejected() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
        Path source = file("b.dcm", new byte[] {1});
        for (String bad : List.of("../x.dcm", "a/../../x.dcm", "/etc/passwd", "a//b", "a/./b", "", "a\\..\\b",
                ".incoming/x", "a/b/", "a/..")) {
            assertThatThrownBy(() -> cache.put(bad, source)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cache.open(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(source).exists();
        assertThat(dir.resolve("x.dcm")).doesNotExist();
    }

    @Test
    void overwritingAKeyIsAtomicForReaders() throws Exception {
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
        String key = "s/se/i.dcm";
        byte[] first = random(2_000_000, 2);
        byte[] second = random(2_000_000, 3);
        cache.put(key, file("v1", first));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try (InputStream in = cache.open(key).orElseThrow()) {
                    byte[] read = in.readAllBytes();
                    if (!Arrays.equals(read, first) && !Arrays.equals(read, second)) {
                        torn.set("read " + read.length + " bytes of neither version");
                    }
                } catch (Exception e) {
                    torn.set(e.toString());
                }
            }
        });
        reader.start();
        for (int i = 0; i < 20; i++) {
            cache.put(key, file("v" + i, i % 2 == 0 ? second : first));
        }
        stop.set(true);
        reader.join();
        assertThat(torn.get()).isNull();
        try (InputStream in = cache.open(key).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(first);
        }
    }
}
