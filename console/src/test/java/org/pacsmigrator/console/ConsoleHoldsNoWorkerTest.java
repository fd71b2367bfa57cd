package org.pacsmigrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The console module runs without any worker: no stage's service, no launcher, no test harness on
 * its classpath (this module has no test-scoped dependency of its own, so its test classpath is its
 * runtime classpath, the console image's). Its control passes use the indexing module, its report
 * common's.
 */
class ConsoleHoldsNoWorkerTest {
    private static final List<String> ABSENT = List.of(
            "org.pacsmigrator.index.service.IndexerApplication",
            "org.pacsmigrator.retrieve.service.RetrieverApplication",
            "org.pacsmigrator.forward.service.ForwarderApplication",
            "org.pacsmigrator.verify.service.VerifierApplication",
            "org.pacsmigrator.migrator.MigratorCli",
            "org.pacsmigrator.harness.Services");

    @Test
    void noWorkerLauncherOrHarnessIsOnTheConsolesClasspath() {
        for (String name : ABSENT) {
            assertThat(present(name)).as(name).isFalse();
        }
        assertThat(present("org.pacsmigrator.index.ControlQuery")).as("the control passes (indexing)").isTrue();
        assertThat(present("org.pacsmigrator.report.MigrationReport")).as("the report (common)").isTrue();
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, ConsoleHoldsNoWorkerTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
