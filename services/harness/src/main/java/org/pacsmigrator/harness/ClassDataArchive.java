package org.pacsmigrator.harness;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A class-data-sharing archive (AppCDS) per child JVM kind: the classes a Kafka broker or a Cassandra node
 * loads at start-up, mapped from one file instead of read and verified from ~100 jars. Cassandra's node is
 * ready ~1.2 s sooner with it on this machine (4.7 → 3.5 s, 6 → 4 CPU-s).
 *
 * <p>The first start of a kind writes the archive when that JVM exits ({@code -XX:ArchiveClassesAtExit}) to a
 * temporary name, renamed when the process has ended, so a half-written archive is never used; later starts
 * map it ({@code -XX:SharedArchiveFile}). The name holds a hash of the JVM and of the classpath's jars with
 * their sizes and times: another JDK or a rebuilt jar makes a new archive rather than a rejected one. {@code PACSMIG_CDS=off} disables it.
 */
final class ClassDataArchive {
    private static final Duration STALE = Duration.ofMinutes(30);

    private final Path archive;
    private final Path pending;

    private ClassDataArchive(Path archive, Path pending) {
        this.archive = archive;
        this.pending = pending;
    }

    /** The archive of {@code kind} for this JVM and classpath, or null when disabled or its folder cannot be made. */
    static ClassDataArchive of(String kind, String java, String classpath, Path directory) {
        if ("off".equalsIgnoreCase(System.getenv("PACSMIG_CDS"))) {
            return null;
        }
        try {
            Files.createDirectories(directory);
            String key = hash(java + '\n' + Runtime.version() + '\n' + stamps(classpath));
            Path archive = directory.resolve(kind + "-" + key + ".jsa");
            removeStalePending(directory);
            return new ClassDataArchive(archive, directory.resolve(kind + "-" + key + "." + ProcessHandle.current().pid()
                    + "-" + System.nanoTime() + ".jsa.pending"));
        } catch (IOException e) {
            return null; // a read-only tree: start without an archive
        }
    }

    /** Where the archive of this kind, JVM and classpath is (or will be). */
    Path archive() {
        return archive;
    }

    /** The JVM option: map the archive when it exists, else write it at exit. */
    List<String> options() {
        return Files.isReadable(archive)
                ? List.of("-XX:SharedArchiveFile=" + archive)
                : List.of("-XX:ArchiveClassesAtExit=" + pending);
    }

    /**
     * After {@code process} exits: a newly written archive takes its final name (atomically, last writer wins).
     * The returned future completes when that is done (a caller about to exit waits for it).
     */
    CompletableFuture<Void> promoteWhenDone(Process process) {
        if (Files.isReadable(archive)) {
            return CompletableFuture.completedFuture(null);
        }
        return process.onExit().thenRun(() -> {
            try {
                if (Files.size(pending) > 0) {
                    Files.move(pending, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                // no archive written (killed, or a short-lived tool): the next start tries again
            } finally {
                deleteQuietly(pending);
            }
        });
    }

    /** Archives being written by processes that were killed before they could be renamed. */
    private static void removeStalePending(Path directory) throws IOException {
        Instant before = Instant.now().minus(STALE);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.jsa.pending")) {
            for (Path file : files) {
                FileTime modified = Files.getLastModifiedTime(file);
                if (modified.toInstant().isBefore(before)) {
                    deleteQuietly(file);
                }
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left for the stale sweep
        }
    }

    /** Each classpath entry with its size and time: the JVM refuses an archive when a jar changed, so a rebuilt jar means a new one. */
    private static String stamps(String classpath) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            text.append(entry);
            if (Files.isRegularFile(path)) {
                text.append(' ').append(Files.size(path)).append(' ').append(Files.getLastModifiedTime(path).toMillis());
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
