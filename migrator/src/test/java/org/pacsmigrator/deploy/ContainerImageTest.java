package org.pacsmigrator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images build without a Docker engine or a registry (deploy/README.md "Build the images"): a base
 * image from this machine's JDK and Debian libraries ({@code deploy/jib/build-base-image.sh}), then the
 * retriever's image with Jib ({@code mvn -Pimages package}, as a user runs it), then the tarball as a
 * container runtime would read it: what runs (against the Deployment), as whom, and what the layers hold.
 * The retriever stands for the five roles (same parent configuration; it also adds a DICOM port).
 */
class ContainerImageTest {
    private static final String ROLE = "retriever";
    private static final String MODULE = "retriever-worker";
    private static final String MAIN_CLASS = "org.pacsmigrator.retrieve.service.RetrieverApplication";

    @TempDir
    static Path work;
    private static Path root;
    private static Path imageTar;
    private static ImageTarball image;
    private static JsonNode podSpec;
    private static JsonNode container;

    @BeforeAll
    static void buildTheImage() throws Exception {
        root = Manifests.root();
        Path base = work.resolve("base.tar");
        run(List.of("bash", root.resolve("deploy/jib/build-base-image.sh").toString(), base.toString()));
        imageTar = work.resolve(ROLE + ".tar");
        run(List.of("mvn", "-B", "-q", "-Pimages", "-DskipTests", "-Djib.disableUpdateChecks=true",
                "-Dimage.base=tar://" + base, "-Djib.outputPaths.tar=" + imageTar,
                "-f", root.resolve("pom.xml").toString(), "-pl", MODULE, "-am", "package"));
        image = ImageTarball.read(imageTar, path -> path.startsWith("app/classpath/") || path.startsWith("etc/")
                || path.startsWith("usr/share/doc/pacsmig/"));
        JsonNode deployment = Manifests.parse(Files.readString(root.resolve("deploy/kubernetes/" + ROLE + "-deployment.yaml"))).get(0);
        podSpec = deployment.path("spec").path("template").path("spec");
        container = podSpec.path("containers").get(0);
    }

    @Test
    void itRunsWhatTheDeploymentRuns() {
        JsonNode run = image.runConfig();
        assertThat(strings(run.path("Entrypoint"))).as("Entrypoint").containsExactlyElementsOf(strings(container.path("command")))
                .startsWith("java", "-cp", "/app/classpath/*:/app/libs/*", MAIN_CLASS);
        assertThat(strings(run.path("Cmd"))).as("Cmd").containsExactlyElementsOf(strings(container.path("args")))
                .containsExactly("server", "/etc/pacsmig/" + ROLE + ".yaml");
        List<String> ports = new ArrayList<>();
        container.path("ports").forEach(p -> ports.add(p.path("containerPort").asText() + "/tcp"));
        assertThat(run.path("ExposedPorts").fieldNames()).toIterable().as("ExposedPorts").containsExactlyInAnyOrderElementsOf(ports);
        assertThat(strings(run.path("Env"))).as("Env")
                .anyMatch(e -> e.startsWith("JAVA_TOOL_OPTIONS=") && e.contains("-XX:+ExitOnOutOfMemoryError"));
    }

    @Test
    void itRunsAsTheNonRootUserOfThePodWhoOwnsItsWorkingDirectory() {
        JsonNode run = image.runConfig();
        JsonNode pod = podSpec.path("securityContext");
        assertThat(run.path("User").asText()).as("User, the pod's runAsUser:runAsGroup (not root)")
                .isEqualTo(pod.path("runAsUser").asInt() + ":" + pod.path("runAsGroup").asInt())
                .isNotEqualTo("0:0");
        String workingDir = run.path("WorkingDir").asText();
        assertThat(workingDir).isEqualTo("/var/lib/pacsmig");
        ImageTarball.Entry dir = file(workingDir);
        assertThat(dir.type()).as(workingDir + " is a directory").isEqualTo('5');
        assertThat(dir.uid()).as(workingDir + " owner").isEqualTo(pod.path("runAsUser").asInt());
    }

