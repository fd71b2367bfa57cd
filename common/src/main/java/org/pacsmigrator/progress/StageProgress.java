package org.pacsmigrator.progress;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.pacsmigrator.topics.StageId;

/**
 * One stage's progress: what it has done of what is known (days for the index stage, studies for the others), its
 * images (retrieved, sent or confirmed of those expected so far: a study's count is known once its manifest is), its
 * rates over the sliding window, the time the rest takes at that rate, and what holds it back.
 *
 * @param imagesDone  -1 for the index stage (it handles no image)
 * @param perMinute   days or studies per minute over the window; NaN until known
 * @param imagesPerSecond images per second over the window; NaN until known (or for the index stage)
 * @param eta         null while the rate is unknown or zero with work left
 */
public record StageProgress(StageId stage, Unit unit, long done, long known, long failed, long imagesDone,
                            long imagesKnown, double perMinute, double imagesPerSecond, Duration eta,
                            List<StageWait> waits) {

    public enum Unit {
        DAYS, STUDIES;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public StageProgress {
        waits = List.copyOf(waits);
    }

    /** What is left: known, neither done nor failed. */
    public long remaining() {
        return Math.max(0, known - done - failed);
    }

    /** Everything known is done or failed (and something is known). */
    public boolean finished() {
        return known > 0 && remaining() == 0;
    }
}
