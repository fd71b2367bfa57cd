package org.pacsmigrator.topics;

/** Publishes study events; returns only once the broker acknowledged the write. */
public interface EventPublisher extends AutoCloseable {
    void publish(String topic, StudyEvent event);

    @Override
    void close();
}