    @Test
    void theLayersHoldTheRoleItsLibrariesAndItsConfig() throws IOException {
        List<String> appJars = image.files.keySet().stream().filter(p -> p.startsWith("app/classpath/")).toList();
        assertThat(appJars).as("/app/classpath").singleElement().asString().matches("app/classpath/" + MODULE + "-.*\\.jar");
        assertThat(entries(image.contents.get(appJars.get(0)))).as(appJars.get(0))
                .contains(MAIN_CLASS.replace('.', '/') + ".class");
        List<String> libs = image.files.keySet().stream().filter(p -> p.startsWith("app/libs/")).toList();
        assertThat(libs).as("/app/libs").anyMatch(p -> p.matches("app/libs/common-.*\\.jar"))
                .anyMatch(p -> p.matches("app/libs/logback-classic-.*\\.jar"))
                .anyMatch(p -> p.matches("app/libs/pixelmed-.*\\.jar"))
                .anyMatch(p -> p.matches("app/libs/kafka-clients-.*\\.jar"))
                .noneMatch(p -> p.matches("app/libs/(harness|synthetic|migrator|s3proxy|junit-jupiter.*)-.*\\.jar"));
        byte[] yaml = image.contents.get("etc/pacsmig/" + ROLE + ".yaml");
        assertThat(yaml).as("/etc/pacsmig/" + ROLE + ".yaml, the default the ConfigMap replaces")
                .isEqualTo(Files.readAllBytes(root.resolve("deploy/kubernetes/config/" + ROLE + ".yaml")));
        assertThat(new String(image.contents.get("usr/share/doc/pacsmig/pixelmed/copyright"), StandardCharsets.UTF_8))
                .as("PixelMed's notice").contains("PixelMed");
    }

    @Test
    void theJvmAndThePreStopCommandAreOnThePath() {
        List<String> path = strings(image.runConfig().path("Env")).stream().filter(e -> e.startsWith("PATH="))
                .flatMap(e -> List.of(e.substring("PATH=".length()).split(":")).stream()).toList();
        assertThat(onPath(path, "java")).as("java on the image's PATH " + path).isNotNull();
        assertThat(image.files).containsKeys("opt/java/lib/server/libjvm.so", "opt/java/lib/modules");
        List<String> preStop = strings(container.path("lifecycle").path("preStop").path("exec").path("command"));
        assertThat(preStop).as("preStop").isNotEmpty();
        assertThat(onPath(path, preStop.get(0))).as(preStop.get(0) + " (preStop) on the image's PATH " + path).isNotNull();
    }

    /**
     * The image really starts: its layers unpacked, the Entrypoint run in them (chroot, as the image's
     * user, /proc mounted in a private mount namespace) prints the service's usage. Needs root.
     */
    @Test
    void theRoleStartsInTheImageAsItsUser() throws Exception {
        Path chroot = Path.of("/usr/sbin/chroot");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))
                && Files.isExecutable(chroot), "needs root, unshare and chroot to run the image");
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        unpack(rootfs);
        Files.createDirectories(rootfs.resolve("proc"));
        List<String> entrypoint = strings(image.runConfig().path("Entrypoint"));
        String command = "mount -t proc proc " + rootfs.resolve("proc") + " && exec env -i PATH=/opt/java/bin:/bin LANG=C.UTF-8 "
                + chroot + " --userspec=" + image.runConfig().path("User").asText() + " " + rootfs + " /opt/java/bin/java -cp '"
                + entrypoint.get(2) + "' " + entrypoint.get(3);
        String out = run(List.of("unshare", "-m", "sh", "-c", command));
        assertThat(out).contains("usage:").contains("{server,check}");
    }

    private static void unpack(Path rootfs) throws Exception {
        Path layers = Files.createDirectories(work.resolve("layers"));
        run(List.of("tar", "-xf", imageTar.toString(), "-C", layers.toString()));
        JsonNode manifest = new ObjectMapper().readTree(layers.resolve("manifest.json").toFile()).get(0);
        for (JsonNode layer : manifest.path("Layers")) {
            run(List.of("tar", "--warning=no-unknown-keyword", "-xf", layers.resolve(layer.asText()).toString(), "-C", rootfs.toString()));
        }
    }

    private static String onPath(List<String> path, String command) {
        for (String dir : path) {
            String candidate = (dir + "/" + command).substring(1);
            ImageTarball.Entry entry = image.files.get(candidate);
            if (entry != null && entry.isFile() && entry.isExecutable()) {
                return candidate;
            }
        }
        return null;
    }

    private static ImageTarball.Entry file(String absolutePath) {
        ImageTarball.Entry entry = image.files.get(absolutePath.substring(1));
        assertThat(entry).as(absolutePath + " in the image").isNotNull();
        return entry;
    }

    private static List<String> entries(byte[] jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Runs a command in the repository root; its output, or a failure with it. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "run", ".log");
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = process.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(done && process.exitValue() == 0).as("%s%n%s", String.join(" ", command), out).isTrue();
        return out;
    }
}
