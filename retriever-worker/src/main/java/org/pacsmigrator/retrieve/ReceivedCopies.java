package org.pacsmigrator.retrieve;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first content this process received for each SOP Instance UID of the studies it is receiving, to
 * tell the same instance received again (a retry: same SHA-256) from a second, different object under the
 * same UID (a UID collision), whatever its series. Both copies of a collision come with one retrieve of the
 * study, so this process's memory suffices; it is bounded to the {@value #STUDIES} studies received most
 * recently, each forgotten after {@link #IDLE} without arrivals.
 */
final class ReceivedCopies {
    static final int STUDIES = 32;
    static final Duration IDLE = Duration.ofMinutes(10);

    /** One received object: its content hash and cache key. */
    record Copy(String sha256, String key) {
    }

    private static final class Study {
        final Map<String, Copy> bySop = new HashMap<>();
        long lastArrivalNanos;
    }

    private final Map<String, Study> studies = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * Registers {@code copy} as the content of the instance unless another content came first: returns that
     * first copy (a collision), or null (first arrival, or the same content again).
     */
    synchronized Copy claim(String studyUid, String sopUid, Copy copy) {
        long now = System.nanoTime();
        expire(now);
        Study study = studies.computeIfAbsent(studyUid, k -> new Study());
        study.lastArrivalNanos = now;
        if (studies.size() > STUDIES) {
            Iterator<String> eldest = studies.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        Copy first = study.bySop.putIfAbsent(sopUid, copy);
        return first == null || first.sha256().equals(copy.sha256()) ? null : first;
    }

    /** The copy could not be kept (cache write failed): the next arrival is a first one again. */
    synchronized void release(String studyUid, String sopUid, Copy copy) {
        Study study = studies.get(studyUid);
        if (study != null) {
            study.bySop.remove(sopUid, copy);
        }
    }

    /** Forgets a study (it is checked again from scratch). */
    synchronized void forget(String studyUid) {
        studies.remove(studyUid);
    }

    private void expire(long now) {
        studies.values().removeIf(s -> now - s.lastArrivalNanos > IDLE.toNanos());
    }
}
