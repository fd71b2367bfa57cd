package org.pacsmigrator.report;

import java.time.Instant;

/**
 * One study in the final report: patient and study keys, instance counts at each stage, failures,
 * verification method and time, and the old-versus-new reconciliation (null counts = not reconciled).
 * {@code refusedInstances}: what our storage SCP refused for the study while retrieving it, by reason.
 */
public record StudyReportRow(
        String patientId, String issuerOfPatientId, String accessionNumber, String studyDate, String studyInstanceUid,
        String state, int expectedSeries, int expectedInstances, int manifestInstances, int retrieved, int sent,
        int verifiedInNew, int committed, int commitFailed, String rulesApplied, String refusedInstances,
        String failureCategory, String failureMessage, String criterion, String verificationMethod, boolean complete,
        Instant verifiedAt,
        Integer oldSeries, Integer newSeries, Integer oldInstances, Integer newInstances,
        int seriesMissingInNew, int instancesMissingInNew, int instancesExtraInNew) {

    public static final String[] HEADER = {"patient_id", "issuer_of_patient_id", "accession_number", "study_date",
        "study_instance_uid", "state", "expected_series", "expected_instances", "manifest_instances", "retrieved", "sent",
        "verified_in_new", "committed", "commit_failed", "rules_applied", "refused_instances", "failure_category", "failure_message",
        "completion_criterion", "verification_method", "complete", "verified_at", "old_pacs_series", "new_pacs_series",
        "old_pacs_instances", "new_pacs_instances", "series_missing_in_new", "instances_missing_in_new",
        "instances_extra_in_new"};

    Object[] values() {
        return new Object[] {patientId, issuerOfPatientId, accessionNumber, studyDate, studyInstanceUid, state,
            expectedSeries, expectedInstances, manifestInstances, retrieved, sent, verifiedInNew, committed, commitFailed,
            rulesApplied, refusedInstances, failureCategory, failureMessage, criterion, verificationMethod, complete, verifiedAt,
            oldSeries, newSeries, oldInstances, newInstances, seriesMissingInNew, instancesMissingInNew, instancesExtraInNew};
    }
}
