package org.pacsmigrator.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdaptiveLimitTest {
    private final AtomicLong now = new AtomicLong();
    private final AdaptiveLimit limit = new AdaptiveLimit(1, 8, 3.0, Duration.ofSeconds(2), Duration.ofSeconds(5), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void halvesOnOverloadOncePerCoolDownAndRecoversSlowly() {
        assertThat(limit.current()).isEqualTo(8);
        limit.onOverload();
        assertThat(limit.current()).isEqualTo(4);
        limit.onOverload(); // same burst: ignored during the cool-down
        assertThat(limit.current()).isEqualTo(4);
        advance(Duration.ofSeconds(3));
        limit.onOverload();
        limit.onOverload();
        assertThat(limit.current()).isEqualTo(2);
        advance(Duration.ofSeconds(3));
        limit.onOverload();
        advance(Duration.ofSeconds(3));
        limit.onOverload();
        assertThat(limit.current()).isEqualTo(1); // never below min
        assertThat(limit.decreases()).isEqualTo(4);

        // Recovery: many successes within one interval add at most one step.
        advance(Duration.ofSeconds(5));
        for (int i = 0; i < 100; i++) {
            limit.onSuccess(Duration.ofMillis(50));
        }
        assertThat(limit.current()).isEqualTo(2);
        for (int step = 0; step < 20; step++) {
            advance(Duration.ofSeconds(5));
            for (int i = 0; i < 10; i++) {
                limit.onSuccess(Duration.ofMillis(50));
            }
        }
        assertThat(limit.current()).isEqualTo(8); // never above max
    }

    @Test
    void risingResponseTimeBacksOff() {
        for (int i = 0; i < 50; i++) {
            advance(Duration.ofSeconds(1));
            limit.onSuccess(Duration.ofMillis(100));
        }
        assertThat(limit.current()).isEqualTo(8);
        for (int i = 0; i < 5; i++) {
            advance(Duration.ofSeconds(1));
            limit.onSuccess(Duration.ofMillis(2000));
        }
        assertThat(limit.current()).isLessThan(8);
    }

    @Test
    void currentLimitIsAGauge() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        limit.register(registry, "pacsmig.test.limit", "OLDPACS");
        limit.onOverload();
        assertThat(registry.get("pacsmig.test.limit").tag("remote", "OLDPACS").gauge().value()).isEqualTo(4.0);
    }
}
