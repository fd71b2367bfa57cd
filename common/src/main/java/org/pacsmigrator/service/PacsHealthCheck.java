package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.time.Instant;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.throttle.AssociationGate;

/**
 * Whether a PACS answers, without adding load to it: the outcome of the latest association through its gate
 * when one ended within {@link #FRESH}; otherwise a C-ECHO (or the given probe) through the gate, only if a slot is free at once and
 * the PACS's window is open. Probes that poll every second (readiness) thus cost the PACS at most one
 * association per {@link #FRESH} (30 s), counted in its limit like every other. With every slot busy or the window
 * closed, the last known outcome is reported (healthy when there is none yet: busy is not down).
 */
public final class PacsHealthCheck extends HealthCheck {
    static final Duration FRESH = Duration.ofSeconds(30);

    /** One exchange that shows the PACS answers (C-ECHO; a QIDO-RS query for a DICOMweb archive). */
    @FunctionalInterface
    public interface Probe {
        void probe() throws DicomException, InterruptedException;
    }

    private final Probe probe;
    private final String probeName;
    private final AssociationGate gate;
    private final Duration fresh;

    public PacsHealthCheck(DicomClient dicom, AssociationGate gate) {
        this(dicom, gate, FRESH);
    }

    /** With another freshness than {@link #FRESH}: zero makes every probe try a C-ECHO (within the gate). */
    public PacsHealthCheck(DicomClient dicom, AssociationGate gate, Duration fresh) {
        this(() -> dicom.echo(gate.remote()), "C-ECHO", gate, fresh);
    }

    /** With its own probe, named {@code probeName} in the results. */
    public PacsHealthCheck(Probe probe, String probeName, AssociationGate gate) {
        this(probe, probeName, gate, FRESH);
    }

    private PacsHealthCheck(Probe probe, String probeName, AssociationGate gate, Duration fresh) {
        this.probe = probe;
        this.probeName = probeName;
        this.gate = gate;
        this.fresh = fresh;
    }

    @Override
    protected Result check() throws InterruptedException {
        AssociationGate.Outcome last = gate.lastOutcome();
        if (last != null && last.at().isAfter(Instant.now().minus(fresh))) {
            return result(last, "latest association");
        }
        try {
            if (gate.callIfFree(() -> {
                probe.probe();
                return Boolean.TRUE;
            }).isPresent()) {
                return Result.healthy(probeName + " " + gate.remote() + " ok");
            }
        } catch (DicomException e) {
            return Result.unhealthy(probeName + " " + gate.remote() + ": " + e.deadLetterCategory() + ": " + e.getMessage());
        }
        return last == null ? Result.healthy(gate.remote() + " not checked: no association slot free or outside its windows")
                : result(last, "latest association, at " + last.at());
    }

    private Result result(AssociationGate.Outcome o, String what) {
        return o.ok() ? Result.healthy(gate.remote() + ": " + what + " ok")
                : Result.unhealthy(gate.remote() + ": " + what + " failed: " + o.detail());
    }
}
