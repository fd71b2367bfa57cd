package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** Runs against the shared services: started here, or by scripts/test.sh and attached to. */
class ServicesTest {
    private final Services services = TestServices.get();

    @Test
    void environmentNamesEveryService() {
        Map<String, String> env = services.toEnvironment();
        assertThat(env.keySet()).containsExactlyElementsOf(Services.ENV_NAMES);
        assertThat(env.values()).allSatisfy(v -> assertThat(v).isNotBlank());
        assertThat(env.get(Services.ENV_OLD_PACS)).startsWith("OLDPACS@127.0.0.1:");
        assertThat(env.get(Services.ENV_NEW_PACS)).startsWith("NEWPACS@127.0.0.1:");
        assertThat(Services.attach(env).toEnvironment()).isEqualTo(env);
    }

    @Test
    void kafkaAndCassandraAnswer() throws Exception {
        try (Admin admin = Admin.create(services.kafka().adminConfig())) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
        }
        try (CqlSession session = CqlSession.builder().addContactPoint(services.cassandra().address())
                .withLocalDatacenter(services.cassandra().localDatacenter()).build()) {
            assertThat(session.execute("SELECT release_version FROM system.local").one().getString(0)).startsWith("5.0");
        }
    }

    @Test
    void bothPacsKnowTheMigratorAndEachOther() {
        JsonNode oldKnows = services.oldPacs().get("/modalities?expand");
        assertThat(oldKnows.path("MIGRATOR").path("AET").asText()).isEqualTo(services.migrator().aeTitle());
        assertThat(oldKnows.path("MIGRATOR").path("Port").asInt()).isEqualTo(services.migrator().port());
        assertThat(oldKnows.path("NEWPACS").path("Port").asInt()).isEqualTo(services.newPacs().dicomPort());
        assertThat(services.newPacs().get("/modalities?expand").path("MIGRATOR").path("Port").asInt())
                .isEqualTo(services.migrator().port());
        // a real association from the old PACS to the new one
        services.oldPacs().post("/modalities/NEWPACS/echo", "{}");
    }
}
