package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.forward.rules.FailingRules;

/**
 * A stage whose handler dies of an {@link Error} (a forwarder rule that throws, as a bug would) ends the
 * all-in-one run with the internal-failure exit code instead of leaving it waiting forever, against the
 * real Kafka, Cassandra and PACS of the test services.
 */
class StageCrashTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void seed() throws Exception {
        MigrationFixture.ensureOldPacsSeeded();
    }

    @Test
    void aForwarderThatDiesOfAnErrorEndsTheRunWithTheCrashCode() throws Exception {
        MigrationConfig config = MigrationFixture.config("C-GET", dir.resolve("data"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            // bounded: before the fix the run waited forever for the study the dead loop held
            exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return SingleMachine.run(config, FailingRules.throwing(new AssertionError("deliberate")), out, false);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get(5, TimeUnit.MINUTES);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code; output:%n%s", output).isEqualTo(MigratorCli.INTERNAL_FAILURE).isEqualTo(3);
        assertThat(output).contains("RESULT: INTERNAL FAILURE").contains("forward").contains("deliberate")
                .doesNotContain("RESULT: COMPLETE");
    }

    @Test
    void theHelpOfRunListsTheExitCodes() {
        String help = MigratorCli.commandLine().getSubcommands().get("run").getUsageMessage();
        assertThat(help).contains("Exit codes:").contains("0").contains("internal failure").containsPattern("3\\s+internal failure");
    }
}
