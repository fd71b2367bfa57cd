package org.pacsmigrator.index.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.FileModes;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.testsupport.WorkerServices;

/** The indexer as a Dropwizard service: indexes on start, progress over REST, Prometheus metrics, health check. */
class IndexerServiceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void indexesAndReportsProgressOverRestAndPrometheus() throws Exception {
        Services services = TestServices.get();
        Path dir = Files.createTempDirectory("indexer-service");
        try (OrthancServer orthanc = OrthancServer.start("SVCPACS", dir.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", 1)), Map.of())) {
            LocalDate day = LocalDate.of(2023, 10, 2);
            SyntheticSeeding.sendTo(new SyntheticPacsGenerator(701, 4, day, 2, 1, 1, 4), Dicom.client("MIGRATOR", DicomTimeouts.defaults()),
                    new DicomNode("SVCPACS", "127.0.0.1", orthanc.dicomPort()), dir.resolve("s"));
            String id = "svc" + Long.toHexString(System.nanoTime()).substring(5);
            Path migration = Files.writeString(dir.resolve("migration.yaml"), """
                    migrationId: %s
                    source: {aeTitle: SVCPACS, host: 127.0.0.1, port: %d}
                    destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 4243}
                    index: {from: 2023-10-01, to: 2023-10-04, timeZone: UTC, reportDirectory: %s}
                    storage: {dataDirectory: %s}
                    services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 2}
                    """.formatted(id, orthanc.dicomPort(), dir.resolve("reports"), dir.resolve("data"),
                    services.kafka().bootstrapServers(), services.cassandra().contactPoint(),
                    services.cassandra().localDatacenter()));
            IndexerApplication app = new IndexerApplication();
            WorkerServices.start(app, migration);
            Server server = app.server().get();
            try {
                for (var c : server.getConnectors()) {
                    assertThat(((NetworkConnector) c).getHost()).isEqualTo("127.0.0.1");
                }
                String api = "http://127.0.0.1:" + app.applicationPort();
                String admin = "http://127.0.0.1:" + app.adminPort();
                await().atMost(Duration.ofSeconds(60)).until(() -> get(api + "/index/progress").path("daysDone").asInt() == 5);
                JsonNode progress = get(api + "/index/progress");
                assertThat(progress.path("daysPending").asInt()).isZero();
                assertThat(progress.path("daysFailed").asInt()).isZero();
                assertThat(progress.path("studiesFound").asInt()).isEqualTo(4);
                assertThat(progress.path("queries").asInt()).isEqualTo(5);
                assertThat(progress.path("queriesPerMinute").asDouble()).isEqualTo(5.0);
                assertThat(get(api + "/index/days/2023-10-02").path("status").asText()).isEqualTo("DONE");
                assertThat(get(api + "/index/days/undated").path("studyCount").asInt()).isZero();

                String metrics = text(admin + "/prometheus");
                assertThat(metrics).contains("pacsmig_index_day_status{status=\"done\"} 5.0")
                        .contains("pacsmig_index_queries_total 5.0").doesNotContain("per_minute");
                assertThat(text(admin + "/healthcheck")).contains("source-pacs").contains("\"healthy\":true");

                HttpResponse<String> control = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/index/control"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(control.statusCode()).isEqualTo(200);
                JsonNode report = JSON.readTree(control.body());
                assertThat(report.path("days")).hasSize(5);
                assertThat(report.path("discrepancies")).isEmpty();
                // kept as the migration's last control pass, which the service shows too
                JsonNode last = get(api + "/index/control");
                assertThat(last.path("trigger").asText()).isEqualTo("indexer service, REST");
                assertThat(last.path("daysChecked").asInt()).isEqualTo(report.path("days").size());
                assertThat(last.path("counts").path("NEW").asInt()).isZero();
                // the control report (studies, patients) and the data directory are for this user only
                List<Path> written;
                try (var files = Files.list(dir.resolve("reports"))) {
                    written = files.toList();
                }
                assertThat(written).singleElement().satisfies(f -> assertThat(f.getFileName().toString()).startsWith("control-"));
                assertThat(FileModes.of(dir.resolve("reports"))).isEqualTo("rwx------");
                assertThat(FileModes.notOwnerOnly(dir.resolve("reports"))).isEmpty();
                assertThat(FileModes.of(dir.resolve("data"))).isEqualTo("rwx------");
                assertThat(FileModes.notOwnerOnly(dir.resolve("data"))).isEmpty();
            } finally {
                app.stop();
            }
        }
    }

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(text(url));
    }

    private static String text(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
