package org.pacsmigrator.state;

import static org.pacsmigrator.state.CassandraWrites.setIfPresent;
import static org.pacsmigrator.state.CassandraWrites.truncate;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PagingState;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.internal.core.util.concurrent.CompletableFutures;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.pacsmigrator.state.CassandraSchema.AddedColumn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Studies (table studies, written only with lightweight transactions) and the source days they are filed under. */
final class CassandraStudies {
    private static final Logger log = LoggerFactory.getLogger(CassandraStudies.class);

    static List<String> tables(String ks) {
        return List.of(
                // One row per study. Only written with lightweight transactions (insert-if-absent,
                // conditional state changes): mixing LWT and plain writes on a row breaks their ordering.
                "CREATE TABLE IF NOT EXISTS " + ks + ".studies ("
                        + " study_uid text PRIMARY KEY,"
                        + " patient_id text, issuer_of_patient_id text, patient_name text, patient_birth_date text,"
                        + " patient_sex text, accession_number text, study_date text, study_time text,"
                        + " study_description text, modalities_in_study text,"
                        + " expected_series int, expected_instances int,"
                        + " state text, failure_category text, failure_message text, attempts int,"
                        + " indexed_at timestamp, updated_at timestamp,"
                        // the C-FIND answer's character set, and the attributes whose value arrived lossy
                        + " index_character_set text, unknown_attributes set<text>)",
                // state: a copy of the study's, for the listing by state (CassandraStudyStates)
                "CREATE TABLE IF NOT EXISTS " + ks + ".studies_by_day ("
                        + " day date, study_uid text, state text, PRIMARY KEY ((day), study_uid))",
                // The study search's lookups by accession number and patient ID (kind 'accession' or 'patient'). A
                // table rather than storage-attached indexes: SAI's memtable index costs ~2 KiB of heap per distinct
                // value, which ran a 1 GiB node out of heap at 300,000 studies (bench/README.md).
                "CREATE TABLE IF NOT EXISTS " + ks + ".studies_by_key ("
                        + " kind text, key text, study_uid text, PRIMARY KEY ((kind, key), study_uid))");
    }

    /**
     * Indexes of earlier versions, dropped where present: the listing by state went through a storage-attached index
     * on {@code state}, now through {@link CassandraStudyStates} (the index's segments made every listing warn at a
     * million studies, and its upkeep cost every state change).
     */
    static final List<String> RETIRED_INDEXES = List.of("studies_state");

    private static final List<String> KEY_KINDS = List.of("accession", "patient");

