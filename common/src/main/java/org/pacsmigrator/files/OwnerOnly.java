package org.pacsmigrator.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the migration writes holds patient data (names, IDs, images): directories it creates are 0700,
 * files 0600, whatever the process's umask. New ones get their mode as they are created, so no other
 * user ever sees them open; {@link #directory} and {@link #restrict} also tighten ones that exist.
 */
public final class OwnerOnly {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> NEW_DIRECTORY = PosixFilePermissions.asFileAttribute(DIRECTORY);
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> NEW_FILE = PosixFilePermissions.asFileAttribute(FILE);

    private OwnerOnly() {
    }

    /** Creates {@code dir} and its missing parents as 0700; directories that exist stay as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, NEW_DIRECTORY);
    }

    /**
     * A directory of the migration's own (the data directory, its scratch): created like
     * {@link #createDirectories}, and made 0700 if it existed (e.g. created by an earlier version). One that
     * belongs to another user (a volume mounted in a pod) keeps its mode: what is created below it is 0700/0600.
     */
    public static Path directory(Path dir) throws IOException {
        createDirectories(dir);
        if (!Files.getPosixFilePermissions(dir).equals(DIRECTORY)) {
            try {
                Files.setPosixFilePermissions(dir, DIRECTORY);
            } catch (FileSystemException notOwner) {
                LOG.info("{} keeps its mode ({}): what the migrator creates below it is for its user only", dir,
                        notOwner.getReason());
            }
        }
        return dir;
    }

    /** Makes a file someone else created 0600 (e.g. one handed to the cache). */
    public static void restrict(Path file) throws IOException {
        Files.setPosixFilePermissions(file, FILE);
    }

    /** An empty file 0600 at {@code file}, replacing the one there (e.g. a temporary file to write and move into place). */
    public static Path newFile(Path file) throws IOException {
        Files.deleteIfExists(file);
        return Files.createFile(file, NEW_FILE);
    }

    /** Writes {@code text} (UTF-8) into a new 0600 file, replacing the one there. */
    public static Path writeString(Path file, CharSequence text) throws IOException {
        return Files.writeString(newFile(file), text, StandardCharsets.UTF_8);
    }
}
