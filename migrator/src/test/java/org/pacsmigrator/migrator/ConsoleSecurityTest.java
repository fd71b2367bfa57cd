package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.CountingProxy;
import org.pacsmigrator.throttle.AssociationLeases;
import org.pacsmigrator.topics.StageId;
import org.slf4j.LoggerFactory;

/**
 * The console's API against a real migration (Kafka, Cassandra, the old PACS behind a
 * {@link CountingProxy}): requests without the token, from a foreign origin or host, or posted as a
 * cross-site form would be, are refused without changing anything and without a stack trace in the
 * log; with the token they work. The report's reconciliation takes its associations to the old PACS
 * from the budget the workers share: parallel downloads wait while other workers hold every slot and
 * never open more associations than the slots left.
 */
class ConsoleSecurityTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;

    private static CountingProxy oldPacsProxy;
    private static MigrationConfig config;
    private static MigrationRunner runner;
    private static EmbeddedConsole console;
    private static String base;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        OrthancServer oldPacs = MigrationFixture.services().oldPacs();
        oldPacsProxy = new CountingProxy(oldPacs.host(), oldPacs.dicomPort());
        config = MigrationFixture.config("C-MOVE", dir.resolve("data"));
        config.source.host = "127.0.0.1";
        config.source.port = oldPacsProxy.port();
        config.retrieve.maxAssociations = 2;
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra, RuleSet.EMPTY, meters);
        console = EmbeddedConsole.start(config, runner, meters);
        base = console.url();
        token = console.token().reveal();
        // Indexed only (no workers): the report has every study of the data set to reconcile.
        assertThat(runner.index().studiesFound()).isEqualTo(MigrationFixture.STUDIES);
    }

    @AfterAll
    static void stop() throws Exception {
        if (console != null) {
            console.close();
        }
        if (runner != null) {
            runner.close();
        }
        if (oldPacsProxy != null) {
            oldPacsProxy.close();
        }
    }

    @Test
    void apiNeedsTheTokenAndRefusesForeignOriginsHostsAndFormPosts() throws Exception {
        assertThat(console.tokenGenerated()).as("the fixture's config names no console.token").isTrue();
        assertThat(console.adminHost()).as("the embedded console's admin connector").isEqualTo("127.0.0.1");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        String pause = base + "api/stages/retrieve/pause";
        try {
            // No token: 401, with the scheme to use.
            HttpResponse<String> noToken = send(post(pause).header("Content-Type", "application/json"));
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(send(post(pause).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token.substring(1) + "x")).statusCode()).as("wrong token").isEqualTo(401);
            // What a page of another site can send: its Origin (even with the token, 403), a text/plain body (415).
            assertThat(send(post(pause).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Origin", "http://attacker.example")).statusCode()).as("foreign Origin").isEqualTo(403);
            assertThat(send(post(pause).header("Content-Type", "text/plain")
                    .header("Origin", "http://attacker.example")).statusCode()).as("cross-site form post").isEqualTo(403);
            assertThat(send(post(pause).header("Authorization", "Bearer " + token).header("Content-Type", "text/plain"))
                    .statusCode()).as("text/plain post with the token").isEqualTo(415);
            // Another site's name resolved to this machine (DNS rebinding): 403 whatever it sends.
            assertThat(rawStatus("POST", "/api/stages/retrieve/pause", "rebind.attacker.example:" + URI.create(base).getPort(),
                    "Authorization: Bearer " + token, "Content-Type: application/json"))
                    .as("foreign Host").isEqualTo(403);
            assertThat(rawStatus("GET", "/api/report.csv", "rebind.attacker.example", "Authorization: Bearer " + token))
                    .as("report under a foreign Host").isEqualTo(403);
            // The report (patient IDs) without the token: 401.
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "api/report.csv")).GET()).statusCode()).isEqualTo(401);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "api/report.html")).GET()).statusCode()).isEqualTo(401);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "api/progress")).GET()).statusCode()).isEqualTo(401);
            assertThat(runner.context().state().stagePauses().getOrDefault(StageId.RETRIEVE.label(), false))
                    .as("nothing refused paused the stage").isFalse();
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).filteredOn(e -> e.getFormattedMessage().startsWith("console: refused")).hasSize(10);
        assertThat(log.list).as("no stack trace for a refused request").allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
        assertThat(log.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains(token));

        // The page itself holds no data and loads without the token; the API answers with it, from the console's own origin.
        assertThat(send(HttpRequest.newBuilder(URI.create(base)).GET()).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "console.js")).GET()).statusCode()).isEqualTo(200);
        String origin = base.substring(0, base.length() - 1);
        HttpResponse<String> paused = send(post(pause).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Origin", origin));
        assertThat(paused.statusCode()).as("POST with the token: %s", paused.body()).isEqualTo(200);
        assertThat(paused.body()).contains("\"paused\":true");
        HttpResponse<String> resumed = send(post(base + "api/stages/retrieve/resume").header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json"));
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(resumed.body()).contains("\"paused\":false");
        assertThat(rawStatus("GET", "/api/progress", "localhost:" + URI.create(base).getPort(), "Authorization: Bearer " + token))
                .as("loopback name").isEqualTo(200);
    }

    @Test
    void parallelReportDownloadsStayWithinTheOldPacsAssociationBudget() throws Exception {
        String oldAe = config.source.aeTitle;
        CassandraStateStore state = (CassandraStateStore) runner.context().state();
        try (AssociationLeases otherWorker = new AssociationLeases(state.session(), state.keyspace(), "other-worker",
                Duration.ofSeconds(30))) {
            // Another worker holds both slots of the old PACS's budget (retrieve.maxAssociations 2).
            AssociationLeases.Lease first = otherWorker.acquire(oldAe, 2, Duration.ofSeconds(30));
            AssociationLeases.Lease second = otherWorker.acquire(oldAe, 2, Duration.ofSeconds(30));
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            int associationsBefore = oldPacsProxy.total();
            List<CompletableFuture<HttpResponse<String>>> downloads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                downloads.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + (i % 2 == 0 ? "api/report.csv" : "api/report.html")))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(3)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(3_000);
            assertThat(oldPacsProxy.total()).as("no association to the old PACS while the budget is used up")
                    .isEqualTo(associationsBefore);
            assertThat(downloads).noneMatch(CompletableFuture::isDone);

            // One slot comes free (slot 0, which the report may take even if its adaptive limit drops to 1).
            (first.slot() == 0 ? first : second).close();
            AssociationLeases.Lease kept = first.slot() == 0 ? second : first;
            for (int i = 0; i < downloads.size(); i++) {
                HttpResponse<String> r = downloads.get(i).get(3, TimeUnit.MINUTES);
                assertThat(r.statusCode()).as("download %d: %s", i, r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
                if (i % 2 == 0) {
                    assertThat(r.body().lines().count()).isEqualTo(MigrationFixture.STUDIES + 1);
                } else {
                    assertThat(r.body()).contains(MigrationFixture.STUDIES + " studies");
                }
            }
            kept.close();
            // Each study's instances were asked for over one association; never two at once (one slot was free).
            assertThat(oldPacsProxy.total() - associationsBefore).isGreaterThanOrEqualTo(MigrationFixture.STUDIES);
            assertThat(oldPacsProxy.peak()).as("associations the old PACS had open at once").isEqualTo(1);
        }
        assertThat(runner.context().meters().find("pacsmig.retrieve.associations.active").tag("remote", oldAe).gauge())
                .as("the old PACS's one gate, the report's too").isNotNull()
                .satisfies(g -> assertThat(g.value()).isZero());
    }

    private static HttpRequest.Builder post(String url) {
        return HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request with a Host header of our choosing (the JDK's client sets its own): its status code. */
    private static int rawStatus(String method, String path, String host, String... headers) throws Exception {
        URI uri = URI.create(base);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            for (String h : headers) {
                request.append(h).append("\r\n");
            }
            request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String statusLine = response.lines().findFirst().orElseThrow();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }
}
