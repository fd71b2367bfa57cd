package org.pacsmigrator.topics;

import java.util.Collection;

/** Publishes study events; returns only once the broker acknowledged the write. */
public interface EventPublisher extends AutoCloseable {
    void publish(String topic, StudyEvent event);

    /** Publishes several events; returns once all were acknowledged. Implementations may batch. */
    default void publishAll(String topic, Collection<StudyEvent> events) {
        for (StudyEvent e : events) {
            publish(topic, e);
        }
    }

    @Override
    void close();
}
