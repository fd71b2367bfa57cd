package org.pacsmigrator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.testsupport.ConsumerGroups;
import org.pacsmigrator.testsupport.RealServices;
import org.pacsmigrator.topics.GroupMembership;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/** The completion topology's group membership: the configured session timeout, and a close that leaves the group. */
class CompletionServiceMembershipTest {
    @TempDir
    Path dir;

    @Test
    void theConfiguredSessionTimeoutAndHeartbeatReachTheTopologysConsumers() {
        KafkaSettings kafka = KafkaSettings.of("kafka:9092", "unit").withMembership(GroupMembership.ofSeconds(12, 4));
        assertThat(CompletionService.streamsProperties(kafka, new Topics("unit"), dir))
                .containsEntry(StreamsConfig.consumerPrefix("session.timeout.ms"), "12000")
                .containsEntry(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "4000")
                .containsKey(StreamsConfig.mainConsumerPrefix("group.instance.id"));
    }

    /**
     * Kafka Streams stays in its group on a plain close (it expects the instance back); with a session timeout of
     * a minute the other verifier can only hold every partition within seconds if the close left the group.
     */
    @Test
    void aClosedVerifiersPartitionsMoveToTheOtherAtOnce() throws Exception {
        KafkaSettings kafka = KafkaSettings.of(RealServices.kafka(), "completion-leave", 2)
                .withMembership(GroupMembership.ofSeconds(60, 3));
        Topics topics = new Topics(RealServices.unique("m"));
        TopicAdmin.ensureTopics(kafka, topics.all());
        String group = CompletionService.applicationId(topics);
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()));
             CompletionService survivor = new CompletionService(kafka, topics, Completion.SENT_AND_CFIND, null,
                     dir.resolve("a")).start()) {
            CompletionService leaving = new CompletionService(kafka, topics, Completion.SENT_AND_CFIND, null,
                    dir.resolve("b")).start();
            ConsumerGroups.Assignment shared = awaitTwoMembers(admin, group);
            assertThat(shared).as("both instances share the topology's partitions").isNotNull();

            leaving.close();
            Duration takeover = ConsumerGroups.awaitAssignment(admin, group, 1, shared.partitions(), Duration.ofSeconds(50));
            assertThat(takeover).as("the survivor holds every partition well before the 60 s session timeout").isNotNull();
            assertThat(takeover).isLessThan(Duration.ofSeconds(20));
        }
    }

    private static ConsumerGroups.Assignment awaitTwoMembers(Admin admin, String group) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerGroups.Assignment a = ConsumerGroups.stable(admin, group);
            if (a != null && a.members() == 2 && !a.partitions().isEmpty()) {
                return a;
            }
            Thread.sleep(200);
        }
        return null;
    }
}
