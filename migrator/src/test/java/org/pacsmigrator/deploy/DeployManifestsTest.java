package org.pacsmigrator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.topics.Topics;

/**
 * The deployment files under {@code deploy/} agree with the code: every manifest parses, the
 * kustomization names exactly the files there are, each Deployment runs an existing main class with
 * its role's Dropwizard YAML from the ConfigMap, probes and scrape annotations use the paths and
 * admin port the services serve, the migration config is accepted by {@link ConfigLoader}, the DICOM
 * Services point at the ports that config opens, the autoscalers watch the topics and consumer
 * groups the stages use. Nothing is applied to a cluster: there is none here. (That the dashboard
 * queries only metrics a real run exports is checked against a run's output: PrometheusConventionsTest.)
 */
class DeployManifestsTest {
    /** Role, main class (contract of the operations issue) and the stage's consumer group role, if any. */
    private static final Map<String, String> MAIN_CLASSES = new LinkedHashMap<>();

    static {
        MAIN_CLASSES.put("indexer", "org.pacsmigrator.index.service.IndexerApplication");
        MAIN_CLASSES.put("retriever", "org.pacsmigrator.retrieve.service.RetrieverApplication");
        MAIN_CLASSES.put("forwarder", "org.pacsmigrator.forward.service.ForwarderApplication");
        MAIN_CLASSES.put("verifier", "org.pacsmigrator.verify.service.VerifierApplication");
        MAIN_CLASSES.put("console", "org.pacsmigrator.console.ConsoleApplication");
    }

    /** Roles that consume a stage topic and must get the graceful-shutdown grace period. */
    private static final Set<String> STAGE_WORKERS = Set.of("retriever", "forwarder", "verifier");

    private static final String CONFIG_DIR = "/etc/pacsmig";
    private static final String MIGRATION_FILE = CONFIG_DIR + "/migration.yaml";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path root;
    private static Path kubernetes;
    private static JsonNode kustomization;
    /** Every object of the files listed in kustomization.yaml's resources, by kind and name. */
    private static final Map<String, JsonNode> resources = new LinkedHashMap<>();
    /** ConfigMap generator: its name and its keys (file names) mapped to the files. */
    private static String configMapName;
    private static final Map<String, Path> configFiles = new LinkedHashMap<>();
    private static String migrationYaml;
    private static MigrationConfig migration;

    @BeforeAll
    static void load() throws IOException {
        root = Manifests.root();
        kubernetes = root.resolve("deploy/kubernetes");
        kustomization = single(kubernetes.resolve("kustomization.yaml"));
        for (JsonNode resource : kustomization.path("resources")) {
            for (JsonNode object : documents(kubernetes.resolve(resource.asText()))) {
                String key = Manifests.key(object);
                assertThat(resources.put(key, object)).as("defined twice: " + key).isNull();
            }
        }
        JsonNode generators = kustomization.path("configMapGenerator");
        assertThat(generators.size()).as("one configMapGenerator").isEqualTo(1);
        configMapName = generators.get(0).path("name").asText();
        for (JsonNode file : generators.get(0).path("files")) {
            String entry = file.asText();
            int eq = entry.indexOf('=');
            String path = eq < 0 ? entry : entry.substring(eq + 1);
            String key = eq < 0 ? Path.of(path).getFileName().toString() : entry.substring(0, eq);
            configFiles.put(key, kubernetes.resolve(path));
        }
        assertThat(configFiles).containsKey("migration.yaml");
        migrationYaml = Files.readString(configFiles.get("migration.yaml"));
        migration = Manifests.migrationConfig(migrationYaml);
    }

