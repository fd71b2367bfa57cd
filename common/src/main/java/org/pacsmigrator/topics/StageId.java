package org.pacsmigrator.topics;

import java.util.List;
import java.util.Locale;
import org.pacsmigrator.state.StudyState;

/**
 * The stages of a migration and everything named after them: the stage's {@link #label()} (its pause key in the
 * state store and the {@code stage} tag of its meters), its {@link #role()} (the service, and the suffix of its
 * consumer group), its input and dead-letter topics and the study state a replay resets to. The index stage
 * consumes no topic: it queries the old PACS.
 */
public enum StageId {
    INDEX("index", "indexer", null),
    RETRIEVE("retrieve", "retriever", StudyState.INDEXED),
    FORWARD("forward", "forwarder", StudyState.RETRIEVED),
    VERIFY("verify", "verifier", StudyState.FORWARDED);

    /** The stages that consume a topic (and so have a consumer group and dead letters), in flow order. */
    public static final List<StageId> CONSUMING = List.of(RETRIEVE, FORWARD, VERIFY);

    private final String label;
    private final String role;
    private final StudyState inputState;

    StageId(String label, String role, StudyState inputState) {
        this.label = label;
        this.role = role;
        this.inputState = inputState;
    }

    /** "retrieve": the pause key (stored: never change it) and the {@code stage} tag of the meters. */
    public String label() {
        return label;
    }

    /** "retriever": the service's role and the suffix of the consumer group. */
    public String role() {
        return role;
    }

    public boolean consumesTopic() {
        return this != INDEX;
    }

    /** {@code <migrationId>-<role>}: running migrations' committed offsets are stored under this name. */
    public String consumerGroup(Topics topics) {
        return Topics.consumerGroup(topics.migrationId(), consumingRole());
    }

    public String inputTopic(Topics topics) {
        return switch (this) {
            case INDEX -> throw noTopic();
            case RETRIEVE -> topics.indexed();
            case FORWARD -> topics.retrieved();
            case VERIFY -> topics.forwarded();
        };
    }

    /** The priority lane of the input topic: taken before it ({@link StageConsumer}); its dead letters are the stage's. */
    public String priorityTopic(Topics topics) {
        return Topics.priorityLaneOf(inputTopic(topics));
    }

    public String deadLetterTopic(Topics topics) {
        return Topics.deadLetterOf(inputTopic(topics));
    }

    /** The state a study of this stage's input is in: a replay resets a FAILED study to it. */
    public StudyState inputState() {
        if (inputState == null) {
            throw noTopic();
        }
        return inputState;
    }

    /**
     * The stage a dead letter of this stage is replayed into, by its stored category label: a forward failure whose
     * cure is a new retrieval goes to the retrieve stage ({@link FailureCategory#replayTarget}).
     */
    public StageId replayTarget(String category) {
        return FailureCategory.parse(category).map(c -> c.replayTarget(this)).orElse(this);
    }

    /** The stage named by its label or its role ("retrieve" or "retriever"), in any case. */
    public static StageId parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (StageId s : values()) {
            if (s.label.equals(n) || s.role.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + name + "' (index, retrieve, forward, verify)");
    }

    /** As {@link #parse}, for a stage that consumes a topic (one whose dead letters can be replayed, ...). */
    public static StageId parseConsuming(String name) {
        StageId stage = parse(name);
        if (!stage.consumesTopic()) {
            throw new IllegalArgumentException("the " + stage.label + " stage has no topic (retrieve, forward, verify)");
        }
        return stage;
    }

    private String consumingRole() {
        if (!consumesTopic()) {
            throw noTopic();
        }
        return role;
    }

    private IllegalStateException noTopic() {
        return new IllegalStateException("the " + label + " stage consumes no topic");
    }
}
