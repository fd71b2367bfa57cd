package org.pacsmigrator.state;

import java.util.List;

/** CQL of the migration keyspace. Every statement is idempotent (IF NOT EXISTS). */
final class CassandraSchema {
    private CassandraSchema() {
    }

    static String keyspace(CassandraSettings s) {
        return "CREATE KEYSPACE IF NOT EXISTS " + s.keyspace() + " WITH replication = " + s.replication().cql();
    }

    /** A column added after its table was first released: added to keyspaces created before. */
    record AddedColumn(String table, String column, String type) {
        String cql(String ks) {
            return "ALTER TABLE " + ks + "." + table + " ADD " + column + " " + type;
        }
    }

    static final List<AddedColumn> ADDED_COLUMNS = List.of(new AddedColumn("instances", "store_attempts", "list<timestamp>"),
            new AddedColumn("studies", "index_character_set", "text"),
            new AddedColumn("studies", "unknown_attributes", "set<text>"),
            new AddedColumn("patients", "from_images", "boolean"));

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
                "CREATE TABLE IF NOT EXISTS " + ks + ".studies_by_day ("
                        + " day date, study_uid text, PRIMARY KEY ((day), study_uid))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".index_days ("
                        + " day date PRIMARY KEY, status text, queried_at timestamp, study_count int,"
                        + " uid_set_hash text, split text, last_error text)",
                // All instances of a study in one partition, ordered by SOP Instance UID.
                "CREATE TABLE IF NOT EXISTS " + ks + ".instances ("
                        + " study_uid text, sop_uid text,"
                        + " series_uid text, sop_class_uid text, transfer_syntax_uid text,"
                        + " size_bytes bigint, sha256 text, cache_key text,"
                        + " retrieved_at timestamp, forwarded_at timestamp, forward_status int, verified_at timestamp,"
                        // When each C-STORE of the instance was answered: an append per try, in the same
                        // write as its status (a counter table would cost a second, read-before-write request).
                        + " store_attempts list<timestamp>,"
                        + " PRIMARY KEY ((study_uid), sop_uid))",
                // Demographics first seen per PatientID (within its issuer), to detect conflicts: from the
                // images (from_images), or, in keyspaces of older versions, from the C-FIND answer (null).
                "CREATE TABLE IF NOT EXISTS " + ks + ".patients ("
                        + " issuer text, patient_id text, patient_name text, birth_date text, sex text, first_study_uid text,"
                        + " from_images boolean, PRIMARY KEY ((issuer, patient_id)))",
                // What the forwarder's rules changed per instance, for the report.
                "CREATE TABLE IF NOT EXISTS " + ks + ".instance_modifications ("
                        + " study_uid text, sop_uid text, rules_applied list<text>, changes list<text>,"
                        + " problems list<text>, original_sha256 text, sent_sha256 text, modified_at timestamp,"
                        + " PRIMARY KEY ((study_uid), sop_uid))",
                // Storage commitment: transactions per study, the transaction -> study lookup for
                // reports, and the outcome per instance.
                "CREATE TABLE IF NOT EXISTS " + ks + ".commitments ("
                        + " study_uid text, transaction_uid text, attempt int, instance_count int,"
                        + " requested_at timestamp, reported_at timestamp, event_type int, committed int, failed int,"
                        + " PRIMARY KEY ((study_uid), transaction_uid))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".commitments_by_transaction ("
                        + " transaction_uid text PRIMARY KEY, study_uid text)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".instance_commitments ("
                        + " study_uid text, sop_uid text, transaction_uid text, committed_at timestamp,"
                        + " failure_reason int, updated_at timestamp, PRIMARY KEY ((study_uid), sop_uid))",
                // Completion per study, computed by the Kafka Streams topology of the verifier.
                "CREATE TABLE IF NOT EXISTS " + ks + ".study_status ("
                        + " study_uid text PRIMARY KEY, expected int, retrieved int, sent int, confirmed int,"
                        + " failed int, criterion text, method text, complete boolean, completed_at timestamp,"
                        + " updated_at timestamp)",
                // Pause/resume of each stage (index, retrieve, forward, verify), set from the console.
                "CREATE TABLE IF NOT EXISTS " + ks + ".stage_control ("
                        + " stage text PRIMARY KEY, paused boolean, changed_at timestamp)",
                CassandraRefusals.table(ks),
                CassandraUidCollisions.table(ks),
                CassandraControlPasses.table(ks));
    }
}
