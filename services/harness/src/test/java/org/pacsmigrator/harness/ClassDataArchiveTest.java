package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM kind writes its class-data archive on its first run and maps it from then on. */
class ClassDataArchiveTest {
    @TempDir
    Path dir;

    /** A child that only loads a few classes and exits normally. */
    public static final class Trivial {
        public static void main(String[] args) {
            System.out.println(List.of(args).size() + " " + Duration.ofSeconds(1));
        }
    }

    @Test
    void theFirstRunWritesTheArchiveAndLaterRunsMapIt() throws Exception {
        String java = ChildJvm.javaExecutable();
        String classpath = trivialJar().toString();
        Path archives = dir.resolve("cds");
        ClassDataArchive first = ClassDataArchive.of("Trivial", java, classpath, archives);
        assertThat(first.options()).singleElement().asString().startsWith("-XX:ArchiveClassesAtExit=").endsWith(".jsa.pending");

        Process writer = run(first.options(), classpath, dir.resolve("first.log"));
        first.promoteWhenDone(writer);
        assertThat(writer.waitFor()).isZero();
        awaitArchive(archives);

        ClassDataArchive second = ClassDataArchive.of("Trivial", java, classpath, archives);
        assertThat(second.options()).singleElement().asString().startsWith("-XX:SharedArchiveFile=").endsWith(".jsa");
        List<String> mapped = new ArrayList<>(second.options());
        mapped.add("-Xshare:on"); // fails the JVM unless the archive really maps
        Process reader = run(mapped, classpath, dir.resolve("second.log"));
        assertThat(reader.waitFor()).as(Files.readString(dir.resolve("second.log"))).isZero();
        try (Stream<Path> files = Files.list(archives)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".pending"));
        }
    }

    @Test
    void anotherClasspathOrJvmGetsAnotherArchiveAndTheSameOneTheSame() {
        String java = ChildJvm.javaExecutable();
        Path a = ClassDataArchive.of("Trivial", java, "/nonexistent/a.jar", dir).archive();
        assertThat(ClassDataArchive.of("Trivial", java, "/nonexistent/a.jar", dir).archive()).isEqualTo(a);
        assertThat(ClassDataArchive.of("Trivial", java, "/nonexistent/b.jar", dir).archive()).isNotEqualTo(a);
        assertThat(ClassDataArchive.of("Trivial", "/other/java", "/nonexistent/a.jar", dir).archive()).isNotEqualTo(a);
    }

    /** The JVM archives classes from jars only, not from a directory such as test-classes. */
    private Path trivialJar() throws IOException {
        Path jar = dir.resolve("trivial.jar");
        String entry = Trivial.class.getName().replace('.', '/') + ".class";
        try (InputStream in = Trivial.class.getClassLoader().getResourceAsStream(entry);
             JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static Process run(List<String> options, String classpath, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaExecutable()));
        command.addAll(options);
        command.addAll(List.of("-cp", classpath, Trivial.class.getName(), "x"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitArchive(Path archives) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(archives)) {
                if (files.anyMatch(p -> p.getFileName().toString().endsWith(".jsa"))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no archive in " + archives);
    }
}
