package org.pacsmigrator.index;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.PeerBusyException;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.dicom.find.StudyQuery;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.throttle.AssociationGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one STUDY-level C-FIND at a time through the old PACS's gate on the indexer's own schedule (its time
 * windows, pause between queries and the console's pause; a slot of the PACS's one association limit), retried
 * with exponential back-off when the PACS refuses the association, times out or answers a
 * failure status. A capped result (0xFE00 or the configured cap reached) is returned, not
 * retried: splitting is the caller's job.
 */
public final class QueryRunner implements StudyQuery {
    private static final Logger LOG = LoggerFactory.getLogger(QueryRunner.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final DicomClient dicom;
    private final AssociationGate source;
    private final Schedule turns;
    private final IndexProgress progress;
    private final int findResultCap;
    private final int maxAttempts;
    private final Backoff backoff;

    public QueryRunner(DicomClient dicom, AssociationGate source, Schedule turns, IndexProgress progress,
                       int findResultCap, int maxAttempts, Duration backoff) {
        this.dicom = dicom;
        this.source = source;
        this.turns = turns;
        this.progress = progress;
        this.findResultCap = findResultCap;
        this.maxAttempts = maxAttempts;
        this.backoff = new Backoff(backoff, MAX_BACKOFF.compareTo(backoff) < 0 ? backoff : MAX_BACKOFF);
    }

    /** Runs the query; throws the last failure once every attempt failed. */
    @Override
    public Answer find(DicomDataset keys) throws DicomException, InterruptedException {
        DicomException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                Duration wait = backoff.after(attempt - 1);
                if (last instanceof PeerBusyException busy && busy.retryAfter().compareTo(wait) > 0) {
                    wait = busy.retryAfter(); // a DICOMweb archive named how long to stay away
                }
                LOG.info("C-FIND attempt {} of {} on {} in {} after: {}", attempt, maxAttempts, source.remote(), wait,
                        last.getMessage());
                turns.sleeper().sleep(wait);
            }
            progress.waitingForWindow(!turns.openNow());
            List<DicomDataset> matches = new ArrayList<>();
            try {
                FindOutcome outcome = source.call(turns, () -> {
                    progress.waitingForWindow(false);
                    progress.query();
                    matches.clear();
                    return dicom.find(source.remote(), QueryLevel.STUDY, keys, matches::add);
                });
                boolean capped = outcome.cappedAt(findResultCap);
                if (capped || outcome.success()) {
                    return new Answer(matches, outcome, capped);
                }
                last = new DicomException(DicomException.Category.FAILURE_STATUS,
                        String.format("C-FIND on %s ended with status 0x%04X", source.remote(), outcome.finalStatus()));
            } catch (DicomException e) {
                last = e;
            }
            progress.error(last.deadLetterCategory() + ": " + last.getMessage());
        }
        throw last;
    }
}
