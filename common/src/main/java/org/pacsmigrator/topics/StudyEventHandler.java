package org.pacsmigrator.topics;

/**
 * Business logic of a stage for one study event. Returning normally means "done, commit".
 * Throwing {@link StageFailure} sends the event to the dead-letter topic with its category;
 * any other exception is retried with back-off by the consumer loop, then dead-lettered.
 */
@FunctionalInterface
public interface StudyEventHandler {
    void handle(StudyEvent event) throws Exception;
}
