package org.pacsmigrator.dicom.find;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.FindOutcome;

/**
 * An in-memory archive answering STUDY-level queries as a PACS with a result cap does: matching on StudyDate
 * (single date or range, empty = universal), StudyTime range, ModalitiesInStudy and PatientID (exact or
 * {@code prefix*}); more than {@code cap} matches are cut to {@code cap}, with 0xFE00 like Orthanc or, when
 * {@code silent}, with a plain success like PACS that truncate silently (then only the count tells).
 */
final class FakeCappedArchive implements StudyQuery {
    record Study(String uid, String patientId, String date, String time, String modalities) {
    }

    final List<Study> studies = new ArrayList<>();
    final List<DicomDataset> asked = new ArrayList<>();
    private final int cap;
    private final boolean silent;

    FakeCappedArchive(int cap, boolean silent) {
        this.cap = cap;
        this.silent = silent;
    }

    FakeCappedArchive add(String uid, String patientId, String date, String time, String modalities) {
        studies.add(new Study(uid, patientId, date, time, modalities));
        return this;
    }

    @Override
    public Answer find(DicomDataset keys) {
        asked.add(keys);
        List<DicomDataset> matches = new ArrayList<>();
        int total = 0;
        for (Study s : studies) {
            if (matches(s, keys)) {
                total++;
                if (matches.size() < cap) {
                    matches.add(answer(s, keys));
                }
            }
        }
        FindOutcome outcome = new FindOutcome(matches.size(), total > cap && !silent ? 0xFE00 : 0x0000);
        // The caller of a PACS that cancels need not know its cap; of a silent one, it must (configured)
        return new Answer(matches, outcome, outcome.cappedAt(silent ? cap : 0));
    }

    /** How many queries asked for exactly this StudyDate value. */
    long askedFor(String studyDate) {
        return asked.stream().filter(k -> k.get("StudyDate").equals(studyDate)).count();
    }

    private static boolean matches(Study s, DicomDataset keys) {
        return range(keys.get("StudyDate"), s.date()) && range(keys.get("StudyTime"), s.time())
                && (keys.get("ModalitiesInStudy").isEmpty() || List.of(s.modalities().split("\\\\")).contains(keys.get("ModalitiesInStudy")))
                && patientId(keys.get("PatientID"), s.patientId());
    }

    /** DICOM range matching on DA/TM strings of the same format (lexical order is time order). */
    private static boolean range(String key, String value) {
        if (key.isEmpty()) {
            return true;
        }
        if (value.isEmpty()) {
            return false;
        }
        int dash = key.indexOf('-');
        if (dash < 0) {
            return key.equals(value);
        }
        String from = key.substring(0, dash);
        String to = key.substring(dash + 1);
        return value.compareTo(from) >= 0 && value.compareTo(to) <= 0;
    }

    private static boolean patientId(String key, String value) {
        if (key.isEmpty()) {
            return true;
        }
        return key.endsWith("*") ? value.startsWith(key.substring(0, key.length() - 1)) : key.equals(value);
    }

    /** Only the requested keys come back, as a PACS answers. */
    private static DicomDataset answer(Study s, DicomDataset keys) {
        Map<String, String> all = Map.of("StudyInstanceUID", s.uid(), "PatientID", s.patientId(), "StudyDate", s.date(),
                "StudyTime", s.time(), "ModalitiesInStudy", s.modalities());
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys.asMap().keySet()) {
            out.put(k, all.getOrDefault(k, ""));
        }
        return DicomDataset.of(out);
    }
}
