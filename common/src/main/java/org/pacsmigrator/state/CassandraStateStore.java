package org.pacsmigrator.state;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link StateStore} on Cassandra, one keyspace per migration: a composition of one small class per
 * aggregate (its tables and statements together), which maps driver failures to
 * {@link StateStoreException}. Study rows are written only with lightweight transactions; instance,
 * day and index rows with idempotent upserts that leave unknown (null) values unset, so that no write
 * erases another stage's columns. Logs carry UIDs at most, never patient attributes.
 */
public final class CassandraStateStore implements StateStore {
    private final CqlSession session;
    private final String keyspace;
    private final CassandraStudies studies;
    private final CassandraStudyStates studyStates;
    private final CassandraPatients patients;
    private final CassandraInstances instances;
    private final CassandraRefusals refusals;
    private final CassandraUidCollisions collisions;
    private final CassandraIndexDays indexDays;
    private final CassandraControlPasses controlPasses;
    private final CassandraCommitments commitments;
    private final CassandraStudyStatus statuses;
    private final CassandraStageControl stageControl;
    private final CassandraPriorities priorities;
    private final CassandraProgress progress;

    private CassandraStateStore(CqlSession session, String ks) {
        this.session = session;
        this.keyspace = ks;
        studyStates = new CassandraStudyStates(session, ks);
        studies = new CassandraStudies(session, ks, studyStates);
        patients = new CassandraPatients(session, ks);
        instances = new CassandraInstances(session, ks);
        refusals = new CassandraRefusals(session, ks);
        collisions = new CassandraUidCollisions(session, ks);
        indexDays = new CassandraIndexDays(session, ks);
        controlPasses = new CassandraControlPasses(session, ks);
        commitments = new CassandraCommitments(session, ks);
        statuses = new CassandraStudyStatus(session, ks);
        stageControl = new CassandraStageControl(session, ks);
        priorities = new CassandraPriorities(session, ks);
        progress = new CassandraProgress(session, ks, studyStates);
    }

    /** Opens (and if needed creates, with replication factor 1) the keyspace of a migration. */
    public static CassandraStateStore open(String contactPoint, String localDatacenter, String keyspace) {
        return open(CassandraSettings.of(contactPoint, localDatacenter, keyspace));
    }

    public static CassandraStateStore open(CassandraSettings settings) {
        CqlSession session = CassandraSessions.connect(settings);
        try {
            Set<String> created = CassandraSchema.apply(session, settings);
            CassandraStateStore store = new CassandraStateStore(session, settings.keyspace());
            // a keyspace of an older version: its studies are counted, and filed by key and by state, once
            if (created.contains("day_progress")) {
                store.recountProgress();
            }
            if (created.contains("studies_by_key")) {
                store.allStudies().forEach(store.studies::fileKeys);
            }
            if (created.contains("studies_by_day.state")) {
                store.studyStates.fileAll(store.allStudies());
            }
            return store;
        } catch (RuntimeException e) {
            session.close();
            throw e instanceof DriverException ? new StateStoreException("cannot open state store", e) : e;
        }
    }

    // ---- studies and patients

    @Override
    public boolean insertStudyIfAbsent(StudyRecord study) {
        return call(() -> progress.tracking(CassandraStudies.filedDay(study.studyDate()), () -> studies.insertIfAbsent(study)));
    }

    @Override
    public Optional<StudyRecord> findStudy(String studyInstanceUid) {
        return call(() -> studies.find(studyInstanceUid));
    }

    @Override
    public boolean transition(String studyInstanceUid, StudyState target, StudyState... allowedFrom) {
        return call(() -> progress.tracking(studies.dayOf(studyInstanceUid),
                () -> studies.transition(studyInstanceUid, target, allowedFrom)));
    }

    @Override
    public boolean reopen(String studyInstanceUid) {
        return call(() -> progress.tracking(studies.dayOf(studyInstanceUid), () -> studies.reopen(studyInstanceUid)));
    }

    @Override
    public void markFailed(String studyInstanceUid, String category, String message) {
        run(() -> progress.tracking(studies.dayOf(studyInstanceUid), () -> {
            studies.markFailed(studyInstanceUid, category, message);
            return true;
        }));
    }

