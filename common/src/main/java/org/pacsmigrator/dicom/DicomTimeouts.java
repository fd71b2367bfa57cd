package org.pacsmigrator.dicom;

import java.time.Duration;

/** Network timeouts for DICOM associations. */
public record DicomTimeouts(Duration connect, Duration response) {
    public static DicomTimeouts defaults() {
        return new DicomTimeouts(Duration.ofSeconds(10), Duration.ofMinutes(5));
    }
}
