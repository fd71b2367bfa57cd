package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.DeadLetters;
import org.pacsmigrator.topics.JsonSerde;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/** `replay` sends the chosen dead letters back and resets their studies from FAILED. */
class ReplayCommandTest {
    @TempDir
    Path dir;



    @Test
    void replaysByCategoryAndResetsTheStudy() throws Exception {
        Services s = MigrationFixture.services();
        String id = "rp" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Path config = Files.writeString(dir.resolve("m.yaml"), """
                migrationId: %s
                source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 104}
                destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 105}
                index: {from: 2024-01-01, to: 2024-01-02}
                storage: {dataDirectory: %s}
                console: {port: 0}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s, partitions: 2}
                """.formatted(id, dir.resolve("data"), s.kafka().bootstrapServers(), s.cassandra().contactPoint(),
                s.cassandra().localDatacenter()));

        assertThat(CliRun.of("replay", "--config", config.toString()).exit()).isEqualTo(MigratorCli.CONFIG_ERROR);
        assertThat(CliRun.of("replay", "--config", config.toString(), "--all", "--stage", "nowhere").err()).contains("nowhere");

        Topics topics = new Topics(id);
        KafkaSettings kafka = KafkaSettings.of(s.kafka().bootstrapServers(), "test-" + id, 2);
        TopicAdmin.ensureTopics(kafka, topics.all());
        String failed = "1.2.3." + System.nanoTime();
        String other = "1.2.4." + System.nanoTime();
        String conflict = "1.2.5." + System.nanoTime();
        try (StateStore state = CassandraStateStore.open(s.cassandra().contactPoint(),
                s.cassandra().localDatacenter(), "pacsmig_" + id)) {
            for (String uid : new String[] {failed, other, conflict}) {
                state.insertStudyIfAbsent(StudyRecord.indexed(uid, "P", null, "X^Y", null, null, null, "20240101", null,
                        null, "CT", 1, 1));
            }
            state.markFailed(failed, "association rejected", "source down");
            state.markFailed(other, "missing instances", "gone");
            state.markFailed(conflict, "patient ID conflict", "PatientName differs");
            Properties p = new Properties();
            p.put("bootstrap.servers", s.kafka().bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (String[] letter : new String[][] {{failed, "association rejected"}, {other, "missing instances"}}) {
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.deadLetterOf(topics.indexed()),
                            letter[0].getBytes(StandardCharsets.UTF_8),
                            JsonSerde.studyEvents().toBytes(StudyEvent.of(letter[0], "indexed")));
                    r.headers().add(DeadLetters.CATEGORY, letter[1].getBytes(StandardCharsets.UTF_8));
                    producer.send(r).get();
                }
                ProducerRecord<byte[], byte[]> forwardLetter = new ProducerRecord<>(Topics.deadLetterOf(topics.retrieved()),
                        conflict.getBytes(StandardCharsets.UTF_8),
                        JsonSerde.studyEvents().toBytes(StudyEvent.of(conflict, "retrieved")));
                forwardLetter.headers().add(DeadLetters.CATEGORY, "patient ID conflict".getBytes(StandardCharsets.UTF_8));
                producer.send(forwardLetter).get();
            }

            // without --stage, a category is looked for in every stage's letters
            CliRun anyStage = CliRun.of("replay", "--config", config.toString(), "--category", "patient ID conflict");
            assertThat(anyStage.exit()).as(anyStage.err()).isEqualTo(MigratorCli.COMPLETE);
            assertThat(anyStage.out()).contains("retrieve: 0 studies sent back").contains("forward: 1 studies sent back")
                    .contains("verify: 0 studies sent back");
            assertThat(state.findStudy(conflict).orElseThrow().state()).isEqualTo(StudyState.RETRIEVED);

            CliRun r = CliRun.of("replay", "--config", config.toString(), "--category", "association rejected");
            assertThat(r.exit()).as(r.err()).isEqualTo(MigratorCli.COMPLETE);
            assertThat(r.out()).contains("retrieve: 1 studies sent back");
            assertThat(state.findStudy(failed).orElseThrow().state()).isEqualTo(StudyState.INDEXED);
            assertThat(state.findStudy(other).orElseThrow().state()).isEqualTo(StudyState.FAILED);
            // The other letter is still pending: a replay by study finds it.
            CliRun byStudy = CliRun.of("replay", "--config", config.toString(), "--study", other);
            assertThat(byStudy.out()).contains("retrieve: 1 studies sent back");
            assertThat(state.findStudy(other).orElseThrow().state()).isEqualTo(StudyState.INDEXED);
            assertThat(CliRun.of("replay", "--config", config.toString(), "--all").out()).contains("retrieve: 0 studies");
        }
    }
}
