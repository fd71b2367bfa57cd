package org.pacsmigrator.throttle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.schedule.TimeWindows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a worker must respect before it opens an association to a remote PACS, in one place:
 * the allowed time windows, the pause between associations (per worker thread), the global
 * association limit (a {@link AssociationLeases} slot, shared by all workers), and the adaptive
 * limit (which lowers the number of slots this worker competes for when the peer struggles).
 * Reused by the retriever (toward the old PACS) and the forwarder (toward the new one).
 */
public final class AssociationGate {
    private static final Logger LOG = LoggerFactory.getLogger(AssociationGate.class);

    /** One association's worth of work. */
    @FunctionalInterface
    public interface Association<T> {
        T run() throws DicomException, InterruptedException;
    }

    private final DicomNode remote;
    private final AssociationLeases leases; // null: no global limit (single worker, tests)
    private final AdaptiveLimit limit;
    private final TimeWindows windows;
    private final Duration pause;
    private final Duration leaseWait;
    private final AtomicInteger active = new AtomicInteger();
    private final ThreadLocal<Long> lastEnd = new ThreadLocal<>();
    private final java.util.concurrent.atomic.AtomicReference<Outcome> lastOutcome = new java.util.concurrent.atomic.AtomicReference<>();

    /** How the gate's latest association ended: what health checks report instead of opening one of their own. */
    public record Outcome(java.time.Instant at, boolean ok, String detail) {
    }

    public AssociationGate(DicomNode remote, AssociationLeases leases, AdaptiveLimit limit, TimeWindows windows,
                           Duration pause, Duration leaseWait) {
        this.remote = remote;
        this.leases = leases;
        this.limit = limit;
        this.windows = windows;
        this.pause = pause;
        this.leaseWait = leaseWait;
    }

    /** No windows, no pause, no global limit, adaptive limit 1..{@code max}. */
    public static AssociationGate unlimited(DicomNode remote, int max) {
        return new AssociationGate(remote, null, AdaptiveLimit.of(1, max), TimeWindows.always(), Duration.ZERO,
                Duration.ofMinutes(10));
    }

    /**
     * Registers {@code <prefix>.associations.active} (this worker's open associations) and
     * {@code <prefix>.associations.limit} (the adaptive limit), tagged with the remote AE.
     */
    public AssociationGate register(MeterRegistry registry, String prefix) {
        Gauge.builder(prefix + ".associations.active", active, AtomicInteger::get).tag("remote", remote.aeTitle())
                .description("associations this worker currently has open to the remote AE").register(registry);
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

    public TimeWindows windows() {
        return windows;
    }

    public int active() {
        return active.get();
    }

    /** The latest association's outcome through this gate (null before the first). */
    public Outcome lastOutcome() {
        return lastOutcome.get();
    }

    /**
     * Runs {@code association} only if it can start at once: inside a window and with a slot free now (never
     * waiting, never beyond the limit). Empty when it could not start.
     */
    public <T> java.util.Optional<T> callIfFree(Association<T> association) throws DicomException, InterruptedException {
        if (!windows.isOpen() || leases == null && active.get() >= limit.current()) {
            return java.util.Optional.empty();
        }
        AssociationLeases.Lease lease = null;
        if (leases != null) {
            lease = leases.tryAcquire(remote.aeTitle(), Math.min(limit.current(), limit.max()));
            if (lease == null) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.ofNullable(run(association, lease));
    }

    /** Waits for a window, the pause and a slot, then runs {@code association} and feeds the adaptive limit. */
    public <T> T call(Association<T> association) throws DicomException, InterruptedException {
        if (!windows.isOpen()) {
            LOG.info("outside the allowed windows for {} ({}); waiting {}", remote.aeTitle(), windows, windows.untilOpen());
            windows.awaitOpen();
        }
        Long end = lastEnd.get();
        if (end != null && !pause.isZero() && !pause.isNegative()) {
            long waitNanos = end + pause.toNanos() - System.nanoTime();
            if (waitNanos > 0) {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            }
        }
        AssociationLeases.Lease lease = null;
        if (leases != null) {
            lease = leases.acquire(remote.aeTitle(), Math.min(limit.current(), limit.max()), leaseWait);
            if (lease == null) {
                throw new DicomException(DicomException.Category.TIMEOUT, "no association slot toward "
                        + remote.aeTitle() + " became free within " + leaseWait);
            }
        }
        return run(association, lease);
    }

    private <T> T run(Association<T> association, AssociationLeases.Lease lease) throws DicomException, InterruptedException {
        active.incrementAndGet();
        long start = System.nanoTime();
        try {
            T result = association.run();
            limit.onSuccess(Duration.ofNanos(System.nanoTime() - start));
            lastOutcome.set(new Outcome(java.time.Instant.now(), true, "ok"));
            return result;
        } catch (DicomException e) {
            lastOutcome.set(new Outcome(java.time.Instant.now(), false, e.deadLetterCategory() + ": " + e.getMessage()));
            switch (e.category()) {
                case CONNECTION_REFUSED, ASSOCIATION_REJECTED, TIMEOUT -> {
                    limit.onOverload();
                    LOG.warn("{} struggles ({}): adaptive limit now {}", remote.aeTitle(), e.category(), limit.current());
                }
                default -> {
                }
            }
            throw e;
        } finally {
            active.decrementAndGet();
            if (lease != null) {
                lease.close();
            }
            lastEnd.set(System.nanoTime());
        }
    }
}
