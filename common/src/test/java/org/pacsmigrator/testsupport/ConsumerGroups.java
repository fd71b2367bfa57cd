package org.pacsmigrator.testsupport;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group as the broker describes it (members and their partitions), to watch partitions move
 * between members: after a member left or died, which the group tells, not the members.
 */
public final class ConsumerGroups {
    /** A stable group: how many members, and the partitions they hold together. */
    public record Assignment(int members, Set<TopicPartition> partitions) {
        public boolean covers(int expectedMembers, Set<TopicPartition> expectedPartitions) {
            return members == expectedMembers && partitions.containsAll(expectedPartitions);
        }
    }

    private ConsumerGroups() {
    }

    /** The group's members and partitions when it is stable; null while it rebalances or cannot be described. */
    public static Assignment stable(Admin admin, String group) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(10, TimeUnit.SECONDS);
            if (d.groupState() != GroupState.STABLE) {
                return null;
            }
            Set<TopicPartition> partitions = new HashSet<>();
            for (MemberDescription m : d.members()) {
                partitions.addAll(m.assignment().topicPartitions());
            }
            return new Assignment(d.members().size(), partitions);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the stable group has {@code members} members holding every one of {@code partitions};
     * returns how long that took, or null after {@code timeout}.
     */
    public static Duration awaitAssignment(Admin admin, String group, int members, Set<TopicPartition> partitions,
                                           Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Assignment a = stable(admin, group);
            if (a != null && a.covers(members, partitions)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return null;
    }
}
