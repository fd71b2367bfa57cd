package org.pacsmigrator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;

/**
 * {@code deploy/kubernetes} as a cluster would get it ({@code kubectl kustomize}, no cluster needed): the topology of
 * the multi-replica fault test, scaling bounds that follow from the migration config rendered into the ConfigMap
 * (the association budgets and the partitions), and the optional variants valid against the API schemas too.
 * {@link DeployManifestsTest} checks that the files agree with the code.
 */
class KubernetesAsShippedTest {
    /**
     * Pods per role as shipped, the topology of the multi-replica fault test (issue 21); for a role scaled by KEDA,
     * its minimum.
     */
    static final Map<String, Integer> SHIPPED_PODS = Map.of(
            "indexer", 1, "retriever", 3, "forwarder", 3, "verifier", 2, "console", 1);

    private static Path kubernetes;
    private static Map<String, JsonNode> rendered;
    private static MigrationConfig config;

    @BeforeAll
    static void render() {
        kubernetes = Manifests.root().resolve("deploy/kubernetes");
        rendered = Manifests.render(kubernetes);
        List<JsonNode> configMaps = rendered.values().stream()
                .filter(o -> o.path("kind").asText().equals("ConfigMap") && o.path("data").has("migration.yaml")).toList();
        assertThat(configMaps).as("one rendered ConfigMap holds migration.yaml").hasSize(1);
        config = Manifests.migrationConfig(configMaps.get(0).path("data").path("migration.yaml").asText());
    }

    @Test
    void theShippedTopologyIsTheMultiReplicaTests() throws Exception {
        Map<String, JsonNode> hpas = optionalHpas();
        assertThat(deployments().keySet()).containsExactlyInAnyOrderElementsOf(SHIPPED_PODS.keySet());
        deployments().forEach((role, deployment) -> {
            JsonNode scaled = rendered.get("ScaledObject/pacsmig-" + role);
            if (scaled == null) {
                assertThat(deployment.path("spec").path("replicas").asInt()).as(role + " replicas").isEqualTo(SHIPPED_PODS.get(role));
            } else {
                assertThat(scaled.path("spec").path("minReplicaCount").asInt()).as(role + " minReplicaCount")
                        .isEqualTo(SHIPPED_PODS.get(role));
                assertThat(hpas.get(role).path("spec").path("minReplicas").asInt()).as(role + " minReplicas, hpa-external.yaml")
                        .isEqualTo(SHIPPED_PODS.get(role));
            }
        });
        // a second indexer would query the old PACS twice: never two, not even during an update
        assertThat(deployments().get("indexer").path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");
    }

    /**
     * An autoscaled role stops where more pods would only wait: for a slot of its PACS's association budget (global
     * across pods and roles) or for a partition (Kafka gives each partition to one consumer of the group). The maximum
     * is exactly that, so the manifests follow the config; the minimum fits within it.
     */
    @Test
    void autoscalingStopsWhereTheAssociationBudgetOrThePartitionsEnd() throws Exception {
        Map<String, PodShare> shares = Map.of(
                // each consumer handles one study at a time, over one association at a time (manifest C-FIND, then C-MOVE)
                "retriever", new PodShare(config.retrieve.maxAssociations, config.retrieve.concurrency, config.retrieve.concurrency),
                // the pod's consumers share one pool of forward.associations send associations
                "forwarder", new PodShare(config.forward.maxAssociations, config.forward.associations, config.forward.concurrency));
        Map<String, JsonNode> hpas = optionalHpas();
        shares.forEach((role, share) -> {
            int bound = share.maxPods(config.services.partitions);
            JsonNode spec = rendered.get("ScaledObject/pacsmig-" + role).path("spec");
            assertThat(spec.path("maxReplicaCount").asInt()).as("%s maxReplicaCount = min(budget %d / %d per pod, partitions %d / %d "
                    + "consumers per pod)", role, share.budget(), share.associationsPerPod(), config.services.partitions,
                    share.consumersPerPod()).isEqualTo(bound);
            assertThat(hpas.get(role).path("spec").path("maxReplicas").asInt()).as(role + " maxReplicas, hpa-external.yaml")
                    .isEqualTo(bound);
            assertThat(spec.path("minReplicaCount").asInt()).as(role + " minReplicaCount").isBetween(1, bound);
        });
    }

    /** A verifier runs one consumer of the forwarded topic (and its share of the completion topology's tasks). */
    @Test
    void everyVerifierHasAPartition() {
        assertThat(deployments().get("verifier").path("spec").path("replicas").asInt()).as("verifier replicas")
                .isBetween(1, config.services.partitions);
    }

    @Test
    void theOptionalVariantsMatchTheirSchemasToo(@TempDir Path overlay) throws Exception {
        List<JsonNode> optional = new ArrayList<>();
        for (String file : List.of("hpa-external.yaml", "secret.example.yaml")) {
            optional.addAll(Manifests.parse(Files.readString(kubernetes.resolve(file))));
        }
        Manifests.assertValid("hpa-external.yaml and secret.example.yaml", optional);

        // kustomize takes neither absolute paths nor files above an overlay: name the base relative to it
        String base = overlay.relativize(kubernetes).toString().replace('\\', '/');
        Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1",
                "kind: Kustomization",
                "resources: [" + base + "]",
                "components: [" + base + "/components/filesystem-cache]", ""));
        Map<String, JsonNode> withFilesystemCache = Manifests.render(overlay);
        assertThat(withFilesystemCache).containsKey("PersistentVolumeClaim/pacsmig-cache");
        Manifests.assertValid("the base with components/filesystem-cache", withFilesystemCache.values());
    }

    /** The schema check can fail: a value of the wrong type, as the API server would refuse it, is reported. */
    @Test
    void theSchemaCheckRejectsWhatTheApiServerWouldRefuse() throws Exception {
        Map<String, JsonNode> broken = new LinkedHashMap<>(rendered);
        ObjectNode scaled = rendered.get("ScaledObject/pacsmig-retriever").deepCopy();
        ((ObjectNode) scaled.path("spec")).put("maxReplicaCount", "four");
        broken.put("ScaledObject/pacsmig-retriever", scaled);

        Manifests.Validation validation = Manifests.validate(broken.values());
        assertThat(validation.exitCode()).as(validation.output()).isEqualTo(1);
        assertThat(validation.output()).contains("ScaledObject/pacsmig-retriever", "maxReplicaCount")
                .contains((broken.size() - 1) + " of " + broken.size() + " objects valid");
    }

    /** The association budget of a PACS and a pod's share of it and of the topic's partitions. */
    private record PodShare(int budget, int associationsPerPod, int consumersPerPod) {
        int maxPods(int partitions) {
            return Math.min(budget / associationsPerPod, partitions / consumersPerPod);
        }
    }

    /** The rendered Deployments by role (label app.kubernetes.io/component). */
    private static Map<String, JsonNode> deployments() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        rendered.forEach((key, object) -> {
            if (key.startsWith("Deployment/")) {
                out.put(object.path("spec").path("template").path("metadata").path("labels")
                        .path("app.kubernetes.io/component").asText(), object);
            }
        });
        return out;
    }

    /** hpa-external.yaml's HPAs (the alternative to KEDA, not in the kustomization) by the role they scale. */
    private static Map<String, JsonNode> optionalHpas() throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode hpa : Manifests.parse(Files.readString(kubernetes.resolve("hpa-external.yaml")))) {
            out.put(hpa.path("spec").path("scaleTargetRef").path("name").asText().replaceFirst("^pacsmig-", ""), hpa);
        }
        return out;
    }
}
