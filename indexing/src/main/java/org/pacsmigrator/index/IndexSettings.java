package org.pacsmigrator.index;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.find.SplitSettings;
import org.pacsmigrator.schedule.TimeWindows;

/**
 * The indexer's settings (from the {@code index.*} keys of the migration config).
 *
 * @param findResultCap     the old PACS's known C-FIND cap (0 = unknown; the 0xFE00 cancel status is honoured anyway)
 * @param minSplit          the shortest StudyTime span a capped query is split into before splitting by modality
 * @param splitModalities   ModalitiesInStudy values queried one by one for a span that is still capped
 * @param maxAttempts       attempts per C-FIND when the PACS refuses, times out or answers a failure status
 * @param retryBackoff      wait before the first retry; doubles per attempt
 * @param undatedStudies    also run the pass for studies without a StudyDate
 * @param patientIdPrefixes characters a capped undated pass is split by (PatientID wildcard prefixes)
 */
public record IndexSettings(LocalDate from, LocalDate to, boolean newestFirst, int findResultCap, Duration minSplit,
                            List<String> splitModalities, TimeWindows windows, Duration pause, int maxAttempts,
                            Duration retryBackoff, boolean undatedStudies, String patientIdPrefixes, int catchUpDays,
                            Duration catchUpInterval, Duration controlInterval, Path reportDirectory) {

    public static IndexSettings from(MigrationConfig c) {
        MigrationConfig.Index i = c.index;
        Path reports = i.reportDirectory != null ? Path.of(i.reportDirectory)
                : Path.of(c.storage.dataDirectory).resolve("reports");
        return new IndexSettings(i.from, i.to, !"oldest-first".equals(i.order), i.findResultCap,
                Duration.ofMinutes(i.minSplitMinutes), List.copyOf(i.splitModalities),
                TimeWindows.parse(i.windows, ZoneId.of(i.timeZone)), Duration.ofMillis(i.pauseMillis), i.maxAttempts,
                Duration.ofSeconds(i.retryBackoffSeconds), i.undatedStudies, i.patientIdPrefixes, i.catchUpDays,
                Duration.ofMinutes(i.catchUpIntervalMinutes), Duration.ofHours(i.controlIntervalHours), reports);
    }

    /** Defaults for a range: no windows, no pause, undated pass on, 3 attempts with 1 s back-off. */
    public static IndexSettings defaults(LocalDate from, LocalDate to, boolean newestFirst, int findResultCap) {
        MigrationConfig.Index d = new MigrationConfig.Index();
        return new IndexSettings(from, to, newestFirst, findResultCap, Duration.ofMinutes(d.minSplitMinutes),
                List.copyOf(d.splitModalities), TimeWindows.always(), Duration.ZERO, d.maxAttempts, Duration.ofSeconds(1),
                true, d.patientIdPrefixes, 0, Duration.ofHours(1), Duration.ZERO,
                Path.of(System.getProperty("java.io.tmpdir"), "pacsmig-reports"));
    }

    /** How a capped query is split. */
    public SplitSettings split() {
        return new SplitSettings(minSplit, splitModalities, patientIdPrefixes);
    }

    public IndexSettings withRange(LocalDate newFrom, LocalDate newTo) {
        return new IndexSettings(newFrom, newTo, newestFirst, findResultCap, minSplit, splitModalities, windows, pause,
                maxAttempts, retryBackoff, undatedStudies, patientIdPrefixes, catchUpDays, catchUpInterval,
                controlInterval, reportDirectory);
    }

    public IndexSettings withWindows(TimeWindows newWindows, Duration newPause) {
        return new IndexSettings(from, to, newestFirst, findResultCap, minSplit, splitModalities, newWindows, newPause,
                maxAttempts, retryBackoff, undatedStudies, patientIdPrefixes, catchUpDays, catchUpInterval,
                controlInterval, reportDirectory);
    }

    public IndexSettings withUndated(boolean on) {
        return new IndexSettings(from, to, newestFirst, findResultCap, minSplit, splitModalities, windows, pause,
                maxAttempts, retryBackoff, on, patientIdPrefixes, catchUpDays, catchUpInterval,
                controlInterval, reportDirectory);
    }

    public IndexSettings withReportDirectory(Path dir) {
        return new IndexSettings(from, to, newestFirst, findResultCap, minSplit, splitModalities, windows, pause,
                maxAttempts, retryBackoff, undatedStudies, patientIdPrefixes, catchUpDays, catchUpInterval,
                controlInterval, dir);
    }

    public IndexSettings withRetries(int attempts, Duration backoff) {
        return new IndexSettings(from, to, newestFirst, findResultCap, minSplit, splitModalities, windows, pause,
                attempts, backoff, undatedStudies, patientIdPrefixes, catchUpDays, catchUpInterval,
                controlInterval, reportDirectory);
    }
}
