package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraNodeTest {
    @TempDir
    static Path dir;
    static CassandraNode node;

    @BeforeAll
    static void startNode() {
        long t0 = System.nanoTime();
        node = CassandraNode.start(dir, true);
        System.out.printf("Cassandra ready in %d ms, RSS %d MiB%n", (System.nanoTime() - t0) / 1_000_000, node.rssKiB() / 1024);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void writeReadAndSurviveARestart() {
        try (CqlSession session = session()) {
            session.execute("CREATE KEYSPACE harness WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE harness.study (uid text PRIMARY KEY, state text)");
            session.execute("INSERT INTO harness.study (uid, state) VALUES ('1.2.3', 'INDEXED')");
            assertThat(session.execute("SELECT state FROM harness.study WHERE uid = '1.2.3'").one().getString(0))
                    .isEqualTo("INDEXED");
        }

        long t0 = System.nanoTime();
        node.stop();
        long t1 = System.nanoTime();
        node.start();
        System.out.printf("Cassandra stop %d ms, restart %d ms%n", (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);

        try (CqlSession session = session()) {
            assertThat(session.execute("SELECT state FROM harness.study WHERE uid = '1.2.3'").one().getString(0))
                    .isEqualTo("INDEXED");
        }
    }

    private static CqlSession session() {
        return CqlSession.builder().addContactPoint(node.address()).withLocalDatacenter(node.localDatacenter())
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(50))
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
                        .build())
                .build();
    }
}
