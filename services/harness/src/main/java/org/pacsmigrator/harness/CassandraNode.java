package org.pacsmigrator.harness;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A single Cassandra 5.0 node in a child JVM (Java 17), configured by a generated small
 * cassandra.yaml. Data, commit log, caches, hints and logs live in one directory, so
 * {@link #stop()} then {@link #start()} keeps the data; ports stay the same across restarts.
 */
public final class CassandraNode extends ChildJvmService {
    public static final String DATACENTER = "datacenter1"; // what SimpleSnitch reports
    private static final Duration STARTUP = Duration.ofSeconds(180);

    /** The JPMS part of Cassandra's conf/jvm17-server.options plus its Netty settings. */
    private static final List<String> JAVA17_FLAGS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11");

    private final String host;
    private final int nativePort;
    private final int storagePort;
    private final boolean unsafeSystem;

    private CassandraNode(Path directory, String host, int nativePort, int storagePort, boolean unsafeSystem) {
        super(directory);
        this.host = host;
        this.nativePort = nativePort;
        this.storagePort = storagePort;
        this.unsafeSystem = unsafeSystem;
    }

    /**
     * Starts a node on free loopback ports with its data in {@code directory}. {@code unsafeSystem}
     * skips fsync of system tables (faster schema changes): for tests only.
     */
    public static CassandraNode start(Path directory, boolean unsafeSystem) {
        return start(directory, unsafeSystem, Ports::freePort);
    }

    /**
     * With the ports from {@code ports} (tests hand out a taken one first). Cassandra cannot bind port 0 and
     * tell which it got: when a port was taken between its choice and the node's bind, the node starts
     * again on other ports.
     */
    static CassandraNode start(Path directory, boolean unsafeSystem, IntSupplier ports) {
        return StartLog.retryingTakenPorts("Cassandra", () -> {
            CassandraNode node = new CassandraNode(directory.toAbsolutePath(), "127.0.0.1", ports.getAsInt(), ports.getAsInt(),
                    unsafeSystem);
            node.start();
            return node;
        });
    }

    /** A node someone else started ("host:port" of CQL); {@link #start()}, {@link #stop()} and {@link #kill()} do nothing. */
    public static CassandraNode attach(String contactPoint) {
        int colon = contactPoint.lastIndexOf(':');
        return new CassandraNode(null, contactPoint.substring(0, colon),
                Integer.parseInt(contactPoint.substring(colon + 1)), -1, false);
    }

    public synchronized void start() {
        if (directory == null || (process != null && process.isAlive())) {
            return;
        }
        try {
            // the tables hold patient names and IDs: nothing below the node's directory is for other users
            ChildJvm.privateDirectory(directory);
            ChildJvm.writePrivate(directory.resolve("cassandra.yaml"), yaml());
            ChildJvm.writePrivate(directory.resolve("logback.xml"), logback());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Xss512k",
                "-Djava.net.preferIPv4Stack=true", "-Djava.awt.headless=true",
                "-Dcassandra.config=" + directory.resolve("cassandra.yaml").toUri(),
                "-Dcassandra.storagedir=" + directory,
                "-Dcassandra.logdir=" + directory,
                "-Dlogback.configurationFile=" + directory.resolve("logback.xml"),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                // no peers to tell: skip the 2 s shutdown announcement wait
                "-Dcassandra.shutdown_announce_in_ms=0",
                // the memtable's per-row overhead, which the node otherwise measures at every start by building
                // 100,000 rows (4.4 s here); 180 bytes is what that measurement gives on this JVM
                "-Dcassandra.memtable.row_overhead_size=180",
                "-XX:+ExitOnOutOfMemoryError"));
        if (unsafeSystem) {
            jvmArgs.add("-Dcassandra.unsafesystem=true");
        }
        jvmArgs.addAll(JAVA17_FLAGS);
        StartLog started = StartLog.of(directory.resolve("system.log"), directory.resolve("cassandra.out"));
        process = ChildJvm.start(ChildJvm.runtimeClasspath("cassandra"), jvmArgs,
                "org.apache.cassandra.service.CassandraDaemon", List.of(), directory, directory.resolve("cassandra.out"));
        try {
            // logged after the native transport is bound, which the storage port precedes
            started.awaitLine("Cassandra", "Startup complete", process, STARTUP);
        } catch (IllegalStateException e) {
            kill();
            throw e;
        }
        awaitReady();
    }

    /** "127.0.0.1:port" of the CQL native transport. */
    public String contactPoint() {
        return host + ":" + nativePort;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(host, nativePort);
    }

    public String localDatacenter() {
        return DATACENTER;
    }

    private String yaml() {
        return """
                cluster_name: pacsmig
                num_tokens: 1
                initial_token: 0
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "127.0.0.1:%2$d"
                listen_address: 127.0.0.1
                rpc_address: 127.0.0.1
                storage_port: %2$d
                native_transport_port: %1$d
                start_native_transport: true
                data_file_directories:
                  - %3$s/data
                commitlog_directory: %3$s/commitlog
                saved_caches_directory: %3$s/saved_caches
                hints_directory: %3$s/hints
                cdc_raw_directory: %3$s/cdc_raw
                commitlog_sync: periodic
                commitlog_sync_period: 10000ms
                commitlog_segment_size: 8MiB
                authenticator: AllowAllAuthenticator
                authorizer: AllowAllAuthorizer
                storage_compatibility_mode: NONE
                # Paxos v2 (Cassandra 4.1+): a lightweight transaction (study transitions, leases,
                # patients) costs the node ~40 %% less CPU than with v1, the default
                paxos_variant: v2
                hinted_handoff_enabled: false
                auto_snapshot: false
                concurrent_compactors: 1
                concurrent_reads: 8
                concurrent_writes: 8
                concurrent_counter_writes: 8
                memtable_heap_space: 64MiB
                memtable_offheap_space: 64MiB
                key_cache_size: 8MiB
                row_cache_size: 0MiB
                counter_cache_size: 0MiB
                prepared_statements_cache_size: 8MiB
                index_summary_capacity: 8MiB
                """.formatted(nativePort, storagePort, directory);
    }

    private String logback() {
        return """
                <configuration>
                  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>%%-5level [%%thread] %%date{ISO8601} %%logger{0} - %%msg%%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="FILE"/></root>
                </configuration>
                """.formatted(directory.resolve("system.log"));
    }

    /** Ready when a real CQL query succeeds, not merely when the native port is open. */
    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
                // closing the probe's session otherwise waits out Netty's 2 s quiet period
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .build();
        while (true) {
            try (CqlSession session = CqlSession.builder().addContactPoint(address()).withLocalDatacenter(DATACENTER)
                    .withConfigLoader(config).build()) {
                if (session.execute("SELECT release_version FROM system.local").one() != null) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Cassandra exited with " + process.exitValue() + ": "
                            + ChildJvm.tail(directory.resolve("cassandra.out")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cassandra not ready within " + STARTUP + ": "
                            + ChildJvm.tail(directory.resolve("system.log")), e);
                }
                sleep(200);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
