package org.pacsmigrator.topics;

/** A permanent failure of a stage for one study: dead-letter it with this category, do not retry. */
public class StageFailure extends Exception {
    private final String category;

    public StageFailure(String category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public StageFailure(String category, String message) {
        this(category, message, null);
    }

    /** A stage was asked to work on a study the state store does not know. */
    public static StageFailure unknownStudy(String studyInstanceUid) {
        return new StageFailure("unknown study", "study " + studyInstanceUid + " is not in the state store");
    }

    public String category() {
        return category;
    }
}