    static final List<AddedColumn> ADDED_COLUMNS = List.of(new AddedColumn("studies", "index_character_set", "text"),
            new AddedColumn("studies", "unknown_attributes", "set<text>"), new AddedColumn("studies_by_day", "state", "text"));

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement insertDay;
    private final PreparedStatement select;
    private final PreparedStatement selectAll;
    private final PreparedStatement transitionIf;
    private final PreparedStatement selectAttempts;
    private final PreparedStatement failIfAttempts;
    private final PreparedStatement addUnknown;
    private final PreparedStatement updateCounts;
    private final PreparedStatement selectDay;
    private final PreparedStatement selectDate;
    private final PreparedStatement insertKey;
    private final PreparedStatement selectByKey;
    private final CassandraStudyStates states;
    /** Recently asked days of studies, so that a study's successive changes read its day once. */
    private final Map<String, LocalDate> days = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LocalDate> eldest) {
            return size() > 10_000;
        }
    };

    CassandraStudies(CqlSession session, String ks, CassandraStudyStates states) {
        this.session = session;
        this.states = states;
        insert = session.prepare("INSERT INTO " + ks + ".studies (study_uid, patient_id, issuer_of_patient_id,"
                + " patient_name, patient_birth_date, patient_sex, accession_number, study_date, study_time,"
                + " study_description, modalities_in_study, expected_series, expected_instances, state,"
                + " failure_category, failure_message, attempts, indexed_at, updated_at, index_character_set, unknown_attributes)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        insertDay = session.prepare("INSERT INTO " + ks + ".studies_by_day (day, study_uid) VALUES (?, ?)");
        select = session.prepare("SELECT * FROM " + ks + ".studies WHERE study_uid = ?");
        selectAll = session.prepare("SELECT * FROM " + ks + ".studies");
        transitionIf = session.prepare("UPDATE " + ks + ".studies SET state = ?, updated_at = ?"
                + " WHERE study_uid = ? IF state IN ?");
        selectAttempts = session.prepare("SELECT attempts FROM " + ks + ".studies WHERE study_uid = ?");
        failIfAttempts = session.prepare("UPDATE " + ks + ".studies SET state = ?, failure_category = ?,"
                + " failure_message = ?, attempts = ?, updated_at = ? WHERE study_uid = ? IF attempts = ?");
        addUnknown = session.prepare("UPDATE " + ks + ".studies SET unknown_attributes = unknown_attributes + ?,"
                + " updated_at = ? WHERE study_uid = ? IF EXISTS");
        updateCounts = session.prepare("UPDATE " + ks + ".studies SET expected_series = ?, expected_instances = ?,"
                + " modalities_in_study = ?, updated_at = ? WHERE study_uid = ? IF EXISTS");
        selectDay = session.prepare("SELECT study_uid FROM " + ks + ".studies_by_day WHERE day = ?");
        selectDate = session.prepare("SELECT study_date FROM " + ks + ".studies WHERE study_uid = ?");
        insertKey = session.prepare("INSERT INTO " + ks + ".studies_by_key (kind, key, study_uid) VALUES (?, ?, ?)");
        selectByKey = session.prepare("SELECT study_uid FROM " + ks + ".studies_by_key WHERE kind = ? AND key = ?");
    }

    boolean insertIfAbsent(StudyRecord s) {
        Instant now = Instant.now();
        BoundStatementBuilder b = setIfPresent(insert.boundStatementBuilder(), 0, s.studyInstanceUid());
        Object[] values = {s.patientId(), s.issuerOfPatientId(), s.patientName(), s.patientBirthDate(),
            s.patientSex(), s.accessionNumber(), s.studyDate(), s.studyTime(), s.studyDescription(),
            s.modalitiesInStudy(), s.expectedSeries(), s.expectedInstances(),
            (s.state() == null ? StudyState.INDEXED : s.state()).name(), s.failureCategory(),
            truncate(s.failureMessage()), s.attempts(),
            s.indexedAt() == null ? now : s.indexedAt(), s.updatedAt() == null ? now : s.updatedAt(),
            s.indexCharacterSet(), s.unknownAttributes().isEmpty() ? null : s.unknownAttributes()};
        for (int i = 0; i < values.length; i++) {
            b = setIfPresent(b, i + 1, values[i]);
        }
        boolean inserted = session.execute(b.build()).wasApplied();
        LocalDate day = filedDay(s.studyDate());
        // Always (re)written, outside the LWT: repairs a crash between the writes on re-index.
        fileUnder(day, s.studyInstanceUid());
        if (inserted) {
            states.moved(day, s.studyInstanceUid(), s.state() == null ? StudyState.INDEXED : s.state());
        }
        fileKeys(s);
        return inserted;
    }

    /** Files the study under its accession number and patient ID for the search (idempotent). */
    void fileKeys(StudyRecord s) {
        List<String> keys = Arrays.asList(s.accessionNumber(), s.patientId());
        for (int i = 0; i < KEY_KINDS.size(); i++) {
            if (keys.get(i) != null && !keys.get(i).isBlank()) {
                session.execute(insertKey.bind(KEY_KINDS.get(i), keys.get(i), s.studyInstanceUid()).setIdempotent(true));
            }
        }
    }

    /**
     * The day a study is filed under and counted in: its StudyDate, {@link StudyStore#UNDATED} without one, or
     * {@link StudyStore#UNREADABLE_DATE} for a StudyDate that is not a date (kept apart from the undated bucket, which
     * the control pass compares with the old PACS's studies without a StudyDate).
     */
    static LocalDate filedDay(String studyDate) {
        return studyDate == null || studyDate.isBlank() ? StudyStore.UNDATED
                : studyDay(studyDate).orElse(StudyStore.UNREADABLE_DATE);
    }

    /** The day a known study is filed under (it never changes: a study row is inserted once), or null when unknown. */
    LocalDate dayOf(String studyInstanceUid) {
        synchronized (days) {
            LocalDate known = days.get(studyInstanceUid);
            if (known != null) {
                return known;
            }
        }
        Row r = session.execute(selectDate.bind(studyInstanceUid)).one();
        if (r == null) {
            return null;
        }
        LocalDate day = filedDay(r.getString(0));
        synchronized (days) {
            days.put(studyInstanceUid, day);
        }
        return day;
    }

    Optional<StudyRecord> find(String studyInstanceUid) {
        return Optional.ofNullable(session.execute(select.bind(studyInstanceUid)).one()).map(CassandraStudies::toStudy);
    }

    /**
     * Never regresses: states of {@code allowedFrom} past {@code target} on the success path are
     * ignored (FAILED can always be left, e.g. by a replay).
     */
    boolean transition(String studyInstanceUid, StudyState target, StudyState... allowedFrom) {
        List<StudyState> from = Arrays.stream(allowedFrom)
                .filter(s -> s == target || !s.atLeast(target))
                .distinct().toList();
        return !from.isEmpty() && moveIf(studyInstanceUid, target, from);
    }

    boolean reopen(String studyInstanceUid) {
        // transition() never goes backwards; this is the one place that does, on purpose
        return moveIf(studyInstanceUid, StudyState.INDEXED, List.of(StudyState.VERIFIED));
    }

    private boolean moveIf(String studyInstanceUid, StudyState target, List<StudyState> from) {
        boolean applied = session.execute(transitionIf.bind(target.name(), Instant.now(), studyInstanceUid,
                from.stream().map(Enum::name).toList())).wasApplied();
        if (applied) {
            states.moved(dayOf(studyInstanceUid), studyInstanceUid, target);
        }
        return applied;
    }

    void markFailed(String studyInstanceUid, String category, String message) {
        // Compare-and-set on attempts so that concurrent failures each count once.
        for (int round = 0; round < 20; round++) {
            Row row = session.execute(selectAttempts.bind(studyInstanceUid)
                    .setConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL)).one();
            if (row == null) {
                log.warn("markFailed for unknown study {}: ignored", studyInstanceUid);
                return;
            }
            Integer attempts = row.isNull(0) ? null : row.getInt(0);
            int next = attempts == null ? 1 : attempts + 1;
            if (session.execute(failIfAttempts.bind(StudyState.FAILED.name(), category, truncate(message), next,
                    Instant.now(), studyInstanceUid, attempts)).wasApplied()) {
                states.moved(dayOf(studyInstanceUid), studyInstanceUid, StudyState.FAILED);
                return;
            }
        }
        throw new StateStoreException("markFailed: too much contention on study " + studyInstanceUid, null);
    }

    void markUnknown(String studyInstanceUid, Set<String> attributes) {
        if (!attributes.isEmpty()) {
            session.execute(addUnknown.bind(Set.copyOf(attributes), Instant.now(), studyInstanceUid));
        }
    }

    boolean updateIndexedCounts(String studyInstanceUid, int expectedSeries, int expectedInstances,
                                String modalitiesInStudy) {
        return session.execute(updateCounts.bind(expectedSeries, expectedInstances, modalitiesInStudy, Instant.now(),
                studyInstanceUid)).wasApplied();
    }

    void fileUnder(LocalDate day, String studyInstanceUid) {
        session.execute(insertDay.bind(day, studyInstanceUid).setIdempotent(true));
    }

    List<String> ofDay(LocalDate day) {
        List<String> result = new ArrayList<>();
        for (Row r : session.execute(selectDay.bind(day))) {
            result.add(r.getString(0));
        }
        return result;
    }

    /** Studies whose StudyInstanceUID, AccessionNumber or PatientID is {@code key}: key reads only. */
    List<StudyRecord> byKey(String key, int limit) {
        Map<String, StudyRecord> found = new LinkedHashMap<>();
        find(key).ifPresent(s -> found.put(s.studyInstanceUid(), s));
        for (String kind : KEY_KINDS) {
            for (Row r : session.execute(selectByKey.bind(kind, key).setPageSize(limit))) {
                if (found.size() >= limit) {
                    return List.copyOf(found.values());
                }
                String uid = r.getString(0);
                if (!found.containsKey(uid)) {
                    find(uid).ifPresent(s -> found.put(uid, s));
                }
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * One page of the studies in {@code state}, listed through {@link CassandraStudyStates} over {@code days} (those
     * that may have studies in it), from {@code page} (null: the first page). Each listed study's row is read: an entry
     * a crash left stale is not shown under the wrong state.
     */
    StudyPage page(StudyState state, List<LocalDate> days, int limit, String page) {
        CassandraStudyStates.Listed listed = states.list(state, days, limit, page);
        List<CompletableFuture<Optional<StudyRecord>>> reads = listed.uids().stream()
                .map(uid -> session.executeAsync(select.bind(uid)).toCompletableFuture()
                        .thenApply(rs -> Optional.ofNullable(rs.one()).map(CassandraStudies::toStudy))).toList();
        List<StudyRecord> studies = reads.stream().map(CompletableFutures::getUninterruptibly).flatMap(Optional::stream)
                .filter(s -> s.state() == state).toList();
        return new StudyPage(studies, listed.next());
    }

    /**
     * One page of every study from {@code page}, the paging state of the page before (null: the first page). Throws
     * IllegalArgumentException for a paging state not of this query.
     */
    StudyPage page(int limit, String page) {
        BoundStatement query = selectAll.bind().setPageSize(limit);
        if (page != null && !page.isBlank()) {
            query = query.setPagingState(PagingState.fromString(page));
        }
        AsyncResultSet rs = CompletableFutures.getUninterruptibly(session.executeAsync(query));
        List<StudyRecord> studies = new ArrayList<>();
        rs.currentPage().forEach(r -> studies.add(toStudy(r)));
        PagingState next = rs.hasMorePages() ? rs.getExecutionInfo().getSafePagingState() : null;
        return new StudyPage(studies, next == null ? null : next.toString());
    }

    /** Runs the query; the driver fetches further pages while iterating. */
    Iterator<StudyRecord> all() {
        return StreamSupport.stream(session.execute(selectAll.bind()).spliterator(), false)
                .map(CassandraStudies::toStudy).iterator();
    }

    private static Optional<LocalDate> studyDay(String studyDate) {
        if (studyDate == null) {
            return Optional.empty();
        }
        String digits = studyDate.replaceAll("[^0-9]", "");
        try {
            return digits.length() == 8 ? Optional.of(LocalDate.parse(digits, DateTimeFormatter.BASIC_ISO_DATE))
                    : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static StudyRecord toStudy(Row r) {
        return new StudyRecord(r.getString("study_uid"), r.getString("patient_id"), r.getString("issuer_of_patient_id"),
                r.getString("patient_name"), r.getString("patient_birth_date"), r.getString("patient_sex"),
                r.getString("accession_number"), r.getString("study_date"), r.getString("study_time"),
                r.getString("study_description"), r.getString("modalities_in_study"),
                r.getInt("expected_series"), r.getInt("expected_instances"),
                r.isNull("state") ? null : StudyState.valueOf(r.getString("state")),
                r.getString("failure_category"), r.getString("failure_message"), r.getInt("attempts"),
                r.getInstant("indexed_at"), r.getInstant("updated_at"), r.getString("index_character_set"),
                r.getSet("unknown_attributes", String.class));
    }
}
