package org.pacsmigrator.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** For tests: what under a directory other users could read, write or enter. */
public final class FileModes {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private FileModes() {
    }

    /** Every file and directory at or below {@code root} with a group or other permission, as "path rwxr-xr-x". */
    public static List<String> notOwnerOnly(Path root) {
        List<String> found = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    check(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    check(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // a server's temporary file, gone while walking
                    }
                    throw e;
                }

                private void check(Path path) {
                    Set<PosixFilePermission> mode = mode(path);
                    if (mode != null && !Files.isSymbolicLink(path) && mode.stream().anyMatch(OTHERS::contains)) {
                        found.add(path + " " + PosixFilePermissions.toString(mode));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** The permissions of {@code path} as "rwx------". */
    public static String of(Path path) {
        return PosixFilePermissions.toString(mode(path));
    }

    private static Set<PosixFilePermission> mode(Path path) {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (NoSuchFileException gone) {
            return null; // removed while walking (a server's temporary file)
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
