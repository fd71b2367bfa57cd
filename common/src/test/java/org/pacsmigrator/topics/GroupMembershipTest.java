package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.testsupport.ConsumerGroups;
import org.pacsmigrator.testsupport.RealServices;

/** services.kafkaSessionTimeoutSeconds / kafkaHeartbeatSeconds reach the stage consumers; a closed consumer leaves. */
class GroupMembershipTest {
    private static final String CONFIG = """
            migrationId: demo
            source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242, retrieveMethod: C-GET}
            destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 4243}
            index: {from: 2024-01-01, to: 2024-01-07}
            """;

    @Test
    void theConfiguredSessionTimeoutAndHeartbeatReachTheStageConsumer() {
        MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(
                CONFIG + "services: {kafkaSessionTimeoutSeconds: 12, kafkaHeartbeatSeconds: 4}\n"));
        Properties p = new StageConsumer(KafkaSettings.of("kafka:9092", c), "g", "t", e -> { },
                StageConsumer.RetryPolicy.defaults()).consumerProperties();
        assertThat(p).containsEntry("session.timeout.ms", "12000").containsEntry("heartbeat.interval.ms", "4000");

        MigrationConfig defaults = ConfigLoader.validate(ConfigLoader.parse(CONFIG));
        assertThat(KafkaSettings.of("kafka:9092", defaults).membership()).isEqualTo(GroupMembership.FAST_TAKEOVER);
        assertThat(GroupMembership.FAST_TAKEOVER.consumerProperties())
                .containsEntry("session.timeout.ms", "10000").containsEntry("heartbeat.interval.ms", "3000");
    }

    @Test
    void sessionTimeoutsTheBrokerWouldRejectAndSlowHeartbeatsAreNamed() {
        assertInvalid("{kafkaSessionTimeoutSeconds: 5}", "services.kafkaSessionTimeoutSeconds");
        assertInvalid("{kafkaSessionTimeoutSeconds: 1801}", "services.kafkaSessionTimeoutSeconds");
        assertInvalid("{kafkaHeartbeatSeconds: 0}", "services.kafkaHeartbeatSeconds");
        assertInvalid("{kafkaSessionTimeoutSeconds: 10, kafkaHeartbeatSeconds: 4}", "services.kafkaHeartbeatSeconds");
        ConfigLoader.validate(ConfigLoader.parse(CONFIG + "services: {kafkaSessionTimeoutSeconds: 6, kafkaHeartbeatSeconds: 2}\n"));
    }

    private static void assertInvalid(String services, String key) {
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(CONFIG + "services: " + services + "\n")))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo(key);
    }

    /**
     * With a session timeout of a minute, the survivor can only have the closed consumer's partitions within
     * seconds if the close left the group (SIGTERM of a worker, a KEDA scale-down).
     */
    @Test
    void aClosedConsumerLeavesItsGroupAtOnceWhateverTheSessionTimeout() throws Exception {
        KafkaSettings settings = KafkaSettings.of(RealServices.kafka(), "leave", 4)
                .withMembership(GroupMembership.ofSeconds(60, 3));
        Topics topics = new Topics(RealServices.unique("m"));
        String group = RealServices.unique("g");
        Set<TopicPartition> all = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            all.add(new TopicPartition(topics.indexed(), i));
        }
        try (Admin admin = Admin.create(settings.withOverrides(settings.clientProperties("admin")));
             StageConsumer survivor = new StageConsumer(settings, group, topics.indexed(), e -> { },
                     StageConsumer.RetryPolicy.defaults())) {
            survivor.start();
            StageConsumer leaving = new StageConsumer(settings, group, topics.indexed(), e -> { },
                    StageConsumer.RetryPolicy.defaults());
            leaving.start();
            assertThat(ConsumerGroups.awaitAssignment(admin, group, 2, all, Duration.ofSeconds(90)))
                    .as("both members share the partitions").isNotNull();

            leaving.close();
            Duration takeover = ConsumerGroups.awaitAssignment(admin, group, 1, all, Duration.ofSeconds(50));
            assertThat(takeover).as("the survivor holds every partition well before the 60 s session timeout").isNotNull();
            assertThat(takeover).isLessThan(Duration.ofSeconds(20));
        }
    }
}
