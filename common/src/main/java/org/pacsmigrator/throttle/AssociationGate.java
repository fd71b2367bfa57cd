package org.pacsmigrator.throttle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.PeerBusyException;
import org.pacsmigrator.schedule.Schedule;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.schedule.TimeWindows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one gate of one PACS in a process: every association to that PACS, of every role, passes it. It waits for
 * the call's {@link Schedule} (time windows, pause, the operator's hold), then for a slot of the PACS's global
 * association limit (an {@link AssociationLeases} slot, shared by all workers of the migration), and feeds the
 * adaptive limit (which lowers the number of slots this process competes for when the peer struggles). The limit
 * is the PACS's alone, so it counts all roles together; the schedule is the PACS's own ({@link #schedule()}, from
 * its association policy) unless a role brings its own (the indexer: {@code index.windows}, {@code
 * index.pauseMillis} and the index stage's pause).
 */
public final class AssociationGate {
    private static final Logger LOG = LoggerFactory.getLogger(AssociationGate.class);
    /** How long {@link #callPatiently} keeps asking a peer that answers busy, whatever the role. */
    public static final Duration BUSY_PATIENCE = Duration.ofMinutes(15);

    /** One association's worth of work. */
    @FunctionalInterface
    public interface Association<T> {
        T run() throws DicomException, InterruptedException;
    }

    private final DicomNode remote;
    private final AssociationLeases leases; // null: no global limit (single worker, tests)
    private final AdaptiveLimit limit;
    private final Schedule schedule;
    private final Duration leaseWait;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicReference<Outcome> lastOutcome = new AtomicReference<>();

    /**
     * How the gate's latest association ended: what health checks and the progress display report instead of opening
     * one of their own ({@code failure}: why it failed, null when it succeeded).
     */
    public record Outcome(Instant at, boolean ok, String detail, DicomException.Category failure) {
        /** The PACS could not be reached: refused connection or association, or no answer in time. */
        public boolean unreachable() {
            return failure != null && switch (failure) {
                case CONNECTION_REFUSED, ASSOCIATION_REJECTED, TIMEOUT -> true;
                default -> false;
            };
        }
    }

    /**
     * @param schedule  the PACS's own schedule, for every call that does not bring its role's own
     * @param leaseWait how long a call waits for a slot before it fails as a timeout
     */
    public AssociationGate(DicomNode remote, AssociationLeases leases, AdaptiveLimit limit, Schedule schedule,
                           Duration leaseWait) {
        this.remote = remote;
        this.leases = leases;
        this.limit = limit;
        this.schedule = schedule;
        this.leaseWait = leaseWait;
    }

    /** A gate whose own schedule is {@code windows} and a pause per worker thread. */
    public AssociationGate(DicomNode remote, AssociationLeases leases, AdaptiveLimit limit, TimeWindows windows,
                           Duration pause, Duration leaseWait) {
        this(remote, leases, limit, Schedule.perThread(windows, pause, Sleeper.real()), leaseWait);
    }

    /** No windows, no pause, no global limit, adaptive limit 1..{@code max}. */
    public static AssociationGate unlimited(DicomNode remote, int max) {
        return new AssociationGate(remote, null, AdaptiveLimit.of(1, max), Schedule.always(), Duration.ofMinutes(10));
    }

    /**
     * Registers {@code <prefix>.associations.active} (this worker's open associations) and
     * {@code <prefix>.associations.limit} (the adaptive limit), tagged with the remote AE.
     */
    public AssociationGate register(MeterRegistry registry, String prefix) {
        Gauge.builder(prefix + ".associations.active", active, AtomicInteger::get).tag("remote", remote.aeTitle())
                .description("associations this process currently has open to the remote AE, all roles together").register(registry);
        limit.register(registry, prefix + ".associations.limit", remote.aeTitle());
        return this;
    }

    public DicomNode remote() {
        return remote;
    }

    /** How long a lease of this gate outlives a crashed holder (zero without a global limit). */
    public Duration leaseTtl() {
        return leases == null ? Duration.ZERO : leases.ttl();
    }

    public AdaptiveLimit limit() {
        return limit;
    }

    /** The PACS's own schedule (its association policy's windows and pause). */
    public Schedule schedule() {
        return schedule;
    }

    /** The windows of the PACS's own schedule. */
    public TimeWindows windows() {
        return schedule.windows();
    }

    public int active() {
        return active.get();
    }

    /** The latest association's outcome through this gate (null before the first). */
    public Outcome lastOutcome() {
        return lastOutcome.get();
    }

    /**
     * Runs {@code association} only if it can start at once: inside the PACS's windows and with a slot free now
     * (never waiting, never beyond the limit). Empty when it could not start.
     */
    public <T> Optional<T> callIfFree(Association<T> association) throws DicomException, InterruptedException {
        if (!schedule.openNow() || leases == null && active.get() >= limit.current()) {
            return Optional.empty();
        }
        AssociationLeases.Lease lease = null;
        if (leases != null) {
            lease = leases.tryAcquire(remote.aeTitle(), Math.min(limit.current(), limit.max()));
            if (lease == null) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(run(schedule, association, lease));
    }

    /** {@link #call(Schedule, Association)} on the PACS's own schedule. */
    public <T> T call(Association<T> association) throws DicomException, InterruptedException {
        return call(schedule, association);
    }

    /**
     * Waits for the role's {@code turns} (its windows, pause and hold), then for a slot of the PACS's limit; runs
     * {@code association} and feeds the adaptive limit.
     */
    public <T> T call(Schedule turns, Association<T> association) throws DicomException, InterruptedException {
        turns.awaitTurn();
        AssociationLeases.Lease lease = null;
        if (leases != null) {
            lease = leases.acquire(remote.aeTitle(), Math.min(limit.current(), limit.max()), leaseWait);
            if (lease == null) {
                throw new DicomException(DicomException.Category.TIMEOUT, "no association slot toward "
                        + remote.aeTitle() + " became free within " + leaseWait);
            }
        }
        return run(turns, association, lease);
    }

    /**
     * {@link #call(Association)}, made again while the peer answers busy ({@link PeerBusyException}: a DICOMweb archive's
     * 429/503) after the wait it asked for, for up to {@link #BUSY_PATIENCE}; then the busy answer is thrown (the stage
     * retries the study later). Each attempt is a new call through the gate, whose adaptive limit the busy answer
     * lowered. {@code onBusy} counts them.
     */
    public <T> T callPatiently(Runnable onBusy, Association<T> association) throws DicomException, InterruptedException {
        long deadline = System.nanoTime() + BUSY_PATIENCE.toNanos();
        while (true) {
            try {
                return call(association);
            } catch (PeerBusyException busy) {
                if (System.nanoTime() > deadline) {
                    throw busy;
                }
                onBusy.run();
                Thread.sleep(busy.retryAfter().toMillis());
            }
        }
    }

    private <T> T run(Schedule turns, Association<T> association, AssociationLeases.Lease lease)
            throws DicomException, InterruptedException {
        active.incrementAndGet();
        long start = System.nanoTime();
        try {
            T result = association.run();
            limit.onSuccess(Duration.ofNanos(System.nanoTime() - start));
            lastOutcome.set(new Outcome(Instant.now(), true, "ok", null));
            return result;
        } catch (DicomException e) {
            Outcome failed = new Outcome(Instant.now(), false, e.deadLetterCategory() + ": " + e.getMessage(), e.category());
            lastOutcome.set(failed);
            if (e instanceof PeerBusyException) {
                // back-pressure the peer announced, not a fault: its caller waits as asked and goes on
                limit.onOverload();
                LOG.info("{} answered busy: adaptive limit now {}", remote.aeTitle(), limit.current());
            } else if (failed.unreachable()) {
                limit.onOverload();
                LOG.warn("{} struggles ({}): adaptive limit now {}", remote.aeTitle(), e.category(), limit.current());
            }
            throw e;
        } finally {
            active.decrementAndGet();
            if (lease != null) {
                lease.close();
            }
            turns.ended();
        }
    }
}
