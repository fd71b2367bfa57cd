package org.pacsmigrator.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.files.OwnerOnly;
import org.pacsmigrator.state.ControlPassRecord;

/**
 * The result of a control query: per re-queried day the counts before and now and whether the
 * UID sets match, and every discrepancy: studies new in the old PACS, vanished from it, or
 * changed (NumberOfStudyRelatedInstances differs from what was indexed; also while being migrated).
 * Written as JSON.
 */
public record ControlReport(Instant startedAt, Instant finishedAt, List<DayCheck> days, List<Discrepancy> discrepancies) {

    /** CHANGED_IN_FLIGHT: changed while the stages migrate it; left for the next pass (see {@link ControlQuery}). */
    public enum Kind { NEW, VANISHED, CHANGED, CHANGED_IN_FLIGHT }

    /** One day: indexed count and hash before, found count and hash now, or why the re-query failed. */
    public record DayCheck(String day, Integer indexedCount, String indexedHash, int foundCount, String foundHash,
                           boolean matches, String split, String error) {
    }

    /** One study that differs between the study database and the old PACS. */
    public record Discrepancy(String day, Kind kind, String studyInstanceUid, Integer indexedInstances,
                              Integer foundInstances, String action) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    public long count(Kind kind) {
        return discrepancies.stream().filter(d -> d.kind() == kind).count();
    }

    public List<String> uids(Kind kind) {
        return discrepancies.stream().filter(d -> d.kind() == kind).map(Discrepancy::studyInstanceUid).toList();
    }

    public long failedDays() {
        return days.stream().filter(d -> d.error() != null).count();
    }

    /** This report as the migration's last control pass over {@code from..to}, written to {@code file}. */
    public ControlPassRecord toRecord(String trigger, LocalDate from, LocalDate to, Path file) {
        Map<ControlPassRecord.Finding, List<String>> found = ControlPassRecord.noFindings();
        for (Discrepancy d : discrepancies) {
            found.get(ControlPassRecord.Finding.valueOf(d.kind().name())).add(d.studyInstanceUid());
        }
        List<String> failed = days.stream().filter(d -> d.error() != null).map(d -> d.day() + ": " + d.error()).toList();
        return ControlPassRecord.of(startedAt, finishedAt, trigger, from, to, days.size(), failed, found,
                file == null ? null : file.toString());
    }

    /** Writes the report as {@code control-<timestamp>.json} into {@code directory} (atomically); returns the file. */
    public Path writeTo(Path directory) {
        try {
            // the report names studies and patients: for the process's user only
            OwnerOnly.createDirectories(directory);
            String name = "control-" + startedAt.toString().replace(":", "").replace(".", "-") + ".json";
            Path tmp = OwnerOnly.newFile(directory.resolve(name + ".tmp"));
            try (OutputStream out = Files.newOutputStream(tmp)) {
                JSON.writeValue(out, this);
            }
            Path file = directory.resolve(name);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write control report to " + directory, e);
        }
    }

    public static ControlReport read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ControlReport.class);
    }
}
