package org.pacsmigrator.retrieve;

import java.time.Instant;
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
 */
public final class CacheWritingReceiver implements ReceivedInstanceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CacheWritingReceiver.class);

    private final InstanceCache cache;
    private final StateStore state;

    public CacheWritingReceiver(InstanceCache cache, StateStore state) {
        this.cache = cache;
        this.state = state;
    }

    @Override
    public void onReceived(ReceivedInstance in) throws Exception {
        String key = InstanceCache.keyFor(in.studyInstanceUid(), in.seriesInstanceUid(), in.sopInstanceUid());
        CachedObject stored = cache.put(key, in.file());
        state.recordRetrieved(new InstanceRecord(in.studyInstanceUid(), in.sopInstanceUid(), in.seriesInstanceUid(),
                in.sopClassUid(), in.transferSyntaxUid(), stored.sizeBytes(), stored.sha256(), stored.key(),
                Instant.now(), null, null, null));
        LOG.debug("cached {} of study {} ({} bytes)", in.sopInstanceUid(), in.studyInstanceUid(), stored.sizeBytes());
    }
}
