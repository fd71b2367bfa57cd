package org.pacsmigrator.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;
import org.pacsmigrator.files.OwnerOnly;

/**
 * {@link InstanceCache} in a directory. Objects arrive in {@code <root>/.incoming} (same file
 * system), are hashed and synced there, then renamed onto their key atomically: a reader sees the
 * old object or the new one, never a partial file. Keys are relative paths without "." or ".."
 * segments and without segments starting with "." (reserved for the cache's own files).
 */
public final class FileSystemCache implements InstanceCache {
    private final Path root;
    private final Path incoming;

    public FileSystemCache(Path root) throws IOException {
        this.root = OwnerOnly.createDirectories(root).toRealPath();
        this.incoming = OwnerOnly.createDirectories(this.root.resolve(".incoming"));
    }

    @Override
    public boolean isOwnObject(Path file) {
        return file.toAbsolutePath().normalize().startsWith(root.toAbsolutePath().normalize());
    }

    public Path root() {
        return root;
    }

    @Override
    public CachedObject put(String key, Path localFile) throws IOException {
        return put(key, localFile, null);
    }

    /** With {@code knownSha256} the file is synced but not read again. */
    @Override
    public CachedObject put(String key, Path localFile, String knownSha256) throws IOException {
        Path target = pathOf(key);
        Path temp = incoming.resolve(UUID.randomUUID() + ".part");
        try {
            try {
                Files.move(localFile, temp, StandardCopyOption.ATOMIC_MOVE);
                OwnerOnly.restrict(temp); // whoever wrote it, the object is readable by this user only
            } catch (AtomicMoveNotSupportedException e) {
                // Another file system: copy into the cache's own, then drop the source.
                try (OutputStream out = Files.newOutputStream(OwnerOnly.newFile(temp))) {
                    Files.copy(localFile, out);
                }
                Files.delete(localFile);
            }
            CachedObject object = knownSha256 == null ? hashAndSync(key, temp) : sync(key, temp, knownSha256);
            OwnerOnly.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE); // rename(2) replaces atomically
            syncDirectory(target.getParent());
            return object;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<InputStream> open(String key) throws IOException {
        try {
            return Optional.of(Files.newInputStream(pathOf(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The object itself (no copy): callers must not modify or delete it. */
    @Override
    public Path localCopy(String key, Path scratchDirectory) throws IOException {
        Path p = pathOf(key);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(key, null, "not in the cache");
        }
        return p;
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(pathOf(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    private Path pathOf(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid cache key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                throw new IllegalArgumentException("invalid cache key: " + key);
            }
        }
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("cache key escapes the cache: " + key);
        }
        return p;
    }

    private static CachedObject hashAndSync(String key, Path file) throws IOException {
        MessageDigest sha = Sha256.newDigest();
        long size = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            for (int n; (n = ch.read(buf)) >= 0; ) {
                buf.flip();
                sha.update(buf);
                buf.clear();
                size += n;
            }
            ch.force(true); // the state store will claim the object exists: make it durable first
        }
        return new CachedObject(key, size, Sha256.hex(sha));
    }

    private static CachedObject sync(String key, Path file, String sha256) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true); // the state store will claim the object exists: make it durable first
            return new CachedObject(key, ch.size(), sha256);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not supported on every platform; the rename itself is already atomic.
        }
    }
}
