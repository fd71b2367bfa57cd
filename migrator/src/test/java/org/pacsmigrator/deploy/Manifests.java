package org.pacsmigrator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;

/**
 * The deployment files as a cluster would get them, without a cluster: rendered by {@code kubectl kustomize} and
 * checked against the Kubernetes and KEDA API schemas by {@code deploy/validate/validate.mjs} (node).
 */
final class Manifests {
    /** A placeholder {@code ${NAME}} of migration.yaml, replaced by the environment variable NAME in a pod. */
    static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the schema check said: its exit code and its output (one line per invalid object, then a count). */
    record Validation(int exitCode, String output) {
    }

    private Manifests() {
    }

    /** The repository root: the first directory above the working directory that holds deploy/. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("a directory containing deploy/ above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }

    /** What {@code kubectl kustomize <dir>} renders (replacements applied, local config dropped), by kind/name. */
    static Map<String, JsonNode> render(Path kustomization) {
        String yaml;
        try {
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", kustomization.toString()).redirectErrorStream(true).start();
            yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kubectl.waitFor()).as("kubectl kustomize %s:%n%s", kustomization, yaml).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException("kubectl (with kustomize) is needed to render " + kustomization, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode object : parse(yaml)) {
            out.put(key(object), object);
        }
        return out;
    }

    /** Every YAML document of {@code text} that is not empty. */
    static List<JsonNode> parse(String text) {
        List<JsonNode> out = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text)) {
            for (JsonNode node : values.readAll()) {
                if (node != null && !node.isMissingNode() && !(node instanceof NullNode)) {
                    out.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A migration.yaml as a pod loads it (every ${NAME} set to a dummy value), validated by {@link ConfigLoader}. */
    static MigrationConfig migrationConfig(String yaml) {
        String withEnvironment = ENV_PLACEHOLDER.matcher(yaml)
                .replaceAll(r -> Matcher.quoteReplacement("dummy-" + r.group(1).toLowerCase()));
        return ConfigLoader.validate(ConfigLoader.parse(withEnvironment));
    }

    static String key(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }

    /** Checks {@code objects} against their API schemas; an object of a kind without a schema fails. */
    static Validation validate(Collection<JsonNode> objects) throws IOException, InterruptedException {
        Path validator = root().resolve("deploy/validate");
        assertThat(validator.resolve("node_modules/kubernetes-models")).as("the schemas: npm ci --prefix deploy/validate "
                + "(scripts/test.sh runs it)").isDirectory();
        Process node = new ProcessBuilder("node", validator.resolve("validate.mjs").toString()).redirectErrorStream(true).start();
        try (var in = node.getOutputStream()) {
            JSON.writeValue(in, JSON.valueToTree(List.copyOf(objects)));
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Validation(node.waitFor(), output);
    }

    /** Asserts that every object of {@code objects} matches its schema. */
    static void assertValid(String what, Collection<JsonNode> objects) throws IOException, InterruptedException {
        Validation v = validate(objects);
        assertThat(v.exitCode()).as("%s, validate.mjs:%n%s", what, v.output()).isZero();
        assertThat(v.output()).as(what).contains(objects.size() + " of " + objects.size() + " objects valid");
    }
}
