package org.pacsmigrator.topics;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics of a migration if they do not exist (safe to call from every worker at start), with unlimited
 * retention: the indexer runs weeks ahead of the retrievers, and a dead letter waits for an operator, so a broker's
 * time- or size-based retention (7 days by Kafka's default) would delete work that was never done. Topics that exist
 * already (an older version's, or pre-created by an operator) are set to it too.
 */
public final class TopicAdmin {
    /** Records are per study (hundreds of bytes): a million studies on every topic is a few GB. */
    static final Map<String, String> UNLIMITED_RETENTION = Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1");

    private TopicAdmin() {
    }

    public static void ensureTopics(KafkaSettings settings, String... names) {
        try (Admin admin = Admin.create(settings.withOverrides(settings.clientProperties("admin")))) {
            List<NewTopic> topics = Arrays.stream(names).distinct()
                    .map(n -> new NewTopic(n, settings.partitions(), settings.replicationFactor()).configs(UNLIMITED_RETENTION))
                    .toList();
            for (KafkaFuture<Void> created : admin.createTopics(topics).values().values()) {
                try {
                    created.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic: " + e.getCause(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
            keepEverything(admin, topics.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set the topics' retention: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create topics within 60 s: " + Arrays.toString(names), e);
        }
    }

    /** Sets unlimited retention on every topic (those created before did not have it); idempotent. */
    private static void keepEverything(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String name : names) {
            ops.put(new ConfigResource(ConfigResource.Type.TOPIC, name), UNLIMITED_RETENTION.entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                    .toList());
        }
        admin.incrementalAlterConfigs(ops).all().get(60, TimeUnit.SECONDS);
    }

    /** Waits until every partition has a leader, so the first records are not bounced. */
    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                if (described.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topics: " + e.getCause(), e.getCause());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics without leaders: " + names);
            }
            Thread.sleep(100);
        }
    }
}
