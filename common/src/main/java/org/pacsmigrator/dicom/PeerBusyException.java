package org.pacsmigrator.dicom;

import java.time.Duration;

/**
 * The peer asked us to come back later (HTTP 429 or 503 with Retry-After): nothing of the request was kept. Its
 * category makes the gate lower the adaptive limit like a rejected association; the caller waits
 * {@link #retryAfter()} and sends again.
 */
public final class PeerBusyException extends DicomException {
    private final Duration retryAfter;

    public PeerBusyException(String message, Duration retryAfter) {
        super(Category.ASSOCIATION_REJECTED, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
