package org.pacsmigrator.topics;

import java.time.Duration;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.state.StudyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a stage's handler so that transient errors (a PACS that refuses an association, a
 * timeout, a broker hiccup) are retried with exponential back-off, and a study that still fails
 * is recorded FAILED in the state store with a category before it is dead-lettered. A study
 * therefore never stays silently "in progress" after its stage gave up on it.
 */
public final class RetryingStage implements StudyEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingStage.class);

    private final String stage;
    private final StudyEventHandler inner;
    private final StudyStore state;
    private final int maxAttempts;
    private final Backoff backoff;

    public RetryingStage(String stage, StudyEventHandler inner, StudyStore state, int maxAttempts,
                         Backoff backoff) {
        this.stage = stage;
        this.inner = inner;
        this.state = state;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    @Override
    public void handle(StudyEvent event) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                inner.handle(event);
                return;
            } catch (StageFailure permanent) {
                throw permanent;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (Exception e) {
                if (attempt >= maxAttempts) {
                    String category = e instanceof CategorizedFailure c ? c.category()
                            : e instanceof DicomException d ? d.deadLetterCategory() : stage + " error";
                    String message = "study " + event.studyInstanceUid() + ": " + stage + " failed after " + attempt
                            + " attempts: " + e.getMessage();
                    state.markFailed(event.studyInstanceUid(), category, message);
                    throw new StageFailure(category, message, e);
                }
                Duration wait = backoff.after(attempt);
                LOG.warn("{} of study {} failed (attempt {}/{}), retrying in {} ms: {}", stage, event.studyInstanceUid(),
                        attempt, maxAttempts, wait.toMillis(), e.toString());
                Thread.sleep(wait.toMillis());
            }
        }
    }
}