    @Override
    public void markUnknown(String studyInstanceUid, Set<String> attributes) {
        run(() -> studies.markUnknown(studyInstanceUid, attributes));
    }

    @Override
    public boolean updateIndexedCounts(String studyInstanceUid, int expectedSeries, int expectedInstances,
                                       String modalitiesInStudy) {
        return call(() -> studies.updateIndexedCounts(studyInstanceUid, expectedSeries, expectedInstances,
                modalitiesInStudy));
    }

    @Override
    public void recordStudyOfDay(LocalDate day, String studyInstanceUid) {
        run(() -> studies.fileUnder(day, studyInstanceUid));
    }

    @Override
    public List<String> studiesOfDay(LocalDate day) {
        return call(() -> studies.ofDay(day));
    }

    @Override
    public StudyProgress progress() {
        return call(progress::progress);
    }

    @Override
    public List<LocalDate> progressDays() {
        return call(progress::days);
    }

    @Override
    public void recountProgress() {
        run(progress::markAll);
    }

    @Override
    public List<StudyRecord> findStudiesByKey(String key, int limit) {
        return call(() -> studies.byKey(key, limit));
    }

    @Override
    public StudyPage studies(StudyState state, int limit, String page) {
        return call(() -> state == null ? studies.page(limit, page) : studies.page(state, progress.daysWith(state), limit, page));
    }

    @Override
    public Iterable<StudyRecord> allStudies() {
        // Each iteration runs the query anew.
        return () -> call(studies::all);
    }

    @Override
    public PatientDemographics claimPatient(PatientDemographics patient) {
        return call(() -> patients.claim(patient));
    }

    @Override
    public boolean replaceAnsweredPatient(PatientDemographics fromImages) {
        return call(() -> patients.replaceAnswered(fromImages));
    }

    // ---- instances, modifications, refusals, UID collisions

    @Override
    public void recordExpectedInstances(String studyInstanceUid, List<InstanceRecord> expected) {
        run(() -> instances.recordExpected(studyInstanceUid, expected));
    }

    @Override
    public void recordRetrieved(InstanceRecord instance) {
        run(() -> instances.recordRetrieved(instance));
    }

    @Override
    public void recordRetrieved(Collection<InstanceRecord> retrieved) {
        run(() -> instances.recordRetrieved(retrieved));
    }

    @Override
    public void recordForwarded(String studyInstanceUid, String sopInstanceUid, int status, boolean stored) {
        recordForwarded(studyInstanceUid, List.of(new StoreOutcome(sopInstanceUid, status, stored, null)));
    }

    @Override
    public void recordForwarded(String studyInstanceUid, List<StoreOutcome> outcomes) {
        run(() -> instances.recordForwarded(studyInstanceUid, outcomes));
    }

    @Override
    public int forwardAttempts(String studyInstanceUid, String sopInstanceUid) {
        return call(() -> instances.forwardAttempts(studyInstanceUid, sopInstanceUid));
    }

    @Override
    public void recordVerified(String studyInstanceUid, String sopInstanceUid) {
        run(() -> instances.recordVerified(studyInstanceUid, sopInstanceUid));
    }

    @Override
    public void recordVerified(String studyInstanceUid, Collection<String> sopInstanceUids) {
        run(() -> instances.recordVerified(studyInstanceUid, sopInstanceUids));
    }

    @Override
    public void clearForwarded(String studyInstanceUid, String sopInstanceUid) {
        run(() -> instances.clearForwarded(studyInstanceUid, sopInstanceUid));
    }

    @Override
    public List<InstanceRecord> instancesOf(String studyInstanceUid) {
        return call(() -> instances.of(studyInstanceUid));
    }

    @Override
    public void recordModification(InstanceModification modification) {
        run(() -> instances.recordModification(modification));
    }

    @Override
    public List<InstanceModification> modificationsOf(String studyInstanceUid) {
        return call(() -> instances.modificationsOf(studyInstanceUid));
    }

    @Override
    public void recordRefusal(RefusedInstance refusal) {
        run(() -> refusals.record(refusal));
    }

    @Override
    public List<RefusedInstance> refusalsOf(String studyInstanceUid) {
        return call(() -> refusals.of(studyInstanceUid));
    }

    @Override
    public void recordCollision(UidCollision collision) {
        run(() -> collisions.record(collision));
    }

