package org.pacsmigrator.migrator;

import static java.util.stream.Collectors.toCollection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.deploy.GrafanaDashboard;
import org.pacsmigrator.migrator.PrometheusText.Family;
import org.pacsmigrator.migrator.PrometheusText.Sample;
import org.pacsmigrator.topics.StageId;

/**
 * The Prometheus output of a real all-in-one run (every stage in one registry, with traffic and one dead letter),
 * as Prometheus itself reads it: {@code promtool check metrics} (Debian package {@code prometheus}) parses and
 * lints it; then latencies are histograms (aggregatable across pods, no client-side quantiles), the {@code stage}
 * label means the same on every metric, every family has HELP, lag has no sentinel values, no rate is a gauge,
 * and the Grafana dashboard queries only series this output has.
 */
class PrometheusConventionsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String UNKNOWN_STUDY = "1.2.826.0.1.3680043.10.999.434343";
    private static final Set<String> STAGES =
            Arrays.stream(StageId.values()).map(StageId::label).collect(toCollection(TreeSet::new));
    private static final Set<String> CONSUMING =
            StageId.CONSUMING.stream().map(StageId::label).collect(toCollection(TreeSet::new));
    /** The latencies the stages measure: each must be a histogram. */
    private static final List<String> LATENCIES = List.of("pacsmig_stage_study_latency_seconds",
            "pacsmig_retrieve_study_latency_seconds", "pacsmig_retrieve_association_latency_seconds",
            "pacsmig_forward_association_latency_seconds");

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
    }

    @Test
    void aRunsOutputFollowsPrometheusConventions() throws Exception {
        String text = scrapeOfARun();
        Path file = Files.writeString(dir.resolve("metrics.prom"), text);

        assertThat(promtool(file)).as("promtool check metrics of %s", file).isEqualTo("exit 0: ");

        PrometheusText metrics = PrometheusText.parse(text);
        for (Family f : metrics.families()) {
            assertThat(f.help()).as("HELP of %s", f.name()).isNotBlank();
            assertThat(f.type()).as("TYPE of %s", f.name()).isNotEqualTo("summary").isNotEqualTo("untyped");
            f.samples().forEach(s -> assertThat(s.labels()).as("%s: no client-side quantiles", s.name())
                    .doesNotContainKey("quantile"));
        }
        for (String latency : LATENCIES) {
            Family f = family(metrics, latency);
            assertThat(f.type()).as(latency).isEqualTo("histogram");
            assertThat(metrics.samples(latency + "_bucket")).as(latency + " buckets")
                    .anyMatch(s -> "+Inf".equals(s.labels().get("le")));
        }
        stageLabelsAgree(metrics);
        // no sentinel: the lag is published once read, never as -1 for "unknown"
        for (String lag : List.of("pacsmig_stage_lag", "pacsmig_consumer_lag")) {
            assertThat(metrics.samples(lag)).as(lag).isNotEmpty().allMatch(s -> s.value() >= 0);
        }
        // rates are Prometheus's to compute: counters, no "per minute" gauges
        assertThat(metrics.families()).filteredOn(f -> f.name().startsWith("pacsmig_"))
                .noneMatch(f -> f.name().contains("per_minute") || f.name().contains("per_second"));
        assertThat(family(metrics, "pacsmig_index_queries_total").type()).isEqualTo("counter");

        dashboardQueriesOnly(metrics);
    }

    /** A small run: all stages in one registry, one study event the state store does not know (a dead letter). */
    private String scrapeOfARun() throws Exception {
        MigrationConfig config = MigrationFixture.config("C-GET", dir.resolve("data"));
        try (RunWithConsole run = RunWithConsole.completed(config, UNKNOWN_STUDY, "metrics-test")) {
            EmbeddedConsole console = run.console;
            String url = "http://" + console.adminHost() + ":" + console.adminPort() + "/prometheus";
            // the lag is read from the broker in the background: wait until every consuming stage's has been read
            await().atMost(60, TimeUnit.SECONDS).until(() -> PrometheusText.parse(get(url)).samples("pacsmig_stage_lag")
                    .size() >= CONSUMING.size());
            return get(url);
        }
    }

    /** One meaning of {@code stage} everywhere: a stage's label, the same set on each of the stages' metrics. */
    private static void stageLabelsAgree(PrometheusText metrics) {
        for (Family f : metrics.families()) {
            for (Sample s : f.samples()) {
                if (s.labels().containsKey("stage")) {
                    assertThat(s.labels().get("stage")).as("stage label of %s", s.name()).isIn(STAGES);
                }
                if (f.name().startsWith("pacsmig_stage_") || f.name().startsWith("pacsmig_consumer_")
                        || f.name().startsWith("kafka_consumer_")) {
                    assertThat(s.labels()).as("labels of %s", s.name()).containsKey("stage");
                }
            }
        }
        for (String perStage : List.of("pacsmig_stage_processed_total", "pacsmig_stage_lag", "pacsmig_consumer_lag",
                "pacsmig_stage_study_latency_seconds_count")) {
            assertThat(stagesOf(metrics, perStage)).as("stages of " + perStage).isEqualTo(CONSUMING);
        }
        assertThat(stagesOf(metrics, "pacsmig_stage_paused")).isEqualTo(STAGES);
        assertThat(metrics.samples("pacsmig_stage_failures_total"))
                .anyMatch(s -> "retrieve".equals(s.labels().get("stage")) && "unknown study".equals(s.labels().get("category")));
    }

    /** The dashboard's queries name only series of this output (or {@code up}, which Prometheus adds). */
    private static void dashboardQueriesOnly(PrometheusText metrics) throws Exception {
        Set<String> exported = new TreeSet<>(metrics.seriesNames());
        exported.add("up");
        boolean quantiles = false;
        for (GrafanaDashboard.Query q : GrafanaDashboard.queries()) {
            assertThat(q.expr()).as("a query of panel '%s'", q.panel()).isNotBlank();
            Set<String> names = GrafanaDashboard.metricNames(q.expr());
            assertThat(names).as("metrics in %s", q.expr()).isNotEmpty();
            assertThat(exported).as("series of the run's output (the dashboard's panel '%s' queries %s)", q.panel(), names)
                    .containsAll(names);
            if (names.stream().anyMatch(n -> n.endsWith("_total") || n.endsWith("_bucket"))) {
                assertThat(q.expr()).as("counters and buckets are read as rates").containsAnyOf("rate(", "increase(");
            }
            quantiles |= q.expr().contains("histogram_quantile(") && q.expr().contains("_latency_seconds_bucket");
        }
        assertThat(quantiles).as("a latency panel reads quantiles from the histograms").isTrue();
    }

    private static Family family(PrometheusText metrics, String name) {
        return metrics.families().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric family " + name));
    }

    private static Set<String> stagesOf(PrometheusText metrics, String series) {
        return metrics.samples(series).stream().map(s -> s.labels().get("stage")).collect(toCollection(TreeSet::new));
    }

    /** {@code promtool check metrics < file}: "exit N: " and what it reported. */
    private static String promtool(Path file) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return "exit " + p.exitValue() + ": " + out.strip();
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
        return r.body();
    }
}
