package org.pacsmigrator.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.testsupport.RealServices;

class CassandraStateStoreTest {
    private static StateStore store;

    @BeforeAll
    static void open() {
        // Small pages so that allStudies() and the state count really page.
        store = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(),
                RealServices.unique("statetest_")).withPageSize(40));
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    private static String uid() {
        return "1.2.826.0.1.3680043.10." + System.nanoTime();
    }

    private static StudyRecord study(String uid, String date) {
        return StudyRecord.indexed(uid, "PID-" + uid.hashCode(), "ISSUER", "Doe^Jane", "19700101", "F", "ACC1", date,
                "101500", "CT chest", "CT", 2, 3);
    }

    @Test
    void aPrioritisedPatientKeepsItsFirstRequestAndGathersItsStudies() {
        String patient = "PRIO-" + uid();
        store.recordPriority(patient, "worklist", Set.of("1.1"));
        PriorityPatient first = store.findPriorityPatient(patient).orElseThrow();
        store.recordPriority(patient, "now", Set.of("1.2"));
        PriorityPatient again = store.findPriorityPatient(patient).orElseThrow();
        assertThat(again.source()).isEqualTo("worklist");
        assertThat(again.requestedAt()).isEqualTo(first.requestedAt());
        assertThat(again.prioritisedAt()).isAfterOrEqualTo(first.prioritisedAt());
        assertThat(again.studyInstanceUids()).containsExactlyInAnyOrder("1.1", "1.2");
        assertThat(store.priorityPatients()).extracting(PriorityPatient::patientId).contains(patient);
        assertThat(store.findPriorityPatient("PRIO-unknown-" + uid())).isEmpty();
    }

    @Test
    void insertIfAbsentReportsFirstSeenOnlyAndKeepsTheFirstVersion() {
        String uid = uid();
        assertThat(store.insertStudyIfAbsent(study(uid, "20240102"))).isTrue();
        store.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED);
        StudyRecord again = StudyRecord.indexed(uid, "OTHER", null, "Other^Name", null, null, null, "20240102", null,
                null, null, 9, 9);
        assertThat(store.insertStudyIfAbsent(again)).isFalse();

        StudyRecord found = store.findStudy(uid).orElseThrow();
        assertThat(found.patientName()).isEqualTo("Doe^Jane");
        assertThat(found.expectedInstances()).isEqualTo(3);
        assertThat(found.state()).isEqualTo(StudyState.RETRIEVING);
        assertThat(found.attempts()).isZero();
        assertThat(found.indexedAt()).isNotNull();
        assertThat(store.findStudy(uid())).isEmpty();
    }

    @Test
    void transitionsRespectAllowedFromAndNeverRegress() {
        String uid = uid();
        store.insertStudyIfAbsent(study(uid, "20240103"));
        assertThat(store.transition(uid, StudyState.RETRIEVED, StudyState.RETRIEVING)).isFalse();
        assertThat(store.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED)).isTrue();
        assertThat(store.transition(uid, StudyState.RETRIEVED, StudyState.RETRIEVING)).isTrue();
        assertThat(store.transition(uid, StudyState.FORWARDING, StudyState.RETRIEVED)).isTrue();
        assertThat(store.transition(uid, StudyState.FORWARDED, StudyState.FORWARDING)).isTrue();
        // A re-delivered "indexed" event must not pull the study back, even if asked to.
        assertThat(store.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED, StudyState.RETRIEVING,
                StudyState.FORWARDED)).isFalse();
        assertThat(store.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.FORWARDED);
        assertThat(store.transition(uid, StudyState.VERIFIED, StudyState.FORWARDED)).isTrue();
        assertThat(store.transition(uid, StudyState.VERIFIED, StudyState.FORWARDED)).isFalse();
        assertThat(store.transition(uid(), StudyState.RETRIEVING, StudyState.INDEXED)).as("unknown study").isFalse();
        assertThat(store.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.VERIFIED);
    }

    @Test
    void markFailedCountsAttemptsAndFailedCanBeLeft() {
        String uid = uid();
        store.insertStudyIfAbsent(study(uid, "20240104"));
        store.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED);
        store.markFailed(uid, "retrieve", "C-MOVE refused");
        store.markFailed(uid, "retrieve", "C-MOVE refused again");

        StudyRecord failed = store.findStudy(uid).orElseThrow();
        assertThat(failed.state()).isEqualTo(StudyState.FAILED);
        assertThat(failed.failureCategory()).isEqualTo("retrieve");
        assertThat(failed.failureMessage()).isEqualTo("C-MOVE refused again");
        assertThat(failed.attempts()).isEqualTo(2);

        assertThat(store.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED, StudyState.FAILED)).isTrue();
        assertThat(store.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.RETRIEVING);
        store.markFailed(uid(), "x", "unknown study is ignored");
    }

    @Test
    void manifestRetrievedForwardedVerifiedRoundTrip() {
        String uid = uid();
        store.insertStudyIfAbsent(study(uid, "20240105"));
        List<InstanceRecord> manifest = List.of(expected(uid, "1.1", "s1"), expected(uid, "1.2", "s1"),
                expected(uid, "1.3", "s2"));
        store.recordExpectedInstances(uid, manifest);
        assertThat(store.instancesOf(uid)).extracting(InstanceRecord::sopInstanceUid).containsExactly("1.1", "1.2", "1.3");
        assertThat(store.instancesOf(uid)).noneMatch(InstanceRecord::retrieved);

        Instant retrievedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        store.recordRetrieved(new InstanceRecord(uid, "1.1", "s1", "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.2.1",
                1234, "ab".repeat(32), uid + "/s1/1.1.dcm", retrievedAt, null, null, null));
        store.recordForwarded(uid, "1.1", 0xA700, false);
        InstanceRecord afterFailure = instance(uid, "1.1");
        assertThat(afterFailure.forwardStatus()).isEqualTo(0xA700);
        assertThat(afterFailure.forwarded()).isFalse();

        store.recordForwarded(uid, "1.1", 0, true);
        store.recordVerified(uid, "1.1");
        InstanceRecord done = instance(uid, "1.1");
        assertThat(done.retrieved()).isTrue();
        assertThat(done.retrievedAt()).isEqualTo(retrievedAt);
        assertThat(done.sizeBytes()).isEqualTo(1234);
        assertThat(done.sha256()).isEqualTo("ab".repeat(32));
        assertThat(done.cacheKey()).isEqualTo(uid + "/s1/1.1.dcm");
        assertThat(done.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1");
        assertThat(done.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(done.forwardStatus()).isZero();
        assertThat(done.forwarded()).isTrue();
        assertThat(done.verified()).isTrue();
        assertThat(store.forwardAttempts(uid, "1.1")).as("one refused and one stored C-STORE").isEqualTo(2);
        assertThat(instance(uid, "1.2").retrieved()).isFalse();
        assertThat(store.forwardAttempts(uid, "1.2")).isZero();
    }

    @Test
    void theStoreStatusesAndWhatTheRulesChangedAreWrittenInBulkAndVerificationToo() {
        String uid = uid();
        store.insertStudyIfAbsent(study(uid, "20240107"));
        List<InstanceRecord> manifest = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            manifest.add(expected(uid, "3." + i, "s1")); // more rows than one unlogged batch takes
        }
        store.recordExpectedInstances(uid, manifest);
        List<StoreOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Every other outcome with its modification: units of one and two rows across batch boundaries.
            InstanceModification changed = i % 2 == 1 ? null : new InstanceModification(uid, "3." + i, List.of("institution"),
                    List.of("InstitutionName: 'A' -> 'B" + i + "'"), List.of(), "aa".repeat(32), "%064d".formatted(i),
                    Instant.now().truncatedTo(ChronoUnit.MILLIS));
            boolean refused = i == 7;
            outcomes.add(new StoreOutcome("3." + i, refused ? 0xA700 : 0, !refused, changed));
        }

        store.recordForwarded(uid, outcomes);
        store.recordVerified(uid, manifest.stream().map(InstanceRecord::sopInstanceUid).toList());

        assertThat(store.instancesOf(uid)).hasSize(40).allMatch(InstanceRecord::verified)
                .filteredOn(InstanceRecord::forwarded).extracting(InstanceRecord::sopInstanceUid)
                .hasSize(39).doesNotContain("3.7");
        assertThat(instance(uid, "3.7").forwardStatus()).isEqualTo(0xA700);
        assertThat(store.forwardAttempts(uid, "3.39")).isEqualTo(1);
        assertThat(store.modificationsOf(uid)).hasSize(20).allSatisfy(m -> {
            int i = Integer.parseInt(m.sopInstanceUid().substring(2));
            assertThat(m.changes()).containsExactly("InstitutionName: 'A' -> 'B" + i + "'");
            assertThat(m.sentSha256()).isEqualTo("%064d".formatted(i));
        });
    }

    @Test
    void retrievedInstancesOfSeveralStudiesAreRecordedInBulk() {
        String first = uid();
        String second = uid();
        List<InstanceRecord> received = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            String study = i % 3 == 0 ? second : first;
            received.add(new InstanceRecord(study, "5." + i, "s1", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.1.2.1",
                    100 + i, "%064d".formatted(i), study + "/s1/5." + i + ".dcm", null, null, null, null));
        }

        store.recordRetrieved(received);

        assertThat(store.instancesOf(first)).hasSize(23).allMatch(InstanceRecord::retrieved);
        assertThat(store.instancesOf(second)).hasSize(12).allMatch(InstanceRecord::retrieved);
        assertThat(instance(second, "5.33").sizeBytes()).isEqualTo(133);
        assertThat(instance(second, "5.33").cacheKey()).isEqualTo(second + "/s1/5.33.dcm");
    }

    @Test
    void theImagesPatientAttributesAreKeptOnItsRowAndReplacedWithIt() {
        String uid = uid();
        PatientAttributes patient = new PatientAttributes("PID-1", "", "Yamada^Tarou=山田^太郎", "19700101", "F");
        store.recordRetrieved(List.of(retrieved(uid, "6.1", patient), retrieved(uid, "6.2", null)));
        assertThat(instance(uid, "6.1").patient()).isEqualTo(patient);
        assertThat(instance(uid, "6.2").patient()).as("not recorded").isNull();
        // Received again without attributes picked: the row no longer claims the earlier copy's.
        store.recordRetrieved(retrieved(uid, "6.1", null));
        assertThat(instance(uid, "6.1").patient()).isNull();
        PatientAttributes empty = new PatientAttributes("", "", "", "", "");
        store.recordRetrieved(retrieved(uid, "6.2", empty));
        assertThat(instance(uid, "6.2").patient()).as("recorded, all empty").isEqualTo(empty);
    }

    private static InstanceRecord retrieved(String study, String sop, PatientAttributes patient) {
        return new InstanceRecord(study, sop, "s1", "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.2.1", 100, "ab",
                study + "/s1/" + sop + ".dcm", Instant.now(), null, null, null, patient);
    }

    @Test
    void aKeyspaceCreatedBeforeTheAttemptLogAndThePatientAttributesGetsTheirColumnsOnOpen() {
        String keyspace = RealServices.unique("statetest_old_");
        CassandraSettings settings = CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(), keyspace);
        try (CassandraStateStore first = CassandraStateStore.open(settings)) {
            first.session().execute("ALTER TABLE " + keyspace + ".instances DROP store_attempts");
            first.session().execute("ALTER TABLE " + keyspace + ".instances DROP patient");
        }
        try (CassandraStateStore reopened = CassandraStateStore.open(settings)) {
            String uid = uid();
            reopened.insertStudyIfAbsent(study(uid, "20240108"));
            reopened.recordForwarded(uid, "4.1", 0, true);
            assertThat(reopened.forwardAttempts(uid, "4.1")).isEqualTo(1);
            PatientAttributes patient = new PatientAttributes("PID-1", "", "Doe^Jane", "", "F");
            reopened.recordRetrieved(retrieved(uid, "4.2", patient));
            assertThat(reopened.instancesOf(uid)).filteredOn(i -> i.sopInstanceUid().equals("4.2"))
                    .extracting(InstanceRecord::patient).containsExactly(patient);
            reopened.session().execute("DROP KEYSPACE " + keyspace);
        }
    }

    @Test
    void onlyReopenTakesAVerifiedStudyBackToIndexed() {
        String uid = uid();
        store.insertStudyIfAbsent(study(uid, "20240109"));
        assertThat(store.reopen(uid)).as("not VERIFIED yet").isFalse();
        store.transition(uid, StudyState.RETRIEVING, StudyState.INDEXED);
        store.transition(uid, StudyState.RETRIEVED, StudyState.RETRIEVING);
        store.transition(uid, StudyState.FORWARDING, StudyState.RETRIEVED);
        store.transition(uid, StudyState.FORWARDED, StudyState.FORWARDING);
        store.transition(uid, StudyState.VERIFIED, StudyState.FORWARDED);
        assertThat(store.transition(uid, StudyState.INDEXED, StudyState.VERIFIED)).as("transition never regresses").isFalse();
        assertThat(store.reopen(uid)).isTrue();
        assertThat(store.findStudy(uid).orElseThrow().state()).isEqualTo(StudyState.INDEXED);
        assertThat(store.reopen(uid)).as("already reopened").isFalse();
        assertThat(store.reopen(uid())).as("unknown study").isFalse();
    }

    @Test
    void theLastControlPassIsKeptWholeAndReplacedByTheNext() {
        String keyspace = RealServices.unique("statetest_ctl_");
        try (CassandraStateStore own = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(),
                RealServices.cassandraDatacenter(), keyspace))) {
            assertThat(own.lastControlPass()).isEmpty();
            Map<ControlPassRecord.Finding, List<String>> found = ControlPassRecord.noFindings();
            found.get(ControlPassRecord.Finding.NEW).addAll(List.of("1.1", "1.2"));
            found.get(ControlPassRecord.Finding.VANISHED).add("3.1");
            List<String> many = new ArrayList<>();
            for (int i = 0; i < ControlPassRecord.MAX_LISTED + 5; i++) {
                many.add("2." + i);
            }
            found.get(ControlPassRecord.Finding.CHANGED).addAll(many);
            Instant start = Instant.parse("2026-01-05T10:00:00Z");
            ControlPassRecord pass = ControlPassRecord.of(start, start.plusSeconds(60), "test", LocalDate.of(2024, 1, 1),
                    LocalDate.of(2024, 1, 31), 31, List.of("2024-01-02: association rejected: down"), found, "/r/control.json");
            own.recordControlPass(pass);

            ControlPassRecord read = own.lastControlPass().orElseThrow();
            assertThat(read.startedAt()).isEqualTo(start);
            assertThat(read.trigger()).isEqualTo("test");
            assertThat(read.from()).isEqualTo(LocalDate.of(2024, 1, 1));
            assertThat(read.daysChecked()).isEqualTo(31);
            assertThat(read.failedDays()).containsExactly("2024-01-02: association rejected: down");
            assertThat(read.studies(ControlPassRecord.Finding.NEW)).containsExactly("1.1", "1.2");
            assertThat(read.count(ControlPassRecord.Finding.CHANGED)).isEqualTo(ControlPassRecord.MAX_LISTED + 5);
            assertThat(read.studies(ControlPassRecord.Finding.CHANGED)).hasSize(ControlPassRecord.MAX_LISTED);
            assertThat(read.count(ControlPassRecord.Finding.CHANGED_IN_FLIGHT)).isZero();
            assertThat(read.reportFile()).isEqualTo("/r/control.json");
            assertThat(read.clean()).isFalse();
            // nothing listed is verified; the 5 changed studies not listed count as not migrated either
            assertThat(read.unmigrated(uid -> Optional.empty())).isEqualTo(2 + ControlPassRecord.MAX_LISTED + 5);

            ControlPassRecord clean = ControlPassRecord.of(start.plusSeconds(120), start.plusSeconds(180), "again",
                    LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 31), 31, List.of(), ControlPassRecord.noFindings(), null);
            own.recordControlPass(clean);
            ControlPassRecord last = own.lastControlPass().orElseThrow();
            assertThat(last.trigger()).isEqualTo("again");
            assertThat(last.clean()).isTrue();
            assertThat(last.failedDays()).isEmpty();
            assertThat(last.studies(ControlPassRecord.Finding.VANISHED)).isEmpty();
            assertThat(last.reportFile()).isNull();
            own.session().execute("DROP KEYSPACE " + keyspace);
        }
    }

    @Test
    void aKeyspaceCreatedBeforeControlPassesGetsTheirTableOnOpen() {
        String keyspace = RealServices.unique("statetest_noctl_");
        CassandraSettings settings = CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(), keyspace);
        try (CassandraStateStore first = CassandraStateStore.open(settings)) {
            first.session().execute("DROP TABLE " + keyspace + ".control_pass");
        }
        try (CassandraStateStore reopened = CassandraStateStore.open(settings)) {
            assertThat(reopened.lastControlPass()).isEmpty();
            reopened.recordControlPass(ControlPassRecord.of(Instant.now(), Instant.now(), "after upgrade",
                    LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 2), 2, List.of(), ControlPassRecord.noFindings(), null));
            assertThat(reopened.lastControlPass().orElseThrow().trigger()).isEqualTo("after upgrade");
            reopened.session().execute("DROP KEYSPACE " + keyspace);
        }
    }

    @Test
    void theAnswersCharacterSetAndItsLossyAttributesAreKeptAndMoreCanBeMarked() {
        String uid = uid();
        store.insertStudyIfAbsent(StudyRecord.indexed(uid, "PID-J", null, "Yamada^Tarou=^=^", "19700101", "F", "", "20240109",
                "", "", "OT", 1, 2).withIndexText("ISO_IR 100", Set.of("PatientName")));
        StudyRecord found = store.findStudy(uid).orElseThrow();
        assertThat(found.patientName()).isEqualTo("Yamada^Tarou=^=^");
        assertThat(found.indexCharacterSet()).isEqualTo("ISO_IR 100");
        assertThat(found.unknownAttributes()).containsExactly("PatientName");
        store.markUnknown(uid, Set.of("PatientID"));
        assertThat(store.findStudy(uid).orElseThrow().unknownAttributes()).containsExactlyInAnyOrder("PatientName", "PatientID");

        String plain = uid();
        store.insertStudyIfAbsent(study(plain, "20240109"));
        assertThat(store.findStudy(plain).orElseThrow().unknownAttributes()).isEmpty();
        assertThat(store.findStudy(plain).orElseThrow().indexCharacterSet()).isNull();
    }

    @Test
    void aPatientRegisteredFromACFindAnswerIsReplacedOnceByOneFromImages() {
        String id = "PID-" + System.nanoTime();
        PatientDemographics answered = new PatientDemographics(id, "", "^", "19700101", "F", "2.25.1", false);
        assertThat(store.claimPatient(answered)).isEqualTo(answered);
        PatientDemographics images = new PatientDemographics(id, "", "山田^太郎", "19700101", "F", "2.25.2");
        PatientDemographics registered = store.claimPatient(images);
        assertThat(registered.fromImages()).isFalse();
        assertThat(registered.patientName()).isEqualTo("^");
        assertThat(store.replaceAnsweredPatient(images)).isTrue();
        assertThat(store.replaceAnsweredPatient(new PatientDemographics(id, "", "Other", "19700101", "F", "2.25.3"))).isFalse();
        PatientDemographics now = store.claimPatient(new PatientDemographics(id, "", "X", "", "", "2.25.4"));
        assertThat(now).isEqualTo(images);
        // a row of an older version has no from_images at all
        String legacy = "PID-" + System.nanoTime();
        ((CassandraStateStore) store).session().execute("INSERT INTO " + ((CassandraStateStore) store).keyspace()
                + ".patients (issuer, patient_id, patient_name, first_study_uid) VALUES ('', ?, '^', '2.25.5')", legacy);
        assertThat(store.claimPatient(new PatientDemographics(legacy, "", "A", "", "", "2.25.6")).fromImages()).isFalse();
        assertThat(store.replaceAnsweredPatient(new PatientDemographics(legacy, "", "A", "", "", "2.25.6"))).isTrue();
    }

    @Test
    void aTableMissingFromAnExistingKeyspaceIsCreatedOnOpen() {
        String keyspace = RealServices.unique("statetest_reopen_");
        CassandraSettings settings = CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(), keyspace);
        List<String> every = CassandraSchema.tables(keyspace).stream().map(CassandraSchema::tableName).toList();
        try (CassandraStateStore first = CassandraStateStore.open(settings)) {
            assertThat(tableNames(first, keyspace)).containsAll(every);
            first.session().execute("DROP TABLE " + keyspace + ".uid_collisions");
            first.session().execute("DROP TABLE " + keyspace + ".studies_by_day");
        }
        try (CassandraStateStore repaired = CassandraStateStore.open(settings)) {
            assertThat(tableNames(repaired, keyspace)).containsAll(every);
            repaired.session().execute("DROP KEYSPACE " + keyspace);
        }
    }

    private static List<String> tableNames(CassandraStateStore store, String keyspace) {
        return store.session().execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
                .all().stream().map(r -> r.getString("table_name")).toList();
    }

    @Test
    void aKeyspaceCreatedBeforeCharacterSetsWereKeptGetsTheirColumnsOnOpen() {
        String keyspace = RealServices.unique("statetest_cs_");
        CassandraSettings settings = CassandraSettings.of(RealServices.cassandra(), RealServices.cassandraDatacenter(), keyspace);
        try (CassandraStateStore first = CassandraStateStore.open(settings)) {
            first.session().execute("ALTER TABLE " + keyspace + ".studies DROP index_character_set");
            first.session().execute("ALTER TABLE " + keyspace + ".studies DROP unknown_attributes");
            first.session().execute("ALTER TABLE " + keyspace + ".patients DROP from_images");
        }
        try (CassandraStateStore reopened = CassandraStateStore.open(settings)) {
            String uid = uid();
            reopened.insertStudyIfAbsent(study(uid, "20240108").withIndexText("ISO_IR 192", Set.of()));
            assertThat(reopened.findStudy(uid).orElseThrow().indexCharacterSet()).isEqualTo("ISO_IR 192");
            reopened.markUnknown(uid, Set.of("PatientName"));
            assertThat(reopened.findStudy(uid).orElseThrow().unknownAttributes()).containsExactly("PatientName");
            assertThat(reopened.claimPatient(new PatientDemographics("P", "", "A", "", "", uid)).fromImages()).isTrue();
            reopened.session().execute("DROP KEYSPACE " + keyspace);
        }
    }

    @Test
    void recordExpectedInstancesAgainKeepsProgress() {
        String uid = uid();
        store.insertStudyIfAbsent(study(uid, "20240106"));
        store.recordExpectedInstances(uid, List.of(expected(uid, "2.1", "s1")));
        store.recordRetrieved(new InstanceRecord(uid, "2.1", "s1", null, "1.2.840.10008.1.2", 10, "cd".repeat(32),
                "k", null, null, null, null));
        store.recordForwarded(uid, "2.1", 0, true);

        store.recordExpectedInstances(uid, List.of(expected(uid, "2.1", "s1"), expected(uid, "2.2", "s1")));
        InstanceRecord kept = instance(uid, "2.1");
        assertThat(kept.retrieved()).isTrue();
        assertThat(kept.forwarded()).isTrue();
        assertThat(kept.sizeBytes()).isEqualTo(10);
        assertThat(kept.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(store.instancesOf(uid)).hasSize(2);
    }

    @Test
    void largeManifestIsWrittenCompletely() {
        String uid = uid();
        List<InstanceRecord> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(expected(uid, "3." + i, "s" + (i % 4)));
        }
        store.recordExpectedInstances(uid, many);
        assertThat(store.instancesOf(uid)).hasSize(500);
    }

    @Test
    void studiesOfDayAndIndexDays() {
        LocalDate day = LocalDate.of(1999, 12, 31);
        String a = uid();
        String b = uid();
        store.insertStudyIfAbsent(study(a, "19991231"));
        store.insertStudyIfAbsent(study(b, "1999.12.31"));
        store.insertStudyIfAbsent(study(uid(), null));
        assertThat(store.studiesOfDay(day)).containsExactlyInAnyOrder(a, b);
        assertThat(store.studiesOfDay(day.plusDays(1))).isEmpty();

        assertThat(store.findIndexDay(day)).isEmpty();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        store.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.FAILED, at, 0, null, "day", "C-FIND refused"));
        store.recordIndexDay(new IndexDayRecord(day, IndexDayRecord.Status.DONE, at, 2, "hash", "day/modality", null));
        IndexDayRecord found = store.findIndexDay(day).orElseThrow();
        assertThat(found).isEqualTo(new IndexDayRecord(day, IndexDayRecord.Status.DONE, at, 2, "hash", "day/modality", null));
    }

    @Test
    void allStudiesPagesAndCountsByState() {
        // Own keyspace: exact counts regardless of the other tests.
        try (StateStore own = CassandraStateStore.open(CassandraSettings.of(RealServices.cassandra(),
                RealServices.cassandraDatacenter(), RealServices.unique("statepaging_")).withPageSize(17))) {
            List<String> uids = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                String uid = "1.2.3." + i;
                uids.add(uid);
                own.insertStudyIfAbsent(study(uid, "20240201"));
            }
            for (int i = 0; i < 30; i++) {
                own.transition(uids.get(i), StudyState.RETRIEVING, StudyState.INDEXED);
            }
            own.markFailed(uids.get(249), "test", "boom");

            List<String> seen = new ArrayList<>();
            own.allStudies().forEach(s -> seen.add(s.studyInstanceUid()));
            assertThat(seen).hasSize(250).containsExactlyInAnyOrderElementsOf(uids);
            assertThat(own.countStudiesByState()).isEqualTo(Map.of(StudyState.INDEXED, 219L,
                    StudyState.RETRIEVING, 30L, StudyState.FAILED, 1L));
        }
    }

    @Test
    void keyspaceNamesAreValidated() {
        assertThatThrownBy(() -> CassandraSettings.of("127.0.0.1:1", "dc", "bad-name"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CassandraSettings.of("127.0.0.1:1", "dc", "x; DROP KEYSPACE y"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CassandraSettings.of("127.0.0.1:1", "dc", "a".repeat(49)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static InstanceRecord expected(String study, String sop, String series) {
        return new InstanceRecord(study, sop, series, "1.2.840.10008.5.1.4.1.1.2", null, 0, null, null, null, null,
                null, null);
    }

    private static InstanceRecord instance(String study, String sop) {
        return store.instancesOf(study).stream().filter(i -> i.sopInstanceUid().equals(sop)).findFirst().orElseThrow();
    }
}
