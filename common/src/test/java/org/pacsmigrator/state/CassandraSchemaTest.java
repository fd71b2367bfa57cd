package org.pacsmigrator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The schema assembled from the aggregates' classes names every table and added column that keyspaces hold. */
class CassandraSchemaTest {
    private static final Pattern CREATE = Pattern.compile("CREATE TABLE IF NOT EXISTS ks\\.(\\w+) \\(");

    @Test
    void everyTableOfTheKeyspaceIsCreatedOnce() {
        List<String> names = CassandraSchema.tables("ks").stream().map(ddl -> {
            Matcher m = CREATE.matcher(ddl);
            assertThat(m.lookingAt()).as(ddl).isTrue();
            assertThat(CassandraSchema.tableName(ddl)).isEqualTo(m.group(1));
            return m.group(1);
        }).toList();
        // existing keyspaces hold exactly these tables: renaming or dropping one would lose data
        assertThat(names).containsExactlyInAnyOrder("studies", "studies_by_day", "studies_by_key", "index_days", "instances", "patients",
                "instance_modifications", "commitments", "commitments_by_transaction", "instance_commitments",
                "study_status", "day_progress", "stage_control", "instance_refusals", "uid_collisions", "control_pass",
                "priority_patients");
    }

    @Test
    void columnsAddedAfterTheFirstReleaseAreStillAdded() {
        assertThat(CassandraSchema.ADDED_COLUMNS).containsExactlyInAnyOrder(
                new CassandraSchema.AddedColumn("instances", "store_attempts", "list<timestamp>"),
                new CassandraSchema.AddedColumn("instances", "patient", "frozen<map<text, text>>"),
                new CassandraSchema.AddedColumn("studies", "index_character_set", "text"),
                new CassandraSchema.AddedColumn("studies", "unknown_attributes", "set<text>"),
                new CassandraSchema.AddedColumn("patients", "from_images", "boolean"),
                new CassandraSchema.AddedColumn("studies_by_day", "state", "text"));
        assertThat(CassandraSchema.ADDED_COLUMNS.get(0).cql("ks"))
                .isEqualTo("ALTER TABLE ks.instances ADD store_attempts list<timestamp>");
    }

    @Test
    void theStudyStateIndexOfEarlierVersionsIsDropped() {
        assertThat(CassandraSchema.RETIRED_INDEXES).containsExactly("studies_state");
    }
}