    // ------------------------------------------------------------------------------------------
    // files

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles(root.resolve("deploy"));
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            try {
                documents(file);
            } catch (IOException | RuntimeException e) {
                fail(root.relativize(file) + " is not valid YAML: " + e.getMessage());
            }
        }
    }

    @Test
    void kustomizationListsOnlyExistingFilesAndEveryFileIsListedOrDocumentedAsOptional() throws IOException {
        // what the default build (kubectl apply -k deploy/kubernetes) reads
        Set<Path> built = new TreeSet<>();
        built.add(kubernetes.resolve("kustomization.yaml").normalize());
        collectReferences(kubernetes, kustomization, built);
        Set<Path> listedComponents = new TreeSet<>();
        for (JsonNode c : kustomization.path("components")) {
            Path dir = kubernetes.resolve(c.asText()).normalize();
            listedComponents.add(dir);
            collectReferences(dir, single(dir.resolve("kustomization.yaml")), built);
        }
        // components not listed: optional, but complete in themselves
        Map<Path, Set<Path>> optionalComponents = new LinkedHashMap<>();
        for (Path dir : componentDirs()) {
            if (listedComponents.contains(dir.normalize())) {
                continue;
            }
            JsonNode k = single(dir.resolve("kustomization.yaml"));
            assertThat(k.path("kind").asText()).as(dir + ": a kustomize Component").isEqualTo("Component");
            Set<Path> files = new TreeSet<>();
            files.add(dir.resolve("kustomization.yaml").normalize());
            collectReferences(dir, k, files);
            optionalComponents.put(dir.normalize(), files);
        }
        Stream.concat(built.stream(), optionalComponents.values().stream().flatMap(Set::stream))
                .forEach(f -> assertThat(f).as("named in a kustomization.yaml").exists());

        String kustomizationText = Files.readString(kubernetes.resolve("kustomization.yaml"));
        String readme = Files.readString(root.resolve("deploy/README.md"));
        for (Path file : yamlFiles(kubernetes)) {
            Path normal = file.normalize();
            if (built.contains(normal)) {
                continue;
            }
            String optional = kubernetes.relativize(file).toString().replace('\\', '/');
            for (Map.Entry<Path, Set<Path>> c : optionalComponents.entrySet()) {
                if (normal.startsWith(c.getKey())) {
                    assertThat(c.getValue()).as(optional + ": a file its component's kustomization.yaml does not name")
                            .contains(normal);
                    optional = kubernetes.relativize(c.getKey()).toString().replace('\\', '/');
                }
            }
            assertThat(kustomizationText).as(optional + ": neither a resource nor documented as optional in kustomization.yaml")
                    .contains(optional);
            assertThat(readme).as(optional + ": optional, but not described in deploy/README.md").contains(optional);
        }
        // the two deliberate alternatives exist and stay out of the default build
        List<String> resourcesListed = strings(kustomization.path("resources"));
        assertThat(resourcesListed).doesNotContain("secret.example.yaml", "hpa-external.yaml");
        assertThat(kubernetes.resolve("secret.example.yaml")).exists();
        assertThat(kubernetes.resolve("hpa-external.yaml")).exists();
    }

    // ------------------------------------------------------------------------------------------
    // Deployments, ConfigMap, probes

    @Test
    void eachRoleRunsItsMainClassWithItsDropwizardYamlFromTheConfigMap() throws Exception {
        assertThat(deployments().keySet()).containsExactlyInAnyOrderElementsOf(MAIN_CLASSES.keySet());
        for (Map.Entry<String, JsonNode> e : deployments().entrySet()) {
            String role = e.getKey();
            JsonNode container = container(e.getValue());
            List<String> command = strings(container.path("command"));
            List<String> args = strings(container.path("args"));
            assertThat(command).as(role + " command").hasSize(4).startsWith("java", "-cp", "/app/classpath/*:/app/libs/*");
            String mainClass = command.get(3);
            assertThat(mainClass).as(role + " main class (contract)").isEqualTo(MAIN_CLASSES.get(role));
            Class<?> cls = Class.forName(mainClass, false, getClass().getClassLoader());
            assertThat(WorkerApplication.class.isAssignableFrom(cls)).as(mainClass + " is a WorkerApplication").isTrue();
            assertThat(args).as(role + " args").containsExactly("server", CONFIG_DIR + "/" + role + ".yaml");

            String roleFile = role + ".yaml";
            assertThat(configFiles).as("ConfigMap key " + roleFile).containsKey(roleFile);
            WorkerConfiguration dw = dropwizard(role);
            assertThat(dw.migrationConfig).as(roleFile + " migrationConfig").isEqualTo(MIGRATION_FILE);
            assertThat(dw.defaultBindHost).as(roleFile + " defaultBindHost").isEqualTo("0.0.0.0");

            // /etc/pacsmig is the ConfigMap, so /etc/pacsmig/<role>.yaml and /etc/pacsmig/migration.yaml are its keys
            String volume = null;
            for (JsonNode mount : container.path("volumeMounts")) {
                if (mount.path("mountPath").asText().equals(CONFIG_DIR) && !mount.has("subPath")) {
                    volume = mount.path("name").asText();
                }
            }
            assertThat(volume).as(role + ": a volume mounted at " + CONFIG_DIR).isNotNull();
            JsonNode configMapVolume = null;
            for (JsonNode v : podSpec(e.getValue()).path("volumes")) {
                if (v.path("name").asText().equals(volume)) {
                    configMapVolume = v.path("configMap");
                }
            }
            assertThat(configMapVolume).as(role + ": volume " + volume).isNotNull();
            assertThat(configMapVolume.path("name").asText()).as(role + ": ConfigMap of " + CONFIG_DIR).isEqualTo(configMapName);
            assertThat(configMapVolume.has("items")).as(role + ": whole ConfigMap mounted (no items filter)").isFalse();
        }
    }

    @Test
    void probesUseTheWorkerPathsOnTheAdminPortAndStageWorkersDrainGracefully() throws Exception {
        for (Map.Entry<String, JsonNode> e : deployments().entrySet()) {
            String role = e.getKey();
            JsonNode container = container(e.getValue());
            int adminPort = adminPort(role);
            JsonNode live = container.path("livenessProbe").path("httpGet");
            JsonNode ready = container.path("readinessProbe").path("httpGet");
            assertThat(live.path("path").asText()).as(role + " liveness path").isEqualTo(WorkerApplication.LIVE_PATH);
            assertThat(ready.path("path").asText()).as(role + " readiness path").isEqualTo(WorkerApplication.READY_PATH);
            assertThat(port(container, live.path("port"))).as(role + " liveness port").isEqualTo(adminPort);
            assertThat(port(container, ready.path("port"))).as(role + " readiness port").isEqualTo(adminPort);
            if (container.has("startupProbe")) {
                JsonNode startup = container.path("startupProbe").path("httpGet");
                assertThat(startup.path("path").asText()).as(role + " startup path").isEqualTo(WorkerApplication.LIVE_PATH);
                assertThat(port(container, startup.path("port"))).as(role + " startup port").isEqualTo(adminPort);
            }
            assertThat(port(container, JSON.getNodeFactory().textNode("admin"))).as(role + " containerPort admin").isEqualTo(adminPort);
            assertThat(port(container, JSON.getNodeFactory().textNode("http"))).as(role + " containerPort http")
                    .isEqualTo(applicationPort(role));
            assertThat(container.path("resources").path("limits").path("memory").isMissingNode()).as(role + " memory limit").isFalse();
            assertThat(env(container).get("JAVA_TOOL_OPTIONS")).as(role + " JAVA_TOOL_OPTIONS")
                    .contains("-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError");
            if (STAGE_WORKERS.contains(role)) {
                // the stage consumer finishes the study in hand for up to 5 minutes after SIGTERM
                assertThat(podSpec(e.getValue()).path("terminationGracePeriodSeconds").asInt())
                        .as(role + " terminationGracePeriodSeconds").isGreaterThanOrEqualTo(330);
            }
        }
        for (String role : List.of("retriever", "forwarder", "verifier", "indexer")) {
            JsonNode pdb = resource("PodDisruptionBudget", "pacsmig-" + role);
            assertThat(selects(pdb.path("spec").path("selector").path("matchLabels"), podLabels(deployments().get(role))))
                    .as("PDB of the " + role + " selects its pods").isTrue();
            assertThat(selectedRoles(pdb.path("spec").path("selector").path("matchLabels")))
                    .as("PDB of the " + role + " selects only its pods").containsExactly(role);
        }
    }

    // ------------------------------------------------------------------------------------------
    // migration config and the DICOM Services

    @Test
    void migrationConfigIsAcceptedAndFitsTheCluster() throws IOException {
        assertThat(migration.migrator.bindAddress).as("migrator.bindAddress (the Services reach the pods)").isEqualTo("0.0.0.0");
        assertThat(migration.services.kafka).as("services.kafka").isNotEqualTo("embedded");
        assertThat(migration.services.cassandra).as("services.cassandra").isNotEqualTo("embedded");
        assertThat(migration.storage.cache.type).as("storage.cache.type").isEqualTo("s3");
        // every ${NAME} of migration.yaml is set in every pod (an unset one stops the pod)
        Set<String> placeholders = new TreeSet<>();
        Matcher m = Manifests.ENV_PLACEHOLDER.matcher(migrationYaml);
        while (m.find()) {
            placeholders.add(m.group(1));
        }
        assertThat(placeholders).contains("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "PACSMIG_CONSOLE_TOKEN");
        Map<String, JsonNode> secrets = new LinkedHashMap<>();
        for (JsonNode secret : documents(kubernetes.resolve("secret.example.yaml"))) {
            assertThat(secret.path("kind").asText()).isEqualTo("Secret");
            secrets.put(secret.path("metadata").path("name").asText(), secret);
        }
        for (Map.Entry<String, JsonNode> e : deployments().entrySet()) {
            Map<String, JsonNode> env = envNodes(container(e.getValue()));
            for (String name : placeholders) {
                assertThat(env).as(e.getKey() + " sets " + name).containsKey(name);
                JsonNode ref = env.get(name).path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode()) {
                    JsonNode secret = secrets.get(ref.path("name").asText());
                    assertThat(secret).as(name + ": Secret " + ref.path("name").asText() + " in secret.example.yaml").isNotNull();
                    assertThat(secret.path("stringData").has(ref.path("key").asText()))
                            .as(name + ": key " + ref.path("key").asText() + " in secret.example.yaml").isTrue();
                }
            }
        }
        // the console service does not start without a token
        assertThat(migration.console.token).as("console.token").isNotNull();
    }

    @Test
    void cmoveServiceTargetsTheRetrieversStorageScp() {
        JsonNode service = resource("Service", "pacsmig-cmove");
        JsonNode retriever = deployments().get("retriever");
        JsonNode selector = service.path("spec").path("selector");
        assertThat(selects(selector, podLabels(retriever))).as("pacsmig-cmove selects the retriever pods").isTrue();
        assertThat(selectedRoles(selector)).as("pacsmig-cmove selects only retriever pods").containsExactly("retriever");
        JsonNode port = service.path("spec").path("ports").get(0);
        assertThat(port(container(retriever), port.path("targetPort"))).as("pacsmig-cmove targetPort = migrator.port")
                .isEqualTo(migration.migrator.port);
        assertThat(port.path("port").asInt()).as("pacsmig-cmove port (what the old PACS knows)").isEqualTo(migration.migrator.port);
    }

    @Test
    void commitmentServiceTargetsTheVerifiersReportListener() {
        JsonNode service = resource("Service", "pacsmig-commitment");
        JsonNode verifier = deployments().get("verifier");
        JsonNode selector = service.path("spec").path("selector");
        assertThat(selects(selector, podLabels(verifier))).as("pacsmig-commitment selects the verifier pods").isTrue();
        assertThat(selectedRoles(selector)).containsExactly("verifier");
        JsonNode port = service.path("spec").path("ports").get(0);
        assertThat(port.path("port").asInt()).as("pacsmig-commitment port").isEqualTo(migration.verify.commitment.port);
        assertThat(port(container(verifier), port.path("targetPort"))).as("pacsmig-commitment targetPort")
                .isEqualTo(migration.verify.commitment.port);
    }

    // ------------------------------------------------------------------------------------------
    // network exposure (rendered by kubectl kustomize: the PACS networks are filled in by replacements)

    @Test
    void theDicomPortsAcceptOnlyTheConfiguredPacsNetworks() throws Exception {
        JsonNode networks = resource("ConfigMap", "pacs-networks").path("data");
        String source = networks.path("sourcePacsCidr").asText();
        String destination = networks.path("destinationPacsCidr").asText();
        assertThat(List.of(source, destination)).allMatch(c -> c.matches("[0-9.]+/[0-9]+"), "CIDRs");
        assertThat(rendered()).as("pacs-networks is kustomize's input only").doesNotContainKey("ConfigMap/pacs-networks");

        checkIngressOnlyFrom("retriever", migration.migrator.port, source);
        checkIngressOnlyFrom("verifier", migration.verify.commitment.port, destination);
    }

    /** Every NetworkPolicy rule of the role's pods that admits {@code port} admits only {@code cidr}; one does. */
    private void checkIngressOnlyFrom(String role, int port, String cidr) {
        JsonNode pod = deployments().get(role);
        JsonNode container = container(pod);
        List<JsonNode> policies = new ArrayList<>();
        rendered().forEach((key, object) -> {
            if (key.startsWith("NetworkPolicy/") && selects(object.path("spec").path("podSelector").path("matchLabels"),
                    podLabels(pod))) {
                policies.add(object);
            }
        });
        assertThat(policies).as("a NetworkPolicy selects the " + role + " pods").isNotEmpty();
        int admitting = 0;
        for (JsonNode policy : policies) {
            String name = policy.path("metadata").path("name").asText();
            assertThat(strings(policy.path("spec").path("policyTypes"))).as(name + " policyTypes").contains("Ingress");
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                boolean allPorts = rule.path("ports").isEmpty();
                boolean coversPort = allPorts;
                for (JsonNode p : rule.path("ports")) {
                    coversPort |= port(container, p.path("port")) == port;
                }
                if (!coversPort) {
                    continue;
                }
                admitting++;
                assertThat(rule.path("from").isEmpty()).as(name + ": a rule admitting port " + port + " from anywhere").isFalse();
                for (JsonNode peer : rule.path("from")) {
                    assertThat(peer.path("ipBlock").path("cidr").asText()).as(name + ": peer admitted to port " + port)
                            .isEqualTo(cidr);
                    assertThat(peer.has("podSelector") || peer.has("namespaceSelector")).as(name + ": pods admitted to port " + port)
                            .isFalse();
                }
            }
        }
        assertThat(admitting).as("a rule admits the PACS network to the " + role + "'s port " + port).isPositive();
    }

    @Test
    void everyLoadBalancerAcceptsOnlyItsPacsNetworkAndTheConsoleIsNotExposed() {
        JsonNode networks = resource("ConfigMap", "pacs-networks").path("data");
        Map<String, String> expected = Map.of("pacsmig-cmove", networks.path("sourcePacsCidr").asText(),
                "pacsmig-commitment", networks.path("destinationPacsCidr").asText());
        Set<String> loadBalancers = new TreeSet<>();
        rendered().forEach((key, object) -> {
            if (!key.startsWith("Service/")) {
                return;
            }
            String name = object.path("metadata").path("name").asText();
            JsonNode spec = object.path("spec");
            String type = spec.path("type").asText("ClusterIP");
            if (type.equals("LoadBalancer")) {
                loadBalancers.add(name);
                assertThat(strings(spec.path("loadBalancerSourceRanges"))).as(name + " loadBalancerSourceRanges")
                        .containsExactly(expected.get(name));
                assertThat(spec.path("externalTrafficPolicy").asText()).as(name + ": the PACS's own address reaches the pod")
                        .isEqualTo("Local");
            }
            if (selectedRoles(spec.path("selector")).contains("console")) {
                assertThat(type).as(name + ": a Service of the console").isEqualTo("ClusterIP");
            }
        });
        assertThat(loadBalancers).as("LoadBalancer Services").isEqualTo(expected.keySet());
        assertThat(rendered().keySet()).as("no Ingress in the base").noneMatch(k -> k.startsWith("Ingress/"));
        assertThat(rendered().get("Service/pacsmig-console").path("spec").path("type").asText("ClusterIP")).isEqualTo("ClusterIP");
    }

    @Test
    void renderedObjectsMatchTheirKubernetesApiSchemas() throws Exception {
        Manifests.assertValid("kubectl kustomize deploy/kubernetes", rendered().values());
    }

    @Test
    void eachPacsNetworkIsWrittenOnce() throws IOException {
        JsonNode networks = resource("ConfigMap", "pacs-networks").path("data");
        for (String cidr : List.of(networks.path("sourcePacsCidr").asText(), networks.path("destinationPacsCidr").asText())) {
            List<Path> naming = new ArrayList<>();
            for (Path file : yamlFiles(kubernetes)) {
                if (Files.readString(file).contains(cidr)) {
                    naming.add(kubernetes.relativize(file));
                }
            }
            assertThat(naming).as("files naming " + cidr).containsExactly(Path.of("pacs-networks.yaml"));
        }
    }

    @Test
    void consoleServiceExposesTheConsoleApplicationPort() throws Exception {
        JsonNode service = resource("Service", "pacsmig-console");
        JsonNode console = deployments().get("console");
        assertThat(selects(service.path("spec").path("selector"), podLabels(console))).isTrue();
        assertThat(selectedRoles(service.path("spec").path("selector"))).containsExactly("console");
        JsonNode port = service.path("spec").path("ports").get(0);
        assertThat(port(container(console), port.path("targetPort"))).as("pacsmig-console targetPort")
                .isEqualTo(applicationPort("console"));
    }

    // ------------------------------------------------------------------------------------------
    // autoscaling

    /** The bounds of the scaling and the topology: {@link KubernetesAsShippedTest}. */
    @Test
    void kedaScalesRetrieverAndForwarderOnTheirStagesTopicsAndGroups() {
        Topics topics = new Topics(migration.migrationId);
        checkScaledObject("retriever", topics.indexed(), Topics.consumerGroup(migration.migrationId, "retriever"));
        checkScaledObject("forwarder", topics.retrieved(), Topics.consumerGroup(migration.migrationId, "forwarder"));
    }

    private void checkScaledObject(String role, String topic, String group) {
        JsonNode scaled = resource("ScaledObject", "pacsmig-" + role);
        assertThat(scaled.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
        assertThat(scaled.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("pacsmig-" + role);
        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        JsonNode meta = trigger.path("metadata");
        assertThat(meta.path("topic").asText()).as(role + " topic").isEqualTo(topic);
        assertThat(meta.path("consumerGroup").asText()).as(role + " consumerGroup").isEqualTo(group);
        assertThat(meta.path("bootstrapServers").asText()).as(role + " bootstrapServers").isEqualTo(migration.services.kafka);
        assertThat(meta.path("lagThreshold").asText()).as(role + " lagThreshold").matches("[1-9][0-9]*");
        assertThat(deployments().get(role).path("spec").has("replicas"))
                .as(role + ": replicas left to the autoscaler").isFalse();
    }

    @Test
    void hpaAlternativeWatchesTheSameGroups() throws IOException {
        Map<String, JsonNode> hpas = new LinkedHashMap<>();
        for (JsonNode hpa : documents(kubernetes.resolve("hpa-external.yaml"))) {
            assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
            hpas.put(hpa.path("spec").path("scaleTargetRef").path("name").asText(), hpa);
        }
        for (String role : List.of("retriever", "forwarder")) {
            JsonNode hpa = hpas.get("pacsmig-" + role);
            assertThat(hpa).as("HPA for " + role).isNotNull();
            JsonNode metric = hpa.path("spec").path("metrics").get(0);
            assertThat(metric.path("type").asText()).isEqualTo("External");
            assertThat(metric.path("external").path("metric").path("selector").path("matchLabels").path("group").asText())
                    .as(role + " HPA group label").isEqualTo(Topics.consumerGroup(migration.migrationId, role));
        }
    }

    // ------------------------------------------------------------------------------------------
    // monitoring

    @Test
    void prometheusScrapesTheWorkerPathOnTheAdminPort() throws Exception {
        JsonNode config = single(root.resolve("deploy/monitoring/prometheus-scrape.yaml"));
        JsonNode job = config.path("scrape_configs").get(0);
        assertThat(job).isNotNull();
        assertThat(job.path("metrics_path").asText()).isEqualTo(WorkerApplication.PROMETHEUS_PATH);
        assertThat(job.path("kubernetes_sd_configs").get(0).path("role").asText()).isEqualTo("pod");
        assertThat(job.path("relabel_configs").toString())
                .contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape",
                        "__meta_kubernetes_pod_annotation_prometheus_io_path",
                        "__meta_kubernetes_pod_annotation_prometheus_io_port");
        for (Map.Entry<String, JsonNode> e : deployments().entrySet()) {
            JsonNode annotations = e.getValue().path("spec").path("template").path("metadata").path("annotations");
            assertThat(annotations.path("prometheus.io/scrape").asText()).as(e.getKey()).isEqualTo("true");
            assertThat(annotations.path("prometheus.io/path").asText()).as(e.getKey()).isEqualTo(WorkerApplication.PROMETHEUS_PATH);
            assertThat(annotations.path("prometheus.io/port").asText()).as(e.getKey())
                    .isEqualTo(Integer.toString(adminPort(e.getKey())));
        }
    }

    @Test
    void metricNameExtractionSeesThroughPromQl() {
        assertThat(GrafanaDashboard.metricNames("sum by (stage, topic) (rate(a_total{x=\"y\", z=~\"$v\"}[$__rate_interval])) * 60"))
                .containsExactly("a_total");
        assertThat(GrafanaDashboard.metricNames("max(b{s=\"V\"}) / ignoring(pod) c_bytes > 0 and on (x) d"))
                .containsExactlyInAnyOrder("b", "c_bytes", "d");
        assertThat(GrafanaDashboard.metricNames("sum(x offset 5m) + 1e6")).containsExactly("x");
    }

    // ------------------------------------------------------------------------------------------
    // images

    @Test
    void dockerfileTargetsRunWhatTheDeploymentsRun() throws IOException {
        Map<String, List<List<String>>> stages = dockerStages(root.resolve("deploy/docker/Dockerfile"));
        for (Map.Entry<String, JsonNode> e : deployments().entrySet()) {
            String role = e.getKey();
            assertThat(stages).as("Dockerfile target " + role).containsKey(role);
            JsonNode container = container(e.getValue());
            assertThat(stages.get(role).get(0)).as(role + " ENTRYPOINT").isEqualTo(strings(container.path("command")));
            assertThat(stages.get(role).get(1)).as(role + " CMD").isEqualTo(strings(container.path("args")));
            String image = container.path("image").asText();
            assertThat(image.replaceAll(":.*$", "")).as(role + " image").isEqualTo("pacsmig/" + role);
        }
        assertThat(Files.readString(root.resolve("deploy/docker/build-images.sh"))).contains("--target");
        // out of memory, every JVM exits at once (the image's default; the Deployments set it again above)
        assertThat(Files.readAllLines(root.resolve("deploy/docker/Dockerfile")))
                .anyMatch(l -> l.startsWith("ENV JAVA_TOOL_OPTIONS=") && l.contains("-XX:+ExitOnOutOfMemoryError"));
        assertThat(Files.readString(root.resolve("scripts/migrate.sh"))).containsPattern("exec java [^\\n]*-XX:\\+ExitOnOutOfMemoryError");
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    private static Map<String, JsonNode> rendered;

    /** What {@code kubectl kustomize deploy/kubernetes} renders (replacements applied, local config dropped), by kind/name. */
    private static synchronized Map<String, JsonNode> rendered() {
        if (rendered == null) {
            rendered = Manifests.render(kubernetes);
        }
        return rendered;
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        return Manifests.parse(Files.readString(file));
    }

    private static JsonNode single(Path file) throws IOException {
        List<JsonNode> docs = documents(file);
        assertThat(docs).as(file + ": one YAML document").hasSize(1);
        return docs.get(0);
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !dir.relativize(f).toString().contains("node_modules")) // deploy/validate's packages
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static List<Path> componentDirs() throws IOException {
        Path dir = kubernetes.resolve("components");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        }
    }

    /** Files a kustomization names: resources, generator files, patches. */
    private static void collectReferences(Path base, JsonNode k, Set<Path> into) {
        k.path("resources").forEach(r -> into.add(base.resolve(r.asText()).normalize()));
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            for (JsonNode g : k.path(generator)) {
                for (JsonNode f : g.path("files")) {
                    String entry = f.asText();
                    into.add(base.resolve(entry.substring(entry.indexOf('=') + 1)).normalize());
                }
            }
        }
        for (JsonNode patch : k.path("patches")) {
            if (patch.has("path")) {
                into.add(base.resolve(patch.path("path").asText()).normalize());
            }
        }
        k.path("patchesStrategicMerge").forEach(p -> into.add(base.resolve(p.asText()).normalize()));
        k.path("components").forEach(c -> into.add(base.resolve(c.asText()).resolve("kustomization.yaml").normalize()));
    }

    private static JsonNode resource(String kind, String name) {
        JsonNode node = resources.get(kind + "/" + name);
        assertThat(node).as(kind + " " + name + " in the kustomization's resources").isNotNull();
        return node;
    }

    /** Deployments by role (label app.kubernetes.io/component). */
    private static Map<String, JsonNode> deployments() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        resources.forEach((key, node) -> {
            if (key.startsWith("Deployment/")) {
                String role = podLabels(node).path("app.kubernetes.io/component").asText();
                assertThat(out.put(role, node)).as("one Deployment for role " + role).isNull();
            }
        });
        return out;
    }

    private static JsonNode podSpec(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec");
    }

    private static JsonNode podLabels(JsonNode deployment) {
        return deployment.path("spec").path("template").path("metadata").path("labels");
    }

    private static JsonNode container(JsonNode deployment) {
        JsonNode containers = podSpec(deployment).path("containers");
        assertThat(containers.size()).as(deployment.path("metadata").path("name").asText() + ": one container").isEqualTo(1);
        return containers.get(0);
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.size() == 0) {
            return false;
        }
        var fields = selector.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (!labels.path(f.getKey()).asText("\0").equals(f.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> selectedRoles(JsonNode selector) {
        Set<String> roles = new TreeSet<>();
        deployments().forEach((role, d) -> {
            if (selects(selector, podLabels(d))) {
                roles.add(role);
            }
        });
        return roles;
    }

    /** A port given as number or as the name of one of the container's ports. */
    private static int port(JsonNode container, JsonNode port) {
        if (port.isInt() || (port.isTextual() && port.asText().matches("[0-9]+"))) {
            return port.asInt();
        }
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(port.asText())) {
                return p.path("containerPort").asInt();
            }
        }
        fail("no container port named '" + port.asText() + "' in " + container.path("name").asText());
        return -1;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, JsonNode> envNodes(JsonNode container) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        container.path("env").forEach(e -> out.put(e.path("name").asText(), e));
        return out;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> out = new LinkedHashMap<>();
        envNodes(container).forEach((k, v) -> out.put(k, v.path("value").asText(null)));
        return out;
    }

    /** The role's Dropwizard YAML from the ConfigMap, read as the service reads it (unknown keys fail). */
    private static WorkerConfiguration dropwizard(String role) throws Exception {
        // the factory the services use (it fails on unknown properties, a plain YamlConfigurationFactory does not)
        ConfigurationFactory<WorkerConfiguration> factory = new DefaultConfigurationFactoryFactory<WorkerConfiguration>()
                .create(WorkerConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");
        return factory.build(new FileConfigurationSourceProvider(), configFiles.get(role + ".yaml").toString());
    }

    private static int adminPort(String role) throws Exception {
        DefaultServerFactory server = (DefaultServerFactory) dropwizard(role).getServerFactory();
        assertThat(server.getAdminConnectors()).as(role + ".yaml adminConnectors").hasSize(1);
        return ((HttpConnectorFactory) server.getAdminConnectors().get(0)).getPort();
    }

    private static int applicationPort(String role) throws Exception {
        DefaultServerFactory server = (DefaultServerFactory) dropwizard(role).getServerFactory();
        assertThat(server.getApplicationConnectors()).as(role + ".yaml applicationConnectors").hasSize(1);
        return ((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort();
    }

    /** For each named stage of the Dockerfile: [ENTRYPOINT, CMD] as exec-form lists. */
    private static Map<String, List<List<String>>> dockerStages(Path dockerfile) throws IOException {
        Map<String, List<List<String>>> stages = new LinkedHashMap<>();
        String stage = null;
        Pattern from = Pattern.compile("(?i)^FROM\\s+\\S+\\s+AS\\s+(\\S+)\\s*$");
        for (String line : Files.readAllLines(dockerfile)) {
            Matcher m = from.matcher(line.strip());
            if (m.matches()) {
                stage = m.group(1);
                stages.put(stage, new ArrayList<>(List.of(List.of(), List.of())));
            } else if (stage != null && line.startsWith("ENTRYPOINT ")) {
                stages.get(stage).set(0, execForm(line.substring("ENTRYPOINT ".length())));
            } else if (stage != null && line.startsWith("CMD ")) {
                stages.get(stage).set(1, execForm(line.substring("CMD ".length())));
            }
        }
        return stages;
    }

    private static List<String> execForm(String json) {
        try {
            return strings(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException("not an exec-form JSON array: " + json, e);
        }
    }
}
