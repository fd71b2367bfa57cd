package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.schedule.Backoff;
import org.pacsmigrator.testsupport.RealServices;

/** The stages' consumer lag as the broker sees it, against the real broker. */
class LagMonitorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration REFRESH = Duration.ofMillis(200);

    private final KafkaSettings settings = KafkaSettings.of(RealServices.kafka(), "test", 3);
    private final Topics topics = new Topics(RealServices.unique("lag"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void lagRisesWhileTheStageIsBusyAndFallsAfterWithTheStagesLabel() throws Exception {
        TopicAdmin.ensureTopics(settings, topics.all());
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(settings)) {
            for (int i = 0; i < 6; i++) {
                publisher.publish(topics.indexed(), StudyEvent.of("4.lag", Integer.toString(i)));
            }
        }
        CountDownLatch release = new CountDownLatch(1);
        StageConsumer consumer = new StageConsumer(settings, StageId.RETRIEVE, topics, e -> release.await(),
                new StageConsumer.RetryPolicy(3, Backoff.ofMillis(50, 200)), registry);
        try (Admin admin = ConsumerLag.admin(RealServices.kafka());
             LagMonitor lag = new LagMonitor(admin, registry, REFRESH).watch(StageId.RETRIEVE, topics)) {
            consumer.start();
            await().atMost(WAIT).until(() -> stageLag() == 6);
            release.countDown();
            await().atMost(WAIT).until(() -> consumer.processed() == 6);
            await().atMost(WAIT).until(() -> stageLag() == 0);
            // per partition too, with the stage's label beside the group (the same label as every other stage meter)
            assertThat(registry.get("pacsmig.consumer.lag").tag("stage", "retrieve")
                    .tag("group", StageId.RETRIEVE.consumerGroup(topics)).gauges()).hasSize(3);
            assertThat(registry.get("pacsmig.stage.processed").tag("stage", "retrieve").counter().count()).isEqualTo(6);
            // Kafka's client-side meters (rates, averages, a lag that stops while paused) are not published
            assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("kafka."));
        } finally {
            release.countDown();
            consumer.close();
        }
    }

    @Test
    void aLagNotReadYetIsNoSeriesRatherThanASentinel() throws Exception {
        try (Admin admin = ConsumerLag.admin(RealServices.kafka());
             LagMonitor lag = new LagMonitor(admin, registry, REFRESH).watch(StageId.FORWARD, topics)) {
            Thread.sleep(5 * REFRESH.toMillis()); // reads fail: the topics do not exist yet
            assertThat(registry.find("pacsmig.stage.lag").gauges()).isEmpty();
            assertThat(registry.find("pacsmig.consumer.lag").gauges()).isEmpty();

            TopicAdmin.ensureTopics(settings, topics.all());
            await().atMost(WAIT).until(() -> registry.find("pacsmig.stage.lag").tag("stage", "forward").gauge() != null);
            assertThat(stageLag("forward")).isZero();
        }
    }

    private double stageLag() {
        return stageLag("retrieve");
    }

    private double stageLag(String stage) {
        Gauge g = registry.find("pacsmig.stage.lag").tag("stage", stage).gauge();
        return g == null ? Double.NaN : g.value();
    }
}
