package org.pacsmigrator.index.service;

import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.schedule.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer service's background work: index the configured range (resuming where a previous
 * process stopped: done days are skipped), then forever: retry failed days, run the scheduled
 * control query of the whole range ({@code index.controlIntervalHours}) and the catch-up of the
 * last {@code index.catchUpDays} days ({@code index.catchUpIntervalMinutes}). Every query goes
 * through the old PACS's gate on the indexer's schedule, so its time windows and pause and the PACS's
 * association limit hold for all of it.
 */
public final class IndexerLoop implements Managed, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexerLoop.class);
    /** Failed days are retried this often. */
    static final Duration RETRY_FAILED = Duration.ofMinutes(10);
    private static final Duration NAP = Duration.ofSeconds(1);

    private final Indexer indexer;
    private final ControlQuery control;
    private final Clock clock;
    private final Sleeper sleeper;
    private volatile boolean stopped;
    private Thread thread;

    public IndexerLoop(Indexer indexer, ControlQuery control, Clock clock, Sleeper sleeper) {
        this.indexer = indexer;
        this.control = control;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public void start() {
        thread = new Thread(this, "indexer-loop");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        stopped = true;
        indexer.stop();
        if (thread != null) {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    /** False when the loop thread died (the liveness probe restarts the pod). */
    public boolean alive() {
        return thread == null || thread.isAlive() || stopped;
    }

    @Override
    public void run() {
        var s = indexer.settings();
        Instant nextIndex = clock.instant();
        Instant nextControl = s.controlInterval().isZero() ? Instant.MAX : clock.instant().plus(s.controlInterval());
        Instant nextCatchUp = s.catchUpDays() > 0 ? clock.instant() : Instant.MAX;
        while (!stopped) {
            try {
                Instant now = clock.instant();
                if (!now.isBefore(nextIndex)) {
                    Indexer.Summary summary = indexer.run();
                    LOG.info("index pass: {}", summary);
                    nextIndex = clock.instant().plus(RETRY_FAILED);
                } else if (!now.isBefore(nextCatchUp)) {
                    control.catchUp(s.catchUpDays());
                    nextCatchUp = clock.instant().plus(s.catchUpInterval());
                } else if (!now.isBefore(nextControl)) {
                    control.pass(s.from(), s.to(), "indexer service, scheduled");
                    nextControl = clock.instant().plus(s.controlInterval());
                } else {
                    sleeper.sleep(NAP);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // e.g. the state store or Kafka is briefly unavailable: keep going, try again later
                LOG.warn("indexer loop: {}", e.toString());
                indexer.progress().error(e.toString());
                nextIndex = clock.instant().plus(Duration.ofMinutes(1));
                try {
                    sleeper.sleep(Duration.ofSeconds(5));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
