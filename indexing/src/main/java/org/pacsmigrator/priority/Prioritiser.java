package org.pacsmigrator.priority;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.find.StudyQuery;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.index.StudyRecorder;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StudyRecord;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.topics.EventPublisher;
import org.pacsmigrator.topics.StudyEvent;
import org.pacsmigrator.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a patient's studies before the bulk. The old PACS is asked for all of the patient's studies (a Study Root
 * C-FIND by PatientID, as the indexer asks by day), those not indexed yet are indexed as the indexer would
 * ({@link StudyRecorder}: the bulk gets them too, and skips them once done), then every study not yet migrated is
 * published to the priority lane of the stage it waits for, newest first. Idempotent: a study done is not redone,
 * a study in both lanes is taken once ({@link org.pacsmigrator.topics.StageConsumer}); a FAILED study is left to the
 * replay, so a patient on every worklist query does not retry it each time.
 */
public final class Prioritiser {
    private static final Logger LOG = LoggerFactory.getLogger(Prioritiser.class);
    private static final int MAX_STUDIES_PER_PATIENT = 10_000;
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    /** Newest first: StudyDate, then StudyTime, descending (undated last). */
    private static final Comparator<StudyRecord> NEWEST_FIRST = Comparator
            .comparing((StudyRecord s) -> Objects.toString(s.studyDate(), "") + Objects.toString(s.studyTime(), ""))
            .reversed();

    /** What prioritising a patient did. */
    public record Outcome(String patientId, int studies, int indexedNow, List<String> published) {
    }

    private final StateStore state;
    private final EventPublisher publisher;
    private final Topics topics;
    private final StudyQuery oldPacs;
    private final StudyRecorder recorder;
    /** Its studies' stages may pass the PACS's time windows (an on-demand request with priority.outsideWindows). */
    private final boolean anyTime;

    /** @param oldPacs Study Root C-FINDs on the old PACS, through its gate, on the turns the caller allows */
    public Prioritiser(StateStore state, EventPublisher publisher, Topics topics, StudyQuery oldPacs) {
        this(state, publisher, topics, oldPacs, false);
    }

    /** @param anyTime the studies it puts first are retrieved, forwarded and verified outside the windows too */
    public Prioritiser(StateStore state, EventPublisher publisher, Topics topics, StudyQuery oldPacs, boolean anyTime) {
        this.state = state;
        this.publisher = publisher;
        this.topics = topics;
        this.oldPacs = oldPacs;
        this.recorder = new StudyRecorder(state, publisher, topics);
        this.anyTime = anyTime;
    }

    /** Prioritises the patient(s) the request names; empty when the old PACS knows none. */
    public List<Outcome> prioritise(PriorityRequest request) throws DicomException, InterruptedException {
        List<Outcome> out = new ArrayList<>();
        for (String patientId : patientsOf(request)) {
            out.add(prioritisePatient(patientId, request.source()));
        }
        return out;
    }

    private Set<String> patientsOf(PriorityRequest request) throws DicomException, InterruptedException {
        if (request.key() == PriorityRequest.Key.PATIENT_ID) {
            return Set.of(request.value());
        }
        Set<String> patients = new LinkedHashSet<>();
        for (StudyRecord s : state.findStudiesByKey(request.value(), 100)) {
            if (request.value().equals(s.accessionNumber())) {
                patients.add(s.patientId());
            }
        }
        if (patients.isEmpty()) {
            for (DicomDataset match : find("AccessionNumber", request.value())) {
                patients.add(match.get("PatientID").trim());
            }
        }
        patients.removeIf(String::isEmpty);
        return patients;
    }

    private Outcome prioritisePatient(String patientId, String source) throws DicomException, InterruptedException {
        List<DicomDataset> matches = find("PatientID", patientId);
        int indexedNow = 0;
        for (Map.Entry<LocalDate, List<DicomDataset>> day : byDay(matches).entrySet()) {
            indexedNow += recorder.record(day.getKey(), day.getValue()).fresh().size();
        }
        List<StudyRecord> studies = new ArrayList<>(state.findStudiesByKey(patientId, MAX_STUDIES_PER_PATIENT).stream()
                .filter(s -> patientId.equals(s.patientId())).toList());
        studies.sort(NEWEST_FIRST);
        List<String> published = new ArrayList<>();
        for (StudyRecord study : studies) {
            String lane = laneOf(study.state());
            if (lane != null) {
                String reason = "priority:" + source;
                publisher.publish(lane, anyTime ? StudyEvent.priorityAnyTime(study.studyInstanceUid(), reason)
                        : StudyEvent.priority(study.studyInstanceUid(), reason));
                published.add(study.studyInstanceUid());
            }
        }
        // recorded after publishing: a crash in between leaves the patient unrecorded, so it is asked for again
        Set<String> uids = new LinkedHashSet<>();
        studies.forEach(s -> uids.add(s.studyInstanceUid()));
        state.recordPriority(patientId, source, uids);
        LOG.info("prioritised a patient ({}): {} studies, {} indexed now, {} put before the bulk", source,
                studies.size(), indexedNow, published.size());
        return new Outcome(patientId, studies.size(), indexedNow, published);
    }

    /** The priority lane of the stage the study waits for; null when it is done or FAILED (left to the replay). */
    private String laneOf(StudyState s) {
        return switch (s) {
            case INDEXED, RETRIEVING -> Topics.priorityLaneOf(topics.indexed());
            case RETRIEVED, FORWARDING -> Topics.priorityLaneOf(topics.retrieved());
            case FORWARDED -> Topics.priorityLaneOf(topics.forwarded());
            case VERIFIED, FAILED -> null;
        };
    }

    private List<DicomDataset> find(String keyword, String value) throws DicomException, InterruptedException {
        Map<String, String> keys = new HashMap<>();
        Indexer.RETURN_KEYS.forEach(k -> keys.put(k, ""));
        keys.put(keyword, value);
        StudyQuery.Answer answer = oldPacs.find(DicomDataset.of(keys));
        if (answer.capped()) {
            LOG.warn("the old PACS capped its answer for a prioritised patient at {} studies: the rest keep the date order",
                    answer.matches().size());
        }
        return answer.matches();
    }

    /** Matches by StudyDate (the recorder files a study under it), those without a readable one as undated. */
    private static Map<LocalDate, List<DicomDataset>> byDay(List<DicomDataset> matches) {
        Map<LocalDate, List<DicomDataset>> out = new HashMap<>();
        for (DicomDataset m : matches) {
            LocalDate day;
            try {
                day = LocalDate.parse(m.get("StudyDate").trim(), DA);
            } catch (DateTimeParseException e) {
                day = Indexer.UNDATED;
            }
            out.computeIfAbsent(day, d -> new ArrayList<>()).add(m);
        }
        return out;
    }
}
