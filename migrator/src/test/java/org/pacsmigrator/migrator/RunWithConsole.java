package org.pacsmigrator.migrator;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * A whole migration of the fixture's studies in this JVM, all stages in one meter registry, with its embedded console
 * left up for the test to query; one study event the state store does not know goes to a dead letter.
 */
final class RunWithConsole implements AutoCloseable {
    final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final MigrationRunner runner;
    final EmbeddedConsole console;

    private RunWithConsole(MigrationConfig config) throws Exception {
        runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra, RuleSet.EMPTY, meters);
        EmbeddedConsole started;
        try {
            started = EmbeddedConsole.start(config, runner, meters);
        } catch (Exception | Error e) {
            runner.close();
            throw e;
        }
        console = started;
    }

    /** Runs the migration to its end, with a dead letter for {@code unknownStudy} (published as {@code reason}). */
    static RunWithConsole completed(MigrationConfig config, String unknownStudy, String reason) throws Exception {
        RunWithConsole run = new RunWithConsole(config);
        try {
            run.runner.startWorkers();
            run.runner.index();
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(run.runner.kafkaSettings())) {
                publisher.publish(new Topics(config.migrationId).indexed(), StudyEvent.of(unknownStudy, reason));
            }
            run.runner.awaitCompletion(Duration.ofSeconds(1));
            return run;
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            console.close();
        } finally {
            runner.close();
        }
    }
}