    @Override
    public List<UidCollision> collisionsOf(String studyInstanceUid) {
        return call(() -> collisions.of(studyInstanceUid));
    }

    @Override
    public void clearCollision(String studyInstanceUid, String sopInstanceUid) {
        run(() -> collisions.clear(studyInstanceUid, sopInstanceUid));
    }

    // ---- index days and control passes

    @Override
    public void recordIndexDay(IndexDayRecord day) {
        run(() -> indexDays.record(day));
    }

    @Override
    public Optional<IndexDayRecord> findIndexDay(LocalDate day) {
        return call(() -> indexDays.find(day));
    }

    @Override
    public List<IndexDayRecord> allIndexDays() {
        return call(indexDays::all);
    }

    @Override
    public void recordControlPass(ControlPassRecord pass) {
        run(() -> controlPasses.record(pass));
    }

    @Override
    public Optional<ControlPassRecord> lastControlPass() {
        return call(controlPasses::last);
    }

    // ---- storage commitment

    @Override
    public void recordCommitmentRequest(CommitmentRecord request) {
        run(() -> commitments.recordRequest(request));
    }

    @Override
    public Optional<CommitmentRecord> findCommitment(String transactionUid) {
        return call(() -> commitments.find(transactionUid));
    }

    @Override
    public List<CommitmentRecord> commitmentsOf(String studyInstanceUid) {
        return call(() -> commitments.of(studyInstanceUid));
    }

    @Override
    public void recordCommitmentReport(String studyInstanceUid, String transactionUid, int eventType, int committed,
                                       int failed) {
        run(() -> commitments.recordReport(studyInstanceUid, transactionUid, eventType, committed, failed));
    }

    @Override
    public void recordInstanceCommitment(String studyInstanceUid, String sopInstanceUid, String transactionUid,
                                         Integer failureReason) {
        run(() -> commitments.recordInstance(studyInstanceUid, sopInstanceUid, transactionUid, failureReason));
    }

    @Override
    public Map<String, InstanceCommitment> instanceCommitmentsOf(String studyInstanceUid) {
        return call(() -> commitments.instancesOf(studyInstanceUid));
    }

    // ---- study status and stage control

    @Override
    public void saveStudyStatus(StudyStatus status) {
        run(() -> progress.tracking(studies.dayOf(status.studyInstanceUid()), () -> {
            statuses.save(status);
            return true;
        }));
    }

    @Override
    public Optional<StudyStatus> findStudyStatus(String studyInstanceUid) {
        return call(() -> statuses.find(studyInstanceUid));
    }

    @Override
    public Iterable<StudyStatus> allStudyStatuses() {
        return () -> call(statuses::all);
    }

    @Override
    public void setStagePaused(String stage, boolean paused) {
        run(() -> stageControl.setPaused(stage, paused));
    }

    @Override
    public Map<String, Boolean> stagePauses() {
        return call(stageControl::pauses);
    }

    @Override
    public void recordPriority(String patientId, String source, Set<String> studyInstanceUids) {
        run(() -> priorities.record(patientId, source, studyInstanceUids));
    }

    @Override
    public Optional<PriorityPatient> findPriorityPatient(String patientId) {
        return call(() -> priorities.find(patientId));
    }

    @Override
    public List<PriorityPatient> priorityPatients() {
        return call(priorities::all);
    }

    // ---- the store itself

    /** A cheap round trip to a node of the cluster (the health check); throws StateStoreException when none answers. */
    @Override
    public void ping() {
        run(() -> session.execute(SimpleStatement.newInstance("SELECT release_version FROM system.local")
                .setTimeout(Duration.ofSeconds(3))));
    }

    @Override
    public void close() {
        session.close();
    }

    /** Deletes this migration's whole keyspace: for tests and for removing an abandoned migration. */
    public void dropKeyspace() {
        run(() -> session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace)
                .setTimeout(Duration.ofSeconds(60))));
    }

    /**
     * The driver session, for other Cassandra-backed components of the same migration that keep their
     * own table in its keyspace (the association leases).
     */
    public CqlSession session() {
        return session;
    }

    public String keyspace() {
        return keyspace;
    }

    private static <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (DriverException e) {
            throw new StateStoreException("state store: " + e.getMessage(), e);
        }
    }

    private static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }
}
