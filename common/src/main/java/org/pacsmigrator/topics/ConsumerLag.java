package org.pacsmigrator.topics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records of a topic a consumer group has not committed yet (its lag), read from the
 * broker (end offsets against committed offsets), so it is right even while the group is paused
 * or has no member at all, unlike the consumer's own fetch metrics.
 */
public final class ConsumerLag {
    private static final long TIMEOUT_SECONDS = 10;

    private ConsumerLag() {
    }

    /** Total lag over the topic's partitions; {@code admin} is the process's long-lived client. */
    public static long total(Admin admin, String groupId, String topic) {
        return byPartition(admin, groupId, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    public static Admin admin(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(props);
    }

    /** Lag of each partition of {@code topic} (partition number → records not committed by the group). */
    public static Map<Integer, Long> byPartition(Admin admin, String groupId, String topic) {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<Integer, Long> lag = new TreeMap<>();
            for (TopicPartition p : partitions) {
                OffsetAndMetadata c = committed.get(p);
                lag.put(p.partition(), ends.get(p).offset() - (c == null ? 0 : c.offset()));
            }
            return lag;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot read lag of group " + groupId + " on " + topic + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
