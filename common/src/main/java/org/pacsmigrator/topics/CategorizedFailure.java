package org.pacsmigrator.topics;

/**
 * A transient failure that knows its dead-letter category: {@link RetryingStage} retries it and,
 * when retries are exhausted, dead-letters the study under {@link #category()}.
 */
public interface CategorizedFailure {
    String category();
}
