package org.pacsmigrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.health.HealthCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.harness.KafkaBroker;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.retrieve.service.RetrieverApplication;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.testsupport.TcpRelay;
import org.pacsmigrator.testsupport.WorkerServices;
import org.pacsmigrator.throttle.StagePauses;
import org.pacsmigrator.topics.ConsumerLag;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * Worker services against real dependencies: readiness follows each dependency (stopped: red,
 * back: green), liveness stays up meanwhile, and the Prometheus endpoint shows the consumer lag
 * rising while the stage is paused and falling after it is resumed.
 */
class WorkerServicesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void retrieverReadinessFollowsItsDependenciesAndLagRisesWhilePaused() throws Exception {
        Services services = TestServices.get();
        String id = "svc" + Long.toHexString(System.nanoTime()).substring(6);
        String cassandraHost = services.cassandra().contactPoint().split(":")[0];
        int cassandraPort = Integer.parseInt(services.cassandra().contactPoint().split(":")[1]);
        try (OrthancServer oldPacs = OrthancServer.start("PROBEPACS", dir.resolve("orthanc"), Map.of());
             TcpRelay cassandra = TcpRelay.plain(cassandraHost, cassandraPort)) {
            Path migration = Files.writeString(dir.resolve("migration.yaml"), """
                    migrationId: %s
                    source: {aeTitle: PROBEPACS, host: 127.0.0.1, port: %d}
                    destination: {aeTitle: %s, host: %s, port: %d}
                    migrator: {aeTitle: MIGRATOR, bindAddress: 127.0.0.1, port: %d}
                    index: {from: 2024-01-01, to: 2024-01-02}
                    storage: {dataDirectory: %s}
                    services: {kafka: "%s", cassandra: "127.0.0.1:%d", cassandraDatacenter: %s, partitions: 2}
                    """.formatted(id, oldPacs.dicomPort(), services.newPacs().aeTitle(), services.newPacs().host(),
                    services.newPacs().dicomPort(), Ports.freePort(), dir.resolve("data"),
                    services.kafka().bootstrapServers(), cassandra.port(), services.cassandra().localDatacenter()));
            RetrieverApplication app = new RetrieverApplication();
            WorkerServices.start(app, migration);
            String admin = "http://127.0.0.1:" + app.adminPort();
            try {
                await().atMost(30, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 200);
                assertThat(body(admin + "/ready")).contains("\"source-pacs\"").contains("\"cache\"")
                        .contains("\"kafka\"").contains("\"cassandra\"");

                oldPacs.stop();
                await().atMost(30, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 503);
                assertThat(body(admin + "/ready")).containsPattern("\"source-pacs\":\\{[^}]*\"healthy\":false");
                assertThat(status(admin + "/live")).isEqualTo(200);
                oldPacs.start();
                await().atMost(30, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 200);

                cassandra.cut();
                await().atMost(30, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 503);
                assertThat(body(admin + "/ready")).containsPattern("\"cassandra\":\\{[^}]*\"healthy\":false");
                cassandra.open();
                await().atMost(90, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 200);

                lagRisesWhilePausedAndFallsAfter(services, id, "127.0.0.1:" + cassandra.port(), admin);
            } finally {
                app.stop();
            }
            assertThat(status(admin + "/live")).as("stopped").isEqualTo(-1);
        }
    }

    private void lagRisesWhilePausedAndFallsAfter(Services services, String id, String cassandra, String admin)
            throws Exception {
        Topics topics = new Topics(id);
        String lagMetric = "pacsmig_stage_lag{group=\"" + id + "-retriever\",stage=\"retrieve\",topic=\""
                + topics.indexed() + "\"}";
        try (StateStore state = CassandraStateStore.open(cassandra, services.cassandra().localDatacenter(),
                "pacsmig_" + id);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaSettings.of(services.kafka().bootstrapServers(), "t"))) {
            StagePauses pauses = StagePauses.of(state);
            pauses.set(StageId.RETRIEVE, true);
            await().atMost(20, TimeUnit.SECONDS).until(() -> metric(admin, "pacsmig_stage_paused{stage=\"retrieve\"}") == 1.0);
            for (int i = 0; i < 5; i++) {
                // unknown studies: once resumed, each is dead-lettered (and committed) at once
                publisher.publish(topics.indexed(), StudyEvent.of("1.2.3.999." + i, "lag-test"));
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> metric(admin, lagMetric) == 5.0);
            Thread.sleep(3000);
            assertThat(metric(admin, lagMetric)).as("still paused").isEqualTo(5.0);
            pauses.set(StageId.RETRIEVE, false);
            await().atMost(60, TimeUnit.SECONDS).until(() -> metric(admin, lagMetric) == 0.0);
            assertThat(metric(admin, "pacsmig_stage_dead_lettered_total{stage=\"retrieve\",topic=\""
                    + topics.indexed() + "\"}")).isEqualTo(5.0);
            assertThat(metric(admin, "pacsmig_stage_failures_total{category=\"unknown study\",stage=\"retrieve\"}"))
                    .isEqualTo(5.0);
            assertThat(body(admin + WorkerApplication.PROMETHEUS_PATH))
                    .contains("pacsmig_stage_study_latency_seconds_count{outcome=\"failed\",stage=\"retrieve\"} 5")
                    .contains("pacsmig_consumer_lag{group=\"" + id + "-retriever\",partition=\"0\"")
                    .contains("pacsmig_retrieve_associations_limit{remote=\"PROBEPACS\"}");
        }
    }

    @Test
    void kafkaHealthCheckFollowsTheBroker() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
            try (Admin kafkaAdmin = ConsumerLag.admin(broker.bootstrapServers())) {
                KafkaHealthCheck check = new KafkaHealthCheck(KafkaSettings.of(broker.bootstrapServers(), "health"), kafkaAdmin);
                assertThat(check.execute().isHealthy()).isTrue();
                broker.stop();
                HealthCheck.Result down = check.execute();
                assertThat(down.isHealthy()).isFalse();
                assertThat(down.getMessage()).contains(broker.bootstrapServers());
                broker.start();
                await().atMost(60, TimeUnit.SECONDS).until(() -> check.execute().isHealthy());
            }
        }
    }

    private static double metric(String admin, String series) throws Exception {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([-0-9.Ee+]+)$", Pattern.MULTILINE)
                .matcher(body(admin + WorkerApplication.PROMETHEUS_PATH));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
