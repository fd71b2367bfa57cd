package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.state.RefusedInstance;

/**
 * The web console in headless Chromium (Debian's chromium driven by playwright-core, see the
 * console module's src/test/node/), embedded in the all-in-one run, against a real migration of
 * the shared data set, with one real dead letter (a study event the state store does not know):
 * here, not in the console module, because it needs every worker. The page asks for the
 * console's token, then shows the numbers the API reports, a click on "Replay" moves the dead
 * letter back to the retrieve stage's topic (paused, so it waits there as lag until the stage is
 * resumed), the report button downloads the CSV report with the token, and the control button runs
 * a control pass whose result the page then shows.
 */
class ConsoleWebTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String UNKNOWN_STUDY = "1.2.826.0.1.3680043.10.999.424242";
    private static final String BROWSER_CHECK = "console/src/test/node";
    /** The console's token (generated for the run: the fixture's config names none). */
    private static String token;

    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
        MigrationFixture.services().newPacs().deleteAll();
    }

    @Test
    void pageShowsTheApiNumbersAndReplaysADeadLetter() throws Exception {
        MigrationConfig config = MigrationFixture.config("C-MOVE", dir.resolve("data"));
        try (RunWithConsole run = RunWithConsole.completed(config, UNKNOWN_STUDY, "console-test")) {
            MigrationRunner runner = run.runner;
            EmbeddedConsole console = run.console;
            String base = console.url();
            token = console.token().reveal();
            await().atMost(90, TimeUnit.SECONDS).until(() -> {
                JsonNode p = get(base + "api/progress");
                return p.at("/deadLetters/total").asLong() == 1
                        && p.at("/studies/byState/VERIFIED").asLong() == MigrationFixture.STUDIES;
            });
            assertThat(post(base + "api/stages/retrieve/pause").get("paused").asBoolean()).isTrue();
            JsonNode progress = get(base + "api/progress");
            JsonNode failures = get(base + "api/failures");
            // the terminal's figures: every study through, the paused stage says so although it has nothing left
            assertThat(progress.at("/eta").asText()).isEqualTo("done");
            assertThat(progress.at("/stages/1/done").asLong()).isEqualTo(MigrationFixture.STUDIES);
            assertThat(progress.at("/stages/1/imagesDone").asLong()).isEqualTo(MigrationFixture.TOTAL_INSTANCES);
            assertThat(progress.at("/stages/1/waits/0").asText()).isEqualTo("paused (resume it in the console)");
            assertThat(progress.at("/stages/3/eta").asText()).isEqualTo("done");
            assertThat(progress.at("/stages/2/waits")).isEmpty();
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0).get("stage").asText()).isEqualTo("retrieve");
            assertThat(failures.get(0).get("studies").get(0).asText()).isEqualTo(UNKNOWN_STUDY);

            JsonNode page = browse(base, dir.resolve("console.png"), token);
            assertThat(page.get("signInShown").asBoolean()).isTrue();
            assertThat(page.at("/report/name").asText()).isEqualTo("report.csv");
            assertThat(page.at("/report/lines").asLong()).isEqualTo(MigrationFixture.STUDIES + 1); // header + one row per study
            // The control button ran a pass over the indexed days: the old PACS holds nothing more.
            assertThat(page.at("/control/trigger").asText()).isEqualTo("console");
            assertThat(page.at("/control/clean").asText()).as("control card: %s", page.at("/control/text")).isEqualTo("true");
            assertThat(page.at("/control/new").asText()).isEqualTo("0");
            assertThat(page.at("/control/unmigrated").asText()).isEqualTo("0");
            assertThat(runner.state().lastControlPass().orElseThrow().trigger()).isEqualTo("console");

            JsonNode tiles = page.get("tiles");
            assertThat(tiles.get("totalStudies").asLong()).isEqualTo(progress.at("/studies/total").asLong())
                    .isEqualTo(MigrationFixture.STUDIES);
            assertThat(tiles.get("verifiedStudies").asLong()).isEqualTo(progress.at("/studies/byState/VERIFIED").asLong());
            assertThat(tiles.get("failedStudies").asLong()).isEqualTo(progress.at("/studies/byState/FAILED").asLong());
            assertThat(tiles.get("deadLetterTotal").asLong()).isEqualTo(1);
            assertThat(tiles.get("instancesExpected").asLong()).isEqualTo(progress.at("/instances/expected").asLong())
                    .isEqualTo(MigrationFixture.TOTAL_INSTANCES);
            assertThat(tiles.get("instancesSent").asLong()).isEqualTo(progress.at("/instances/sent").asLong());
            assertThat(page.at("/calendar/studies").asLong()).isEqualTo(MigrationFixture.STUDIES);
            assertThat(page.at("/calendar/cells").asLong()).isGreaterThanOrEqualTo(MigrationFixture.DAYS);
            assertThat(page.get("failures")).hasSize(1);
            assertThat(page.at("/failures/0/stage").asText()).isEqualTo("retrieve");
            assertThat(page.at("/failures/0/count").asLong()).isEqualTo(1);
            assertThat(page.get("stages").findValuesAsText("stage")).containsExactly("index", "retrieve", "forward", "verify");
            assertThat(page.at("/stages/1/paused").asBoolean()).isTrue();
            assertThat(page.at("/stages/1/waits").asText()).isEqualTo("paused (resume it in the console)");
            assertThat(page.at("/stages/3/eta").asText()).isEqualTo("done");

            // The click replayed it: no pending dead letter, the event waits on the paused stage's topic.
            assertThat(page.at("/replayed/stage").asText()).isEqualTo("retrieve");
            assertThat(page.get("failuresAfter")).isEmpty();
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                JsonNode p = get(base + "api/progress");
                return p.at("/deadLetters/total").asLong() == 0 && p.at("/stages/1/lag").asLong() == 1;
            });

            // Resumed, the retriever takes it again (still unknown: dead-lettered again, nothing lost).
            assertThat(post(base + "api/stages/retrieve/resume").get("paused").asBoolean()).isFalse();
            await().atMost(60, TimeUnit.SECONDS).until(() -> {
                JsonNode p = get(base + "api/progress");
                return p.at("/deadLetters/total").asLong() == 1 && p.at("/stages/1/lag").asLong() == 0;
            });
            String shown = progressStudy(base);
            runner.state().recordRefusal(new RefusedInstance(shown, "1.2.3.4.5.6", "instance not in manifest",
                    "refused before its data set was kept", "OLDPACS", 0x0124, Instant.now()));
            JsonNode detail = get(base + "api/studies/" + shown);
            assertThat(detail.at("/study/state").asText()).isEqualTo("VERIFIED");
            assertThat(detail.at("/complete").asBoolean()).isTrue();
            assertThat(detail.at("/refusedInstances/0/sopInstanceUid").asText()).isEqualTo("1.2.3.4.5.6");
            assertThat(detail.at("/refusedInstances/0/category").asText()).isEqualTo("instance not in manifest");
            HttpResponse<String> csv = HTTP.send(HttpRequest.newBuilder(URI.create(base + "api/report.csv"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.body().lines().count()).isGreaterThan(MigrationFixture.STUDIES);
        }
    }

    /** A study found through the search API (the first of the list). */
    private static String progressStudy(String base) throws Exception {
        JsonNode found = get(base + "api/studies?limit=5");
        assertThat(found).hasSize(5);
        return found.get(0).get("studyInstanceUid").asText();
    }

    /** Runs the console module's src/test/node/console-check.mjs against the page; returns what it read. */
    private static JsonNode browse(String base, Path screenshot, String token) throws Exception {
        ProcessBuilder check = new ProcessBuilder("node", browserCheck().resolve("console-check.mjs").toString(), base,
                screenshot.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        check.environment().put("CONSOLE_TOKEN", token);
        Process node = check.start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(260, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as("console-check exit code; output: %s", out).isZero();
        assertThat(Files.size(screenshot)).isPositive();
        return JSON.readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
    }

    /** The browser check's Node project, {@value #BROWSER_CHECK} under the repository root. */
    private static Path browserCheck() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve(BROWSER_CHECK))) {
            p = p.getParent();
        }
        assertThat(p).as("repository root with " + BROWSER_CHECK).isNotNull();
        return p.resolve(BROWSER_CHECK);
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode post(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
