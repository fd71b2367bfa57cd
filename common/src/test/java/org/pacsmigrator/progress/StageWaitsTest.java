package org.pacsmigrator.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;

class StageWaitsTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    /** A Monday, 10:00 UTC. */
    private static final Instant MONDAY_10 = Instant.parse("2026-12-07T10:00:00Z");

    private static AssociationGate gate(int max) {
        return new AssociationGate(new DicomNode("OLDPACS", "127.0.0.1", 104), null,
                new AdaptiveLimit(1, max, 3.0, Duration.ZERO, Duration.ofHours(1), System::nanoTime), Schedule.always(),
                Duration.ofSeconds(1));
    }

    @Test
    void nothingHoldsAnOpenUnpausedStageWithAHealthyPacs() throws Exception {
        AssociationGate gate = gate(2);
        gate.call(() -> "ok");
        assertThat(StageWaits.of(false, TimeWindows.always(), gate, MONDAY_10)).isEmpty();
        assertThat(StageWaits.of(false, TimeWindows.always(), null, MONDAY_10)).as("no gate opened: nothing known").isEmpty();
    }

    @Test
    void aClosedWindowSaysWhenTheNextOpens() {
        TimeWindows nights = TimeWindows.parse(List.of("19:00-07:00"), UTC);
        List<StageWait> waits = StageWaits.of(false, nights, null, MONDAY_10);
        assertThat(waits).containsExactly(StageWait.window(Instant.parse("2026-12-07T19:00:00Z"), UTC));
        assertThat(waits.get(0).describe(MONDAY_10, UTC))
                .startsWith("outside its time windows: the next opens at 19:00")
                .endsWith("(in 9h 00m)");
        TimeWindows weekend = TimeWindows.parse(List.of("SAT-SUN 00:00-24:00"), UTC);
        assertThat(StageWaits.of(false, weekend, null, MONDAY_10).get(0).describe(MONDAY_10, UTC))
                .as("another day: its name").contains("the next opens Sat 00:00").endsWith("(in 4d 14h)");
        assertThat(StageWaits.of(false, nights, null, Instant.parse("2026-12-07T20:00:00Z"))).as("inside the window").isEmpty();
    }

    @Test
    void aPauseComesFirst() {
        TimeWindows nights = TimeWindows.parse(List.of("19:00-07:00"), UTC);
        List<StageWait> waits = StageWaits.of(true, nights, null, MONDAY_10);
        assertThat(waits).extracting(StageWait::kind).containsExactly(StageWait.Kind.PAUSED, StageWait.Kind.WINDOW);
        assertThat(waits.get(0).describe(MONDAY_10, UTC)).isEqualTo("paused (resume it in the console)");
    }

    @Test
    void anUnreachablePacsIsNamedWithItsFailureAndTheLoweredLimit() throws Exception {
        AssociationGate gate = gate(4);
        assertThatThrownBy(() -> gate.call(() -> {
            throw new DicomException(DicomException.Category.CONNECTION_REFUSED, "Connection refused to 127.0.0.1:104");
        })).isInstanceOf(DicomException.class);
        List<StageWait> waits = StageWaits.of(false, TimeWindows.always(), gate, MONDAY_10);
        assertThat(waits).extracting(StageWait::kind).containsExactly(StageWait.Kind.UNREACHABLE, StageWait.Kind.THROTTLED);
        assertThat(waits.get(0).describe(MONDAY_10, UTC)).startsWith("OLDPACS unreachable since ")
                .contains("Connection refused to 127.0.0.1:104");
        assertThat(waits.get(1).describe(MONDAY_10, UTC))
                .isEqualTo("OLDPACS throttled to 2 of 4 associations after it refused or timed out");

        gate.call(() -> "ok");
        assertThat(StageWaits.of(false, TimeWindows.always(), gate, MONDAY_10)).as("reached again; the limit recovers slowly")
                .extracting(StageWait::kind).containsExactly(StageWait.Kind.THROTTLED);
    }

    @Test
    void aRefusedInstanceIsNoWait() {
        AssociationGate gate = gate(2);
        assertThatThrownBy(() -> gate.call(() -> {
            throw new DicomException(DicomException.Category.FAILURE_STATUS, "C-STORE status 0xA700");
        })).isInstanceOf(DicomException.class);
        assertThat(StageWaits.of(false, TimeWindows.always(), gate, MONDAY_10)).isEmpty();
    }
}
