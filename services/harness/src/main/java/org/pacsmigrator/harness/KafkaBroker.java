package org.pacsmigrator.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka (broker and controller in one process) in a child JVM. Its config, log
 * and data live in one directory, so {@link #stop()} then {@link #start()} keeps the topics; ports
 * stay the same across restarts.
 */
public final class KafkaBroker extends ChildJvmService {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    /** What KafkaRaftServer logs once its listeners are bound. */
    private static final String READY_LINE = "Kafka Server started";

    private final String host;
    private final int port;
    private final int controllerPort;

    private KafkaBroker(Path directory, String host, int port, int controllerPort) {
        super(directory);
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Starts a broker on free loopback ports with its data in {@code directory} (kept across restarts). When
     * a port was taken between its choice and the broker's bind, the broker starts again on other ports.
     */
    public static KafkaBroker start(Path directory) {
        return start(directory, Ports::freePort);
    }

    /** With the ports from {@code ports} (tests hand out a taken one first). */
    static KafkaBroker start(Path directory, IntSupplier ports) {
        return StartLog.retryingTakenPorts("Kafka", () -> {
            KafkaBroker broker = new KafkaBroker(directory.toAbsolutePath(), "127.0.0.1", ports.getAsInt(), ports.getAsInt());
            broker.start();
            return broker;
        });
    }

    /** A broker someone else started ("host:port"); {@link #start()}, {@link #stop()} and {@link #kill()} do nothing. */
    public static KafkaBroker attach(String bootstrapServers) {
        int colon = bootstrapServers.lastIndexOf(':');
        return new KafkaBroker(null, bootstrapServers.substring(0, colon),
                Integer.parseInt(bootstrapServers.substring(colon + 1)), -1);
    }

    public synchronized void start() {
        if (directory == null || (process != null && process.isAlive())) {
            return;
        }
        try {
            // the topics hold patient data: nothing below the broker's directory is for other users
            ChildJvm.privateDirectory(directory);
            ChildJvm.privateDirectory(dataDirectory());
            ChildJvm.writePrivate(directory.resolve("server.properties"), serverProperties());
            // Kafka's log4j 1 API is bound to reload4j (see services/kafka-runtime); log to stdout = kafka.log
            ChildJvm.writePrivate(directory.resolve("log4j.properties"), """
                    log4j.rootLogger=INFO, out
                    log4j.appender.out=org.apache.log4j.ConsoleAppender
                    log4j.appender.out.layout=org.apache.log4j.PatternLayout
                    log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
                    log4j.logger.org.apache.kafka.clients=WARN
                    """);
            // log4j 2 is on the classpath too (Kafka's log-level controller touches it): give it a config
            ChildJvm.writePrivate(directory.resolve("log4j2.properties"), """
                    appender.out.type=Console
                    appender.out.name=out
                    appender.out.layout.type=PatternLayout
                    appender.out.layout.pattern=[%d] %p %m (%c)%n
                    rootLogger.level=info
                    rootLogger.appenderRef.out.ref=out
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String classpath = ChildJvm.runtimeClasspath("kafka");
        List<String> jvmArgs = List.of("-Xmx512m", "-Xms128m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Dlog4j.configuration=" + directory.resolve("log4j.properties").toUri(),
                "-Dlog4j2.configurationFile=" + directory.resolve("log4j2.properties"));
        if (!Files.exists(dataDirectory().resolve("meta.properties"))) {
            // format once; a formatted log dir keeps its cluster id and data across restarts
            ChildJvm.run(classpath, jvmArgs, "kafka.tools.StorageTool",
                    List.of("format", "-t", Uuid.randomUuid().toString(), "-c", "server.properties"),
                    directory, log(), Duration.ofSeconds(60));
        }
        StartLog started = StartLog.of(log());
        process = ChildJvm.start(classpath, jvmArgs, "kafka.Kafka", List.of("server.properties"), directory, log());
        try {
            started.awaitLine("Kafka", READY_LINE, process, STARTUP);
        } catch (IllegalStateException e) {
            kill();
            throw e;
        }
        awaitReady();
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** Admin client settings for this broker with short timeouts. */
    public Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    }

    private String serverProperties() {
        return """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                log.dirs=%3$s
                num.partitions=1
                auto.create.topics.enable=false
                # a single node: every internal topic has one replica
                offsets.topic.replication.factor=1
                # 50 partitions each by default: a second of start-up to create, nothing to spread on one node
                offsets.topic.num.partitions=6
                transaction.state.log.num.partitions=6
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                min.insync.replicas=1
                group.initial.rebalance.delay.ms=0
                num.network.threads=2
                num.io.threads=4
                log.segment.bytes=67108864
                """.formatted(port, controllerPort, dataDirectory());
    }

    /** Ready when an AdminClient sees the broker in the cluster, not merely when the port is open. */
    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try (Admin admin = Admin.create(adminConfig())) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka not ready within " + STARTUP + ": " + ChildJvm.tail(log()), e);
                    }
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka exited with " + process.exitValue() + ": " + ChildJvm.tail(log()));
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Path dataDirectory() {
        return directory.resolve("data");
    }

    private Path log() {
        return directory.resolve("kafka.log");
    }
}
