package org.pacsmigrator.index;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;

/**
 * Stores found studies and tells the retriever about them: a study seen for the first time is
 * published once ("new"); a known study whose series/instance counts or modalities grew in the old
 * PACS is updated and published again ("changed"); a known study still INDEXED (a crash between
 * store and publish) is published again ("resume", harmless: the retriever ignores duplicates).
 * Everything else is left alone, so re-querying a day is idempotent.
 */
public final class StudyRecorder {
    /** What recording a set of matches did. */
    public record Recorded(int studies, List<String> fresh, List<String> changed, List<String> resumed) {
    }

    private final StateStore state;
    private final EventPublisher publisher;
    private final Topics topics;

    public StudyRecorder(StateStore state, EventPublisher publisher, Topics topics) {
        this.state = state;
        this.publisher = publisher;
        this.topics = topics;
    }

    /**
     * Records the matches found for {@code bucket} (a day or {@link Indexer#UNDATED}); returns once
     * every event was acknowledged by the broker.
     */
    public Recorded record(LocalDate bucket, Collection<DicomDataset> matches) {
        List<String> fresh = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> resumed = new ArrayList<>();
        List<StudyEvent> events = new ArrayList<>();
        for (DicomDataset match : matches) {
            StudyRecord found = toRecord(match);
            String uid = found.studyInstanceUid();
            if (state.insertStudyIfAbsent(found)) {
                fresh.add(uid);
                events.add(StudyEvent.of(uid, "new"));
            } else {
                Optional<StudyRecord> known = state.findStudy(uid);
                if (known.isPresent() && grew(known.get(), found)) {
                    state.updateIndexedCounts(uid, Math.max(found.expectedSeries(), known.get().expectedSeries()),
                            found.expectedInstances(), found.modalitiesInStudy());
                    changed.add(uid);
                    events.add(StudyEvent.of(uid, "changed"));
                } else if (known.map(s -> s.state() == StudyState.INDEXED).orElse(false)) {
                    resumed.add(uid);
                    events.add(StudyEvent.of(uid, "resume"));
                }
            }
            if (Indexer.UNDATED.equals(bucket)) {
                state.recordStudyOfDay(bucket, uid);
            }
        }
        if (!events.isEmpty()) {
            publisher.publishAll(topics.indexed(), events);
        }
        return new Recorded(matches.size(), fresh, changed, resumed);
    }

    /** The old PACS reports more than was indexed (counts the PACS does not fill, -1, never count). */
    static boolean grew(StudyRecord known, StudyRecord found) {
        return found.expectedInstances() >= 0 && found.expectedInstances() != known.expectedInstances()
                || found.expectedSeries() >= 0 && found.expectedSeries() > known.expectedSeries();
    }

    static StudyRecord toRecord(DicomDataset m) {
        return StudyRecord.indexed(m.get("StudyInstanceUID").trim(), m.get("PatientID"), m.get("IssuerOfPatientID"),
                m.get("PatientName"), m.get("PatientBirthDate"), m.get("PatientSex"), m.get("AccessionNumber"),
                m.get("StudyDate"), m.get("StudyTime"), m.get("StudyDescription"), m.get("ModalitiesInStudy"),
                parseCount(m.get("NumberOfStudyRelatedSeries")), parseCount(m.get("NumberOfStudyRelatedInstances")));
    }

    /** PACS that do not fill a count (e.g. dcmqrscp) give -1: unknown. */
    static int parseCount(String value) {
        try {
            return value.isBlank() ? -1 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
