package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraNodeTest {
    @TempDir
    static Path dir;
    static CassandraNode node;

    static int takenPort;

    /** Its CQL port is taken after it was chosen (the race of the issue): the node starts again on other ports. */
    @BeforeAll
    static void startNode() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            takenPort = taken.getLocalPort();
            AtomicInteger calls = new AtomicInteger();
            long t0 = System.nanoTime();
            // the first port asked for is the native (CQL) one
            node = CassandraNode.start(dir, true, () -> calls.getAndIncrement() == 0 ? takenPort : Ports.freePort());
            System.out.printf("Cassandra ready in %d ms, RSS %d MiB%n", (System.nanoTime() - t0) / 1_000_000, node.rssKiB() / 1024);
        }
    }

    @Test
    void aPortTakenBeforeTheNodeBoundItMeansAStartOnOtherPorts() throws Exception {
        assertThat(node.contactPoint()).isNotEqualTo("127.0.0.1:" + takenPort);
        assertThat(Files.readString(dir.resolve("system.log"))).as("the first attempt failed on the taken port")
                .contains("Failed to bind port " + takenPort);
        try (CqlSession session = session()) {
            assertThat(session.execute("SELECT release_version FROM system.local").one()).isNotNull();
        }
    }

    @Test
    void itsDataIsForItsOwnerOnly() {
        try (CqlSession session = session()) {
            session.execute("CREATE KEYSPACE IF NOT EXISTS modes WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE IF NOT EXISTS modes.patient (id text PRIMARY KEY, name text)");
            session.execute("INSERT INTO modes.patient (id, name) VALUES ('P1', 'Doe^Jane')");
        }
        node.stop(); // flushes the memtables: the table's SSTables are written
        node.start();
        assertThat(FileModes.of(dir)).isEqualTo("rwx------");
        assertThat(FileModes.notOwnerOnly(dir)).as("files and directories others may read or enter").isEmpty();
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
