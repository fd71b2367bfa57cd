package org.pacsmigrator.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.schedule.TimeWindows;

class AssociationGateTest {
    private static final DicomNode PACS = new DicomNode("OLD", "127.0.0.1", 104);

    @Test
    void pauseSeparatesAssociationsOfOneThread() throws Exception {
        AssociationGate gate = new AssociationGate(PACS, null, AdaptiveLimit.of(1, 2), TimeWindows.always(),
                Duration.ofMillis(300), Duration.ofSeconds(1));
        gate.call(() -> null);
        long start = System.nanoTime();
        gate.call(() -> null);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
    }

    @Test
    void noAssociationOutsideTheWindow() throws Exception {
        // The clock says 18:59:57.5 in UTC: the 19:00 window opens in 2.5 s of real time (a margin for a busy machine).
        Instant target = Instant.parse("2026-11-27T18:59:57.500Z");
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), target));
        TimeWindows windows = TimeWindows.parse(List.of("19:00-20:00"), ZoneOffset.UTC, clock);
        AssociationGate gate = new AssociationGate(PACS, null, AdaptiveLimit.of(1, 2), windows, Duration.ZERO,
                Duration.ofSeconds(1));
        assertThat(windows.isOpen()).isFalse();
        Instant[] openedAt = new Instant[1];
        gate.call(() -> {
            openedAt[0] = clock.instant();
            return null;
        });
        assertThat(openedAt[0]).isAfterOrEqualTo(Instant.parse("2026-11-27T19:00:00Z"));
    }

    @Test
    void aRolesOwnScheduleReplacesThePacsOwnButNotItsLimit() throws Exception {
        // The PACS's own windows are closed for the next hours; the role's schedule (the indexer's) is open.
        Instant target = Instant.parse("2026-11-27T12:00:00Z");
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), target));
        AdaptiveLimit limit = AdaptiveLimit.of(1, 2);
        AssociationGate gate = new AssociationGate(PACS, null, limit, TimeWindows.parse(List.of("19:00-20:00"),
                ZoneOffset.UTC, clock), Duration.ZERO, Duration.ofSeconds(1));
        Schedule indexTurns = Schedule.serial(TimeWindows.always(), Duration.ZERO, Sleeper.real());
        assertThat(gate.callIfFree(() -> "echo")).as("the PACS's own windows are closed").isEmpty();
        assertThat(gate.call(indexTurns, () -> gate.active())).isEqualTo(1);
        assertThatThrownBy(() -> gate.call(indexTurns, () -> {
            throw new DicomException(DicomException.Category.ASSOCIATION_REJECTED, "busy");
        })).isInstanceOf(DicomException.class);
        assertThat(limit.current()).as("the role's failures lower the PACS's one limit").isEqualTo(1);
    }

    @Test
    void rejectedAssociationsAndTimeoutsLowerTheLimitFailureStatusesDoNot() {
        AdaptiveLimit limit = new AdaptiveLimit(1, 8, 3.0, Duration.ZERO, Duration.ofSeconds(5), System::nanoTime);
        AssociationGate gate = new AssociationGate(PACS, null, limit, TimeWindows.always(), Duration.ZERO,
                Duration.ofSeconds(1));
        assertThatThrownBy(() -> gate.call(() -> {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, "no such study");
        })).isInstanceOf(DicomException.class);
        assertThat(limit.current()).isEqualTo(8);
        assertThatThrownBy(() -> gate.call(() -> {
            throw new DicomException(DicomException.Category.ASSOCIATION_REJECTED, "rejected");
        })).isInstanceOf(DicomException.class);
        assertThat(limit.current()).isEqualTo(4);
        assertThatThrownBy(() -> gate.call(() -> {
            throw new DicomException(DicomException.Category.TIMEOUT, "slow");
        })).isInstanceOf(DicomException.class);
        assertThat(limit.current()).isEqualTo(2);
        assertThat(gate.active()).isZero();
    }
}
