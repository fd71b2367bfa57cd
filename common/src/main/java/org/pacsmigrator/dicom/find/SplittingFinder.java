package org.pacsmigrator.dicom.find;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomException;

/**
 * Finds every study of a day, a date range or without a StudyDate although the PACS caps C-FIND results: the
 * one splitting of the indexer, its control queries and the report, each with its own {@link StudyQuery}
 * (gate, schedule, cap) and return keys. A capped query
 * (0xFE00 or the configured cap reached, since some PACS truncate silently) is split by StudyTime
 * range into halves, recursively, down to the minimum span; a span still capped there is split
 * by ModalitiesInStudy (the configured list plus every modality seen in the capped answer). Matches
 * of all sub-queries, capped ones included, are merged and de-duplicated by StudyInstanceUID.
 * If a leaf (minimum span and one modality) is still capped, the day cannot be completed and
 * {@link CappedResultException} is thrown: it is never recorded as done.
 *
 * <p>A date range (the report's reconciliation) is asked whole first; a capped range is halved by days,
 * recursively, down to single days, which are then split as above.
 *
 * <p>The undated pass (studies without a StudyDate) asks with a universal StudyDate, keeps the
 * matches whose StudyDate is empty and, when capped, splits by PatientID wildcard prefixes
 * ({@code A*}, {@code AB*}, ...), then by modality.
 */
public final class SplittingFinder {
    private static final DateTimeFormatter DICOM_DATE = DateTimeFormatter.BASIC_ISO_DATE;
    private static final int DAY_SECONDS = 24 * 3600;
    private static final int MAX_PREFIX_LENGTH = 16;

    /** Return keys the splitting itself reads, requested whatever the caller asks for. */
    public static final List<String> SPLIT_KEYS = List.of("StudyInstanceUID", "PatientID", "StudyDate", "ModalitiesInStudy");

    /**
     * The studies found for a day, a date range or the undated bucket, and how the query was split.
     * {@code patientIdsOfCollisions} lists, for a StudyInstanceUID answered under more than one
     * PatientID (two patients' studies sharing a UID: a modality or merge fault), every PatientID seen;
     * {@code studies} keeps the first match of each UID.
     */
    public record Found(Map<String, DicomDataset> studies, Map<String, Set<String>> patientIdsOfCollisions,
                        String split, int queries) {
    }

    private final StudyQuery studyQuery;
    private final List<String> returnKeys;
    private final Duration minSplit;
    private final List<String> modalities;
    private final String patientIdPrefixes;

    /** {@code returnKeys}: what the caller needs of each study ({@link #SPLIT_KEYS} are added). */
    public SplittingFinder(StudyQuery query, List<String> returnKeys, SplitSettings split) {
        this.studyQuery = query;
        Set<String> keys = new LinkedHashSet<>(returnKeys);
        keys.addAll(SPLIT_KEYS);
        this.returnKeys = List.copyOf(keys);
        this.minSplit = split.minSplit().getSeconds() < 1 ? Duration.ofSeconds(1) : split.minSplit();
        this.modalities = split.modalities();
        this.patientIdPrefixes = split.patientIdPrefixes();
    }

    /** Every study whose StudyDate is {@code day}. */
    public Found findDay(LocalDate day) throws DicomException, CappedResultException, InterruptedException {
        Collector c = new Collector(m -> true);
        day(c, day);
        return c.result();
    }

