package org.pacsmigrator.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.FindOutcome;
import org.pacsmigrator.dicom.QueryLevel;
import org.pacsmigrator.state.IndexDayRecord;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the study database of the old PACS day by day (Study Root C-FIND, STUDY level) and
 * publishes each study for the retriever. A day is marked DONE only after all its studies are
 * stored and published, so a crash at any point is resumed by re-querying the day; days already
 * DONE are skipped. A study still INDEXED when its day is re-queried is published again
 * (the retriever ignores duplicates), so no study is stranded between store and publish.
 */
public final class Indexer {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    private static final DateTimeFormatter DICOM_DATE = DateTimeFormatter.BASIC_ISO_DATE;
    /** Return keys requested for every study: what downstream stages and the report need. */
    static final List<String> RETURN_KEYS = List.of(
            "StudyInstanceUID", "PatientID", "IssuerOfPatientID", "PatientName", "PatientBirthDate", "PatientSex",
            "AccessionNumber", "StudyDate", "StudyTime", "StudyDescription", "ModalitiesInStudy",
            "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances", "SpecificCharacterSet");

    /** What indexing a range achieved. */
    public record Summary(int daysDone, int daysSkipped, int daysFailed, int studiesFound, int studiesNew) {
    }

    private final DicomClient dicom;
    private final DicomNode source;
    private final StateStore state;
    private final EventPublisher publisher;
    private final Topics topics;
    private final int findResultCap;

    public Indexer(DicomClient dicom, DicomNode source, StateStore state, EventPublisher publisher, Topics topics,
                   int findResultCap) {
        this.dicom = dicom;
        this.source = source;
        this.state = state;
        this.publisher = publisher;
        this.topics = topics;
        this.findResultCap = findResultCap;
    }

    /** Indexes every day of the range in the given order; failed days are recorded and skipped. */
    public Summary indexRange(LocalDate from, LocalDate to, boolean newestFirst) {
        List<LocalDate> days = new ArrayList<>(from.datesUntil(to.plusDays(1)).toList());
        if (newestFirst) {
            java.util.Collections.reverse(days);
        }
        int done = 0, skipped = 0, failed = 0, found = 0, fresh = 0;
        for (LocalDate day : days) {
            if (state.findIndexDay(day).map(d -> d.status() == IndexDayRecord.Status.DONE).orElse(false)) {
                skipped++;
                continue;
            }
            try {
                DayResult result = indexDay(day);
                done++;
                found += result.studies();
                fresh += result.newStudies();
            } catch (DicomException | CappedResultException e) {
                failed++;
                LOG.warn("index day {} failed: {}", day, e.getMessage());
                state.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.FAILED, Instant.now(), 0, null,
                        "none", e.getMessage()));
            }
        }
        return new Summary(done, skipped, failed, found, fresh);
    }

    record DayResult(int studies, int newStudies) {
    }

    /** Queries one day, stores and publishes its studies, then marks the day DONE. */
    DayResult indexDay(LocalDate day) throws DicomException, CappedResultException {
        Map<String, String> keys = new LinkedHashMap<>();
        RETURN_KEYS.forEach(k -> keys.put(k, ""));
        keys.put("StudyDate", day.format(DICOM_DATE));
        List<DicomDataset> matches = new ArrayList<>();
        FindOutcome outcome = dicom.find(source, QueryLevel.STUDY, DicomDataset.of(keys), matches::add);
        if (outcome.cancelled() || (findResultCap > 0 && outcome.matches() >= findResultCap)) {
            // Splitting capped days (by time, then modality) is the indexer issue's work; until then
            // a capped day must fail visibly instead of being recorded as complete.
            throw new CappedResultException(String.format("C-FIND for %s returned %d matches and status 0x%04X: result capped",
                    day, outcome.matches(), outcome.finalStatus()));
        }
        if (!outcome.success()) {
            throw new DicomException(DicomException.Category.FAILURE_STATUS,
                    String.format("C-FIND for %s on %s ended with status 0x%04X", day, source, outcome.finalStatus()));
        }
        TreeSet<String> uids = new TreeSet<>();
        int fresh = 0;
        for (DicomDataset match : matches) {
            String uid = match.get("StudyInstanceUID");
            if (uid.isEmpty() || !uids.add(uid)) {
                continue;
            }
            StudyRecord study = toRecord(match);
            boolean isNew = state.insertStudyIfAbsent(study);
            if (isNew) {
                fresh++;
                publisher.publish(topics.indexed(), StudyEvent.of(uid, "new"));
            } else if (state.findStudy(uid).map(s -> s.state() == StudyState.INDEXED).orElse(false)) {
                publisher.publish(topics.indexed(), StudyEvent.of(uid, "resume"));
            }
        }
        state.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.DONE, Instant.now(), uids.size(),
                hash(uids), "day", null));
        LOG.info("indexed {}: {} studies ({} new)", day, uids.size(), fresh);
        return new DayResult(uids.size(), fresh);
    }

    private static StudyRecord toRecord(DicomDataset m) {
        return StudyRecord.indexed(m.get("StudyInstanceUID"), m.get("PatientID"), m.get("IssuerOfPatientID"),
                m.get("PatientName"), m.get("PatientBirthDate"), m.get("PatientSex"), m.get("AccessionNumber"),
                m.get("StudyDate"), m.get("StudyTime"), m.get("StudyDescription"), m.get("ModalitiesInStudy"),
                parseCount(m.get("NumberOfStudyRelatedSeries")), parseCount(m.get("NumberOfStudyRelatedInstances")));
    }

    /** PACS that do not fill a count (e.g. dcmqrscp) give -1: unknown. */
    private static int parseCount(String value) {
        try {
            return value.isBlank() ? -1 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** SHA-256 of the sorted UID set, to detect changes when a day is re-queried. */
    static String hash(Iterable<String> sortedUids) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String uid : sortedUids) {
                sha.update(uid.getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PACS capped the day's result: the day is not complete. */
    static final class CappedResultException extends Exception {
        CappedResultException(String message) {
            super(message);
        }
    }
}
