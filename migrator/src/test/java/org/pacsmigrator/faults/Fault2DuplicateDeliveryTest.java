package org.pacsmigrator.faults;

import org.pacsmigrator.migrator.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.migrator.MigrationRunner;
import org.pacsmigrator.topics.DeadLetters;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * Scenario 2: duplicate delivery of Kafka records. After a complete migration, with the workers
 * still running: every study's event is published again on each stage topic (indexed, retrieved,
 * forwarded), a dead letter of every finished study is put on each stage's dead-letter topic and
 * replayed with the {@code replay} command, and the indexer runs over the range again. Nothing may
 * change: no C-STORE reaches the new PACS, every study stays VERIFIED with a complete status.
 */
@Tag("faults")
class Fault2DuplicateDeliveryTest {
    @Test
    void replayOfFinishedStudiesDoesNothing() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "2 duplicate delivery of Kafka records after the migration finished";
        String faults = "not injected yet";
        boolean rowWritten = false;
        try {
            env.newPacs().deleteAll();
            Path dir = env.scenarioDirectory("2-duplicates");
            String id = FaultEnvironment.migrationId("fd");
            Path file = env.migrationYaml(id, dir.resolve("data")).write(dir.resolve("migration.yaml"));
            MigrationConfig config = ConfigLoader.load(file);
            try (MigrationRunner runner = new MigrationRunner(config, config.services.kafka, config.services.cassandra)) {
                runner.startWorkers();
                runner.index();
                assertThat(Scenarios.awaitFinished(runner.state(), 15)).as("migration finished").isTrue();
                runner.awaitIdle(Duration.ofMinutes(3));
                int storesBefore = env.newPacs().receivedStores().size();

                Topics topics = new Topics(id);
                int records = 0;
                try (KafkaEventPublisher publisher = new KafkaEventPublisher(runner.kafkaSettings())) {
                    for (GeneratedStudy s : env.plan()) {
                        for (String topic : new String[] {topics.indexed(), topics.retrieved(), topics.forwarded()}) {
                            publisher.publish(topic, StudyEvent.of(s.studyInstanceUid(), "duplicate"));
                            records++;
                        }
                    }
                }
                int letters = putDeadLetters(config.services.kafka, topics, env);
                CliRun replay = CliRun.of("replay", "--config", file.toString(), "--stage", "retrieve,forward,verify",
                        "--all");
                assertThat(replay.exit()).as("replay: %s %s", replay.out(), replay.err()).isZero();
                assertThat(replay.out()).contains("retrieve: 20 studies").contains("forward: 20 studies").contains("verify: 20 studies");
                Indexer.Summary again = runner.index();
                faults = records + " duplicate records (every study on indexed, retrieved, forwarded) + " + letters
                        + " dead letters of finished studies replayed by `replay --all` + indexer re-run ("
                        + again.daysSkipped() + " days skipped, " + again.studiesNew() + " new)";
                Thread.sleep(5000);
                runner.awaitIdle(Duration.ofMinutes(5));
                Thread.sleep(5000); // a C-STORE caused by a duplicate would have happened by now
                int storesAfter = env.newPacs().receivedStores().size();

                FaultResults.Row row = Reconciliation.check(scenario, faults, env, Reconciliation.NewPacs.of(env.newPacs()),
                        runner.state(), Reconciliation.Expectation.allVerified());
                if (storesAfter != storesBefore || again.studiesNew() != 0) {
                    row = Scenarios.failed(row, "C-STOREs before the duplicates " + storesBefore + ", after " + storesAfter
                            + "; studies new on re-index " + again.studiesNew());
                }
                FaultResults.append(row);
                rowWritten = true;
                assertThat(row.passed()).as("%s", row.markdown()).isTrue();
            }
            FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, faults, -1, -1, -1, false, t.toString()));
            }
            throw t;
        }
    }

    /** A dead letter of every study on each stage's dead-letter topic, as a stage would have written it. */
    private static int putDeadLetters(String bootstrap, Topics topics, FaultEnvironment env) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        int n = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String input : new String[] {topics.indexed(), topics.retrieved(), topics.forwarded()}) {
                for (GeneratedStudy s : env.plan()) {
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.deadLetterOf(input),
                            s.studyInstanceUid().getBytes(StandardCharsets.UTF_8),
                            JsonSerde.studyEvents().toBytes(StudyEvent.of(s.studyInstanceUid(), "stale letter")));
                    r.headers().add(DeadLetters.CATEGORY, "association rejected".getBytes(StandardCharsets.UTF_8));
                    r.headers().add(DeadLetters.MESSAGE, "a stale dead letter of a finished study".getBytes(StandardCharsets.UTF_8));
                    producer.send(r).get();
                    n++;
                }
            }
        }
        return n;
    }
}
