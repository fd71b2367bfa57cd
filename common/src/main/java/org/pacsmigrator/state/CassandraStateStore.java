package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StateStore} on Cassandra, one keyspace per migration. Study rows are written only with
 * lightweight transactions; instance, day and index rows with idempotent upserts that leave
 * unknown (null) values unset, so that no write erases another stage's columns.
 * Logs carry UIDs at most, never patient attributes.
 */
public final class CassandraStateStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(CassandraStateStore.class);
    private static final int MAX_MESSAGE = 4000;
    private static final int WRITE_WINDOW = 64;
    /**
     * Rows of one study per unlogged batch: one partition, so the node applies each batch as a
     * single mutation (one request instead of one per instance), and small enough to stay under
     * Cassandra's default batch size warning (5 KiB).
     */
    private static final int ROWS_PER_BATCH = 16;

    private final CqlSession session;
    private final PreparedStatement upsertStageControl;
    private final PreparedStatement selectStageControl;
    private final PreparedStatement selectAllIndexDays;
    private final PreparedStatement insertStudy;
    private final PreparedStatement insertStudyDay;
    private final PreparedStatement selectStudy;
    private final PreparedStatement selectAllStudies;
    private final PreparedStatement selectStates;
    private final PreparedStatement transitionIf;
    private final PreparedStatement selectAttempts;
    private final PreparedStatement failIfAttempts;
    private final PreparedStatement upsertManifest;
    private final PreparedStatement upsertRetrieved;
    private final PreparedStatement upsertForwarded;
    private final PreparedStatement upsertForwardFailed;
    private final PreparedStatement upsertVerified;
    private final PreparedStatement selectInstances;
    private final PreparedStatement selectDayStudies;
    private final PreparedStatement upsertIndexDay;
    private final PreparedStatement selectIndexDay;
    private final PreparedStatement upsertModification;
    private final PreparedStatement insertPatient;
    private final PreparedStatement replaceAnsweredPatient;
    private final PreparedStatement addUnknown;
    private final PreparedStatement selectForwardAttempts;
    private final PreparedStatement selectModifications;

    private final String keyspace;
    private final PreparedStatement updateCounts;
    private final PreparedStatement insertCommitment;
    private final PreparedStatement insertCommitmentLookup;
    private final PreparedStatement selectCommitmentLookup;
    private final PreparedStatement selectCommitment;
    private final PreparedStatement selectCommitmentsOfStudy;
    private final PreparedStatement updateCommitmentReport;
    private final PreparedStatement upsertInstanceCommitted;
    private final PreparedStatement upsertInstanceNotCommitted;
    private final PreparedStatement selectInstanceCommitments;
    private final PreparedStatement selectInstanceCommitment;
    private final PreparedStatement upsertStudyStatus;
    private final PreparedStatement selectStudyStatus;
    private final PreparedStatement selectAllStudyStatuses;
    private final PreparedStatement clearForwarded;
    private final CassandraRefusals refusals;
    private final CassandraUidCollisions collisions;
    private final CassandraControlPasses controlPasses;

    private CassandraStateStore(CqlSession session, String ks) {
        this.session = session;
        this.keyspace = ks;
        insertStudy = session.prepare("INSERT INTO " + ks + ".studies (study_uid, patient_id, issuer_of_patient_id,"
                + " patient_name, patient_birth_date, patient_sex, accession_number, study_date, study_time,"
                + " study_description, modalities_in_study, expected_series, expected_instances, state,"
                + " failure_category, failure_message, attempts, indexed_at, updated_at, index_character_set, unknown_attributes)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        insertStudyDay = session.prepare("INSERT INTO " + ks + ".studies_by_day (day, study_uid) VALUES (?, ?)");
        selectStudy = session.prepare("SELECT * FROM " + ks + ".studies WHERE study_uid = ?");
        selectAllStudies = session.prepare("SELECT * FROM " + ks + ".studies");
        selectStates = session.prepare("SELECT state FROM " + ks + ".studies");
        transitionIf = session.prepare("UPDATE " + ks + ".studies SET state = ?, updated_at = ?"
                + " WHERE study_uid = ? IF state IN ?");
        selectAttempts = session.prepare("SELECT attempts FROM " + ks + ".studies WHERE study_uid = ?");
        failIfAttempts = session.prepare("UPDATE " + ks + ".studies SET state = ?, failure_category = ?,"
                + " failure_message = ?, attempts = ?, updated_at = ? WHERE study_uid = ? IF attempts = ?");
        upsertManifest = session.prepare("UPDATE " + ks + ".instances SET series_uid = ?, sop_class_uid = ?"
                + " WHERE study_uid = ? AND sop_uid = ?");
        upsertRetrieved = session.prepare("UPDATE " + ks + ".instances SET series_uid = ?, sop_class_uid = ?,"
                + " transfer_syntax_uid = ?, size_bytes = ?, sha256 = ?, cache_key = ?, retrieved_at = ?"
                + " WHERE study_uid = ? AND sop_uid = ?");
        upsertForwarded = session.prepare("UPDATE " + ks + ".instances SET forward_status = ?, forwarded_at = ?,"
                + " store_attempts = store_attempts + ? WHERE study_uid = ? AND sop_uid = ?");
        upsertForwardFailed = session.prepare("UPDATE " + ks + ".instances SET forward_status = ?,"
                + " store_attempts = store_attempts + ? WHERE study_uid = ? AND sop_uid = ?");
        upsertVerified = session.prepare("UPDATE " + ks + ".instances SET verified_at = ?"
                + " WHERE study_uid = ? AND sop_uid = ?");
        selectInstances = session.prepare("SELECT * FROM " + ks + ".instances WHERE study_uid = ?");
        selectDayStudies = session.prepare("SELECT study_uid FROM " + ks + ".studies_by_day WHERE day = ?");
        upsertIndexDay = session.prepare("INSERT INTO " + ks + ".index_days (day, status, queried_at, study_count,"
                + " uid_set_hash, split, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)");
        selectIndexDay = session.prepare("SELECT * FROM " + ks + ".index_days WHERE day = ?");
        selectForwardAttempts = session.prepare("SELECT store_attempts FROM " + ks + ".instances"
                + " WHERE study_uid = ? AND sop_uid = ?");
        insertPatient = session.prepare("INSERT INTO " + ks + ".patients (issuer, patient_id, patient_name, birth_date,"
                + " sex, first_study_uid, from_images) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        replaceAnsweredPatient = session.prepare("UPDATE " + ks + ".patients SET patient_name = ?, birth_date = ?, sex = ?,"
                + " first_study_uid = ?, from_images = true WHERE issuer = ? AND patient_id = ? IF from_images != true");
        addUnknown = session.prepare("UPDATE " + ks + ".studies SET unknown_attributes = unknown_attributes + ?,"
                + " updated_at = ? WHERE study_uid = ? IF EXISTS");
        upsertModification = session.prepare("INSERT INTO " + ks + ".instance_modifications (study_uid, sop_uid,"
                + " rules_applied, changes, problems, original_sha256, sent_sha256, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        selectModifications = session.prepare("SELECT * FROM " + ks + ".instance_modifications WHERE study_uid = ?");
        updateCounts = session.prepare("UPDATE " + ks + ".studies SET expected_series = ?, expected_instances = ?,"
                + " modalities_in_study = ?, updated_at = ? WHERE study_uid = ? IF EXISTS");
        insertCommitment = session.prepare("UPDATE " + ks + ".commitments SET attempt = ?, instance_count = ?,"
                + " requested_at = ? WHERE study_uid = ? AND transaction_uid = ?");
        insertCommitmentLookup = session.prepare("INSERT INTO " + ks + ".commitments_by_transaction"
                + " (transaction_uid, study_uid) VALUES (?, ?)");
        selectCommitmentLookup = session.prepare("SELECT study_uid FROM " + ks + ".commitments_by_transaction"
                + " WHERE transaction_uid = ?");
        selectCommitment = session.prepare("SELECT * FROM " + ks + ".commitments WHERE study_uid = ? AND transaction_uid = ?");
        selectCommitmentsOfStudy = session.prepare("SELECT * FROM " + ks + ".commitments WHERE study_uid = ?");
        updateCommitmentReport = session.prepare("UPDATE " + ks + ".commitments SET reported_at = ?, event_type = ?,"
                + " committed = ?, failed = ? WHERE study_uid = ? AND transaction_uid = ?");
        upsertInstanceCommitted = session.prepare("UPDATE " + ks + ".instance_commitments SET transaction_uid = ?,"
                + " committed_at = ?, failure_reason = null, updated_at = ? WHERE study_uid = ? AND sop_uid = ?");
        upsertInstanceNotCommitted = session.prepare("UPDATE " + ks + ".instance_commitments SET transaction_uid = ?,"
                + " failure_reason = ?, updated_at = ? WHERE study_uid = ? AND sop_uid = ?");
        selectInstanceCommitments = session.prepare("SELECT * FROM " + ks + ".instance_commitments WHERE study_uid = ?");
        selectInstanceCommitment = session.prepare("SELECT * FROM " + ks + ".instance_commitments"
                + " WHERE study_uid = ? AND sop_uid = ?");
        upsertStudyStatus = session.prepare("INSERT INTO " + ks + ".study_status (study_uid, expected, retrieved, sent,"
                + " confirmed, failed, criterion, method, complete, completed_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        selectStudyStatus = session.prepare("SELECT * FROM " + ks + ".study_status WHERE study_uid = ?");
        selectAllStudyStatuses = session.prepare("SELECT * FROM " + ks + ".study_status");
        upsertStageControl = session.prepare("INSERT INTO " + ks + ".stage_control (stage, paused, changed_at)"
                + " VALUES (?, ?, ?)");
        selectStageControl = session.prepare("SELECT stage, paused FROM " + ks + ".stage_control");
        selectAllIndexDays = session.prepare("SELECT * FROM " + ks + ".index_days");
        clearForwarded = session.prepare("UPDATE " + ks + ".instances SET forwarded_at = null, forward_status = null,"
                + " verified_at = null WHERE study_uid = ? AND sop_uid = ?");
        refusals = new CassandraRefusals(session, ks);
        collisions = new CassandraUidCollisions(session, ks);
        controlPasses = new CassandraControlPasses(session, ks);
    }

    @Override
    public void recordCollision(UidCollision collision) {
        call(() -> {
            collisions.record(collision);
            return null;
        });
    }

    @Override
    public List<UidCollision> collisionsOf(String studyInstanceUid) {
        return call(() -> collisions.of(studyInstanceUid));
    }

    @Override
    public void clearCollision(String studyInstanceUid, String sopInstanceUid) {
        call(() -> {
            collisions.clear(studyInstanceUid, sopInstanceUid);
            return null;
        });
    }

    @Override
    public void recordControlPass(ControlPassRecord pass) {
        call(() -> {
            controlPasses.record(pass);
            return null;
        });
    }

    @Override
    public Optional<ControlPassRecord> lastControlPass() {
        return call(controlPasses::last);
    }

    @Override
    public void recordRefusal(RefusedInstance refusal) {
        call(() -> {
            refusals.record(refusal);
            return null;
        });
    }

    @Override
    public List<RefusedInstance> refusalsOf(String studyInstanceUid) {
        return call(() -> refusals.of(studyInstanceUid));
    }

    /** Opens (and if needed creates, with replication factor 1) the keyspace of a migration. */
    public static CassandraStateStore open(String contactPoint, String localDatacenter, String keyspace) {
        return open(CassandraSettings.of(contactPoint, localDatacenter, keyspace));
    }

    public static CassandraStateStore open(CassandraSettings settings) {
        CqlSession session = connect(settings);
        try {
            SimpleStatement ddl = SimpleStatement.newInstance(CassandraSchema.keyspace(settings))
                    .setTimeout(Duration.ofSeconds(60));
            session.execute(ddl);
            for (String table : CassandraSchema.tables(settings.keyspace())) {
                session.execute(SimpleStatement.newInstance(table).setTimeout(Duration.ofSeconds(60)));
            }
            for (CassandraSchema.AddedColumn c : CassandraSchema.ADDED_COLUMNS) {
                boolean present = session.execute(SimpleStatement.newInstance("SELECT column_name FROM system_schema.columns"
                        + " WHERE keyspace_name = ? AND table_name = ? AND column_name = ?",
                        settings.keyspace(), c.table(), c.column())).one() != null;
                if (!present) {
                    session.execute(SimpleStatement.newInstance(c.cql(settings.keyspace())).setTimeout(Duration.ofSeconds(60)));
                }
            }
            return new CassandraStateStore(session, settings.keyspace());
        } catch (RuntimeException e) {
            session.close();
            throw e instanceof DriverException ? new StateStoreException("cannot open state store", e) : e;
        }
    }

    private static CqlSession connect(CassandraSettings s) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                // Generous: LWTs and a busy node on a small machine can take seconds.
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.LOCAL_QUORUM.name())
                .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, ConsistencyLevel.LOCAL_SERIAL.name())
                .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, s.pageSize())
                // Schema DDL waits for the debouncer on every CREATE: 1 s by default, 0.1 s is plenty.
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(100))
                .withStringList(DefaultDriverOption.METADATA_SCHEMA_REFRESHED_KEYSPACES, List.of(s.keyspace()))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                // A restarted node is reconnected to within 10 s; requests meanwhile fail and are retried
                // by the caller (the consumer loop's retry policy).
                .withString(DefaultDriverOption.RECONNECTION_POLICY_CLASS, "ExponentialReconnectionPolicy")
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(10))
                .build();
        var builder = CqlSession.builder().withConfigLoader(config).withLocalDatacenter(s.localDatacenter());
        for (String contact : s.contactPoints().split(",")) {
            builder.addContactPoint(address(contact.trim()));
        }
        try {
            return builder.build();
        } catch (DriverException e) {
            throw new StateStoreException("cannot connect to Cassandra at " + s.contactPoints(), e);
        }
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("contact point must be host:port: " + hostPort);
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @Override
    public boolean insertStudyIfAbsent(StudyRecord s) {
        Instant now = Instant.now();
        BoundStatementBuilder b = insertStudy.boundStatementBuilder();
        b = setIfPresent(b, 0, s.studyInstanceUid());
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
        BoundStatement insert = b.build();
        boolean inserted = call(() -> session.execute(insert).wasApplied());
        // Always (re)written, outside the LWT: repairs a crash between the two writes on re-index.
        studyDay(s.studyDate()).ifPresent(day ->
                call(() -> session.execute(insertStudyDay.bind(day, s.studyInstanceUid()).setIdempotent(true))));
        return inserted;
    }

    @Override
    public Optional<StudyRecord> findStudy(String studyInstanceUid) {
        return call(() -> Optional.ofNullable(session.execute(selectStudy.bind(studyInstanceUid)).one())
                .map(CassandraStateStore::toStudy));
    }

    /**
     * Never regresses: states of {@code allowedFrom} past {@code target} on the success path are
     * ignored (FAILED can always be left, e.g. by a replay).
     */
    @Override
    public boolean transition(String studyInstanceUid, StudyState target, StudyState... allowedFrom) {
        List<String> from = Arrays.stream(allowedFrom)
                .filter(s -> s == target || !s.atLeast(target))
                .map(Enum::name).distinct().toList();
        if (from.isEmpty()) {
            return false;
        }
        return call(() -> session.execute(transitionIf.bind(target.name(), Instant.now(), studyInstanceUid, from))
                .wasApplied());
    }

    @Override
    public boolean reopen(String studyInstanceUid) {
        // transition() never goes backwards; this is the one place that does, on purpose
        return call(() -> session.execute(transitionIf.bind(StudyState.INDEXED.name(), Instant.now(), studyInstanceUid,
                List.of(StudyState.VERIFIED.name()))).wasApplied());
    }

    @Override
    public void markFailed(String studyInstanceUid, String category, String message) {
        // Compare-and-set on attempts so that concurrent failures each count once.
        for (int round = 0; round < 20; round++) {
            Row row = call(() -> session.execute(selectAttempts.bind(studyInstanceUid)
                    .setConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL)).one());
            if (row == null) {
                log.warn("markFailed for unknown study {}: ignored", studyInstanceUid);
                return;
            }
            Integer attempts = row.isNull(0) ? null : row.getInt(0);
            int next = attempts == null ? 1 : attempts + 1;
            boolean applied = call(() -> session.execute(failIfAttempts.bind(StudyState.FAILED.name(), category,
                    truncate(message), next, Instant.now(), studyInstanceUid, attempts)).wasApplied());
            if (applied) {
                return;
            }
        }
        throw new StateStoreException("markFailed: too much contention on study " + studyInstanceUid, null);
    }

    @Override
    public void recordExpectedInstances(String studyInstanceUid, List<InstanceRecord> expected) {
        // Manifest columns only: progress columns of rows that already exist stay untouched.
        List<BoundStatement> writes = expected.stream().map(i -> setIfPresent(setIfPresent(
                upsertManifest.boundStatementBuilder(), 0, i.seriesInstanceUid()), 1, i.sopClassUid())
                .setString(2, studyInstanceUid).setString(3, i.sopInstanceUid()).setIdempotence(true).build())
                .toList();
        executeAll(writes);
    }

    @Override
    public void recordRetrieved(InstanceRecord i) {
        call(() -> session.execute(retrievedRow(i)));
    }

    @Override
    public void recordRetrieved(Collection<InstanceRecord> instances) {
        Map<String, List<BoundStatement>> byStudy = new LinkedHashMap<>();
        for (InstanceRecord i : instances) {
            byStudy.computeIfAbsent(i.studyInstanceUid(), k -> new ArrayList<>()).add(retrievedRow(i));
        }
        byStudy.values().forEach(this::executeAll);
    }

    private BoundStatement retrievedRow(InstanceRecord i) {
        BoundStatementBuilder b = upsertRetrieved.boundStatementBuilder();
        b = setIfPresent(b, 0, i.seriesInstanceUid());
        b = setIfPresent(b, 1, i.sopClassUid());
        b = setIfPresent(b, 2, i.transferSyntaxUid());
        b = b.setLong(3, i.sizeBytes());
        b = setIfPresent(b, 4, i.sha256());
        b = setIfPresent(b, 5, i.cacheKey());
        b = b.setInstant(6, i.retrievedAt() == null ? Instant.now() : i.retrievedAt())
                .setString(7, i.studyInstanceUid()).setString(8, i.sopInstanceUid()).setIdempotence(true);
        return b.build();
    }

    @Override
    public void recordForwarded(String studyInstanceUid, String sopInstanceUid, int status, boolean stored) {
        recordForwarded(studyInstanceUid, List.of(new StoreOutcome(sopInstanceUid, status, stored, null)));
    }

    @Override
    public void recordForwarded(String studyInstanceUid, List<StoreOutcome> outcomes) {
        Instant now = Instant.now();
        List<Instant> attempt = List.of(now);
        List<List<BoundStatement>> units = new ArrayList<>();
        for (StoreOutcome o : outcomes) {
            // Not idempotent by nature (a list append): a retried write may log a try twice, which only overstates attempts.
            BoundStatement outcome = o.stored()
                    ? upsertForwarded.bind(o.status(), now, attempt, studyInstanceUid, o.sopInstanceUid())
                    : upsertForwardFailed.bind(o.status(), attempt, studyInstanceUid, o.sopInstanceUid());
            units.add(o.modification() == null ? List.of(outcome) : List.of(outcome, modificationRow(o.modification())));
        }
        executeBatches(batchesOf(units));
    }

    @Override
    public void recordVerified(String studyInstanceUid, String sopInstanceUid) {
        call(() -> session.execute(upsertVerified.bind(Instant.now(), studyInstanceUid, sopInstanceUid)
                .setIdempotent(true)));
    }

    @Override
    public void recordVerified(String studyInstanceUid, Collection<String> sopInstanceUids) {
        Instant now = Instant.now();
        executeAll(sopInstanceUids.stream().map(sop -> upsertVerified.bind(now, studyInstanceUid, sop).setIdempotent(true))
                .toList());
    }

    @Override
    public int forwardAttempts(String studyInstanceUid, String sopInstanceUid) {
        return call(() -> {
            Row r = session.execute(selectForwardAttempts.bind(studyInstanceUid, sopInstanceUid)).one();
            return r == null ? 0 : r.getList("store_attempts", Instant.class).size();
        });
    }

    @Override
    public PatientDemographics claimPatient(PatientDemographics p) {
        return call(() -> {
            Row r = session.execute(insertPatient.bind(p.issuerOfPatientId(), p.patientId(), p.patientName(),
                    p.patientBirthDate(), p.patientSex(), p.firstStudyInstanceUid(), p.fromImages())).one();
            if (r == null || r.getBool("[applied]")) {
                return p;
            }
            return new PatientDemographics(r.getString("patient_id"), r.getString("issuer"), r.getString("patient_name"),
                    r.getString("birth_date"), r.getString("sex"), r.getString("first_study_uid"),
                    !r.isNull("from_images") && r.getBool("from_images"));
        });
    }

    @Override
    public boolean replaceAnsweredPatient(PatientDemographics fromImages) {
        return call(() -> session.execute(replaceAnsweredPatient.bind(fromImages.patientName(), fromImages.patientBirthDate(),
                fromImages.patientSex(), fromImages.firstStudyInstanceUid(), fromImages.issuerOfPatientId(),
                fromImages.patientId())).wasApplied());
    }

    @Override
    public void markUnknown(String studyInstanceUid, java.util.Set<String> attributes) {
        if (!attributes.isEmpty()) {
            call(() -> session.execute(addUnknown.bind(java.util.Set.copyOf(attributes), Instant.now(), studyInstanceUid)));
        }
    }

    @Override
    public void recordModification(InstanceModification m) {
        call(() -> session.execute(modificationRow(m)));
    }

    private BoundStatement modificationRow(InstanceModification m) {
        return upsertModification.bind(m.studyInstanceUid(), m.sopInstanceUid(), m.rulesApplied(),
                m.changes(), m.problems(), m.originalSha256(), m.sentSha256(), m.at()).setIdempotent(true);
    }

    @Override
    public List<InstanceModification> modificationsOf(String studyInstanceUid) {
        return call(() -> {
            List<InstanceModification> result = new ArrayList<>();
            for (Row r : session.execute(selectModifications.bind(studyInstanceUid))) {
                result.add(new InstanceModification(r.getString("study_uid"), r.getString("sop_uid"),
                        r.getList("rules_applied", String.class), r.getList("changes", String.class),
                        r.getList("problems", String.class), r.getString("original_sha256"), r.getString("sent_sha256"),
                        r.getInstant("modified_at")));
            }
            return result;
        });
    }

    @Override
    public List<InstanceRecord> instancesOf(String studyInstanceUid) {
        return call(() -> {
            List<InstanceRecord> result = new ArrayList<>();
            for (Row r : session.execute(selectInstances.bind(studyInstanceUid))) {
                result.add(toInstance(r));
            }
            return result;
        });
    }

    @Override
    public List<String> studiesOfDay(LocalDate day) {
        return call(() -> {
            List<String> result = new ArrayList<>();
            for (Row r : session.execute(selectDayStudies.bind(day))) {
                result.add(r.getString(0));
            }
            return result;
        });
    }

    @Override
    public void recordIndexDay(IndexDayRecord d) {
        // Whole-row replace: a later DONE must clear an earlier error, so nulls are written as nulls.
        call(() -> session.execute(upsertIndexDay.bind(d.day(), d.status() == null ? null : d.status().name(),
                d.queriedAt(), d.studyCount(), d.uidSetHash(), d.split(), truncate(d.lastError()))
                .setIdempotent(true)));
    }

    @Override
    public void recordStudyOfDay(LocalDate day, String studyInstanceUid) {
        call(() -> session.execute(insertStudyDay.bind(day, studyInstanceUid).setIdempotent(true)));
    }

    @Override
    public boolean updateIndexedCounts(String studyInstanceUid, int expectedSeries, int expectedInstances,
                                       String modalitiesInStudy) {
        return call(() -> session.execute(updateCounts.bind(expectedSeries, expectedInstances, modalitiesInStudy,
                Instant.now(), studyInstanceUid)).wasApplied());
    }

    @Override
    public Optional<IndexDayRecord> findIndexDay(LocalDate day) {
        return call(() -> Optional.ofNullable(session.execute(selectIndexDay.bind(day)).one())
                .map(CassandraStateStore::indexDay));
    }

    @Override
    public List<IndexDayRecord> allIndexDays() {
        return call(() -> {
            List<IndexDayRecord> days = new ArrayList<>();
            session.execute(selectAllIndexDays.bind()).forEach(r -> days.add(indexDay(r)));
            return days;
        });
    }

    private static IndexDayRecord indexDay(Row r) {
        return new IndexDayRecord(r.getLocalDate("day"),
                r.isNull("status") ? null : IndexDayRecord.Status.valueOf(r.getString("status")),
                r.getInstant("queried_at"), r.getInt("study_count"), r.getString("uid_set_hash"),
                r.getString("split"), r.getString("last_error"));
    }

    /** A cheap round trip to a node of the cluster (the health check); throws StateStoreException when none answers. */
    @Override
    public void ping() {
        call(() -> session.execute(SimpleStatement.newInstance("SELECT release_version FROM system.local")
                .setTimeout(Duration.ofSeconds(3))));
    }

    @Override
    public void setStagePaused(String stage, boolean paused) {
        call(() -> session.execute(upsertStageControl.bind(stage, paused, Instant.now()).setIdempotent(true)));
    }

    @Override
    public Map<String, Boolean> stagePauses() {
        return call(() -> {
            Map<String, Boolean> out = new java.util.TreeMap<>();
            session.execute(selectStageControl.bind()).forEach(r -> out.put(r.getString("stage"), r.getBoolean("paused")));
            return out;
        });
    }

    @Override
    public Map<StudyState, Long> countStudiesByState() {
        // A paged full scan; a counter table could not be kept exact next to LWT state changes.
        return call(() -> {
            Map<StudyState, Long> counts = new EnumMap<>(StudyState.class);
            for (Row r : session.execute(selectStates.bind())) {
                if (!r.isNull(0)) {
                    counts.merge(StudyState.valueOf(r.getString(0)), 1L, Long::sum);
                }
            }
            return counts;
        });
    }

    @Override
    public Iterable<StudyRecord> allStudies() {
        // Each iteration runs the query anew; the driver fetches further pages while iterating.
        return () -> call(() -> StreamSupport.stream(session.execute(selectAllStudies.bind()).spliterator(), false)
                .map(CassandraStateStore::toStudy).iterator());
    }

    @Override
    public void recordCommitmentRequest(CommitmentRecord r) {
        call(() -> session.execute(insertCommitmentLookup.bind(r.transactionUid(), r.studyInstanceUid()).setIdempotent(true)));
        call(() -> session.execute(insertCommitment.bind(r.attempt(), r.instanceCount(),
                r.requestedAt() == null ? Instant.now() : r.requestedAt(), r.studyInstanceUid(), r.transactionUid())
                .setIdempotent(true)));
    }

    @Override
    public Optional<CommitmentRecord> findCommitment(String transactionUid) {
        return call(() -> {
            Row lookup = session.execute(selectCommitmentLookup.bind(transactionUid)).one();
            if (lookup == null) {
                return Optional.<CommitmentRecord>empty();
            }
            return Optional.ofNullable(session.execute(selectCommitment.bind(lookup.getString(0), transactionUid)).one())
                    .map(CassandraStateStore::toCommitment);
        });
    }

    @Override
    public List<CommitmentRecord> commitmentsOf(String studyInstanceUid) {
        return call(() -> {
            List<CommitmentRecord> result = new ArrayList<>();
            for (Row r : session.execute(selectCommitmentsOfStudy.bind(studyInstanceUid))) {
                result.add(toCommitment(r));
            }
            return result;
        });
    }

    @Override
    public void recordCommitmentReport(String studyInstanceUid, String transactionUid, int eventType, int committed,
                                       int failed) {
        call(() -> session.execute(updateCommitmentReport.bind(Instant.now(), eventType, committed, failed,
                studyInstanceUid, transactionUid).setIdempotent(true)));
    }

    @Override
    public void recordInstanceCommitment(String studyInstanceUid, String sopInstanceUid, String transactionUid,
                                         Integer failureReason) {
        Instant now = Instant.now();
        if (failureReason == null) {
            call(() -> session.execute(upsertInstanceCommitted.bind(transactionUid, now, now, studyInstanceUid,
                    sopInstanceUid).setIdempotent(true)));
            return;
        }
        // A commitment is never taken back by a failure report (e.g. of an older transaction delivered late).
        Row existing = call(() -> session.execute(selectInstanceCommitment.bind(studyInstanceUid, sopInstanceUid)).one());
        if (existing != null && existing.getInstant("committed_at") != null && existing.isNull("failure_reason")) {
            return;
        }
        call(() -> session.execute(upsertInstanceNotCommitted.bind(transactionUid, failureReason, now, studyInstanceUid,
                sopInstanceUid).setIdempotent(true)));
    }

    @Override
    public Map<String, InstanceCommitment> instanceCommitmentsOf(String studyInstanceUid) {
        return call(() -> {
            Map<String, InstanceCommitment> result = new java.util.LinkedHashMap<>();
            for (Row r : session.execute(selectInstanceCommitments.bind(studyInstanceUid))) {
                result.put(r.getString("sop_uid"), new InstanceCommitment(r.getString("study_uid"), r.getString("sop_uid"),
                        r.getString("transaction_uid"), r.getInstant("committed_at"),
                        r.isNull("failure_reason") ? null : r.getInt("failure_reason"), r.getInstant("updated_at")));
            }
            return result;
        });
    }

    @Override
    public void saveStudyStatus(StudyStatus st) {
        call(() -> session.execute(upsertStudyStatus.bind(st.studyInstanceUid(), st.expected(), st.retrieved(), st.sent(),
                st.confirmed(), st.failed(), st.criterion(), st.method(), st.complete(), st.completedAt(),
                st.updatedAt() == null ? Instant.now() : st.updatedAt()).setIdempotent(true)));
    }

    @Override
    public Optional<StudyStatus> findStudyStatus(String studyInstanceUid) {
        return call(() -> Optional.ofNullable(session.execute(selectStudyStatus.bind(studyInstanceUid)).one())
                .map(CassandraStateStore::toStatus));
    }

    @Override
    public Iterable<StudyStatus> allStudyStatuses() {
        return () -> call(() -> StreamSupport.stream(session.execute(selectAllStudyStatuses.bind()).spliterator(), false)
                .map(CassandraStateStore::toStatus).iterator());
    }

    @Override
    public void clearForwarded(String studyInstanceUid, String sopInstanceUid) {
        call(() -> session.execute(clearForwarded.bind(studyInstanceUid, sopInstanceUid).setIdempotent(true)));
    }

    private static CommitmentRecord toCommitment(Row r) {
        return new CommitmentRecord(r.getString("transaction_uid"), r.getString("study_uid"), r.getInt("attempt"),
                r.getInt("instance_count"), r.getInstant("requested_at"), r.getInstant("reported_at"),
                r.isNull("event_type") ? null : r.getInt("event_type"), r.isNull("committed") ? null : r.getInt("committed"),
                r.isNull("failed") ? null : r.getInt("failed"));
    }

    private static StudyStatus toStatus(Row r) {
        return new StudyStatus(r.getString("study_uid"), r.getInt("expected"), r.getInt("retrieved"), r.getInt("sent"),
                r.getInt("confirmed"), r.getInt("failed"), r.getString("criterion"), r.getString("method"),
                r.getBoolean("complete"), r.getInstant("completed_at"), r.getInstant("updated_at"));
    }

    @Override
    public void close() {
        session.close();
    }

    /** The driver session, for other Cassandra-backed components of the same migration (e.g. leases). */
    /** Deletes this migration's whole keyspace: for tests and for removing an abandoned migration. */
    public void dropKeyspace() {
        call(() -> session.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement
                .newInstance("DROP KEYSPACE IF EXISTS " + keyspace()).setTimeout(java.time.Duration.ofSeconds(60))));
    }

    public CqlSession session() {
        return session;
    }

    public String keyspace() {
        return keyspace;
    }

    /** Writes to one study's partition: unlogged batches, a bounded window of them in flight. */
    private void executeAll(List<BoundStatement> statements) {
        executeBatches(batchesOf(statements.stream().map(List::of).toList()));
    }

    /**
     * Packs units of statements (a unit is written together, never split) into unlogged batches of
     * at most {@link #ROWS_PER_BATCH} statements (a larger unit gets a batch of its own). A batch is
     * idempotent, so retried by the driver, only when all its statements are.
     */
    private static List<Statement<?>> batchesOf(List<List<BoundStatement>> units) {
        List<Statement<?>> batches = new ArrayList<>();
        List<BoundStatement> rows = new ArrayList<>();
        for (List<BoundStatement> unit : units) {
            if (!rows.isEmpty() && rows.size() + unit.size() > ROWS_PER_BATCH) {
                batches.add(batchOf(rows));
                rows = new ArrayList<>();
            }
            rows.addAll(unit);
        }
        if (!rows.isEmpty()) {
            batches.add(batchOf(rows));
        }
        return batches;
    }

    private static Statement<?> batchOf(List<BoundStatement> rows) {
        if (rows.size() == 1) {
            return rows.get(0);
        }
        boolean idempotent = rows.stream().allMatch(r -> Boolean.TRUE.equals(r.isIdempotent()));
        return BatchStatement.newInstance(DefaultBatchType.UNLOGGED).addAll(rows).setIdempotent(idempotent);
    }

    /** A bounded window of asynchronous writes: fast for large studies without flooding the node. */
    private void executeBatches(List<Statement<?>> batches) {
        for (int from = 0; from < batches.size(); from += WRITE_WINDOW) {
            CompletableFuture<?>[] window = batches.subList(from, Math.min(batches.size(), from + WRITE_WINDOW))
                    .stream().map(st -> session.executeAsync(st).toCompletableFuture()).toArray(CompletableFuture[]::new);
            call(() -> {
                try {
                    CompletableFuture.allOf(window).join();
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : e;
                }
                return null;
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static BoundStatementBuilder setIfPresent(BoundStatementBuilder b, int index, Object value) {
        // Left unset, a column is not written at all: no tombstone, no erased value.
        if (value instanceof java.util.Set<?> set) {
            return b.setSet(index, (java.util.Set<String>) set, String.class);
        }
        return value == null ? b : b.set(index, value, (Class<Object>) value.getClass());
    }

    private static <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (DriverException e) {
            throw new StateStoreException("state store: " + e.getMessage(), e);
        }
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

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE);
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

    private static InstanceRecord toInstance(Row r) {
        return new InstanceRecord(r.getString("study_uid"), r.getString("sop_uid"), r.getString("series_uid"),
                r.getString("sop_class_uid"), r.getString("transfer_syntax_uid"), r.getLong("size_bytes"),
                r.getString("sha256"), r.getString("cache_key"), r.getInstant("retrieved_at"),
                r.getInstant("forwarded_at"), r.isNull("forward_status") ? null : r.getInt("forward_status"),
                r.getInstant("verified_at"));
    }
}
