package org.pacsmigrator.topics;

/**
 * A failure of a stage for one study that retrying cannot cure: the stage's consumer dead-letters it with its
 * category at once, whatever the category ({@link StageConsumer}). The handler records in the state store what
 * it wants recorded before throwing it.
 */
public class StageFailure extends Exception {
    private final FailureCategory category;

    public StageFailure(FailureCategory category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public StageFailure(FailureCategory category, String message) {
        this(category, message, null);
    }

    /** A stage was asked to work on a study the state store does not know. */
    public static StageFailure unknownStudy(String studyInstanceUid) {
        return new StageFailure(FailureCategory.UNKNOWN_STUDY, "study " + studyInstanceUid + " is not in the state store");
    }

    public FailureCategory category() {
        return category;
    }
}
