package org.pacsmigrator.progress;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.schedule.TimeWindows;
import org.pacsmigrator.throttle.AdaptiveLimit;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.throttle.StagePauses;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.worker.MigrationContext;

/**
 * What each stage waits for now, from what the process knows already: the stage pauses (read from the state store at
 * most every few seconds), the configured time windows of the PACS the stage talks to, and that PACS's gate in this
 * process (its last association's outcome, its adaptive limit). Nothing here opens an association or scans a table.
 */
public final class StageWaits {
    private final StagePauses pauses;
    private final Map<StageId, TimeWindows> windows;
    private final Map<StageId, Supplier<AssociationGate>> gates;

    StageWaits(StagePauses pauses, Map<StageId, TimeWindows> windows, Map<StageId, Supplier<AssociationGate>> gates) {
        this.pauses = pauses;
        this.windows = Map.copyOf(windows);
        this.gates = Map.copyOf(gates);
    }

    /**
     * The index stage queries the old PACS in {@code index.windows}; retrieve talks to the old PACS in {@code
     * retrieve.windows}; forward and verify to the new one in {@code forward.windows}. A gate no worker of this process
     * opened (a console on its own) tells nothing.
     */
    public static StageWaits of(MigrationContext context) {
        MigrationConfig config = context.config();
        Map<StageId, TimeWindows> windows = new EnumMap<>(StageId.class);
        windows.put(StageId.INDEX, TimeWindows.parse(config.index.windows, ZoneId.of(config.index.timeZone)));
        windows.put(StageId.RETRIEVE, MigrationContext.windowsOf(config.retrieve));
        windows.put(StageId.FORWARD, MigrationContext.windowsOf(config.forward));
        windows.put(StageId.VERIFY, MigrationContext.windowsOf(config.forward));
        Map<StageId, Supplier<AssociationGate>> gates = new EnumMap<>(StageId.class);
        gates.put(StageId.INDEX, context::sourceGateIfOpen);
        gates.put(StageId.RETRIEVE, context::sourceGateIfOpen);
        gates.put(StageId.FORWARD, context::destinationGateIfOpen);
        gates.put(StageId.VERIFY, context::destinationGateIfOpen);
        return new StageWaits(context.pauses(), windows, gates);
    }

    /** Every stage's waits at {@code now}, in stage order (an empty list: nothing holds it back). */
    public Map<StageId, List<StageWait>> at(Instant now) {
        Map<StageId, List<StageWait>> out = new EnumMap<>(StageId.class);
        for (StageId stage : StageId.values()) {
            out.put(stage, of(pauses.isPaused(stage), windows.getOrDefault(stage, TimeWindows.always()),
                    gates.getOrDefault(stage, () -> null).get(), now));
        }
        return out;
    }

    /** One stage's waits: paused, outside its windows, its PACS unreachable or throttled ({@code gate} null: unknown). */
    static List<StageWait> of(boolean paused, TimeWindows windows, AssociationGate gate, Instant now) {
        List<StageWait> waits = new ArrayList<>();
        if (paused) {
            waits.add(StageWait.paused());
        }
        if (!windows.isOpen(now)) {
            waits.add(StageWait.window(windows.nextOpen(now), windows.zone()));
        }
        if (gate != null) {
            AssociationGate.Outcome last = gate.lastOutcome();
            if (last != null && last.unreachable()) {
                waits.add(StageWait.unreachable(gate.remote().aeTitle(), last.at(), last.detail()));
            }
            AdaptiveLimit limit = gate.limit();
            if (limit.current() < limit.max()) {
                waits.add(StageWait.throttled(gate.remote().aeTitle(), limit.current(), limit.max()));
            }
        }
        return List.copyOf(waits);
    }
}
