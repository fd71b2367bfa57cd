package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import java.time.Duration;
import java.time.Instant;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.throttle.AssociationGate;

/**
 * Whether a PACS answers, without adding load to it: the outcome of the latest association through its gate
 * when one ended within {@link #FRESH}; otherwise a C-ECHO through the gate, only if a slot is free at once and
 * the PACS's window is open. Probes that poll every second (readiness) thus cost the PACS at most one
 * association per {@link #FRESH} (30 s), counted in its limit like every other. With every slot busy or the window
 * closed, the last known outcome is reported (healthy when there is none yet: busy is not down).
 */
public final class PacsHealthCheck extends HealthCheck {
    static final Duration FRESH = Duration.ofSeconds(30);

    private final DicomClient dicom;
    private final AssociationGate gate;
    private final Duration fresh;

    public PacsHealthCheck(DicomClient dicom, AssociationGate gate) {
        this(dicom, gate, FRESH);
    }

    /** With another freshness than {@link #FRESH}: zero makes every probe try a C-ECHO (within the gate). */
    public PacsHealthCheck(DicomClient dicom, AssociationGate gate, Duration fresh) {
        this.dicom = dicom;
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
                dicom.echo(gate.remote());
                return Boolean.TRUE;
            }).isPresent()) {
                return Result.healthy("C-ECHO " + gate.remote() + " ok");
            }
        } catch (DicomException e) {
            return Result.unhealthy("C-ECHO " + gate.remote() + ": " + e.deadLetterCategory() + ": " + e.getMessage());
        }
        return last == null ? Result.healthy(gate.remote() + " not checked: no association slot free or outside its windows")
                : result(last, "latest association, at " + last.at());
    }

    private Result result(AssociationGate.Outcome o, String what) {
        return o.ok() ? Result.healthy(gate.remote() + ": " + what + " ok")
                : Result.unhealthy(gate.remote() + ": " + what + " failed: " + o.detail());
    }
}
