package org.pacsmigrator.topics;

/**
 * A failure that knows its category: the stage's consumer retries it when the category is transient and
 * dead-letters the study under {@link #category()} when the attempts are used up (at once when it is permanent).
 */
public interface CategorizedFailure {
    FailureCategory category();
}
