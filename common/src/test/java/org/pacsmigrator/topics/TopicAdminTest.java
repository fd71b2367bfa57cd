package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.testsupport.RealServices;

/** The topics keep every record: a broker's retention must not delete studies not yet retrieved, nor dead letters. */
class TopicAdminTest {
    private final KafkaSettings kafka = KafkaSettings.of(RealServices.kafka(), "topic-admin-test");

    @Test
    void newTopicsAndTopicsCreatedBeforeKeepEveryRecord() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String fresh = "retention-fresh-" + suffix;
        String older = "retention-older-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            // as an older version made it: the broker's default retention, here a day
            admin.createTopics(List.of(new NewTopic(older, 1, (short) 1)
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "86400000")))).all().get(30, TimeUnit.SECONDS);

            TopicAdmin.ensureTopics(kafka, fresh, older);

            for (String topic : Set.of(fresh, older)) {
                // a change of configuration reaches the broker's metadata a moment after it was accepted
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Config config = describe(admin, topic);
                    assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).as(topic).isEqualTo("-1");
                    assertThat(config.get(TopicConfig.RETENTION_BYTES_CONFIG).value()).as(topic).isEqualTo("-1");
                });
            }
            admin.deleteTopics(List.of(fresh, older)).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Config describe(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }
}
