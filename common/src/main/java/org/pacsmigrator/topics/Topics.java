package org.pacsmigrator.topics;

/**
 * Topic names of one migration. Every topic is keyed by StudyInstanceUID so that all events of a
 * study stay ordered on one partition. Each stage hand-off has a dead-letter topic ("...dlq").
 */
public record Topics(String migrationId) {
    public String indexed() {
        return migrationId + ".studies.indexed";
    }

    public String retrieved() {
        return migrationId + ".studies.retrieved";
    }

    public String forwarded() {
        return migrationId + ".studies.forwarded";
    }

    public String verified() {
        return migrationId + ".studies.verified";
    }

    /** Storage commitment results (N-EVENT-REPORT contents), keyed by StudyInstanceUID. */
    public String commitmentResults() {
        return migrationId + ".commitment.results";
    }

    /** Per-study instance counts published by the verifier (input of the completion topology). */
    public String studyProgress() {
        return migrationId + ".studies.progress";
    }

    /** Per-study completion status (output of the completion topology, compacted by key). */
    public String studyStatus() {
        return migrationId + ".studies.status";
    }

    /**
     * The priority lane of a stage's input topic ({@link #indexed()}, {@link #retrieved()}, {@link #forwarded()}):
     * its consumers take its records before the bulk topic's. Same partition count, same keys: a study's records of
     * both lanes sit on partitions of the same number, which one consumer owns ({@link StageConsumer}).
     */
    public static String priorityLaneOf(String stageTopic) {
        return stageTopic + ".priority";
    }

    /** The topic an event goes to: the stage topic, or its priority lane for a priority event. */
    public static String lane(String stageTopic, StudyEvent event) {
        return event.priority() ? priorityLaneOf(stageTopic) : stageTopic;
    }

    /** The consumer group of a stage's role ("retriever", ...): one per migration and stage; see {@link StageId}. */
    public static String consumerGroup(String migrationId, String role) {
        return migrationId + "-" + role;
    }

    /** Dead letters of the stage that consumes {@code sourceTopic}. */
    public static String deadLetterOf(String sourceTopic) {
        return sourceTopic + ".dlq";
    }

    public String[] all() {
        return new String[] {indexed(), retrieved(), forwarded(), verified(),
                deadLetterOf(indexed()), deadLetterOf(retrieved()), deadLetterOf(forwarded()),
                commitmentResults(), studyProgress(), studyStatus(),
                priorityLaneOf(indexed()), priorityLaneOf(retrieved()), priorityLaneOf(forwarded())};
    }
}
