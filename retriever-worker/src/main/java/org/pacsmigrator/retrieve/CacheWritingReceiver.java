package org.pacsmigrator.retrieve;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.ReceivedInstance;
import org.pacsmigrator.dicom.ReceivedInstanceHandler;
import org.pacsmigrator.state.InstanceRecord;
import org.pacsmigrator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every received instance into the shared cache and records it in the state store.
 * Whichever retriever's SCP receives an image (C-MOVE behind a shared service address), the
 * requesting retriever sees it through the state store: completeness never depends on memory.
 *
 * <p>The cache write comes first and is atomic; the state row is written only after the object
 * is complete, so a row never points at a half-written object. A failed cache write is
 * reported to the sender (the C-STORE fails), counted, and remembered per study so that the
 * requesting retriever (if it is this process) can name "cache write failed" as the reason.
 */
public final class CacheWritingReceiver implements ReceivedInstanceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CacheWritingReceiver.class);

    private final InstanceCache cache;
    private final StateStore state;
    private final RetrieveMetrics metrics;
    private final Map<String, String> cacheFailures = new ConcurrentHashMap<>();

    public CacheWritingReceiver(InstanceCache cache, StateStore state) {
        this(cache, state, new RetrieveMetrics(new SimpleMeterRegistry()));
    }

    public CacheWritingReceiver(InstanceCache cache, StateStore state, RetrieveMetrics metrics) {
        this.cache = cache;
        this.state = state;
        this.metrics = metrics;
    }

    public InstanceCache cache() {
        return cache;
    }

    @Override
    public void onReceived(ReceivedInstance in) throws Exception {
        String key = InstanceCache.keyFor(in.studyInstanceUid(), in.seriesInstanceUid(), in.sopInstanceUid());
        CachedObject stored;
        try {
            stored = cache.put(key, in.file(), in.sha256());
        } catch (IOException | RuntimeException e) {
            metrics.cacheWriteFailed();
            cacheFailures.put(in.studyInstanceUid(), in.sopInstanceUid() + ": " + e.getMessage());
            LOG.warn("cache write of {} (study {}) failed: {}", in.sopInstanceUid(), in.studyInstanceUid(), e.toString());
            Files.deleteIfExists(in.file());
            throw e;
        }
        state.recordRetrieved(new InstanceRecord(in.studyInstanceUid(), in.sopInstanceUid(), in.seriesInstanceUid(),
                in.sopClassUid(), in.transferSyntaxUid(), stored.sizeBytes(), stored.sha256(), stored.key(),
                Instant.now(), null, null, null));
        metrics.instanceCached(stored.sizeBytes());
        LOG.debug("cached {} of study {} ({} bytes)", in.sopInstanceUid(), in.studyInstanceUid(), stored.sizeBytes());
    }

    /** The last cache write failure this process saw for the study, if any (cleared by the call). */
    public Optional<String> takeCacheFailure(String studyInstanceUid) {
        return Optional.ofNullable(cacheFailures.remove(studyInstanceUid));
    }
}
