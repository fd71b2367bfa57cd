package org.pacsmigrator.state;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** What the indexer found per source day, and the last control pass that re-checked the days. */
public interface IndexDayStore {

    void recordIndexDay(IndexDayRecord day);

    Optional<IndexDayRecord> findIndexDay(LocalDate day);

    /** Every indexed day's record (a full scan of the index_days table, one row per day). */
    List<IndexDayRecord> allIndexDays();

    /** Keeps a control pass as the migration's last one (replacing the one before). */
    void recordControlPass(ControlPassRecord pass);

    /** The last control pass recorded, if any. */
    Optional<ControlPassRecord> lastControlPass();
}
