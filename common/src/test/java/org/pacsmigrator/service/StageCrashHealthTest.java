package org.pacsmigrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dropwizard.core.setup.Environment;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.testsupport.RealServices;
import org.pacsmigrator.testsupport.WorkerServices;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.worker.MigrationContext;
import org.pacsmigrator.worker.Stage;
import org.pacsmigrator.worker.StageWorkers;

/**
 * A worker service whose stage handler dies of an {@link Error} (against the real Kafka and Cassandra):
 * the health check {@code stage} turns red with the cause, {@code /ready} and {@code /live} answer 503.
 */
class StageCrashHealthTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A service whose stage consumes the indexed topic and throws the error it is given. */
    static final class CrashingWorker extends WorkerApplication<WorkerConfiguration> {
        final AtomicReference<MigrationContext> context = new AtomicReference<>();

        @Override
        protected void start(WorkerConfiguration configuration, MigrationConfig migration, Environment environment,
                             PrometheusMeterRegistry registry) throws Exception {
            MigrationContext ctx = openContext(migration, environment);
            context.set(ctx);
            manageStage(environment, () -> new ConsumersOnly(ctx.startStage(StageId.RETRIEVE,
                    event -> {
                        throw new AssertionError("deliberate: study " + event.studyInstanceUid());
                    }, 1)));
        }
    }

    /** A stage that is its consumers and nothing else. */
    record ConsumersOnly(StageWorkers workers) implements Stage {
        @Override
        public void close() {
            workers.close();
        }
    }

    @Test
    void aStageLoopThatDiesOfAnErrorTurnsTheHealthCheckRed() throws Exception {
        String id = RealServices.unique("crash");
        Path migration = Files.writeString(dir.resolve("migration.yaml"), """
                migrationId: %s
                source: {aeTitle: OLD, host: 127.0.0.1, port: 104}
                destination: {aeTitle: NEW, host: 127.0.0.1, port: 104}
                index: {from: 2024-01-01, to: 2024-01-02}
                storage: {dataDirectory: %s}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 1}
                """.formatted(id, dir.resolve("data"), RealServices.kafka(), RealServices.cassandra(),
                RealServices.cassandraDatacenter()));
        CrashingWorker app = new CrashingWorker();
        WorkerServices.start(app, migration);
        String admin = "http://127.0.0.1:" + app.adminPort();
        try {
            await().atMost(30, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 200);
            assertThat(body(admin + "/healthcheck")).contains("\"" + WorkerApplication.STAGE_CHECK + "\"");
            assertThat(status(admin + "/live")).isEqualTo(200);

            try (KafkaEventPublisher publisher = new KafkaEventPublisher(app.context.get().kafka())) {
                publisher.publish(app.context.get().topics().indexed(), StudyEvent.of("1.2.3.crash", "new"));
            }
            await().atMost(60, TimeUnit.SECONDS).until(() -> status(admin + "/ready") == 503);
            assertThat(body(admin + "/ready")).contains("a consumer loop died").contains("deliberate: study 1.2.3.crash");
            assertThat(status(admin + "/live")).isEqualTo(503);
            assertThat(status(admin + "/healthcheck")).isEqualTo(500);
        } finally {
            app.stop();
        }
    }

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String body(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