    /** Every study whose StudyDate is in {@code from..to} (inclusive). */
    public Found findRange(LocalDate from, LocalDate to) throws DicomException, CappedResultException, InterruptedException {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range " + from + ".." + to + " ends before it starts");
        }
        Collector c = new Collector(m -> true);
        dateRange(c, from, to);
        return c.result();
    }

    /** Every study without a StudyDate (empty or absent). */
    public Found findUndated() throws DicomException, CappedResultException, InterruptedException {
        Map<String, String> base = baseKeys();
        Collector c = new Collector(m -> m.get("StudyDate").isBlank());
        patientPrefix(c, base, "");
        return c.result();
    }

    private Map<String, String> baseKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        returnKeys.forEach(k -> keys.put(k, ""));
        return keys;
    }

    private void day(Collector c, LocalDate day) throws DicomException, CappedResultException, InterruptedException {
        Map<String, String> base = baseKeys();
        base.put("StudyDate", day.format(DICOM_DATE));
        timeSpan(c, base, 0, DAY_SECONDS, true);
    }

    /** Queries {@code from..to}; a capped range of several days is halved, a single day split by {@link #day}. */
    private void dateRange(Collector c, LocalDate from, LocalDate to)
            throws DicomException, CappedResultException, InterruptedException {
        if (from.equals(to)) {
            c.leafDays++;
            day(c, from);
            return;
        }
        Map<String, String> keys = baseKeys();
        keys.put("StudyDate", from.format(DICOM_DATE) + "-" + to.format(DICOM_DATE));
        if (!c.query(keys).capped()) {
            c.leafDays++;
            return;
        }
        LocalDate lastOfFirstHalf = from.plusDays(ChronoUnit.DAYS.between(from, to) / 2);
        dateRange(c, from, lastOfFirstHalf);
        dateRange(c, lastOfFirstHalf.plusDays(1), to);
    }

    /** Queries [from, to) seconds of the day; {@code whole} queries without a time key (the first query). */
    private void timeSpan(Collector c, Map<String, String> base, int from, int to, boolean whole)
            throws DicomException, CappedResultException, InterruptedException {
        Map<String, String> keys = new LinkedHashMap<>(base);
        if (!whole) {
            keys.put("StudyTime", tm(from) + "-" + tmEnd(to));
        }
        StudyQuery.Answer r = c.query(keys);
        if (!r.capped()) {
            if (!whole) {
                c.leafTimeSpans++;
            }
            return;
        }
        if (to - from > minSplit.getSeconds()) {
            int mid = from + (to - from) / 2;
            timeSpan(c, base, from, mid, false);
            timeSpan(c, base, mid, to, false);
            return;
        }
        c.leafTimeSpans++;
        byModality(c, keys, r, (whole ? "day " : "StudyTime " + keys.get("StudyTime")) + " of " + base.get("StudyDate"));
    }

    private void patientPrefix(Collector c, Map<String, String> base, String prefix)
            throws DicomException, CappedResultException, InterruptedException {
        Map<String, String> keys = new LinkedHashMap<>(base);
        if (!prefix.isEmpty()) {
            keys.put("PatientID", prefix + "*");
        }
        StudyQuery.Answer r = c.query(keys);
        if (!r.capped()) {
            if (!prefix.isEmpty()) {
                c.leafPrefixes++;
            }
            return;
        }
        if (prefix.length() < MAX_PREFIX_LENGTH) {
            // The configured characters plus the next character of every PatientID in the capped answer,
            // so that IDs with lower-case letters or punctuation are followed too.
            Set<Character> next = new TreeSet<>();
            for (char ch : patientIdPrefixes.toCharArray()) {
                next.add(ch);
            }
            for (DicomDataset m : r.matches()) {
                String id = m.get("PatientID");
                if (id.length() > prefix.length() && id.startsWith(prefix)) {
                    next.add(id.charAt(prefix.length()));
                }
            }
            next.removeAll(List.of('*', '?', '\\'));
            if (!prefix.isEmpty()) {
                // "AB*" also matched the PatientID "AB" itself, which no "ABx*" below matches.
                Map<String, String> exact = new LinkedHashMap<>(base);
                exact.put("PatientID", prefix);
                StudyQuery.Answer e = c.query(exact);
                if (e.capped()) {
                    byModality(c, exact, e, "PatientID " + prefix);
                }
            }
            for (char ch : next) {
                patientPrefix(c, base, prefix + ch);
            }
            return;
        }
        c.leafPrefixes++;
        byModality(c, keys, r, "PatientID " + prefix + "*");
    }

    private void byModality(Collector c, Map<String, String> keys, StudyQuery.Answer capped, String what)
            throws DicomException, CappedResultException, InterruptedException {
        Set<String> mods = new LinkedHashSet<>(modalities);
        for (DicomDataset m : capped.matches()) {
            for (String mod : m.get("ModalitiesInStudy").split("\\\\")) {
                if (!mod.isBlank()) {
                    mods.add(mod.trim());
                }
            }
        }
        for (String mod : mods) {
            Map<String, String> k = new LinkedHashMap<>(keys);
            k.put("ModalitiesInStudy", mod);
            StudyQuery.Answer r = c.query(k);
            c.leafModalities++;
            if (r.capped()) {
                throw new CappedResultException(String.format(
                        "%s, modality %s is still capped after splitting (%d matches, status 0x%04X): lower "
                                + "index.minSplitMinutes or raise the PACS's C-FIND limit",
                        what, mod, r.outcome().matches(), r.outcome().finalStatus()));
            }
        }
    }

    private static String tm(int seconds) {
        return String.format("%02d%02d%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /** Inclusive end of [.., to): the last second with all its fractions. */
    private static String tmEnd(int to) {
        return tm(to - 1) + ".999999";
    }

    /** Merges matches by StudyInstanceUID and counts the split. */
    private final class Collector {
        final Map<String, DicomDataset> studies = new LinkedHashMap<>();
        final Map<String, Set<String>> collisions = new LinkedHashMap<>();
        final Predicate<DicomDataset> keep;
        int queries;
        int leafDays;
        int leafTimeSpans;
        int leafModalities;
        int leafPrefixes;
        boolean split;

        Collector(Predicate<DicomDataset> keep) {
            this.keep = keep;
        }

        StudyQuery.Answer query(Map<String, String> keys) throws DicomException, InterruptedException {
            StudyQuery.Answer r = studyQuery.find(DicomDataset.of(keys));
            queries++;
            if (r.capped()) {
                split = true;
            }
            for (DicomDataset m : r.matches()) {
                String uid = m.get("StudyInstanceUID");
                if (!uid.isBlank() && keep.test(m)) {
                    DicomDataset first = studies.putIfAbsent(uid.trim(), m);
                    if (first != null && !first.get("PatientID").equals(m.get("PatientID"))) {
                        Set<String> ids = collisions.computeIfAbsent(uid.trim(), k -> new TreeSet<>());
                        ids.add(first.get("PatientID"));
                        ids.add(m.get("PatientID"));
                    }
                }
            }
            return r;
        }

        Found result() {
            List<String> parts = new ArrayList<>();
            if (leafDays > 1) {
                parts.add("days:" + leafDays);
            }
            if (leafTimeSpans > 0) {
                parts.add("time:" + leafTimeSpans);
            }
            if (leafPrefixes > 0) {
                parts.add("patientId:" + leafPrefixes);
            }
            if (leafModalities > 0) {
                parts.add("modality:" + leafModalities);
            }
            String description = !split ? "none" : String.join(",", parts);
            return new Found(studies, collisions, description + " (" + queries + " queries)", queries);
        }
    }
}
