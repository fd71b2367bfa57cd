package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {
    @TempDir
    static Path dir;
    static KafkaBroker broker;

    static int takenPort;

    /** Started on a port someone else took after it was chosen: the broker starts again on other ports. */
    @BeforeAll
    static void startBroker() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            takenPort = taken.getLocalPort();
            AtomicInteger calls = new AtomicInteger();
            long t0 = System.nanoTime();
            broker = KafkaBroker.start(dir, () -> calls.getAndIncrement() == 0 ? takenPort : Ports.freePort());
            System.out.printf("Kafka ready in %d ms, RSS %d MiB%n", (System.nanoTime() - t0) / 1_000_000, broker.rssKiB() / 1024);
        }
    }

    @Test
    void aPortTakenBeforeTheBrokerBoundItMeansAStartOnOtherPorts() throws Exception {
        assertThat(broker.bootstrapServers()).isNotEqualTo("127.0.0.1:" + takenPort);
        assertThat(Files.readString(dir.resolve("kafka.log"))).as("the first attempt failed on the taken port")
                .containsPattern("failed to bind to 127\\.0\\.0\\.1:" + takenPort + ".*already in use");
        try (Admin admin = Admin.create(broker.adminConfig())) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void itsDataIsForItsOwnerOnly() throws Exception {
        try (Admin admin = Admin.create(broker.adminConfig())) {
            admin.createTopics(List.of(new NewTopic("patients", 1, (short) 1))).all().get();
        }
        assertThat(FileModes.of(dir)).isEqualTo("rwx------");
        assertThat(FileModes.notOwnerOnly(dir)).as("files and directories others may read or enter").isEmpty();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void producedRecordIsConsumedAndSurvivesARestart() throws Exception {
        try (Admin admin = Admin.create(broker.adminConfig())) {
            admin.createTopics(List.of(new NewTopic("studies", 2, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("studies", "1.2.3", "indexed")).get();
        }
        assertThat(consumeAll("first")).containsExactly("1.2.3=indexed");

        long t0 = System.nanoTime();
        broker.stop();
        long t1 = System.nanoTime();
        broker.start();
        System.out.printf("Kafka stop %d ms, restart %d ms%n", (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);

        assertThat(consumeAll("after-restart")).containsExactly("1.2.3=indexed");
    }

    private static List<String> consumeAll(String group) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of("studies"));
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.key() + "=" + r.value());
                }
            }
            return seen;
        }
    }
}
